package dev.jdemi.libos;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SockAddr;
import dev.jdemi.SocketOption;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.runtime.OpList;
import dev.jdemi.runtime.Operation;
import dev.jdemi.runtime.Runtime;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A LibOS of sockets over a {@link Transport}: the queue table, the socket state machine and upstream's argument
 * checks, in upstream's order (spec §1.2-1.6, §2.8), with the deviations recorded in {@code docs/compatibility.md}.
 *
 * <p>Every call but the waits and the SGA calls ends with one non-blocking runtime iteration, so operations advance
 * even when the application does not wait. Thread: confined to the thread that opened it.
 */
public final class NetworkLibOS implements LibOS, TransportHost {
    /** The first queue descriptor, as upstream ("half of FD_SETSIZE"). */
    public static final int BASE_QD = 500;
    /** The largest listen backlog (Linux's SOMAXCONN). */
    public static final int SOMAXCONN = 4096;
    /** The queue type of a catmem pipe (upstream's QType MemoryQueue). */
    private static final int PIPE = 3;

    private final LibOSName name;
    private final Runtime runtime;
    private final Transport transport;
    private final Thread owner = Thread.currentThread();
    private Queue[] queues = new Queue[64];
    private int[] freeQds = new int[64];
    private int freeCount;
    private int nextIndex;
    private final Map<Long, Integer> boundAddresses = new HashMap<>();
    private boolean closed;

    /** One socket queue. */
    private static final class Queue {
        final int qd;
        final int type;
        final int sd;
        final OpList pending = new OpList();
        SocketState state;
        long local = SockAddr.NONE;
        boolean bindRegistered;

        Queue(int qd, int type, int sd, SocketState state) {
            this.qd = qd;
            this.type = type;
            this.sd = sd;
            this.state = state;
        }

        boolean isStream() {
            return type == SOCK_STREAM;
        }
    }

    /**
     * Creates a LibOS over a transport.
     *
     * @param name which LibOS this is
     * @param runtime the runtime, owned by this LibOS from now on
     * @param transport the backend, owned by this LibOS from now on
     */
    public NetworkLibOS(LibOSName name, Runtime runtime, Transport transport) {
        this.name = name;
        this.runtime = runtime;
        this.transport = transport;
        transport.attach(this, runtime);
    }

    /** {@return the runtime, for tests and tools} */
    public Runtime runtime() {
        return runtime;
    }

    @Override
    public LibOSName name() {
        return name;
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        checkThread();
        if (domain != AF_INET) {
            throw new DemiException(Errno.ENOTSUP, "socket domain " + domain + " is not supported; use AF_INET (2)");
        }
        if (type != SOCK_STREAM && type != SOCK_DGRAM) {
            throw new DemiException(Errno.ENOTSUP, "socket type " + type + " is not supported; use SOCK_STREAM (1) "
                    + "or SOCK_DGRAM (2) without flags");
        }
        int sd = transport.socket(type);
        int qd = newQueue(type, sd, SocketState.UNBOUND).qd;
        runtime.pollOnce();
        return qd;
    }

    @Override
    public void bind(int qd, long local) {
        checkThread();
        checkAddress(local, "bind");
        boolean wildcardIp = SockAddr.ipv4(local) == 0;
        boolean wildcardPort = SockAddr.port(local) == 0;
        if (wildcardIp || wildcardPort) {
            Queue q = queue(qd);
            if (q.isStream()) {
                throw new DemiException(Errno.ENOTSUP, "a TCP socket cannot bind " + (wildcardIp
                        ? "the wildcard address 0.0.0.0" : "port 0") + "; name a local address and port");
            }
        }
        if (!wildcardPort && boundAddresses.containsKey(local)) {
            throw new DemiException(Errno.EADDRINUSE, SockAddr.toString(local) + " is already bound by qd "
                    + boundAddresses.get(local));
        }
        Queue q = queue(qd);
        rejectPipe(q);
        switch (q.state) {
            case UNBOUND -> { }
            case BOUND, LISTENING, CONNECTING -> throw new DemiException(Errno.EINVAL, "qd " + qd + " is already "
                    + "bound");
            case ESTABLISHED -> throw new DemiException(Errno.EISCONN, "qd " + qd + " is connected");
            default -> throw closing(qd);
        }
        transport.bind(q.sd, local);
        q.state = SocketState.BOUND;
        q.local = wildcardPort ? transport.localAddress(q.sd) : local;
        if (!wildcardPort) {
            boundAddresses.put(local, qd);
            q.bindRegistered = true;
        }
        runtime.pollOnce();
    }

