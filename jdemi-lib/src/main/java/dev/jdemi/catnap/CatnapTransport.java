package dev.jdemi.catnap;

import dev.jdemi.Config;
import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.Linger;
import dev.jdemi.SockAddr;
import dev.jdemi.SocketOption;
import dev.jdemi.libos.Transport;
import dev.jdemi.libos.TransportHost;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.runtime.OpList;
import dev.jdemi.runtime.Operation;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.runtime.Scheduler;
import dev.jdemi.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The kernel-socket transport of catnap.
 *
 * <p>Sockets are non-blocking and registered once with an edge-triggered epoll set (IN, OUT, RDHUP). Each socket
 * keeps two readiness flags, set by epoll edges and cleared when a call returns EAGAIN; an operation tries its
 * system call right away when the flag is set, so a push on a writable socket costs one {@code send} and no epoll
 * round. Transport descriptors are the kernel fds.
 *
 * <p>Allocation: the sockaddr and option scratch memory is allocated once; steady-state pushes and pops allocate
 * nothing.
 */
public final class CatnapTransport implements Transport, Runtime.Poller {
    private static final int MAX_EVENTS = 256;
    private static final ValueLayout.OfShort SHORT_BE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Config.TcpSocketOptions tcpOptions;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment errno = Libc.newErrnoState(arena);
    private final MemorySegment events = arena.allocate((long) MAX_EVENTS * Libc.EPOLL_EVENT_SIZE, 8);
    private final MemorySegment sockaddr = arena.allocate(16, 8);
    private final MemorySegment sockaddrLen = arena.allocate(4, 4);
    private final MemorySegment option = arena.allocate(16, 8);
    private final MemorySegment optionLen = arena.allocate(4, 4);
    private final long sockaddrAddress = sockaddr.address();
    private final long sockaddrLenAddress = sockaddrLen.address();
    private final long eventsAddress = events.address();
    private final int epfd;
    private TransportHost host;
    private Runtime runtime;
    private Scheduler scheduler;
    private BufferPool pool;
    private Socket[] sockets = new Socket[1024];

    /**
     * Creates the transport and its epoll set.
     *
     * @param tcpOptions the TCP options every new TCP socket gets
     */
    public CatnapTransport(Config.TcpSocketOptions tcpOptions) {
        this.tcpOptions = tcpOptions;
        int fd = Libc.epollCreate1(errno, Libc.EPOLL_CLOEXEC);
        if (fd < 0) {
            arena.close();
            throw new DemiException(-fd, "epoll_create1 failed");
        }
        this.epfd = fd;
    }

    @Override
    public void attach(TransportHost host, Runtime runtime) {
        this.host = host;
        this.runtime = runtime;
        this.scheduler = runtime.scheduler();
        this.pool = runtime.pool();
        runtime.setPoller(this);
    }

    /** One kernel socket and its pending operations. */
    private final class Socket implements Scheduler.Task {
        final int fd;
        final int type;
        final int taskId;
        final OpList accepts = new OpList();
        final OpList connects = new OpList();
        final OpList sends = new OpList();
        final OpList receives = new OpList();
        boolean readable = true;
        boolean writable = true;
        boolean endOfStream;
        boolean connectStarted;

        Socket(int fd, int type) {
            this.fd = fd;
            this.type = type;
            this.taskId = scheduler.spawn(this);
        }

        @Override
        public int poll(long nowNs) {
            if (!connects.isEmpty()) {
                pollConnect();
            }
            if (!accepts.isEmpty()) {
                pollAccept();
            }
            if (!receives.isEmpty()) {
                pollReceive();
            }
            if (!sends.isEmpty()) {
                pollSend();
            }
            return PENDING;
        }

        private void pollConnect() {
            Operation op = connects.peek();
            if (!connectStarted) {
                connectStarted = true;
                writeSockaddr(op.address);
                int rc = Libc.connect(errno, fd, sockaddrAddress, 16);
                if (rc == 0) {
                    connects.poll();
                    host.connected(op, 0);
                } else if (-rc == Libc.EINPROGRESS || -rc == Libc.EAGAIN || -rc == Libc.EALREADY) {
                    writable = false;
                } else {
                    connects.poll();
                    host.connected(op, -rc);
                }
                return;
            }
            if (!writable) {
                return;
            }
            int error = intOption(fd, Libc.SOL_SOCKET, Libc.SO_ERROR);
            if (error == 0) {
                // Writable with no error: connected, unless the handshake is still running (spurious edge).
                int rc = Libc.getpeername(errno, fd, sockaddrAddress, lenPtr());
                if (rc < 0 && -rc == Errno.ENOTCONN) {
                    writable = false;
                    return;
                }
            }
            connects.poll();
            host.connected(op, error);
        }

