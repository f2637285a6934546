package dev.jdemi.inet.transport;

import dev.jdemi.Config;
import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.Linger;
import dev.jdemi.SockAddr;
import dev.jdemi.SocketOption;
import dev.jdemi.inet.tcp.TcpConnection;
import dev.jdemi.inet.tcp.TcpListener;
import dev.jdemi.inet.tcp.TcpStack;
import dev.jdemi.inet.tcp.TcpState;
import dev.jdemi.libos.TransportHost;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.runtime.OpList;
import dev.jdemi.runtime.Operation;

import java.util.Arrays;

/**
 * The TCP sockets of an {@link InetTransport}: the asynchronous queue operations (spec §2) mapped onto the pure
 * {@link TcpStack}, which only answers calls and is polled for progress.
 *
 * <p>Every operation first tries at once; what cannot finish yet (an accept with no connection, a connect in the
 * handshake, a push that does not fit the send buffer, a pop with nothing to read, a close that lingers) stays in
 * its socket's list and is retried by {@link #service} after every loop iteration of the transport. A push completes
 * when all its bytes are in the connection's send buffer (as a kernel {@code send} that returns the full length):
 * from then on the TCP delivers them or reports the connection's error on the next operation; nothing is dropped. A
 * pop takes what is readable, at most its size, copied into a buffer of exactly that length; at end of stream it
 * completes with zero bytes, every time.
 *
 * <p>Closing: without SO_LINGER the close completes at once and the TCP goes on alone (FIN after the queued data,
 * TIME_WAIT), as a kernel's {@code close}; SO_LINGER with 0 seconds, or received data left unread, aborts (RST);
 * with a timeout the close completes when the FIN is acknowledged, or aborts when the timeout passes first.
 *
 * <p>Transport descriptors are {@link #SD_BASE} plus an index, apart from the UDP layer's. Thread: the LibOS's.
 */
final class TcpSockets {
    /** The first TCP transport descriptor; UDP descriptors stay below. */
    static final int SD_BASE = 1 << 20;
    private static final long NS_PER_S = 1_000_000_000L;

    private final TcpStack tcp;
    private final int localIp;
    private final Config.TcpSocketOptions defaults;
    private final TransportHost host;
    private final BufferPool pool;
    private TcpSocket[] sockets = new TcpSocket[16];
    private int highWater;
    /** Connections the application closed that the TCP still finishes (FIN_WAIT, CLOSING, LAST_ACK, TIME_WAIT). */
    private TcpConnection[] orphans = new TcpConnection[16];
    private int orphanCount;

    /** One TCP socket: its binding, its listener or connection, its options and pending operations. */
    private static final class TcpSocket {
        final int sd;
        long local = SockAddr.NONE;
        TcpListener listener;
        TcpConnection connection;
        long peer = SockAddr.NONE;
        Linger linger;
        boolean keepalive;
        boolean nodelay;
        final OpList accepts = new OpList();
        final OpList connects = new OpList();
        final OpList pushes = new OpList();
        final OpList pops = new OpList();
        Operation lingeringClose;
        long lingerDeadlineNs = Long.MAX_VALUE;

        TcpSocket(int sd) {
            this.sd = sd;
        }
    }

    TcpSockets(TcpStack tcp, int localIp, Config.TcpSocketOptions defaults, TransportHost host, BufferPool pool) {
        this.tcp = tcp;
        this.localIp = localIp;
        this.defaults = defaults;
        this.host = host;
        this.pool = pool;
    }

    static boolean isTcp(int sd) {
        return sd >= SD_BASE;
    }

    int socket() {
        int index = 0;
        while (index < sockets.length && sockets[index] != null) {
            index++;
        }
        if (index == sockets.length) {
            sockets = Arrays.copyOf(sockets, index * 2);
        }
        TcpSocket s = new TcpSocket(SD_BASE + index);
        s.linger = defaults.linger() == null ? Linger.OFF : defaults.linger();
        s.keepalive = defaults.keepalive();
        s.nodelay = defaults.nodelay();
        sockets[index] = s;
        highWater = Math.max(highWater, index + 1);
        return s.sd;
    }