    @Override
    public void listen(int qd, int backlog) {
        checkThread();
        if (backlog < 1) {
            throw new DemiException(Errno.EINVAL, "backlog must be >= 1, was " + backlog);
        }
        Queue q = queue(qd);
        rejectPipe(q);
        switch (q.state) {
            case UNBOUND -> throw new DemiException(Errno.EDESTADDRREQ, "qd " + qd + " is not bound");
            case BOUND -> { }
            case LISTENING -> throw new DemiException(Errno.EADDRINUSE, "qd " + qd + " is already listening");
            case CONNECTING -> throw new DemiException(Errno.EADDRINUSE, "qd " + qd + " is connecting");
            case ESTABLISHED -> throw new DemiException(Errno.EISCONN, "qd " + qd + " is connected");
            default -> throw closing(qd);
        }
        if (!q.isStream()) {
            throw new DemiException(Errno.ENOTSUP, "qd " + qd + " is a UDP socket, which cannot listen");
        }
        transport.listen(q.sd, Math.min(backlog, SOMAXCONN));
        q.state = SocketState.LISTENING;
        runtime.pollOnce();
    }

    @Override
    public long accept(int qd) {
        checkThread();
        Queue q = queue(qd);
        rejectPipe(q);
        if (q.state == SocketState.CLOSING || q.state == SocketState.CLOSED) {
            throw closing(qd);
        }
        if (q.state != SocketState.LISTENING) {
            throw new DemiException(Errno.EINVAL, "qd " + qd + " is not listening");
        }
        Operation op = start(Opcode.ACCEPT, q);
        transport.accept(q.sd, op);
        return finishCall(op);
    }

    @Override
    public long connect(int qd, long remote) {
        checkThread();
        checkAddress(remote, "connect");
        Queue q = queue(qd);
        rejectPipe(q);
        switch (q.state) {
            case UNBOUND, BOUND -> { }
            case LISTENING -> throw new DemiException(Errno.EOPNOTSUPP, "qd " + qd + " is listening");
            case CONNECTING -> throw new DemiException(Errno.EINPROGRESS, "qd " + qd + " is already connecting");
            case ESTABLISHED -> throw new DemiException(Errno.EISCONN, "qd " + qd + " is already connected");
            default -> throw closing(qd);
        }
        q.state = SocketState.CONNECTING;
        Operation op = start(Opcode.CONNECT, q);
        op.address = remote;
        transport.connect(q.sd, op);
        return finishCall(op);
    }

    @Override
    public void close(int qd) {
        checkThread();
        long qt = asyncClose(qd);
        QResult result = new QResult();
        runtime.wait(qt, result, WAIT_FOREVER);
        if (result.opcode() == Opcode.FAILED) {
            throw new DemiException(result.ret(), "closing qd " + qd + " failed");
        }
    }

    @Override
    public long asyncClose(int qd) {
        checkThread();
        Queue q = queue(qd);
        if (q.state == SocketState.CLOSING) {
            throw new DemiException(Errno.EBADF, "qd " + qd + " is already closing");
        }
        q.state = SocketState.CLOSING;
        for (Operation op = q.pending.peekPending(); op != null; op = q.pending.peekPending()) {
            op.fail(Errno.EBADF);
        }
        Operation close = runtime.operations().start(Opcode.CLOSE, qd);
        transport.close(q.sd, close);
        runtime.pollOnce();
        return close.qt();
    }

    @Override
    public long push(int qd, Sga sga) {
        checkThread();
        DemiBuffer data = checkSga(sga);
        Queue q = queue(qd);
        checkMayPush(q);
        return startPush(q, data, SockAddr.NONE);
    }

    @Override
    public long pushTo(int qd, Sga sga, long to) {
        checkThread();
        checkAddress(to, "pushTo");
        DemiBuffer data = checkSga(sga);
        Queue q = queue(qd);
        if (q.type == PIPE) {
            throw new DemiException(Errno.EBADF, "qd " + qd + " is a pipe; pushTo needs a socket, use push");
        }
        checkMayPush(q);
        // POSIX sendto on a connection-mode socket may ignore the address: TCP sends to its peer.
        return startPush(q, data, q.isStream() ? SockAddr.NONE : to);
    }

    private void checkMayPush(Queue q) {
        if (q.state == SocketState.CLOSING || q.state == SocketState.CLOSED) {
            throw closing(q.qd);
        }
        if (q.isStream() && q.state != SocketState.ESTABLISHED) {
            throw new DemiException(Errno.ENOTCONN, "qd " + q.qd + " is not connected");
        }
    }

    private long startPush(Queue q, DemiBuffer data, long to) {
        if (!q.isStream() && q.state == SocketState.UNBOUND && SockAddr.isIpv4(to)) {
            // Like POSIX sendto, an unbound UDP socket gets an ephemeral port, so replies can be popped.
            transport.bind(q.sd, SockAddr.pack(0, 0));
            q.local = transport.localAddress(q.sd);
            q.state = SocketState.BOUND;
        }
        Operation op = start(Opcode.PUSH, q);
        op.buffer = data.cloneView();
        op.address = to;
        transport.push(q.sd, op);
        return finishCall(op);
    }

