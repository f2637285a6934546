package dev.jdemi.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A Linux {@code AF_PACKET} raw socket bound to one interface, with a memory-mapped receive ring (TPACKET_V3 blocks
 * or TPACKET_V2 frames) and batched transmission through {@code sendmmsg(2)}: the kernel half of the AF_PACKET
 * device. See {@code packet(7)} and the kernel's {@code Documentation/networking/packet_mmap.rst}.
 *
 * <p>The socket is opened with {@code ETH_P_ALL}, bound to the interface's index, set to
 * {@code PACKET_QDISC_BYPASS} (transmitted frames go straight to the driver) and {@code PACKET_IGNORE_OUTGOING} (the
 * ring shows only frames that arrive, not the ones this host sends). The ring is one shared mapping that the caller
 * reads through {@link #ring()}; the layouts of its headers are the {@code RING_*}, {@code V2_*} and {@code V3_*}
 * offsets below.
 *
 * <p>Failures while opening throw {@link SysException} with the errno; the datapath ({@link #send}, {@link #sendBatch},
 * {@link #poll}) returns {@code -errno} and never throws. Thread: confined to one thread after opening.
 */
@SuppressWarnings("restricted")
public final class PacketSocket implements AutoCloseable {
    /** {@code AF_PACKET}. */
    public static final int AF_PACKET = 17;
    /** {@code SOCK_RAW}: frames with their link-layer header. */
    public static final int SOCK_RAW = 3;
    /** {@code ETH_P_ALL}: every protocol. */
    public static final int ETH_P_ALL = 0x0003;
    /** {@code TPACKET_V2}: one frame per ring slot, each with its own status word. */
    public static final int TPACKET_V2 = 1;
    /** {@code TPACKET_V3}: variable-size frames packed into blocks; a block is handed over when full or retired. */
    public static final int TPACKET_V3 = 2;

    /** {@code TP_STATUS_KERNEL}: the slot (V2 frame, V3 block) belongs to the kernel. */
    public static final int TP_STATUS_KERNEL = 0;
    /** {@code TP_STATUS_USER}: the slot holds received data for user space. */
    public static final int TP_STATUS_USER = 1;
    /** {@code TP_STATUS_COPY}: the frame was longer than the slot; only a prefix is in the ring. */
    public static final int TP_STATUS_COPY = 1 << 1;
    /** {@code TP_STATUS_LOSING}: the kernel dropped frames since the last status with this bit. */
    public static final int TP_STATUS_LOSING = 1 << 2;
    /**
     * {@code TP_STATUS_CSUMNOTREADY}: a frame from a local sender whose transport checksum was left to the device
     * ({@code CHECKSUM_PARTIAL}): the checksum field holds only the pseudo-header sum. The kernel trusts such a frame.
     */
    public static final int TP_STATUS_CSUMNOTREADY = 1 << 3;
    /** {@code TP_STATUS_CSUM_VALID}: the frame's transport checksum was verified already (by the device or kernel). */
    public static final int TP_STATUS_CSUM_VALID = 1 << 7;

    /** V3 block descriptor: {@code hdr.bh1.block_status}. */
    public static final long V3_BLOCK_STATUS = 8;
    /** V3 block descriptor: {@code hdr.bh1.num_pkts}. */
    public static final long V3_BLOCK_NUM_PKTS = 12;
    /** V3 block descriptor: {@code hdr.bh1.offset_to_first_pkt}. */
    public static final long V3_BLOCK_FIRST_PKT = 16;
    /** {@code tpacket3_hdr.tp_next_offset}. */
    public static final long V3_NEXT_OFFSET = 0;
    /** {@code tpacket3_hdr.tp_snaplen}. */
    public static final long V3_SNAPLEN = 12;
    /** {@code tpacket3_hdr.tp_len}. */
    public static final long V3_LEN = 16;
    /** {@code tpacket3_hdr.tp_status}. */
    public static final long V3_STATUS = 20;
    /** {@code tpacket3_hdr.tp_mac} (u16): offset of the frame from the header. */
    public static final long V3_MAC = 24;
    /** {@code tpacket2_hdr.tp_status}. */
    public static final long V2_STATUS = 0;
    /** {@code tpacket2_hdr.tp_len}. */
    public static final long V2_LEN = 4;
    /** {@code tpacket2_hdr.tp_snaplen}. */
    public static final long V2_SNAPLEN = 8;
    /** {@code tpacket2_hdr.tp_mac} (u16). */
    public static final long V2_MAC = 12;

    /** The most frames one {@link #sendBatch} call takes. */
    public static final int MAX_BATCH = 64;

    private static final int SOL_PACKET = 263;
    private static final int PACKET_RX_RING = 5;
    private static final int PACKET_VERSION = 10;
    private static final int PACKET_STATISTICS = 6;
    private static final int PACKET_QDISC_BYPASS = 20;
    private static final int PACKET_IGNORE_OUTGOING = 23;
    private static final long SIOCGIFMTU = 0x8921;
    private static final long SIOCGIFHWADDR = 0x8927;
    private static final int IFNAMSIZ = 16;
    private static final int IFREQ_BYTES = 40;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_SHARED = 0x1;
    private static final long MAP_FAILED = -1;
    private static final short POLLIN = 0x1;
    private static final int MMSGHDR_BYTES = 64;
    private static final int IOVEC_BYTES = 16;

    private static final MethodHandle IF_NAMETOINDEX = Downcalls.libc("if_nametoindex",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    private static final MethodHandle IOCTL = Downcalls.libc("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MMAP = Downcalls.libc("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Downcalls.libc("munmap",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SENDMMSG = Downcalls.libc("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));

    /** Thrown when the socket cannot be opened; carries the errno. */
    public static final class SysException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        SysException(int errno, String message) {
            super(message + " (errno " + errno + ")");
            this.errno = errno;
        }

        /** {@return the positive errno of the failed call} */
        public int errno() {
            return errno;
        }
    }

    /**
     * The receive ring's geometry.
     *
     * @param version {@link #TPACKET_V2} or {@link #TPACKET_V3}
     * @param blockBytes bytes per block, a multiple of the page size
     * @param blocks how many blocks
     * @param frameBytes bytes per frame slot (V2), or the frame size the kernel checks the geometry with (V3)
     * @param retireTimeoutMs V3 only: how long a partly filled block waits before the kernel hands it over
     */
    public record Ring(int version, int blockBytes, int blocks, int frameBytes, int retireTimeoutMs) {
        /** {@return the ring's size in bytes} */
        public long bytes() {
            return (long) blockBytes * blocks;
        }

        /** {@return how many frame slots the ring has (V2)} */
        public int frames() {
            return (int) (bytes() / frameBytes);
        }
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Downcalls.newState(arena);
    private final MemorySegment pollFd = arena.allocate(8, 8);
    private final MemorySegment messages = arena.allocate((long) MMSGHDR_BYTES * MAX_BATCH, 8);
    private final MemorySegment iovecs = arena.allocate((long) IOVEC_BYTES * MAX_BATCH, 8);
    /** {@code struct tpacket_stats_v3} (V2 fills the first two fields) and its length. */
    private final MemorySegment statistics = arena.allocate(16, 8);
    private final String interfaceName;
    private final int ifindex;
    private Ring ring;
    private int fd = -1;
    private int mtu;
    private final byte[] mac = new byte[6];
    private long ringAddress;
    private MemorySegment ringSegment = MemorySegment.NULL;

    private PacketSocket(String interfaceName, int ifindex) {
        this.interfaceName = interfaceName;
        this.ifindex = ifindex;
    }

    /**
     * Opens a packet socket for an interface and reads the interface's MTU and MAC address; it receives nothing until
     * {@link #mapRing} binds it.
     *
     * @param interfaceName the Linux interface, such as {@code veth0}
     * @return the socket
     * @throws SysException with {@code ENODEV} for an unknown interface, {@code EPERM} without
     *         {@code CAP_NET_RAW}, or the errno of the step that failed
     */
    public static PacketSocket open(String interfaceName) {
        byte[] name = interfaceName.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length >= IFNAMSIZ) {
            throw new SysException(19, "interface name '" + interfaceName + "' is not 1.." + (IFNAMSIZ - 1)
                    + " bytes");
        }
        PacketSocket socket = null;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment cName = scratch.allocate(IFNAMSIZ);
            cName.copyFrom(MemorySegment.ofArray(name));
            MemorySegment state = Downcalls.newState(scratch);
            int index = (int) IF_NAMETOINDEX.invokeExact(state, cName.address());
            if (index == 0) {
                throw new SysException(19, "no interface named '" + interfaceName + "'");
            }
            socket = new PacketSocket(interfaceName, index);
            socket.setUp(scratch, name);
            return socket;
        } catch (SysException e) {
            if (socket != null) {
                socket.close();
            }
            throw e;
        } catch (Throwable t) {
            if (socket != null) {
                socket.close();
            }
            throw new IllegalStateException("native call failed to link", t);
        }
    }

    private void setUp(Arena scratch, byte[] name) throws Throwable {
        // Protocol 0: the socket receives nothing until mapRing binds it with ETH_P_ALL to the one interface.
        fd = require(Libc.socket(errno, AF_PACKET, SOCK_RAW | Libc.SOCK_CLOEXEC, 0),
                "socket(AF_PACKET, SOCK_RAW)");
        MemorySegment ifreq = scratch.allocate(IFREQ_BYTES, 8);
        ifreq.copyFrom(MemorySegment.ofArray(name));
        require((int) IOCTL.invokeExact(errno, fd, SIOCGIFMTU, ifreq.address()), "ioctl(SIOCGIFMTU)");
        mtu = ifreq.get(JAVA_INT, IFNAMSIZ);
        require((int) IOCTL.invokeExact(errno, fd, SIOCGIFHWADDR, ifreq.address()), "ioctl(SIOCGIFHWADDR)");
        // struct sockaddr at offset 16: sa_family (2 bytes), then sa_data with the address.
        MemorySegment.copy(ifreq, JAVA_BYTE, IFNAMSIZ + 2, mac, 0, 6);

        MemorySegment value = scratch.allocate(JAVA_INT);
        value.set(JAVA_INT, 0, 1);
        setOption(value, PACKET_QDISC_BYPASS, 4, "PACKET_QDISC_BYPASS");
        setOption(value, PACKET_IGNORE_OUTGOING, 4, "PACKET_IGNORE_OUTGOING");
        pollFd.set(JAVA_INT, 0, fd);
        pollFd.set(JAVA_SHORT, 4, POLLIN);
        // struct mmsghdr: msghdr (msg_iov @16, msg_iovlen @24; the rest stays zero) then msg_len, 64 bytes.
        for (int i = 0; i < MAX_BATCH; i++) {
            messages.set(ADDRESS, (long) i * MMSGHDR_BYTES + 16,
                    MemorySegment.ofAddress(iovecs.address() + (long) i * IOVEC_BYTES));
            messages.set(JAVA_LONG, (long) i * MMSGHDR_BYTES + 24, 1L);
        }
    }

    /**
     * Sets up the receive ring, maps it and binds the socket to the interface, from which moment frames arrive.
     *
     * @param geometry the ring's layout
     * @throws SysException with the errno of the step that failed
     */
    public void mapRing(Ring geometry) {
        if (ring != null) {
            throw new IllegalStateException("the ring is mapped already");
        }
        try (Arena scratch = Arena.ofConfined()) {
            ring = geometry;
            mapRing(scratch);
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed to link", t);
        }
    }

    private void mapRing(Arena scratch) throws Throwable {
        MemorySegment value = scratch.allocate(JAVA_INT);
        value.set(JAVA_INT, 0, ring.version());
        setOption(value, PACKET_VERSION, 4, "PACKET_VERSION");

        // struct tpacket_req3 (V2 reads the first four fields, struct tpacket_req).
        MemorySegment request = scratch.allocate(7 * 4L, 4);
        request.set(JAVA_INT, 0, ring.blockBytes());
        request.set(JAVA_INT, 4, ring.blocks());
        request.set(JAVA_INT, 8, ring.frameBytes());
        request.set(JAVA_INT, 12, ring.frames());
        request.set(JAVA_INT, 16, ring.retireTimeoutMs());
        setOption(request, PACKET_RX_RING, ring.version() == TPACKET_V3 ? 28 : 16, "PACKET_RX_RING");
        long address = (long) MMAP.invokeExact(errno, 0L, ring.bytes(), PROT_READ_WRITE, MAP_SHARED, fd, 0L);
        if (address == MAP_FAILED) {
            throw new SysException(errno(), "mmap of the " + ring.bytes() + "-byte ring");
        }
        ringAddress = address;
        ringSegment = MemorySegment.ofAddress(address).reinterpret(ring.bytes());

        // Bind last: the ring exists before the first frame arrives. struct sockaddr_ll is 20 bytes.
        MemorySegment sll = scratch.allocate(20, 4);
        sll.set(JAVA_SHORT, 0, (short) AF_PACKET);
        sll.set(JAVA_SHORT, 2, htons(ETH_P_ALL));
        sll.set(JAVA_INT, 4, ifindex);
        require(Libc.bind(errno, fd, sll.address(), 20), "bind to " + interfaceName);
    }

    private void setOption(MemorySegment value, int option, int length, String what) {
        require(Libc.setsockopt(errno, fd, SOL_PACKET, option, value.address(), length), "setsockopt(" + what + ")");
    }

    private int require(int result, String what) {
        if (result < 0) {
            throw new SysException(-result, what + " on " + interfaceName + " failed");
        }
        return result;
    }

    private int errno() {
        return Downcalls.errno(errno);
    }

    private static short htons(int value) {
        return (short) (((value & 0xff) << 8) | ((value >>> 8) & 0xff));
    }

    /** {@return the interface's name} */
    public String interfaceName() {
        return interfaceName;
    }

    /** {@return the interface's index} */
    public int ifindex() {
        return ifindex;
    }

    /** {@return the interface's MTU ({@code SIOCGIFMTU})} */
    public int mtu() {
        return mtu;
    }

    /** {@return a copy of the interface's hardware address ({@code SIOCGIFHWADDR})} */
    public byte[] mac() {
        return mac.clone();
    }

    /** {@return the receive ring's geometry, null before {@link #mapRing}} */
    public Ring ringGeometry() {
        return ring;
    }

    /** {@return the mapped receive ring, shared with the kernel; valid until {@link #close()}} */
    public MemorySegment ring() {
        return ringSegment;
    }

    /**
     * Sends one frame without blocking.
     *
     * @param address the frame's first byte
     * @param length the frame's length, Ethernet header included
     * @return the bytes sent, or {@code -errno}
     */
    public long send(long address, int length) {
        return Libc.send(errno, fd, address, length, Libc.MSG_DONTWAIT);
    }

    /**
     * Sets the frame at {@code index} of the next {@link #sendBatch}.
     *
     * @param index 0..{@link #MAX_BATCH}-1
     * @param address the frame's first byte
     * @param length its length
     */
    public void stage(int index, long address, int length) {
        long iov = (long) index * IOVEC_BYTES;
        iovecs.set(JAVA_LONG, iov, address);
        iovecs.set(JAVA_LONG, iov + 8, length);
    }

    /**
     * Sends the first {@code count} staged frames with one {@code sendmmsg(2)}, without blocking.
     *
     * @param from the first staged index to send
     * @param count how many, {@code from + count <= MAX_BATCH}
     * @return how many frames were sent (the first ones), or {@code -errno} when the first could not be
     */
    public int sendBatch(int from, int count) {
        try {
            int sent = (int) SENDMMSG.invokeExact(errno, fd, messages.address() + (long) from * MMSGHDR_BYTES, count,
                    Libc.MSG_DONTWAIT);
            return sent >= 0 ? sent : -errno();
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed to link", t);
        }
    }

    /**
     * Reads and resets the kernel's drop counter ({@code PACKET_STATISTICS}): frames the kernel could not put in the
     * ring because it was full.
     *
     * @return the frames dropped since the last call, or {@code -errno}
     */
    public long takeDrops() {
        statistics.set(JAVA_INT, 12, 12);
        int result = Libc.getsockopt(errno, fd, SOL_PACKET, PACKET_STATISTICS, statistics.address(),
                statistics.address() + 12);
        return result < 0 ? result : Integer.toUnsignedLong(statistics.get(JAVA_INT, 4));
    }

    /**
     * Waits until the socket is readable (a V2 frame or a V3 block is ready) or the timeout passes.
     *
     * @param timeoutMs the longest wait, {@code >= 0}
     * @return {@code > 0} when readable, {@code 0} on timeout, or {@code -errno} ({@code -EINTR} included)
     */
    public int poll(int timeoutMs) {
        return Downcalls.pollOne(errno, pollFd, timeoutMs);
    }

    /** Unmaps the ring and closes the socket; closing twice does nothing. */
    @Override
    public void close() {
        if (ringAddress != 0) {
            try {
                // munmap of a mapping this object made fails only for bad arguments; nothing to do about it.
                int unused = (int) MUNMAP.invokeExact(errno, ringAddress, ring.bytes());
            } catch (Throwable t) {
                throw new IllegalStateException("native call failed to link", t);
            }
            ringAddress = 0;
            ringSegment = MemorySegment.NULL;
        }
        if (fd >= 0) {
            Libc.close(errno, fd);
            fd = -1;
        }
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