    private TcpSocket find(int sd) {
        int index = sd - SD_BASE;
        TcpSocket s = index >= 0 && index < sockets.length ? sockets[index] : null;
        if (s == null) {
            throw new DemiException(Errno.EBADF, "no TCP socket " + sd);
        }
        return s;
    }

    void bind(int sd, long local) {
        TcpSocket s = find(sd);
        int ip = SockAddr.ipv4(local);
        if (ip != 0 && ip != localIp) {
            throw new DemiException(Errno.EADDRNOTAVAIL, SockAddr.toString(local) + " is not an address of this host");
        }
        s.local = SockAddr.pack(localIp, SockAddr.port(local));
    }

    void listen(int sd, int backlog) {
        TcpSocket s = find(sd);
        try {
            s.listener = tcp.listen(localIp, SockAddr.port(s.local), backlog);
        } catch (IllegalStateException e) {
            throw new DemiException(Errno.EADDRINUSE, "TCP port " + SockAddr.port(s.local) + " is already listening");
        }
    }

    void accept(int sd, Operation op, long nowNs) {
        TcpSocket s = find(sd);
        s.accepts.add(op);
        serviceAccepts(s, nowNs);
    }

    void connect(int sd, Operation op, long nowNs) {
        TcpSocket s = find(sd);
        int port = s.local == SockAddr.NONE ? 0 : SockAddr.port(s.local);
        TcpConnection c;
        try {
            c = tcp.connect(localIp, port, SockAddr.ipv4(op.address), SockAddr.port(op.address), nowNs);
        } catch (IllegalStateException e) {
            host.connected(op, Errno.EADDRINUSE);
            return;
        }
        s.connection = c;
        s.peer = op.address;
        s.local = SockAddr.pack(localIp, c.localPort());
        applyOptions(s, nowNs);
        s.connects.add(op);
        serviceConnect(s);
    }

    void push(int sd, Operation op, long nowNs) {
        TcpSocket s = find(sd);
        s.pushes.add(op);
        servicePushes(s, nowNs);
    }

    void pop(int sd, Operation op, long nowNs) {
        TcpSocket s = find(sd);
        s.pops.add(op);
        servicePops(s, nowNs);
    }

    void close(int sd, Operation op, long nowNs) {
        TcpSocket s = find(sd);
        sockets[sd - SD_BASE] = null;
        if (s.listener != null) {
            s.listener.close(nowNs);
        }
        TcpConnection c = s.connection;
        if (c == null || c.state() == TcpState.CLOSED) {
            host.closed(op, 0);
            return;
        }
        if (s.linger.enabled() && s.linger.seconds() == 0 || c.readable() > 0) {
            // SO_LINGER with a zero timeout: abort, RST (RFC 9293 section 3.10.5), as Linux. So is a close that
            // leaves received data unread (RFC 2525 section 2.17, RFC 1122 section 4.2.2.13): the peer learns that
            // its data was not consumed.
            c.abort(nowNs);
            host.closed(op, 0);
            return;
        }
        c.close(nowNs);
        if (!s.linger.enabled() || c.isCloseComplete()) {
            orphan(c);
            host.closed(op, 0);
            return;
        }
        // SO_LINGER with a timeout: the close waits for the FIN's acknowledgement; the socket stays in the table
        // (under no descriptor the LibOS still hands out) until then.
        s.lingeringClose = op;
        s.lingerDeadlineNs = nowNs + s.linger.seconds() * NS_PER_S;
        sockets[sd - SD_BASE] = s;
    }

    void setOption(int sd, SocketOption<?> option, Object value, long nowNs) {
        TcpSocket s = find(sd);
        if (option == SocketOption.SO_LINGER) {
            s.linger = (Linger) value;
        } else if (option == SocketOption.SO_KEEPALIVE) {
            s.keepalive = (Boolean) value;
        } else if (option == SocketOption.TCP_NODELAY) {
            s.nodelay = (Boolean) value;
        } else {
            throw new DemiException(Errno.ENOTSUP, option + " is not supported on TCP sockets");
        }
        applyOptions(s, nowNs);
    }