        private void pollAccept() {
            while (readable && !accepts.isEmpty()) {
                int newFd = Libc.accept4(errno, fd, sockaddrAddress, lenPtr(),
                        Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
                if (newFd == -Libc.EINTR) {
                    continue;
                }
                if (newFd == -Libc.EAGAIN) {
                    readable = false;
                    return;
                }
                if (newFd < 0) {
                    accepts.poll().fail(-newFd);
                    continue;
                }
                long peer = readSockaddr();
                configureTcp(newFd);
                register(newFd, Libc.SOCK_STREAM);
                host.accepted(accepts.poll(), newFd, peer);
            }
        }

        private void pollReceive() {
            while (!receives.isEmpty()) {
                Operation op = receives.peek();
                if (endOfStream) {
                    receives.poll();
                    op.completePop(pool.allocate(0), SockAddr.NONE);
                    continue;
                }
                if (!readable) {
                    return;
                }
                DemiBuffer buffer = pool.allocate(op.maxBytes);
                long n;
                long from = SockAddr.NONE;
                if (type == Libc.SOCK_DGRAM) {
                    sockaddrLen.set(ValueLayout.JAVA_INT, 0, 16);
                    n = Libc.recvfrom(errno, fd, buffer.address(), op.maxBytes, 0, sockaddrAddress,
                            sockaddrLenAddress);
                    if (n >= 0) {
                        from = readSockaddr();
                    }
                } else {
                    n = Libc.recv(errno, fd, buffer.address(), op.maxBytes, 0);
                }
                if (n < 0) {
                    buffer.free();
                    if (-n == Libc.EAGAIN) {
                        readable = false;
                        return;
                    }
                    if (-n == Libc.EINTR) {
                        continue;
                    }
                    receives.poll().fail((int) -n);
                    continue;
                }
                if (n == 0 && type == Libc.SOCK_STREAM) {
                    endOfStream = true;
                }
                buffer.setLength((int) n);
                receives.poll();
                op.completePop(buffer, from);
            }
        }

        private void pollSend() {
            while (writable && !sends.isEmpty()) {
                Operation op = sends.peek();
                DemiBuffer data = op.buffer;
                long n;
                if (SockAddr.isIpv4(op.address)) {
                    writeSockaddr(op.address);
                    n = Libc.sendto(errno, fd, data.address(), data.length(), Libc.MSG_NOSIGNAL, sockaddrAddress,
                            16);
                } else {
                    n = Libc.send(errno, fd, data.address(), data.length(), Libc.MSG_NOSIGNAL);
                }
                if (n < 0) {
                    if (-n == Libc.EAGAIN) {
                        writable = false;
                        return;
                    }
                    if (-n == Libc.EINTR) {
                        continue;
                    }
                    sends.poll().fail((int) -n);
                    continue;
                }
                if (n < data.length()) {
                    data.adjust((int) n);
                    continue;
                }
                sends.poll();
                op.complete();
            }
        }
    }

    // Transport

    @Override
    public int socket(int type) {
        int fd = Libc.socket(errno, Libc.AF_INET, type | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new DemiException(-fd, "socket() failed");
        }
        setIntOption(fd, Libc.SOL_SOCKET, Libc.SO_REUSEADDR, 1, "SO_REUSEADDR");
        if (type == Libc.SOCK_STREAM) {
            configureTcp(fd);
        }
        register(fd, type);
        return fd;
    }

    private void configureTcp(int fd) {
        setIntOption(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, tcpOptions.nodelay() ? 1 : 0, "TCP_NODELAY");
        if (tcpOptions.keepalive()) {
            setIntOption(fd, Libc.SOL_SOCKET, Libc.SO_KEEPALIVE, 1, "SO_KEEPALIVE");
            if (tcpOptions.keepaliveTimeMillis() > 0) {
                setIntOption(fd, Libc.IPPROTO_TCP, Libc.TCP_KEEPIDLE,
                        (int) Math.max(1, tcpOptions.keepaliveTimeMillis() / 1000), "TCP_KEEPIDLE");
            }
            if (tcpOptions.keepaliveInterval() > 0) {
                setIntOption(fd, Libc.IPPROTO_TCP, Libc.TCP_KEEPINTVL, (int) tcpOptions.keepaliveInterval(),
                        "TCP_KEEPINTVL");
            }
        }
        if (tcpOptions.linger() != null && tcpOptions.linger().enabled()) {
            setLinger(fd, tcpOptions.linger());
        }
    }

