package dev.jdemi.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A Linux TAP device opened through {@code /dev/net/tun}: each {@code read(2)} returns one Ethernet frame the kernel
 * sent on the interface, each {@code write(2)} hands one frame to the kernel as if it had arrived on the interface.
 * See the kernel's {@code Documentation/networking/tuntap.rst}.
 *
 * <p>The descriptor is non-blocking and attached with {@code IFF_TAP | IFF_NO_PI}: frames carry no packet-information
 * prefix and no virtio-net header, so the kernel hands over frames with complete checksums and never larger than the
 * interface's MTU (it segments and checksums in software what it would otherwise offload). When no interface of the
 * name exists, {@code TUNSETIFF} creates one that is <em>not persistent</em>: it disappears when the descriptor
 * closes. A persistent one ({@code ip tuntap add dev NAME mode tap}) outlives it.
 *
 * <p>Failures while opening throw {@link PacketSocket.SysException} with the errno; the datapath ({@link #read},
 * {@link #write}, {@link #poll}) returns {@code -errno} and never throws. Thread: confined to one thread after
 * opening.
 */
@SuppressWarnings("restricted")
public final class Tun implements AutoCloseable {
    /** {@code TUNSETIFF = _IOW('T', 202, int)}: attaches the descriptor to an interface, creating it if needed. */
    public static final long TUNSETIFF = 0x400454caL;
    /** {@code IFF_TAP}: Ethernet frames (a TUN device would carry IP packets). */
    public static final short IFF_TAP = 0x0002;
    /** {@code IFF_NO_PI}: no 4-byte packet-information prefix in front of each frame. */
    public static final short IFF_NO_PI = 0x1000;

    private static final int O_RDWR = 0x2;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCGIFMTU = 0x8921;
    private static final int IFNAMSIZ = 16;
    private static final int IFREQ_BYTES = 40;
    private static final short POLLIN = 0x1;
    private static final int ENODEV = 19;

    private static final MethodHandle OPEN = Downcalls.libc("open",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL = Downcalls.libc("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = Downcalls.libc("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle WRITE = Downcalls.libc("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));

    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Downcalls.newState(arena);
    private final MemorySegment pollFd = arena.allocate(8, 8);
    private final String interfaceName;
    private int fd = -1;
    private int mtu;
    private boolean created;

    private Tun(String interfaceName) {
        this.interfaceName = interfaceName;
    }

    /**
     * Opens {@code /dev/net/tun} and attaches it to the TAP interface of the name, creating the interface when none
     * exists (then it lives only as long as this descriptor), and reads the interface's MTU.
     *
     * @param interfaceName the interface, 1..15 bytes
     * @return the open device
     * @throws PacketSocket.SysException with {@code ENODEV} for a bad name, {@code ENOENT} without
     *         {@code /dev/net/tun}, {@code EPERM} without {@code CAP_NET_ADMIN}, {@code EINVAL} when the interface
     *         exists but is not a TAP device, {@code EBUSY} when another process has it open
     */
    public static Tun open(String interfaceName) {
        byte[] name = interfaceName.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length >= IFNAMSIZ) {
            throw new PacketSocket.SysException(ENODEV, "interface name '" + interfaceName + "' is not 1.."
                    + (IFNAMSIZ - 1) + " bytes");
        }
        Tun tun = new Tun(interfaceName);
        try (Arena scratch = Arena.ofConfined()) {
            tun.setUp(scratch, name);
            return tun;
        } catch (PacketSocket.SysException e) {
            tun.close();
            throw e;
        } catch (Throwable t) {
            tun.close();
            throw new IllegalStateException("native call failed to link", t);
        }
    }

    private void setUp(Arena scratch, byte[] name) throws Throwable {
        boolean existed = interfaceQuery(scratch, name, SIOCGIFFLAGS) != null;
        MemorySegment path = scratch.allocateFrom("/dev/net/tun");
        fd = (int) OPEN.invokeExact(errno, path.address(), O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
        if (fd < 0) {
            throw new PacketSocket.SysException(errno(), "open(/dev/net/tun) for " + interfaceName + " failed");
        }
        MemorySegment ifreq = scratch.allocate(IFREQ_BYTES, 8);
        ifreq.copyFrom(MemorySegment.ofArray(name));
        ifreq.set(JAVA_SHORT, IFNAMSIZ, (short) (IFF_TAP | IFF_NO_PI));
        int result = (int) IOCTL.invokeExact(errno, fd, TUNSETIFF, ifreq.address());
        if (result < 0) {
            throw new PacketSocket.SysException(errno(), "ioctl(TUNSETIFF, IFF_TAP | IFF_NO_PI) on "
                    + interfaceName + " failed");
        }
        created = !existed;
        MemorySegment mtuReq = interfaceQuery(scratch, name, SIOCGIFMTU);
        if (mtuReq == null) {
            throw new PacketSocket.SysException(errno(), "ioctl(SIOCGIFMTU) on " + interfaceName + " failed");
        }
        mtu = mtuReq.get(JAVA_INT, IFNAMSIZ);
        pollFd.set(JAVA_INT, 0, fd);
        pollFd.set(JAVA_SHORT, 4, POLLIN);
    }

    /** An interface ioctl through a throw-away datagram socket: the filled ifreq, or null when the call failed. */
    private MemorySegment interfaceQuery(Arena scratch, byte[] name, long request) throws Throwable {
        int socket = Libc.socket(errno, Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (socket < 0) {
            throw new PacketSocket.SysException(-socket, "socket(AF_INET, SOCK_DGRAM) failed");
        }
        try {
            MemorySegment ifreq = scratch.allocate(IFREQ_BYTES, 8);
            ifreq.copyFrom(MemorySegment.ofArray(name));
            int result = (int) IOCTL.invokeExact(errno, socket, request, ifreq.address());
            return result < 0 ? null : ifreq;
        } finally {
            Libc.close(errno, socket);
        }
    }

    private int errno() {
        return Downcalls.errno(errno);
    }

    /** {@return the interface's name} */
    public String interfaceName() {
        return interfaceName;
    }

    /** {@return the interface's MTU when it was opened ({@code SIOCGIFMTU})} */
    public int mtu() {
        return mtu;
    }

    /** {@return whether opening created the interface (it then disappears on {@link #close()})} */
    public boolean created() {
        return created;
    }

    /**
     * Reads one frame without blocking.
     *
     * @param address where to put it
     * @param capacity the bytes available there; a longer frame is cut to it
     * @return the frame's length, or {@code -EAGAIN} when none is queued, or another {@code -errno}
     */
    public long read(long address, long capacity) {
        try {
            long n = (long) READ.invokeExact(errno, fd, address, capacity);
            return n >= 0 ? n : -errno();
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed to link", t);
        }
    }

    /**
     * Hands one frame to the kernel without blocking.
     *
     * @param address the frame's first byte
     * @param length its length, Ethernet header included
     * @return the bytes written, or {@code -errno}
     */
    public long write(long address, long length) {
        try {
            long n = (long) WRITE.invokeExact(errno, fd, address, length);
            return n >= 0 ? n : -errno();
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed to link", t);
        }
    }

    /**
     * Waits until a frame is queued or the timeout passes.
     *
     * @param timeoutMs the longest wait, {@code >= 0}
     * @return {@code > 0} when readable, {@code 0} on timeout, or {@code -errno} ({@code -EINTR} included)
     */
    public int poll(int timeoutMs) {
        return Downcalls.pollOne(errno, pollFd, timeoutMs);
    }

    /** Closes the descriptor (a non-persistent interface disappears with it); closing twice does nothing. */
    @Override
    public void close() {
        if (fd >= 0) {
            Libc.close(errno, fd);
            fd = -1;
        }
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