    Object getOption(int sd, SocketOption<?> option) {
        TcpSocket s = find(sd);
        if (option == SocketOption.SO_LINGER) {
            return s.linger;
        } else if (option == SocketOption.SO_KEEPALIVE) {
            return s.keepalive;
        } else if (option == SocketOption.TCP_NODELAY) {
            return s.nodelay;
        }
        throw new DemiException(Errno.ENOTSUP, option + " is not supported on TCP sockets");
    }

    private static void applyOptions(TcpSocket s, long nowNs) {
        TcpConnection c = s.connection;
        if (c != null) {
            c.nodelay(s.nodelay, nowNs);
            c.keepalive(s.keepalive, nowNs);
        }
    }

    long localAddress(int sd) {
        TcpSocket s = find(sd);
        return s.local == SockAddr.NONE ? SockAddr.pack(0, 0) : s.local;
    }

    long peerAddress(int sd) {
        TcpSocket s = find(sd);
        if (s.peer == SockAddr.NONE) {
            throw new DemiException(Errno.ENOTCONN, "TCP socket " + sd + " is not connected");
        }
        return s.peer;
    }

    private void orphan(TcpConnection c) {
        if (orphanCount == orphans.length) {
            orphans = Arrays.copyOf(orphans, orphanCount * 2);
        }
        orphans[orphanCount++] = c;
    }

    /**
     * Forgets the orphans the TCP has finished, and resets those that receive data nobody will read: as Linux does
     * for data that arrives after {@code close} (RFC 9293 section 3.10.7.4 lets a closed receiver refuse it; RFC 2525
     * section 2.17), so the peer does not send into a window that never opens again.
     */
    private int serviceOrphans(long nowNs) {
        int done = 0;
        for (int i = orphanCount - 1; i >= 0; i--) {
            TcpConnection c = orphans[i];
            if (c.state() != TcpState.CLOSED && c.readable() > 0) {
                c.abort(nowNs);
                done++;
            }
            if (c.state() == TcpState.CLOSED) {
                orphans[i] = orphans[--orphanCount];
                orphans[orphanCount] = null;
            }
        }
        return done;
    }

    // Progress

    /**
     * Retries every pending operation.
     *
     * @param nowNs the current time
     * @return how many operations completed
     */
    int service(long nowNs) {
        int done = orphanCount > 0 ? serviceOrphans(nowNs) : 0;
        for (int i = 0; i < highWater; i++) {
            TcpSocket s = sockets[i];
            if (s == null) {
                continue;
            }
            if (s.lingeringClose != null) {
                done += serviceLinger(s, i, nowNs);
                continue;
            }
            if (!s.accepts.isEmpty()) {
                done += serviceAccepts(s, nowNs);
            }
            if (!s.connects.isEmpty()) {
                done += serviceConnect(s);
            }
            if (!s.pushes.isEmpty()) {
                done += servicePushes(s, nowNs);
            }
            if (!s.pops.isEmpty()) {
                done += servicePops(s, nowNs);
            }
        }
        while (highWater > 0 && sockets[highWater - 1] == null) {
            highWater--;
        }
        return done;
    }