    private void register(int fd, int type) {
        if (fd >= sockets.length) {
            sockets = Arrays.copyOf(sockets, Math.max(fd + 1, sockets.length * 2));
        }
        Socket socket = new Socket(fd, type);
        sockets[fd] = socket;
        MemorySegment event = option;
        event.set(ValueLayout.JAVA_INT, 0, Libc.EPOLLIN | Libc.EPOLLOUT | Libc.EPOLLRDHUP | Libc.EPOLLET);
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, fd);
        int rc = Libc.epollCtl(errno, epfd, Libc.EPOLL_CTL_ADD, fd, event.address());
        if (rc < 0) {
            sockets[fd] = null;
            scheduler.remove(socket.taskId);
            Libc.close(errno, fd);
            throw new DemiException(-rc, "epoll_ctl(ADD) failed for fd " + fd);
        }
    }

    private Socket find(int sd) {
        Socket socket = sd >= 0 && sd < sockets.length ? sockets[sd] : null;
        if (socket == null) {
            throw new DemiException(Errno.EBADF, "no kernel socket " + sd);
        }
        return socket;
    }

    @Override
    public void bind(int sd, long local) {
        Socket socket = find(sd);
        // Upstream sets SO_REUSEPORT so several LibOSes (one per thread) can serve one port.
        setIntOption(socket.fd, Libc.SOL_SOCKET, Libc.SO_REUSEPORT, 1, "SO_REUSEPORT");
        writeSockaddr(local);
        int rc = Libc.bind(errno, socket.fd, sockaddrAddress, 16);
        if (rc < 0) {
            throw new DemiException(-rc, "bind to " + SockAddr.toString(local) + " failed");
        }
    }

    @Override
    public void listen(int sd, int backlog) {
        int rc = Libc.listen(errno, find(sd).fd, backlog);
        if (rc < 0) {
            throw new DemiException(-rc, "listen failed");
        }
    }

    @Override
    public void accept(int sd, Operation op) {
        Socket socket = find(sd);
        socket.accepts.add(op);
        scheduler.wake(socket.taskId);
    }

    @Override
    public void connect(int sd, Operation op) {
        Socket socket = find(sd);
        socket.connects.add(op);
        socket.connectStarted = false;
        scheduler.wake(socket.taskId);
    }

    @Override
    public void push(int sd, Operation op) {
        Socket socket = find(sd);
        socket.sends.add(op);
        if (socket.sends.size() == 1 && socket.writable) {
            // Fast path: send at once, without waiting for the scheduler pass.
            socket.pollSend();
        } else {
            scheduler.wake(socket.taskId);
        }
    }

    @Override
    public void pop(int sd, Operation op) {
        Socket socket = find(sd);
        socket.receives.add(op);
        if (socket.receives.size() == 1 && (socket.readable || socket.endOfStream)) {
            socket.pollReceive();
        } else {
            scheduler.wake(socket.taskId);
        }
    }

    @Override
    public void close(int sd, Operation op) {
        Socket socket = find(sd);
        int errnoValue = closeSocket(socket);
        host.closed(op, errnoValue);
    }

    private int closeSocket(Socket socket) {
        sockets[socket.fd] = null;
        scheduler.remove(socket.taskId);
        Libc.epollCtl(errno, epfd, Libc.EPOLL_CTL_DEL, socket.fd, 0);
        int rc = Libc.close(errno, socket.fd);
        // Linux releases the fd even when close reports EINTR; the error is still worth reporting.
        return rc < 0 ? -rc : 0;
    }

    @Override
    public void setOption(int sd, SocketOption<?> opt, Object value) {
        Socket socket = find(sd);
        if (opt == SocketOption.SO_LINGER) {
            setLinger(socket.fd, (Linger) value);
        } else {
            setIntOption(socket.fd, opt.level(), opt.optname(), ((Boolean) value) ? 1 : 0, opt.name());
        }
    }

