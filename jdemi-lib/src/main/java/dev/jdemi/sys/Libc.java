package dev.jdemi.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Linux libc socket and epoll calls through FFM.
 *
 * <p>Each method takes an errno capture segment first and returns the call's result, or {@code -errno} on failure.
 * Pointers are {@code long} addresses of memory the caller keeps alive for the call.
 */
@SuppressWarnings("restricted")
public final class Libc {
    public static final int AF_INET = 2;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_ERROR = 4;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    public static final int IPPROTO_TCP = 6;
    public static final int TCP_NODELAY = 1;
    public static final int TCP_KEEPIDLE = 4;
    public static final int TCP_KEEPINTVL = 5;
    public static final int SHUT_RDWR = 2;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x1;
    public static final int EPOLLOUT = 0x4;
    public static final int EPOLLERR = 0x8;
    public static final int EPOLLHUP = 0x10;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLET = 1 << 31;
    /** {@code struct epoll_event} is packed on x86-64: {@code uint32_t events; uint64_t data;}. */
    public static final int EPOLL_EVENT_SIZE = 12;
    public static final int EAGAIN = 11;
    public static final int EINTR = 4;
    public static final int EINPROGRESS = 115;
    public static final int EALREADY = 114;

    private static final MethodHandle SOCKET = Downcalls.libc("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = Downcalls.libc("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle LISTEN = Downcalls.libc("listen",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = Downcalls.libc("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CONNECT = Downcalls.libc("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SEND = Downcalls.libc("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDTO = Downcalls.libc("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECV = Downcalls.libc("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECVFROM = Downcalls.libc("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SHUTDOWN = Downcalls.libc("shutdown",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = Downcalls.libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = Downcalls.libc("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = Downcalls.libc("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle GETSOCKNAME = Downcalls.libc("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle GETPEERNAME = Downcalls.libc("getpeername",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle EPOLL_CREATE1 = Downcalls.libc("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = Downcalls.libc("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle EPOLL_WAIT = Downcalls.libc("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));

    private Libc() {
    }

    /**
     * Allocates a segment that receives errno after each call.
     *
     * @param arena where to allocate it
     * @return the capture segment, to pass to every call of one thread
     */
    public static MemorySegment newErrnoState(Arena arena) {
        return Downcalls.newState(arena);
    }

    private static int check(MemorySegment state, int result) {
        return result >= 0 ? result : -Downcalls.errno(state);
    }

    private static long check(MemorySegment state, long result) {
        return result >= 0 ? result : -Downcalls.errno(state);
    }

    private static RuntimeException fatal(Throwable t) {
        return new IllegalStateException("native call failed to link", t);
    }

    /** {@code socket(2)}: the fd or -errno. */
    public static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return check(state, (int) SOCKET.invokeExact(state, domain, type, protocol));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code bind(2)}: 0 or -errno. */
    public static int bind(MemorySegment state, int fd, long sockaddr, int len) {
        try {
            return check(state, (int) BIND.invokeExact(state, fd, sockaddr, len));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code listen(2)}: 0 or -errno. */
    public static int listen(MemorySegment state, int fd, int backlog) {
        try {
            return check(state, (int) LISTEN.invokeExact(state, fd, backlog));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code accept4(2)}: the new fd or -errno. */
    public static int accept4(MemorySegment state, int fd, long sockaddr, long lenPtr, int flags) {
        try {
            return check(state, (int) ACCEPT4.invokeExact(state, fd, sockaddr, lenPtr, flags));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code connect(2)}: 0 or -errno. */
    public static int connect(MemorySegment state, int fd, long sockaddr, int len) {
        try {
            return check(state, (int) CONNECT.invokeExact(state, fd, sockaddr, len));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code send(2)}: bytes sent or -errno. */
    public static long send(MemorySegment state, int fd, long buf, long len, int flags) {
        try {
            return check(state, (long) SEND.invokeExact(state, fd, buf, len, flags));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code sendto(2)}: bytes sent or -errno. */
    public static long sendto(MemorySegment state, int fd, long buf, long len, int flags, long sockaddr, int addrLen) {
        try {
            return check(state, (long) SENDTO.invokeExact(state, fd, buf, len, flags, sockaddr, addrLen));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code recv(2)}: bytes received (0 at end of stream) or -errno. */
    public static long recv(MemorySegment state, int fd, long buf, long len, int flags) {
        try {
            return check(state, (long) RECV.invokeExact(state, fd, buf, len, flags));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code recvfrom(2)}: bytes received or -errno. */
    public static long recvfrom(MemorySegment state, int fd, long buf, long len, int flags, long sockaddr,
                                long lenPtr) {
        try {
            return check(state, (long) RECVFROM.invokeExact(state, fd, buf, len, flags, sockaddr, lenPtr));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code shutdown(2)}: 0 or -errno. */
    public static int shutdown(MemorySegment state, int fd, int how) {
        try {
            return check(state, (int) SHUTDOWN.invokeExact(state, fd, how));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code close(2)}: 0 or -errno. */
    public static int close(MemorySegment state, int fd) {
        try {
            return check(state, (int) CLOSE.invokeExact(state, fd));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code setsockopt(2)}: 0 or -errno. */
    public static int setsockopt(MemorySegment state, int fd, int level, int name, long value, int len) {
        try {
            return check(state, (int) SETSOCKOPT.invokeExact(state, fd, level, name, value, len));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code getsockopt(2)}: 0 or -errno. */
    public static int getsockopt(MemorySegment state, int fd, int level, int name, long value, long lenPtr) {
        try {
            return check(state, (int) GETSOCKOPT.invokeExact(state, fd, level, name, value, lenPtr));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code getsockname(2)}: 0 or -errno. */
    public static int getsockname(MemorySegment state, int fd, long sockaddr, long lenPtr) {
        try {
            return check(state, (int) GETSOCKNAME.invokeExact(state, fd, sockaddr, lenPtr));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code getpeername(2)}: 0 or -errno. */
    public static int getpeername(MemorySegment state, int fd, long sockaddr, long lenPtr) {
        try {
            return check(state, (int) GETPEERNAME.invokeExact(state, fd, sockaddr, lenPtr));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code epoll_create1(2)}: the fd or -errno. */
    public static int epollCreate1(MemorySegment state, int flags) {
        try {
            return check(state, (int) EPOLL_CREATE1.invokeExact(state, flags));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code epoll_ctl(2)}: 0 or -errno. */
    public static int epollCtl(MemorySegment state, int epfd, int op, int fd, long event) {
        try {
            return check(state, (int) EPOLL_CTL.invokeExact(state, epfd, op, fd, event));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** {@code epoll_wait(2)}: the number of events or -errno. */
    public static int epollWait(MemorySegment state, int epfd, long events, int maxEvents, int timeoutMs) {
        try {
            return check(state, (int) EPOLL_WAIT.invokeExact(state, epfd, events, maxEvents, timeoutMs));
        } catch (Throwable t) {
            throw fatal(t);
        }
    }
}
