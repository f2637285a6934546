package dev.jdemi.phy.afxdp;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.MacAddress;
import dev.jdemi.phy.Capabilities;
import dev.jdemi.phy.FrameChecks;
import dev.jdemi.phy.PhyDrop;
import dev.jdemi.phy.PhyStats;
import dev.jdemi.phy.PhysicalLayer;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.sys.PacketSocket;
import dev.jdemi.sys.Xsk;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;

/**
 * A device over a Linux interface through an AF_XDP socket in copy mode, on queue 0, whose UMEM is the LibOS's
 * buffer pool ({@link #newPool()}): frames are received and built in place, and the four rings are driven from Java.
 *
 * <p><b>Receive.</b> The device lends free UMEM chunks to the kernel through the fill ring; the kernel copies each
 * frame that arrives on the queue into one of them and posts it on the receive ring; {@link #receive} hands it up as a
 * {@link DemiBuffer} over that chunk (no copy). Freeing the buffer (its last reference) returns the chunk to the pool,
 * and the next {@code receive} lends it to the kernel again. A quarter of the UMEM (at most {@value #FILL_RESERVE}
 * chunks) is never lent, so the stack can still allocate frames to send while the kernel holds the rest.
 *
 * <p><b>Transmit.</b> A frame from the pool's UMEM goes on the transmit ring as it is: its descriptor points at its
 * bytes. The device keeps the frame (a clone keeps its chunk alive, since the chunk returns only with its last
 * reference) until the kernel posts its address on the completion ring, then frees it. A frame from elsewhere (another
 * pool, or ordinary memory the pool fell back to) is first copied into a UMEM chunk, counted in
 * {@link #foreignCopies()}. In copy mode the kernel sends only inside a system call: after publishing frames the
 * device calls {@code sendto(MSG_DONTWAIT)}, again while the kernel reports more left (it sends at most 32 per call),
 * and at the next {@code receive} when it still had some.
 *
 * <p><b>Drops.</b> A full transmit ring and a foreign frame with no free chunk to copy into are counted at once
 * ({@link PhyDrop#QUEUE_FULL}, {@link PhyDrop#NO_BUFFER}). The kernel's own drops are read from its
 * {@code XDP_STATISTICS} every {@value #STATS_EVERY_BLOCK} sleeps in {@link #block}, every {@value #STATS_EVERY}
 * receive calls, on {@link #collectKernelDrops()} and on close: a full receive ring is {@link PhyDrop#QUEUE_FULL}, an
 * empty fill ring {@link PhyDrop#NO_BUFFER}, a frame too long for a chunk {@link PhyDrop#OVERSIZE} and a descriptor
 * the kernel rejected {@link PhyDrop#SEND_FAILED}; {@link #kernelStatistics()} shows the raw counters.
 *
 * <p><b>Attachment.</b> libxdp attaches its default XDP program, which redirects every frame of queue 0 to the socket
 * (the kernel's own stack no longer sees them), in native (driver) mode when the driver has it (veth does), else in
 * generic (skb) mode; deleting the socket detaches it. The kernel must let only one XDP program on the interface:
 * without a bpffs libxdp cannot use its multi-program dispatcher.
 *
 * <p><b>Capabilities.</b> The MTU (bounded by what a chunk holds after the kernel's 256-byte headroom) and the MAC
 * address come from the interface; no checksum offload.
 *
 * <p>Thread: confined to the LibOS's thread; allocates nothing per frame in the steady state.
 */
public final class XdpDevice implements PhysicalLayer {
    /** Bytes of a UMEM chunk: one frame. */
    public static final int CHUNK_BYTES = 4096;
    /** Chunks in the UMEM of {@link #newPool()}: 16 MiB. */
    public static final int UMEM_CHUNKS = 4096;
    /** Entries of each of the four rings. */
    public static final int RING_SIZE = 2048;
    /** The most chunks kept back from the fill ring for frames to send. */
    static final int FILL_RESERVE = 1024;
    /** Receive calls between two readings of the kernel's counters. */
    static final int STATS_EVERY = 1 << 16;
    /** Sleeps between two readings of the kernel's counters. */
    static final int STATS_EVERY_BLOCK = 64;
    private static final int REFILL_BATCH = 32;
    private static final int BUSY_ATTEMPTS = 100;
    private static final long BUSY_PAUSE_NS = 10_000_000L;

    /** Where libxdp attaches its XDP program. */
    public enum Attach {
        /** The driver's native XDP hook ({@code XDP_FLAGS_DRV_MODE}). */
        NATIVE(Xsk.XDP_FLAGS_DRV_MODE, "native (driver) XDP"),
        /** The generic hook, after the kernel has built an skb ({@code XDP_FLAGS_SKB_MODE}). */
        GENERIC(Xsk.XDP_FLAGS_SKB_MODE, "generic (skb) XDP");