    /** {@return the earliest SO_LINGER deadline, or {@link Long#MAX_VALUE}} */
    long nextDeadlineNs() {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < highWater; i++) {
            TcpSocket s = sockets[i];
            if (s != null && s.lingeringClose != null) {
                next = Math.min(next, s.lingerDeadlineNs);
            }
        }
        return next;
    }

    private int serviceLinger(TcpSocket s, int index, long nowNs) {
        TcpConnection c = s.connection;
        if (!c.isCloseComplete()) {
            if (nowNs < s.lingerDeadlineNs) {
                return 0;
            }
            // The linger time passed before the peer acknowledged our FIN: abort, as Linux does.
            c.abort(nowNs);
        } else {
            orphan(c);
        }
        sockets[index] = null;
        Operation op = s.lingeringClose;
        s.lingeringClose = null;
        host.closed(op, 0);
        return 1;
    }

    private int serviceAccepts(TcpSocket s, long nowNs) {
        int done = 0;
        while (!s.accepts.isEmpty()) {
            TcpConnection c = s.listener.accept();
            if (c == null) {
                break;
            }
            int sd = socket();
            TcpSocket child = sockets[sd - SD_BASE];
            // As Linux, an accepted socket inherits the listener's options.
            child.linger = s.linger;
            child.keepalive = s.keepalive;
            child.nodelay = s.nodelay;
            child.connection = c;
            child.local = SockAddr.pack(localIp, c.localPort());
            child.peer = SockAddr.pack(c.remoteAddress(), c.remotePort());
            applyOptions(child, nowNs);
            host.accepted(s.accepts.poll(), sd, child.peer);
            done++;
        }
        return done;
    }

    private int serviceConnect(TcpSocket s) {
        TcpConnection c = s.connection;
        TcpState state = c.state();
        if (state.isSynchronized()) {
            host.connected(s.connects.poll(), 0);
            return 1;
        }
        if (state == TcpState.CLOSED) {
            int error = c.error();
            s.connection = null;
            s.peer = SockAddr.NONE;
            host.connected(s.connects.poll(), error != 0 ? error : Errno.ECONNREFUSED);
            return 1;
        }
        return 0;
    }

    private int servicePushes(TcpSocket s, long nowNs) {
        int done = 0;
        TcpConnection c = s.connection;
        while (!s.pushes.isEmpty()) {
            Operation op = s.pushes.peek();
            DemiBuffer data = op.buffer;
            int n = c.send(data.memory(), data.dataOffset(), data.length(), nowNs);
            if (n < 0) {
                s.pushes.poll().fail(-n);
                done++;
                continue;
            }
            if (n < data.length()) {
                data.adjust(n);
                break;
            }
            s.pushes.poll().complete();
            done++;
        }
        return done;
    }

    private int servicePops(TcpSocket s, long nowNs) {
        int done = 0;
        TcpConnection c = s.connection;
        while (!s.pops.isEmpty()) {
            Operation op = s.pops.peek();
            int readable = c.readable();
            if (readable > 0) {
                int n = Math.min(readable, op.maxBytes);
                DemiBuffer buffer = pool.allocate(n);
                int got = c.read(buffer.memory(), buffer.dataOffset(), n, nowNs);
                buffer.setLength(Math.max(got, 0));
                s.pops.poll().completePop(buffer, SockAddr.NONE);
            } else if (c.isEof()) {
                s.pops.poll().completePop(pool.allocate(0), SockAddr.NONE);
            } else if (c.error() != 0) {
                s.pops.poll().fail(c.error());
            } else if (c.state() == TcpState.CLOSED) {
                s.pops.poll().completePop(pool.allocate(0), SockAddr.NONE);
            } else {
                break;
            }
            done++;
        }
        return done;
    }

    /** Aborts every connection and forgets every socket; pending operations are the LibOS's to fail. */
    void closeAll(long nowNs) {
        for (int i = 0; i < highWater; i++) {
            TcpSocket s = sockets[i];
            if (s == null) {
                continue;
            }
            if (s.listener != null) {
                s.listener.close(nowNs);
            }
            if (s.connection != null && s.connection.state() != TcpState.CLOSED) {
                s.connection.abort(nowNs);
            }
            if (s.lingeringClose != null) {
                s.lingeringClose.fail(Errno.EBADF);
            }
            sockets[i] = null;
        }
        highWater = 0;
        for (int i = 0; i < orphanCount; i++) {
            if (orphans[i].state() != TcpState.CLOSED) {
                orphans[i].abort(nowNs);
            }
            orphans[i] = null;
        }
        orphanCount = 0;
    }
}
