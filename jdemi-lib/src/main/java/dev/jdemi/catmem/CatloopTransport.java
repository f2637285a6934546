package dev.jdemi.catmem;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.Linger;
import dev.jdemi.SockAddr;
import dev.jdemi.SocketOption;
import dev.jdemi.libos.Transport;
import dev.jdemi.libos.TransportHost;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.OpList;
import dev.jdemi.runtime.Operation;
import dev.jdemi.runtime.Runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The transport of catloop: TCP-like stream sockets between the processes of one host, on loopback addresses
 * (127.0.0.0/8), over catmem pipes (spec §5.5, with a different handshake).
 *
 * <p><b>Addresses are pipe names.</b> Binding {@code ip:port} creates the pipe {@code catloop-ip:port}
 * ({@code O_EXCL}, so an address taken by any process gives EADDRINUSE); an unbound socket that connects creates one
 * for an ephemeral port (49152-65535) on the remote's IP. The pipe's role word ({@link PipeDescriptor}) says whether
 * its owner listens.
 *
 * <p><b>Handshake.</b> connect opens the listener's pipe (ENOENT or not listening: ECONNREFUSED), drops an 8-byte
 * request naming its own address into the listener's accept ring (ring 1, which several processes write under the
 * ring's producer lock), and unmaps it again. accept pops a request, opens the client's pipe, pushes a one-byte
 * acknowledgement and hands the new socket to the LibOS; the client's connect completes when it pops the
 * acknowledgement, and the client's own pipe carries the connection from then on. As upstream, a connect completes
 * only when the listener accepts. A listener that closes refuses the requests still queued (it ends their pipes, so
 * the connect sees end of stream: ECONNREFUSED); a connect that queued its request after that sees the listener's
 * consumer-closed flag (a full fence on both sides orders the flag against the request).
 *
 * <p><b>Data</b> flows as in catmem ({@link PipeQueue}); close ends the stream and the peer's pop sees end of stream.
 * Socket options are kept and reported; they change nothing on shared memory.
 */
public final class CatloopTransport implements Transport, Runtime.Poller {
    /** The prefix of a socket address's pipe name. */
    public static final String NAME_PREFIX = "catloop-";
    private static final int EPHEMERAL_FIRST = 49152;
    private static final int EPHEMERAL_COUNT = 65536 - EPHEMERAL_FIRST;
    private static final int REQUEST_LENGTH = 8;
    private static final int ACK_OFFSET = 8;
    private static final byte ACK = 1;
    private static final long UNBOUND = SockAddr.pack(0, 0);

    private final int ringCapacity;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment scratch = arena.allocate(16, 8);
    private final SplittableRandom random = new SplittableRandom();
    private TransportHost host;
    private BufferPool pool;
    private final SlotTable<Socket> sockets = new SlotTable<>();

    /** One socket: its own pipe (its address), and either the accept queue or the connection on it. */
    private static final class Socket {
        final int sd;
        long local = UNBOUND;
        long peer = SockAddr.NONE;
        PipeEnd own;
        PipeEnd control;
        boolean listening;
        boolean requested;
        PipeQueue connection;
        final OpList accepts = new OpList();
        final OpList connects = new OpList();
        boolean noDelay;
        boolean keepAlive;
        Linger linger = Linger.OFF;

        Socket(int sd) {
            this.sd = sd;
        }
    }

    /**
     * Creates the transport.
     *
     * @param ringCapacity the data capacity of each ring of the pipes it creates
     */
    public CatloopTransport(int ringCapacity) {
        this.ringCapacity = RingDescriptor.checkCapacity(ringCapacity);
    }