    @Override
    public long pop(int qd, int maxBytes) {
        checkThread();
        if (maxBytes < 1 || maxBytes > Sga.MAX_SIZE) {
            throw new DemiException(Errno.EINVAL, "pop size must be in 1..65535, was " + maxBytes);
        }
        Queue q = queue(qd);
        if (q.state == SocketState.CLOSING || q.state == SocketState.CLOSED) {
            throw closing(qd);
        }
        if (q.isStream() && q.state != SocketState.ESTABLISHED) {
            throw new DemiException(Errno.ENOTCONN, "qd " + qd + " is not connected");
        }
        if (!q.isStream() && q.state != SocketState.BOUND && q.state != SocketState.ESTABLISHED) {
            throw new DemiException(Errno.EDESTADDRREQ, "qd " + qd + " is a UDP socket with no local address; "
                    + "bind it first");
        }
        Operation op = start(Opcode.POP, q);
        op.maxBytes = maxBytes;
        transport.pop(q.sd, op);
        return finishCall(op);
    }

    @Override
    public boolean wait(long qt, QResult out, long timeoutNs) {
        checkThread();
        if (out == null) {
            throw new DemiException(Errno.EINVAL, "the result holder is null");
        }
        return runtime.wait(qt, out, timeoutNs);
    }

    @Override
    public int waitAny(long[] qts, int count, QResult out, long timeoutNs) {
        checkThread();
        if (out == null) {
            throw new DemiException(Errno.EINVAL, "the result holder is null");
        }
        return runtime.waitAny(qts, count, out, timeoutNs);
    }

    @Override
    public int waitNextN(QResult[] out, int n, long timeoutNs) {
        checkThread();
        return runtime.waitNextN(out, n, timeoutNs);
    }

    @Override
    public int createPipe(String name) {
        checkThread();
        int qd = newQueue(PIPE, transport.createPipe(name), SocketState.ESTABLISHED).qd;
        runtime.pollOnce();
        return qd;
    }

    @Override
    public int openPipe(String name) {
        checkThread();
        int qd = newQueue(PIPE, transport.openPipe(name), SocketState.ESTABLISHED).qd;
        runtime.pollOnce();
        return qd;
    }

    @Override
    public Sga sgaAlloc(int size) {
        checkThread();
        if (size < 1 || size > Sga.MAX_SIZE) {
            throw new DemiException(Errno.EINVAL, "SGA size must be in 1..65535, was " + size);
        }
        return runtime.pool().allocate(size);
    }

    @Override
    public void sgaFree(Sga sga) {
        checkThread();
        if (!(sga instanceof DemiBuffer buffer)) {
            throw new DemiException(Errno.EINVAL, sga == null ? "the SGA is null" : "the SGA was not made by jdemi");
        }
        runtime.pool().free(buffer);
    }

    @Override
    public <T> void setSockOpt(int qd, SocketOption<T> option, T value) {
        checkThread();
        if (option == null || value == null) {
            throw new DemiException(Errno.EINVAL, option == null ? "the option is null" : option + ": value is null");
        }
        Queue q = queue(qd);
        if (q.state == SocketState.CLOSING) {
            throw new DemiException(Errno.EBUSY, "qd " + qd + " is closing");
        }
        if (q.state == SocketState.CLOSED) {
            throw closing(qd);
        }
        checkOptionFits(q, option);
        transport.setOption(q.sd, option, value);
        runtime.pollOnce();
    }

    @Override
    public <T> T getSockOpt(int qd, SocketOption<T> option) {
        checkThread();
        if (option == null) {
            throw new DemiException(Errno.EINVAL, "the option is null");
        }
        Queue q = queue(qd);
        if (q.state == SocketState.CLOSING || q.state == SocketState.CLOSED) {
            throw closing(qd);
        }
        checkOptionFits(q, option);
        return option.type().cast(transport.getOption(q.sd, option));
    }

    private static void checkOptionFits(Queue q, SocketOption<?> option) {
        rejectPipe(q);
        if (!q.isStream() && option != SocketOption.SO_LINGER) {
            throw new DemiException(Errno.ENOTSUP, option + " applies to TCP sockets; qd " + q.qd + " is UDP");
        }
    }

    @Override
    public InetSocketAddress getPeerName(int qd) {
        checkThread();
        Queue q = queue(qd);
        rejectPipe(q);
        if (q.state == SocketState.CLOSING || q.state == SocketState.CLOSED) {
            throw closing(qd);
        }
        if (q.state != SocketState.ESTABLISHED) {
            throw new DemiException(Errno.ENOTCONN, "qd " + qd + " is not connected");
        }
        return SockAddr.toInet(transport.peerAddress(q.sd));
    }