    @Override
    public Object getOption(int sd, SocketOption<?> opt) {
        Socket socket = find(sd);
        if (opt == SocketOption.SO_LINGER) {
            optionLen.set(ValueLayout.JAVA_INT, 0, 8);
            int rc = Libc.getsockopt(errno, socket.fd, Libc.SOL_SOCKET, Libc.SO_LINGER, option.address(),
                    optionLen.address());
            if (rc < 0) {
                throw new DemiException(-rc, "getsockopt(SO_LINGER) failed");
            }
            int onOff = option.get(ValueLayout.JAVA_INT, 0);
            int seconds = option.get(ValueLayout.JAVA_INT, 4);
            return onOff == 0 ? new Linger(false, Math.max(0, seconds)) : new Linger(true, Math.max(0, seconds));
        }
        return intOption(socket.fd, opt.level(), opt.optname()) != 0;
    }

    @Override
    public long localAddress(int sd) {
        sockaddr.fill((byte) 0);
        int rc = Libc.getsockname(errno, find(sd).fd, sockaddrAddress, lenPtr());
        if (rc < 0) {
            throw new DemiException(-rc, "getsockname failed");
        }
        return readSockaddr();
    }

    @Override
    public long peerAddress(int sd) {
        int rc = Libc.getpeername(errno, find(sd).fd, sockaddrAddress, lenPtr());
        if (rc < 0) {
            throw new DemiException(-rc, "getpeername failed");
        }
        return readSockaddr();
    }

    // Poller

    @Override
    public int poll(long nowNs) {
        int n = Libc.epollWait(errno, epfd, eventsAddress, MAX_EVENTS, 0);
        return dispatch(n);
    }

    @Override
    public void block(long timeoutNs) {
        long ms = (timeoutNs + 999_999) / 1_000_000;
        int n = Libc.epollWait(errno, epfd, eventsAddress, MAX_EVENTS, (int) Math.min(ms, Integer.MAX_VALUE));
        dispatch(n);
    }

    private int dispatch(int n) {
        for (int i = 0; i < n; i++) {
            long base = (long) i * Libc.EPOLL_EVENT_SIZE;
            int flags = events.get(ValueLayout.JAVA_INT_UNALIGNED, base);
            int fd = (int) events.get(ValueLayout.JAVA_LONG_UNALIGNED, base + 4);
            Socket socket = fd >= 0 && fd < sockets.length ? sockets[fd] : null;
            if (socket == null) {
                continue;
            }
            if ((flags & (Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLERR | Libc.EPOLLHUP)) != 0) {
                socket.readable = true;
            }
            if ((flags & (Libc.EPOLLOUT | Libc.EPOLLERR | Libc.EPOLLHUP)) != 0) {
                socket.writable = true;
            }
            scheduler.wake(socket.taskId);
        }
        return Math.max(n, 0);
    }

    // Helpers

    private long lenPtr() {
        sockaddrLen.set(ValueLayout.JAVA_INT, 0, 16);
        return sockaddrLenAddress;
    }

    private void writeSockaddr(long packed) {
        sockaddr.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) Libc.AF_INET);
        sockaddr.set(SHORT_BE, 2, (short) SockAddr.port(packed));
        sockaddr.set(INT_BE, 4, SockAddr.ipv4(packed));
        sockaddr.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 0L);
    }

    private long readSockaddr() {
        return SockAddr.pack(sockaddr.get(INT_BE, 4), Short.toUnsignedInt(sockaddr.get(SHORT_BE, 2)));
    }

    private void setIntOption(int fd, int level, int name, int value, String what) {
        option.set(ValueLayout.JAVA_INT, 0, value);
        int rc = Libc.setsockopt(errno, fd, level, name, option.address(), 4);
        if (rc < 0) {
            throw new DemiException(-rc, "setsockopt(" + what + ") failed");
        }
    }

    private void setLinger(int fd, Linger linger) {
        option.set(ValueLayout.JAVA_INT, 0, linger.enabled() ? 1 : 0);
        option.set(ValueLayout.JAVA_INT, 4, linger.seconds());
        int rc = Libc.setsockopt(errno, fd, Libc.SOL_SOCKET, Libc.SO_LINGER, option.address(), 8);
        if (rc < 0) {
            throw new DemiException(-rc, "setsockopt(SO_LINGER) failed");
        }
    }

    private int intOption(int fd, int level, int name) {
        optionLen.set(ValueLayout.JAVA_INT, 0, 4);
        int rc = Libc.getsockopt(errno, fd, level, name, option.address(), optionLen.address());
        if (rc < 0) {
            throw new DemiException(-rc, "getsockopt failed");
        }
        return option.get(ValueLayout.JAVA_INT, 0);
    }

    @Override
    public void close() {
        for (Socket socket : sockets) {
            if (socket != null) {
                closeSocket(socket);
            }
        }
        Libc.close(errno, epfd);
        arena.close();
    }
}