    /**
     * Returns the pipe name of a socket address.
     *
     * @param address the packed address
     * @return {@code catloop-a.b.c.d:port}
     */
    public static String pipeName(long address) {
        int ip = SockAddr.ipv4(address);
        return NAME_PREFIX + (ip >>> 24) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff)
                + ":" + SockAddr.port(address);
    }

    @Override
    public void attach(TransportHost host, Runtime runtime) {
        this.host = host;
        this.pool = runtime.pool();
        runtime.setPoller(this);
    }

    @Override
    public int socket(int type) {
        if (type != dev.jdemi.LibOS.SOCK_STREAM) {
            throw new DemiException(Errno.ENOTSUP, "catloop has stream sockets only; UDP needs catnap");
        }
        return sockets.add(Socket::new);
    }

    private Socket find(int sd) {
        Socket socket = sockets.get(sd);
        if (socket == null) {
            throw new DemiException(Errno.EBADF, "no catloop socket " + sd);
        }
        return socket;
    }

    @Override
    public void bind(int sd, long local) {
        Socket socket = find(sd);
        if ((SockAddr.ipv4(local) >>> 24) != 127) {
            throw new DemiException(Errno.EADDRNOTAVAIL, "catloop binds loopback addresses (127.0.0.0/8) only, not "
                    + SockAddr.toString(local));
        }
        PipeEnd.Result created = PipeEnd.create(pipeName(local), ringCapacity, PipeDescriptor.ROLE_BOUND);
        if (created.end() == null) {
            int errno = created.errno() == Errno.EEXIST ? Errno.EADDRINUSE : created.errno();
            throw new DemiException(errno, "binding " + SockAddr.toString(local) + " failed");
        }
        socket.own = created.end();
        socket.local = local;
    }

    @Override
    public void listen(int sd, int backlog) {
        Socket socket = find(sd);
        socket.own.soRole(PipeDescriptor.ROLE_LISTENING);
        socket.listening = true;
    }

    @Override
    public void accept(int sd, Operation op) {
        Socket socket = find(sd);
        socket.accepts.add(op);
        progressAccepts(socket);
    }

    private int progressAccepts(Socket listener) {
        int work = 0;
        Ring requests = listener.own.rx();
        while (!listener.accepts.isEmpty()) {
            int n = requests.poll(scratch, 0, REQUEST_LENGTH);
            if (n == 0 || n == Ring.END_OF_STREAM) {
                return work;
            }
            if (n != REQUEST_LENGTH) {
                continue;
            }
            long client = scratch.get(ValueLayout.JAVA_LONG, 0);
            PipeEnd.Result opened = PipeEnd.open(pipeName(client));
            if (opened.end() == null) {
                // The client closed its socket before we got to its request.
                continue;
            }
            PipeEnd end = opened.end();
            if (end.lvRole() != PipeDescriptor.ROLE_BOUND) {
                end.detach();
                continue;
            }
            scratch.set(ValueLayout.JAVA_BYTE, ACK_OFFSET, ACK);
            if (!end.tx().offer(scratch, ACK_OFFSET, 1)) {
                end.close();
                continue;
            }
            int sd = socket(dev.jdemi.LibOS.SOCK_STREAM);
            Socket accepted = sockets.get(sd);
            accepted.local = listener.local;
            accepted.peer = client;
            accepted.connection = new PipeQueue(end);
            host.accepted(listener.accepts.poll(), sd, client);
            work++;
        }
        return work;
    }

    @Override
    public void connect(int sd, Operation op) {
        Socket socket = find(sd);
        socket.connects.add(op);
        socket.requested = false;
        if (socket.own == null && !bindEphemeral(socket, SockAddr.ipv4(op.address))) {
            socket.connects.poll();
            host.connected(op, Errno.EADDRNOTAVAIL);
            return;
        }
        PipeEnd.Result opened = PipeEnd.open(pipeName(op.address));
        if (opened.end() == null) {
            socket.connects.poll();
            host.connected(op, opened.errno() == Errno.ENOENT ? Errno.ECONNREFUSED : opened.errno());
            return;
        }
        if (opened.end().lvRole() != PipeDescriptor.ROLE_LISTENING) {
            opened.end().detach();
            socket.connects.poll();
            host.connected(op, Errno.ECONNREFUSED);
            return;
        }
        socket.control = opened.end();
        progressConnect(socket);
    }

    private boolean bindEphemeral(Socket socket, int ip) {
        int start = random.nextInt(EPHEMERAL_COUNT);
        for (int i = 0; i < EPHEMERAL_COUNT; i++) {
            long local = SockAddr.pack(ip, EPHEMERAL_FIRST + (start + i) % EPHEMERAL_COUNT);
            PipeEnd.Result created = PipeEnd.create(pipeName(local), ringCapacity, PipeDescriptor.ROLE_BOUND);
            if (created.end() != null) {
                socket.own = created.end();
                socket.local = local;
                return true;
            }
            if (created.errno() != Errno.EEXIST) {
                return false;
            }
        }
        return false;
    }

    private int progressConnect(Socket socket) {
        Operation op = socket.connects.peek();
        if (!socket.requested) {
            Ring requests = socket.control.tx();
            scratch.set(ValueLayout.JAVA_LONG, 0, socket.local);
            if (!requests.offerShared(scratch, 0, REQUEST_LENGTH)) {
                if (requests.lvConsumerClosed()) {
                    return refuse(socket, op);
                }
                return 0;
            }
            socket.requested = true;
            // Pairs with the fence in closeListener: either it drains this request, or this sees its flag.
            VarHandle.fullFence();
            boolean listenerClosed = requests.lvConsumerClosed();
            socket.control.detach();
            socket.control = null;
            if (listenerClosed) {
                return refuse(socket, op);
            }
        }
        int n = socket.own.rx().poll(scratch, ACK_OFFSET, 1);
        if (n == 0) {
            return 0;
        }
        if (n != 1 || scratch.get(ValueLayout.JAVA_BYTE, ACK_OFFSET) != ACK) {
            return refuse(socket, op);
        }
        socket.peer = op.address;
        socket.connection = new PipeQueue(socket.own);
        socket.own = null;
        socket.connects.poll();
        host.connected(op, 0);
        return 1;
    }

    private int refuse(Socket socket, Operation op) {
        if (socket.control != null) {
            socket.control.detach();
            socket.control = null;
        }
        socket.connects.poll();
        host.connected(op, Errno.ECONNREFUSED);
        return 1;
    }

    @Override
    public void push(int sd, Operation op) {
        PipeQueue connection = connection(sd);
        connection.sends.add(op);
        connection.progress(pool);
    }

    @Override
    public void pop(int sd, Operation op) {
        PipeQueue connection = connection(sd);
        connection.receives.add(op);
        connection.progress(pool);
    }

    private PipeQueue connection(int sd) {
        Socket socket = find(sd);
        if (socket.connection == null) {
            throw new DemiException(Errno.ENOTCONN, "catloop socket " + sd + " is not connected");
        }
        return socket.connection;
    }

    @Override
    public void close(int sd, Operation op) {
        closeSocket(find(sd));
        host.closed(op, 0);
    }

    private void closeSocket(Socket socket) {
        if (socket.control != null) {
            socket.control.detach();
        }
        if (socket.connection != null) {
            socket.connection.end.close();
        }
        if (socket.own != null) {
            if (socket.listening) {
                closeListener(socket.own);
            }
            socket.own.close();
        }
        sockets.remove(socket.sd);
    }

    /** Refuses every queued request: their connects see end of stream, as a TCP client sees a reset. */
    private void closeListener(PipeEnd own) {
        Ring requests = own.rx();
        requests.soConsumerClosed();
        VarHandle.fullFence();
        while (true) {
            int n = requests.poll(scratch, 0, REQUEST_LENGTH);
            if (n == 0 || n == Ring.END_OF_STREAM) {
                return;
            }
            if (n == REQUEST_LENGTH) {
                PipeEnd.Result opened = PipeEnd.open(pipeName(scratch.get(ValueLayout.JAVA_LONG, 0)));
                if (opened.end() != null) {
                    opened.end().close();
                }
            }
        }
    }

    @Override
    public void setOption(int sd, SocketOption<?> option, Object value) {
        Socket socket = find(sd);
        if (option == SocketOption.SO_LINGER) {
            socket.linger = (Linger) value;
        } else if (option == SocketOption.SO_KEEPALIVE) {
            socket.keepAlive = (Boolean) value;
        } else if (option == SocketOption.TCP_NODELAY) {
            socket.noDelay = (Boolean) value;
        } else {
            throw new DemiException(Errno.ENOTSUP, option + " is not a catloop option");
        }
    }

    @Override
    public Object getOption(int sd, SocketOption<?> option) {
        Socket socket = find(sd);
        if (option == SocketOption.SO_LINGER) {
            return socket.linger;
        } else if (option == SocketOption.SO_KEEPALIVE) {
            return socket.keepAlive;
        } else if (option == SocketOption.TCP_NODELAY) {
            return socket.noDelay;
        }
        throw new DemiException(Errno.ENOTSUP, option + " is not a catloop option");
    }

    @Override
    public long localAddress(int sd) {
        return find(sd).local;
    }

    @Override
    public long peerAddress(int sd) {
        Socket socket = find(sd);
        if (socket.peer == SockAddr.NONE) {
            throw new DemiException(Errno.ENOTCONN, "catloop socket " + sd + " is not connected");
        }
        return socket.peer;
    }

    @Override
    public int poll(long nowNs) {
        int work = 0;
        for (int sd = 0; sd < sockets.limit(); sd++) {
            Socket socket = sockets.get(sd);
            if (socket == null) {
                continue;
            }
            if (socket.connection != null) {
                if (socket.connection.hasPending()) {
                    work += socket.connection.progress(pool);
                }
            } else if (!socket.connects.isEmpty()) {
                work += progressConnect(socket);
            } else if (!socket.accepts.isEmpty()) {
                work += progressAccepts(socket);
            }
        }
        return work;
    }

    @Override
    public void block(long timeoutNs) {
        LockSupport.parkNanos(Math.min(timeoutNs, CatmemTransport.NAP_NS));
    }

    @Override
    public void close() {
        for (int sd = 0; sd < sockets.limit(); sd++) {
            Socket socket = sockets.get(sd);
            if (socket != null) {
                closeSocket(socket);
            }
        }
        arena.close();
    }
}
