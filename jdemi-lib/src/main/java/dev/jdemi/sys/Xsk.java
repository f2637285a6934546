package dev.jdemi.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * An AF_XDP socket and its UMEM, made by libxdp ({@code libxdp.so.1}, Debian package {@code libxdp1}): the kernel
 * half of the AF_XDP device. See the kernel's {@code Documentation/networking/af_xdp.rst} and libxdp's
 * {@code xsk.h}.
 *
 * <p>libxdp registers the caller's UMEM region ({@code xsk_umem__create}), creates the socket on one queue of an
 * interface and loads its default XDP program, which redirects that queue's frames to the socket
 * ({@code xsk_socket__create}); deleting the socket detaches the program. The four rings (fill, completion, receive,
 * transmit) are {@code static inline} code in {@code xsk.h}, out of FFM's reach: this class hands out their shared
 * memory as {@link RingMemory} (the producer and consumer words, the flags word and the descriptors), and the device
 * drives them from Java.
 *
 * <p>The libxdp structures read here: {@code struct xsk_ring_prod}/{@code xsk_ring_cons} = {u32 cached_prod@0,
 * cached_cons@4, mask@8, size@12; u32 *producer@16, *consumer@24; void *ring@32; u32 *flags@40};
 * {@code struct xsk_umem_config} = 5 x u32 (fill_size, comp_size, frame_size, frame_headroom, flags);
 * {@code struct xsk_socket_config} = {u32 rx_size, tx_size, libxdp_flags, xdp_flags; u16 bind_flags} (20 bytes).
 * libxdp keeps pointers to the ring structures until the socket and the UMEM are deleted, so they live in this
 * object's arena until {@link #close()}.
 *
 * <p>Failures while creating throw {@link XskException} with the errno; the datapath ({@link #kick}, {@link #wakeRx},
 * {@link #poll}, {@link #statistics}) returns {@code -errno} and never throws. Thread: confined to one thread after
 * creation.
 */
@SuppressWarnings("restricted")
public final class Xsk implements AutoCloseable {
    /** {@code XDP_FLAGS_SKB_MODE}: the generic XDP hook, after the kernel has built an skb. */
    public static final int XDP_FLAGS_SKB_MODE = 1 << 1;
    /** {@code XDP_FLAGS_DRV_MODE}: the driver's native XDP hook. */
    public static final int XDP_FLAGS_DRV_MODE = 1 << 2;
    /** Bind flag {@code XDP_COPY}: the kernel copies frames between its buffers and the UMEM. */
    public static final int XDP_COPY = 1 << 1;
    /** Bind flag {@code XDP_ZEROCOPY}: the driver DMAs into the UMEM (veth cannot). */
    public static final int XDP_ZEROCOPY = 1 << 2;
    /** Bind flag {@code XDP_USE_NEED_WAKEUP}: the kernel says through the rings' flags when it must be woken. */
    public static final int XDP_USE_NEED_WAKEUP = 1 << 3;
    /** Ring flag {@code XDP_RING_NEED_WAKEUP}. */
    public static final int XDP_RING_NEED_WAKEUP = 1;
    /** {@code XDP_PACKET_HEADROOM}: the kernel puts a received frame this far into its chunk (plus the UMEM's own). */
    public static final int XDP_PACKET_HEADROOM = 256;
    /** Bytes of a fill or completion ring entry (a u64 UMEM address). */
    public static final int ADDR_BYTES = 8;
    /** Bytes of a receive or transmit ring entry, {@code struct xdp_desc} = {u64 addr, u32 len, u32 options}. */
    public static final int DESC_BYTES = 16;
    /** How many counters {@link #statistics} reads ({@code struct xdp_statistics}). */
    public static final int STATISTICS = 6;

    private static final int SOL_XDP = 283;
    private static final int XDP_STATISTICS = 7;
    private static final int XDP_OPTIONS = 8;
    private static final int XDP_OPTIONS_ZEROCOPY = 1;
    private static final int IFNAMSIZ = 16;
    private static final int RING_STRUCT_BYTES = 48;
    private static final short POLLIN = 0x1;

    /** Why libxdp cannot be used, or null when it was loaded. */
    private static final String MISSING;
    private static final SymbolLookup LIBXDP;

    static {
        SymbolLookup lookup = null;
        String missing = null;
        try {
            lookup = SymbolLookup.libraryLookup("libxdp.so.1", Arena.global());
        } catch (IllegalArgumentException e) {
            missing = "libxdp.so.1 cannot be loaded (install the Debian package libxdp1): " + e.getMessage();
        }
        LIBXDP = lookup;
        MISSING = missing;
    }

    private static final MethodHandle UMEM_CREATE = xdp("xsk_umem__create", FunctionDescriptor.of(JAVA_INT,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SOCKET_CREATE = xdp("xsk_socket__create", FunctionDescriptor.of(JAVA_INT,
            JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SOCKET_FD = xdp("xsk_socket__fd", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    private static final MethodHandle SOCKET_DELETE = xdp("xsk_socket__delete", FunctionDescriptor.ofVoid(JAVA_LONG));
    private static final MethodHandle UMEM_DELETE = xdp("xsk_umem__delete", FunctionDescriptor.of(JAVA_INT,
            JAVA_LONG));
    private static final MethodHandle LIBXDP_SET_PRINT = xdp("libxdp_set_print", FunctionDescriptor.of(JAVA_LONG,
            JAVA_LONG));
    private static final MethodHandle LIBBPF_SET_PRINT = xdp("libbpf_set_print", FunctionDescriptor.of(JAVA_LONG,
            JAVA_LONG));

    /** Thrown when the socket or the UMEM cannot be created; carries the errno. */
    public static final class XskException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        XskException(int errno, String message) {
            super(message);
            this.errno = errno;
        }

        /** {@return the positive errno of the failed call} */
        public int errno() {
            return errno;
        }
    }

    /**
     * The shared memory of one ring.
     *
     * @param producer the producer index word (u32)
     * @param consumer the consumer index word (u32)
     * @param flags the flags word ({@link #XDP_RING_NEED_WAKEUP})
     * @param descriptors the entries: {@code size} addresses of {@link #ADDR_BYTES} or descriptors of
     *         {@link #DESC_BYTES}
     * @param size the number of entries, a power of two
     */
    public record RingMemory(MemorySegment producer, MemorySegment consumer, MemorySegment flags,
            MemorySegment descriptors, int size) {
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Libc.newErrnoState(arena);
    private final MemorySegment pollFd = arena.allocate(8, 8);
    private final MemorySegment statistics = arena.allocate(8L * STATISTICS + 8, 8);
    private final MemorySegment fillStruct = arena.allocate(RING_STRUCT_BYTES, 8);
    private final MemorySegment compStruct = arena.allocate(RING_STRUCT_BYTES, 8);
    private final MemorySegment rxStruct = arena.allocate(RING_STRUCT_BYTES, 8);
    private final MemorySegment txStruct = arena.allocate(RING_STRUCT_BYTES, 8);
    private final String interfaceName;
    private final int queue;
    private long umem;
    private long socket;
    private int fd = -1;
    private RingMemory fill;
    private RingMemory completion;
    private RingMemory rx;
    private RingMemory tx;

    private Xsk(String interfaceName, int queue) {
        this.interfaceName = interfaceName;
        this.queue = queue;
    }

    private static MethodHandle xdp(String name, FunctionDescriptor descriptor) {
        if (LIBXDP == null) {
            return null;
        }
        MemorySegment symbol = LIBXDP.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libxdp.so.1 has no symbol " + name));
        return Downcalls.LINKER.downcallHandle(symbol, descriptor);
    }

    static {
        // libxdp and libbpf print warnings on stderr at every attach (no bpffs, so no dispatcher; BTF sections it
        // skips) that are expected here; the errors they print are reported as XskException with the errno.
        if (MISSING == null && System.getenv("JDEMI_XDP_VERBOSE") == null) {
            try {
                long unused = (long) LIBXDP_SET_PRINT.invokeExact(0L);
                unused = (long) LIBBPF_SET_PRINT.invokeExact(0L);
            } catch (Throwable t) {
                throw new ExceptionInInitializerError(t);
            }
        }
    }

    /** {@return why libxdp cannot be used here, or null when it can} */
    public static String unavailable() {
        return MISSING;
    }

    /**
     * Registers a UMEM and creates an AF_XDP socket on one queue of an interface; libxdp attaches its XDP program.
     *
     * @param interfaceName the Linux interface
     * @param queue the queue to bind to
     * @param region the UMEM: page-aligned, kept alive by the caller until after {@link #close()}
     * @param chunkBytes the chunk size, 2048 or 4096
     * @param ringSize the size of each of the four rings, a power of two
     * @param xdpFlags {@link #XDP_FLAGS_DRV_MODE} or {@link #XDP_FLAGS_SKB_MODE}
     * @param bindFlags {@link #XDP_COPY}, {@link #XDP_USE_NEED_WAKEUP}, ...
     * @return the socket
     * @throws XskException with ENOENT when libxdp is missing, or the errno of the step that failed
     */
    public static Xsk create(String interfaceName, int queue, MemorySegment region, int chunkBytes, int ringSize,
            int xdpFlags, int bindFlags) {
        if (MISSING != null) {
            throw new XskException(2, MISSING);
        }
        byte[] name = interfaceName.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length >= IFNAMSIZ) {
            throw new XskException(19, "interface name '" + interfaceName + "' is not 1.." + (IFNAMSIZ - 1)
                    + " bytes");
        }
        Xsk xsk = new Xsk(interfaceName, queue);
        try (Arena scratch = Arena.ofConfined()) {
            xsk.create(scratch, name, region, chunkBytes, ringSize, xdpFlags, bindFlags);
            return xsk;
        } catch (XskException e) {
            xsk.close();
            throw e;
        } catch (Throwable t) {
            xsk.close();
            throw new IllegalStateException("native call failed to link", t);
        }
    }

    private void create(Arena scratch, byte[] name, MemorySegment region, int chunkBytes, int ringSize, int xdpFlags,
            int bindFlags) throws Throwable {
        MemorySegment handle = scratch.allocate(ADDRESS);
        MemorySegment umemConfig = scratch.allocate(20, 4);
        umemConfig.set(JAVA_INT, 0, ringSize);
        umemConfig.set(JAVA_INT, 4, ringSize);
        umemConfig.set(JAVA_INT, 8, chunkBytes);
        int result = (int) UMEM_CREATE.invokeExact(handle.address(), region.address(), region.byteSize(),
                fillStruct.address(), compStruct.address(), umemConfig.address());
        if (result < 0) {
            throw new XskException(-result, "xsk_umem__create (" + region.byteSize() + " bytes in chunks of "
                    + chunkBytes + ")");
        }
        umem = handle.get(JAVA_LONG, 0);

        MemorySegment cName = scratch.allocate(IFNAMSIZ);
        cName.copyFrom(MemorySegment.ofArray(name));
        MemorySegment socketConfig = scratch.allocate(20, 4);
        socketConfig.set(JAVA_INT, 0, ringSize);
        socketConfig.set(JAVA_INT, 4, ringSize);
        socketConfig.set(JAVA_INT, 8, 0);
        socketConfig.set(JAVA_INT, 12, xdpFlags);
        socketConfig.set(JAVA_SHORT, 16, (short) bindFlags);
        result = (int) SOCKET_CREATE.invokeExact(handle.address(), cName.address(), queue, umem, rxStruct.address(),
                txStruct.address(), socketConfig.address());
        if (result < 0) {
            throw new XskException(-result, "xsk_socket__create on " + interfaceName + " queue " + queue);
        }
        socket = handle.get(JAVA_LONG, 0);
        fd = (int) SOCKET_FD.invokeExact(socket);
        pollFd.set(JAVA_INT, 0, fd);
        pollFd.set(JAVA_SHORT, 4, POLLIN);
        fill = ring(fillStruct, ADDR_BYTES);
        completion = ring(compStruct, ADDR_BYTES);
        rx = ring(rxStruct, DESC_BYTES);
        tx = ring(txStruct, DESC_BYTES);
    }

    private static RingMemory ring(MemorySegment struct, int entryBytes) {
        int size = struct.get(JAVA_INT, 12);
        return new RingMemory(word(struct.get(JAVA_LONG, 16)), word(struct.get(JAVA_LONG, 24)),
                word(struct.get(JAVA_LONG, 40)),
                MemorySegment.ofAddress(struct.get(JAVA_LONG, 32)).reinterpret((long) size * entryBytes), size);
    }

    private static MemorySegment word(long address) {
        return MemorySegment.ofAddress(address).reinterpret(4);
    }

    /** {@return the interface's name} */
    public String interfaceName() {
        return interfaceName;
    }

    /** {@return the socket's file descriptor} */
    public int fd() {
        return fd;
    }

    /** {@return the fill ring: user space produces free chunks for the kernel} */
    public RingMemory fill() {
        return fill;
    }

    /** {@return the completion ring: the kernel returns the chunks of sent frames} */
    public RingMemory completion() {
        return completion;
    }

    /** {@return the receive ring: the kernel produces received frames} */
    public RingMemory rx() {
        return rx;
    }

    /** {@return the transmit ring: user space produces frames to send} */
    public RingMemory tx() {
        return tx;
    }

    /**
     * Tells the kernel to send what the transmit ring holds: {@code sendto(fd, NULL, 0, MSG_DONTWAIT)}. In copy mode
     * the call sends up to 32 frames itself and fails with EAGAIN when more are left.
     *
     * @return {@code 0} or {@code -errno} ({@code -EAGAIN}, {@code -EBUSY}: call again later)
     */
    public int kick() {
        long result = Libc.sendto(errno, fd, 0L, 0L, Libc.MSG_DONTWAIT, 0L, 0);
        return result < 0 ? (int) result : 0;
    }

    /**
     * Wakes the kernel to take chunks from the fill ring: {@code recvfrom(fd, NULL, 0, MSG_DONTWAIT)}.
     *
     * @return {@code 0} or {@code -errno}
     */
    public int wakeRx() {
        long result = Libc.recvfrom(errno, fd, 0L, 0L, Libc.MSG_DONTWAIT, 0L, 0L);
        return result < 0 && result != -Libc.EAGAIN ? (int) result : 0;
    }

    /**
     * Waits until the receive ring holds a frame or the timeout passes.
     *
     * @param timeoutMs the longest wait, {@code >= 0}
     * @return {@code > 0} when readable, {@code 0} on timeout, or {@code -errno}
     */
    public int poll(int timeoutMs) {
        return Downcalls.pollOne(errno, pollFd, timeoutMs);
    }

    /**
     * Reads the kernel's counters ({@code XDP_STATISTICS}), which only grow: rx_dropped, rx_invalid_descs,
     * tx_invalid_descs, rx_ring_full, rx_fill_ring_empty_descs, tx_ring_empty_descs.
     *
     * @param into where to put the {@link #STATISTICS} counters, from index 0
     * @return {@code 0} or {@code -errno}
     */
    public int statistics(long[] into) {
        long length = 8L * STATISTICS;
        statistics.set(JAVA_INT, length, (int) length);
        int result = Libc.getsockopt(errno, fd, SOL_XDP, XDP_STATISTICS, statistics.address(),
                statistics.address() + length);
        if (result < 0) {
            return result;
        }
        for (int i = 0; i < STATISTICS; i++) {
            into[i] = statistics.get(JAVA_LONG, 8L * i);
        }
        return 0;
    }

    /**
     * Asks the kernel whether the socket runs in zero-copy mode ({@code XDP_OPTIONS}).
     *
     * @return {@code 1} for zero copy, {@code 0} for copy mode, or {@code -errno}
     */
    public int zeroCopy() {
        statistics.set(JAVA_INT, 4, 4);
        int result = Libc.getsockopt(errno, fd, SOL_XDP, XDP_OPTIONS, statistics.address(),
                statistics.address() + 4);
        return result < 0 ? result : (statistics.get(JAVA_INT, 0) & XDP_OPTIONS_ZEROCOPY) != 0 ? 1 : 0;
    }

    /** Deletes the socket (libxdp detaches its XDP program) and the UMEM; closing twice does nothing. */
    @Override
    public void close() {
        try {
            if (socket != 0) {
                SOCKET_DELETE.invokeExact(socket);
                socket = 0;
                fd = -1;
            }
            if (umem != 0) {
                // Fails only with EBUSY while a socket still uses the UMEM, which was deleted just above.
                int unused = (int) UMEM_DELETE.invokeExact(umem);
                umem = 0;
            }
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed to link", t);
        } finally {
            if (socket == 0 && umem == 0 && arena.scope().isAlive()) {
                arena.close();
            }
        }
    }
}