    @Override
    public InetSocketAddress getSockName(int qd) {
        checkThread();
        Queue q = queue(qd);
        rejectPipe(q);
        if (q.state == SocketState.CLOSING || q.state == SocketState.CLOSED) {
            throw closing(qd);
        }
        return SockAddr.toInet(transport.localAddress(q.sd));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < nextIndex; i++) {
            Queue q = queues[i];
            if (q != null) {
                for (Operation op = q.pending.peekPending(); op != null; op = q.pending.peekPending()) {
                    op.fail(Errno.EBADF);
                }
                queues[i] = null;
            }
        }
        transport.close();
        runtime.close();
    }

    // TransportHost

    @Override
    public void accepted(Operation op, int sd, long peer) {
        Queue q = newQueue(SOCK_STREAM, sd, SocketState.ESTABLISHED);
        op.completeAccept(q.qd, peer);
    }

    @Override
    public void connected(Operation op, int errno) {
        Queue q = lookup(op.qd);
        if (q != null && q.state == SocketState.CONNECTING) {
            q.state = errno == 0 ? SocketState.ESTABLISHED : SocketState.CLOSED;
        }
        if (errno == 0) {
            op.complete();
        } else {
            op.fail(errno);
        }
    }

    @Override
    public void closed(Operation op, int errno) {
        Queue q = lookup(op.qd);
        if (q != null) {
            q.state = SocketState.CLOSED;
            if (q.bindRegistered) {
                boundAddresses.remove(q.local);
            }
            releaseQd(q.qd);
        }
        if (errno == 0) {
            op.complete();
        } else {
            op.fail(errno);
        }
    }

    // Internals

    private Operation start(Opcode kind, Queue q) {
        Operation op = runtime.operations().start(kind, q.qd);
        q.pending.addPending(op);
        return op;
    }

    private long finishCall(Operation op) {
        long qt = op.qt();
        runtime.pollOnce();
        return qt;
    }

    private Queue newQueue(int type, int sd, SocketState state) {
        int index;
        if (freeCount > 0) {
            index = freeQds[--freeCount];
        } else {
            index = nextIndex++;
            if (index == queues.length) {
                queues = Arrays.copyOf(queues, index * 2);
            }
        }
        Queue q = new Queue(BASE_QD + index, type, sd, state);
        queues[index] = q;
        return q;
    }

    private void releaseQd(int qd) {
        int index = qd - BASE_QD;
        queues[index] = null;
        if (freeCount == freeQds.length) {
            freeQds = Arrays.copyOf(freeQds, freeQds.length * 2);
        }
        freeQds[freeCount++] = index;
    }

    private Queue lookup(int qd) {
        int index = qd - BASE_QD;
        if (index < 0 || index >= nextIndex) {
            return null;
        }
        return queues[index];
    }

    private Queue queue(int qd) {
        Queue q = lookup(qd);
        if (q == null) {
            throw new DemiException(Errno.EBADF, "qd " + qd + " is not an open queue");
        }
        return q;
    }

    private static void rejectPipe(Queue q) {
        if (q.type == PIPE) {
            throw new DemiException(Errno.ENOTSUP, "qd " + q.qd + " is a pipe, not a socket");
        }
    }

    private static DemiException closing(int qd) {
        return new DemiException(Errno.EBADF, "qd " + qd + " is closing or closed");
    }

    private static void checkAddress(long address, String call) {
        if (address == SockAddr.NONE) {
            throw new DemiException(Errno.EINVAL, call + ": the address is missing");
        }
        if (address == SockAddr.IPV6) {
            throw new DemiException(Errno.EINVAL, call + ": IPv6 addresses are not supported");
        }
    }

    private DemiBuffer checkSga(Sga sga) {
        if (sga == null) {
            throw new DemiException(Errno.EINVAL, "the SGA is null");
        }
        if (!(sga instanceof DemiBuffer buffer) || !buffer.isFrom(runtime.pool())) {
            throw new DemiException(Errno.EINVAL, "the SGA was not made by this LibOS");
        }
        if (!buffer.isLive()) {
            throw new DemiException(Errno.EINVAL, "the SGA was freed");
        }
        if (buffer.length() == 0) {
            throw new DemiException(Errno.EINVAL, "the SGA is empty");
        }
        return buffer;
    }

    private void checkThread() {
        if (Thread.currentThread() != owner) {
            throw new DemiException(Errno.EPERM, "this LibOS belongs to thread '" + owner.getName()
                    + "'; open one LibOS per thread");
        }
        if (closed) {
            throw new DemiException(Errno.EBADF, "the LibOS is closed");
        }
    }
}
