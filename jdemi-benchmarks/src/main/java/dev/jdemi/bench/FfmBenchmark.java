package dev.jdemi.bench;

import dev.jdemi.sys.Libc;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The FFM downcalls catnap makes on every poll and every message, through {@code dev.jdemi.sys.Libc}: an
 * {@code epoll_wait} that finds nothing, a {@code recv} that answers EAGAIN, and a 64-byte {@code send} plus
 * {@code recv} on a UDP socket connected to itself. Each includes the kernel's own cost; the difference between the
 * first two and a bare system call is FFM's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class FfmBenchmark {
    private static final int SOCKADDR_IN_SIZE = 16;
    private static final int MESSAGE = 64;

    private Arena arena;
    private MemorySegment errno;
    private long events;
    private long buffer;
    private int epfd;
    private int idleFd;
    private int selfFd;

    /** Opens an empty epoll instance, an idle UDP socket and a UDP socket connected to itself on 127.0.0.1. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        errno = Libc.newErrnoState(arena);
        events = arena.allocate(Libc.EPOLL_EVENT_SIZE * 16L, 8).address();
        buffer = arena.allocate(MESSAGE, 8).address();
        epfd = check(Libc.epollCreate1(errno, Libc.EPOLL_CLOEXEC), "epoll_create1");
        idleFd = udpOnLoopback();
        selfFd = udpOnLoopback();
        MemorySegment addr = arena.allocate(SOCKADDR_IN_SIZE, 4);
        MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
        len.set(ValueLayout.JAVA_INT, 0, SOCKADDR_IN_SIZE);
        check(Libc.getsockname(errno, selfFd, addr.address(), len.address()), "getsockname");
        check(Libc.connect(errno, selfFd, addr.address(), SOCKADDR_IN_SIZE), "connect");
    }

    private int udpOnLoopback() {
        int fd = check(Libc.socket(errno, Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_NONBLOCK, 0), "socket");
        MemorySegment addr = arena.allocate(SOCKADDR_IN_SIZE, 4);
        addr.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_INET);
        addr.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) 0);
        addr.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 4, 0x7F00_0001);
        check(Libc.bind(errno, fd, addr.address(), SOCKADDR_IN_SIZE), "bind");
        return fd;
    }

    private static int check(int result, String what) {
        if (result < 0) {
            throw new IllegalStateException(what + " failed: errno " + -result);
        }
        return result;
    }

    /**
     * {@code epoll_wait} with a zero timeout on an empty instance: what a spinning poll costs when idle.
     *
     * @return 0
     */
    @Benchmark
    public int epollWaitEmpty() {
        return Libc.epollWait(errno, epfd, events, 16, 0);
    }

    /**
     * {@code recv} on a socket with nothing queued.
     *
     * @return -EAGAIN
     */
    @Benchmark
    public long recvEagain() {
        return Libc.recv(errno, idleFd, buffer, MESSAGE, Libc.MSG_DONTWAIT);
    }

    /**
     * A 64-byte datagram sent to the socket's own address and received back.
     *
     * @return the bytes received
     */
    @Benchmark
    public long sendRecv64() {
        Libc.send(errno, selfFd, buffer, MESSAGE, 0);
        return Libc.recv(errno, selfFd, buffer, MESSAGE, 0);
    }

    /** Closes the descriptors and frees the memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        Libc.close(errno, selfFd);
        Libc.close(errno, idleFd);
        Libc.close(errno, epfd);
        arena.close();
    }
}