        private final int flags;
        private final String description;

        Attach(int flags, String description) {
            this.flags = flags;
            this.description = description;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    private final String interfaceName;
    private final Attach attach;
    private final XskPort port;
    private final XskRing fill;
    private final XskRing completion;
    private final XskRing rx;
    private final XskRing tx;
    private final BufferPool pool;
    private final Capabilities capabilities;
    private final PhyStats stats = new PhyStats();
    private final int fillReserve;
    private final long[] kernel = new long[Xsk.STATISTICS];
    private final long[] kernelSeen = new long[Xsk.STATISTICS];

    // Frames on the transmit ring or in the kernel, in the order they were published, until their completion.
    private final DemiBuffer[] inFlight;
    private final long[] inFlightAddress;
    private final int inFlightMask;
    private int inFlightHead;
    private int inFlightTail;

    private int staged;
    private boolean txWaiting;
    private int receiveCalls;
    private int blockCalls;
    private long foreignCopies;
    private boolean closed;

    XdpDevice(String interfaceName, Attach attach, XskPort port, XskRing fill, XskRing completion, XskRing rx,
            XskRing tx, BufferPool pool, Capabilities capabilities) {
        this.interfaceName = interfaceName;
        this.attach = attach;
        this.port = port;
        this.fill = fill;
        this.completion = completion;
        this.rx = rx;
        this.tx = tx;
        this.pool = pool;
        this.capabilities = capabilities;
        int chunks = (int) (pool.umemRegion().byteSize() / pool.umemChunkBytes());
        this.fillReserve = Math.min(FILL_RESERVE, chunks / 4);
        int capacity = Integer.highestOneBit(tx.size() + completion.size() - 1) << 1;
        this.inFlight = new DemiBuffer[capacity];
        this.inFlightAddress = new long[capacity];
        this.inFlightMask = capacity - 1;
        refill();
    }

    /**
     * Makes the pool an AF_XDP device needs: {@value #UMEM_CHUNKS} chunks of {@value #CHUNK_BYTES} bytes with
     * {@link BufferPool#STACK_HEADROOM}. One pool serves one device.
     *
     * @return the pool; the caller closes it after the device
     */
    public static BufferPool newPool() {
        return BufferPool.withUmem(BufferPool.STACK_HEADROOM, CHUNK_BYTES, UMEM_CHUNKS);
    }

    /**
     * Opens the device on queue 0 of an interface, attached natively when the driver allows it, else generically.
     *
     * @param interfaceName the Linux interface
     * @param pool a pool with a UMEM ({@link #newPool()}) that no other device uses; it outlives the device
     * @return the device
     * @throws DemiException ENOENT when libxdp.so.1 is missing, ENODEV for an unknown interface, EPERM without the
     *         privileges, or the errno of the step that failed, with its meaning
     */
    public static XdpDevice open(String interfaceName, BufferPool pool) {
        try {
            return open(interfaceName, pool, Attach.NATIVE);
        } catch (DemiException nativeFailure) {
            int errno = nativeFailure.errno();
            if (errno == Errno.EPERM || errno == Errno.ENODEV || errno == Errno.ENOENT || !pool.hasUmem()) {
                throw nativeFailure;
            }
            try {
                return open(interfaceName, pool, Attach.GENERIC);
            } catch (DemiException genericFailure) {
                genericFailure.addSuppressed(nativeFailure);
                throw genericFailure;
            }
        }
    }

    /**
     * Opens the device on queue 0 of an interface with the XDP program attached where told.
     *
     * @param interfaceName the Linux interface
     * @param pool a pool with a UMEM ({@link #newPool()}) that no other device uses; it outlives the device
     * @param attach native or generic XDP
     * @return the device
     * @throws DemiException as {@link #open(String, BufferPool)}
     */
    public static XdpDevice open(String interfaceName, BufferPool pool, Attach attach) {
        if (!pool.hasUmem()) {
            throw new DemiException(Errno.EINVAL, "catpowder AF_XDP device: the pool has no UMEM (use"
                    + " XdpDevice.newPool())");
        }
        if (Xsk.unavailable() != null) {
            throw new DemiException(Errno.ENOENT, "catpowder AF_XDP device: " + Xsk.unavailable());
        }
        int mtu;
        long mac = 0;
        try (PacketSocket probe = PacketSocket.open(interfaceName)) {
            mtu = probe.mtu();
            for (byte b : probe.mac()) {
                mac = (mac << 8) | (b & 0xff);
            }
        } catch (PacketSocket.SysException e) {
            throw new DemiException(e.errno(), "catpowder AF_XDP device: " + e.getMessage()
                    + (e.errno() == Errno.EPERM ? ": " + PRIVILEGES : ""), e);
        }
        Xsk xsk = null;
        for (int attempt = 1; xsk == null; attempt++) {
            try {
                xsk = Xsk.create(interfaceName, 0, pool.umemRegion(), pool.umemChunkBytes(), RING_SIZE,
                        attach.flags, Xsk.XDP_COPY | Xsk.XDP_USE_NEED_WAKEUP);
            } catch (Xsk.XskException e) {
                if (e.errno() == Errno.EBUSY && attempt < BUSY_ATTEMPTS) {
                    // The kernel releases a closed socket's hold on the queue in deferred work, so a socket that
                    // was just deleted may still hold it for a moment.
                    LockSupport.parkNanos(BUSY_PAUSE_NS);
                    continue;
                }
                throw new DemiException(e.errno(), "catpowder AF_XDP device, " + attach + " in copy mode: "
                        + e.getMessage() + " failed: " + meaning(e.errno()), e);
            }
        }
        int frameRoom = pool.umemChunkBytes() - Xsk.XDP_PACKET_HEADROOM - Capabilities.ETHERNET_HEADER_BYTES;
        Capabilities capabilities = new Capabilities(Math.clamp(Math.min(mtu, frameRoom), Capabilities.MIN_MTU,
                Capabilities.MAX_MTU), false, false, new MacAddress(mac), Capabilities.DEFAULT_MAX_BATCH);
        return new XdpDevice(interfaceName, attach, new SocketPort(xsk), producer(xsk.fill()),
                consumer(xsk.completion()), consumer(xsk.rx()), producer(xsk.tx()), pool, capabilities);
    }

    private static final String PRIVILEGES = "AF_XDP needs CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF (run as root)";

    /** What an errno of {@code xsk_umem__create} or {@code xsk_socket__create} means here. */
    static String meaning(int errno) {
        return switch (errno) {
            case Errno.EPERM -> "EPERM: " + PRIVILEGES;
            case Errno.ENOENT -> "ENOENT: libxdp or its XDP program is missing";
            case Errno.ENODEV -> "ENODEV: no such interface";
            case Errno.EOPNOTSUPP -> "EOPNOTSUPP: the driver does not support this XDP mode";
            case Errno.EBUSY -> "EBUSY: another XDP program or AF_XDP socket holds the interface or its queue 0";
            case Errno.EEXIST -> "EEXIST: another XDP program is attached in another mode";
            case Errno.EINVAL -> "EINVAL: the kernel refused the UMEM or ring geometry, or the queue";
            case Errno.ENOMEM -> "ENOMEM: the kernel cannot pin the UMEM (RLIMIT_MEMLOCK?)";
            case Errno.ENOSPC -> "ENOSPC: no room in the XSKMAP";
            default -> "errno " + errno;
        };
    }

    private static XskRing producer(Xsk.RingMemory memory) {
        return XskRing.producer(memory.producer(), memory.consumer(), memory.flags(), memory.descriptors(),
                memory.size(), (int) (memory.descriptors().byteSize() / memory.size()));
    }

    private static XskRing consumer(Xsk.RingMemory memory) {
        return XskRing.consumer(memory.producer(), memory.consumer(), memory.flags(), memory.descriptors(),
                memory.size(), (int) (memory.descriptors().byteSize() / memory.size()));
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public PhyStats stats() {
        return stats;
    }

    /** {@return the interface's name} */
    public String interfaceName() {
        return interfaceName;
    }

    /** {@return where the XDP program is attached} */
    public Attach attach() {
        return attach;
    }

    /** {@return how many frames from outside the UMEM were copied into it to be sent} */
    public long foreignCopies() {
        return foreignCopies;
    }

    /**
     * The kernel's counters as last read (see {@link #collectKernelDrops()}), in the order of
     * {@code struct xdp_statistics}: rx_dropped, rx_invalid_descs, tx_invalid_descs, rx_ring_full,
     * rx_fill_ring_empty_descs, tx_ring_empty_descs.
     *
     * @return a copy
     */
    public long[] kernelStatistics() {
        return kernelSeen.clone();
    }

    @Override
    public int receive(DemiBuffer[] frames, int max, long nowNs) {
        if (closed) {
            return 0;
        }
        complete();
        if (txWaiting) {
            kickPending();
        }
        int n = rx.ready(Math.min(max, frames.length));
        int count = 0;
        int index = rx.peek();
        for (int i = 0; i < n; i++, index++) {
            long address = rx.address(index);
            int length = rx.length(index);
            PhyDrop bad = FrameChecks.receivedLengthDrop(length, capabilities.maxFrameBytes());
            if (bad != null) {
                pool.returnUmemChunk(address);
                stats.recordDrop(bad);
                continue;
            }
            DemiBuffer frame = pool.adoptUmemFrame(address, length);
            if (frame == null) {
                // A descriptor outside the chunks lent to the kernel: nothing to hand up.
                stats.recordDrop(PhyDrop.NO_BUFFER);
                continue;
            }
            stats.recordRx(length);
            frames[count++] = frame;
        }
        if (n > 0) {
            rx.release(n);
        }
        refill();
        if (++receiveCalls == STATS_EVERY) {
            receiveCalls = 0;
            collectKernelDrops();
        }
        return count;
    }

    /** Lends free chunks to the kernel through the fill ring, keeping the reserve for frames to send. */
    private void refill() {
        int spare = pool.umemFreeChunks() - fillReserve;
        if (spare <= 0) {
            return;
        }
        int n = Math.min(fill.free(REFILL_BATCH), spare);
        int index = fill.next();
        int done = 0;
        while (done < n) {
            long address = pool.takeUmemChunk();
            if (address < 0) {
                break;
            }
            fill.setAddress(index + done, address);
            done++;
        }
        if (done > 0) {
            fill.submit(done);
            if (fill.needsWakeup()) {
                port.wakeRx();
            }
        }
    }

    /** Frees the frames whose addresses the kernel posted on the completion ring. */
    private void complete() {
        int n = completion.ready(Integer.MAX_VALUE);
        if (n == 0) {
            return;
        }
        int index = completion.peek();
        for (int i = 0; i < n; i++) {
            retire(completion.address(index + i));
        }
        completion.release(n);
    }

    /**
     * Frees the in-flight frame sent from {@code address}: the oldest one, as the kernel completes in order; should it
     * not, the first one with that address takes the oldest one's place.
     */
    private void retire(long address) {
        if (inFlightHead == inFlightTail) {
            return;
        }
        int head = inFlightHead & inFlightMask;
        if (inFlightAddress[head] != address) {
            for (int i = inFlightHead + 1; i != inFlightTail; i++) {
                int at = i & inFlightMask;
                if (inFlightAddress[at] == address) {
                    DemiBuffer found = inFlight[at];
                    inFlight[at] = inFlight[head];
                    inFlightAddress[at] = inFlightAddress[head];
                    inFlight[head] = found;
                    inFlightAddress[head] = address;
                    break;
                }
            }
            if (inFlightAddress[head] != address) {
                return;
            }
        }
        DemiBuffer frame = inFlight[head];
        inFlight[head] = null;
        inFlightHead++;
        frame.free();
    }

    @Override
    public int transmit(DemiBuffer frame, long nowNs) {
        int result = stage(frame);
        if (staged > 0) {
            publish();
        }
        return result;
    }

    @Override
    public int transmit(DemiBuffer[] frames, int count, long nowNs) {
        int result = 0;
        for (int i = 0; i < count; i++) {
            int one = stage(frames[i]);
            if (result == 0) {
                result = one;
            }
        }
        if (staged > 0) {
            publish();
        }
        return result;
    }

    /** Writes a frame's descriptor on the transmit ring (unpublished), or frees and counts it. */
    private int stage(DemiBuffer frame) {
        int refused = FrameChecks.refuseTransmit(stats, frame, closed, capabilities.maxFrameBytes());
        if (refused != 0) {
            return refused;
        }
        int length = frame.length();
        if (!hasTxRoom()) {
            frame.free();
            stats.recordDrop(PhyDrop.QUEUE_FULL);
            return -Errno.EAGAIN;
        }
        long address = pool.umemOffset(frame);
        if (address < 0) {
            DemiBuffer copy = pool.allocateUmem(length);
            if (copy == null) {
                frame.free();
                stats.recordDrop(PhyDrop.NO_BUFFER);
                return -Errno.ENOBUFS;
            }
            MemorySegment.copy(frame.memory(), frame.dataOffset(), copy.memory(), copy.dataOffset(), length);
            frame.free();
            frame = copy;
            foreignCopies++;
            address = pool.umemOffset(copy);
        }
        tx.setDescriptor(tx.next() + staged, address, length);
        staged++;
        int at = inFlightTail & inFlightMask;
        inFlight[at] = frame;
        inFlightAddress[at] = address;
        inFlightTail++;
        stats.recordTx(length);
        return 0;
    }

    /**
     * {@return whether one more frame fits the transmit ring and the in-flight table; when not, publishes what is
     * staged, has the kernel send and reaps completions first}
     */
    private boolean hasTxRoom() {
        if (tx.free(staged + 1) > staged && inFlightTail - inFlightHead < inFlight.length) {
            return true;
        }
        if (staged > 0) {
            publish();
        } else if (txWaiting) {
            kickPending();
        }
        complete();
        return tx.free(staged + 1) > staged && inFlightTail - inFlightHead < inFlight.length;
    }

    /** Publishes the staged descriptors and has the kernel send them. */
    private void publish() {
        tx.submit(staged);
        staged = 0;
        txWaiting = true;
        kickPending();
    }

    /**
     * Calls {@code sendto} while the transmit ring holds frames the kernel has not taken and it says to call again
     * (it sends at most 32 per call); what is left waits for the next {@code receive}.
     */
    private void kickPending() {
        int outstanding = tx.outstanding();
        int budget = outstanding / 32 + 2;
        while (outstanding > 0 && budget-- > 0) {
            int result = port.kick();
            if (result < 0 && result != -Errno.EAGAIN && result != -Errno.EBUSY && result != -Errno.ENOBUFS) {
                break;
            }
            outstanding = tx.outstanding();
        }
        txWaiting = outstanding > 0;
        complete();
    }

    /**
     * Reads the kernel's counters ({@code XDP_STATISTICS}) and adds what grew since the last reading to the drops.
     * Not for the datapath: a system call.
     *
     * @return the frames the kernel dropped since the last reading
     */
    public long collectKernelDrops() {
        if (closed || port.statistics(kernel) < 0) {
            return 0;
        }
        long rxDropped = kernel[0] - kernelSeen[0];
        long fillEmpty = kernel[4] - kernelSeen[4];
        long ringFull = kernel[3] - kernelSeen[3];
        long invalidTx = kernel[2] - kernelSeen[2];
        // rx_dropped counts the frames dropped on an empty fill ring too, which have a counter of their own.
        long oversize = Math.max(0, rxDropped - fillEmpty);
        stats.recordDrops(PhyDrop.NO_BUFFER, fillEmpty);
        stats.recordDrops(PhyDrop.OVERSIZE, oversize);
        stats.recordDrops(PhyDrop.QUEUE_FULL, ringFull);
        stats.recordDrops(PhyDrop.SEND_FAILED, invalidTx);
        System.arraycopy(kernel, 0, kernelSeen, 0, kernel.length);
        return fillEmpty + oversize + ringFull + invalidTx;
    }

    /**
     * Sleeps in {@code poll(2)} on the socket unless the receive ring already holds a frame; reads the kernel's
     * counters first every {@value #STATS_EVERY_BLOCK} calls.
     */
    @Override
    public void block(long timeoutNs) {
        if (closed || rx.hasReady()) {
            return;
        }
        if (++blockCalls == STATS_EVERY_BLOCK) {
            blockCalls = 0;
            collectKernelDrops();
        }
        if (txWaiting) {
            kickPending();
        }
        long ms = Math.min(1000, (timeoutNs + 999_999) / 1_000_000);
        port.poll((int) Math.max(1, ms));
    }

    /**
     * Deletes the socket (the XDP program is detached), frees the frames still in flight and takes back the chunks
     * lent to the kernel; buffers already handed up stay valid until the pool closes.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        collectKernelDrops();
        closed = true;
        port.close();
        for (; inFlightHead != inFlightTail; inFlightHead++) {
            int at = inFlightHead & inFlightMask;
            inFlight[at].free();
            inFlight[at] = null;
        }
        pool.reclaimLentChunks();
    }

    @Override
    public String toString() {
        return "XdpDevice[" + interfaceName + " queue 0, AF_XDP copy mode, " + attach + ", UMEM "
                + pool.umemRegion().byteSize() / pool.umemChunkBytes() + " x " + pool.umemChunkBytes() + " B"
                + (closed ? ", closed" : "") + "]";
    }

    /** The kernel's side through libxdp. */
    private static final class SocketPort implements XskPort {
        private final Xsk xsk;

        SocketPort(Xsk xsk) {
            this.xsk = xsk;
        }

        @Override
        public int kick() {
            return xsk.kick();
        }

        @Override
        public int wakeRx() {
            return xsk.wakeRx();
        }

        @Override
        public int poll(int timeoutMs) {
            return xsk.poll(timeoutMs);
        }

        @Override
        public int statistics(long[] into) {
            return xsk.statistics(into);
        }

        @Override
        public void close() {
            xsk.close();
        }
    }
}
