package dev.jdemi.phy.afpacket;

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
import dev.jdemi.sys.Ethtool;
import dev.jdemi.sys.PacketSocket;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A device over a Linux interface through an {@code AF_PACKET} socket: frames arrive in a memory-mapped ring
 * (TPACKET_V3 blocks or TPACKET_V2 frames) and leave through {@code sendmmsg(2)} with {@code PACKET_QDISC_BYPASS}.
 *
 * <p><b>Receive.</b> {@link #receive} walks the ring without a system call: it copies each ready frame into a buffer
 * of the LibOS's pool and hands the slot (a V2 frame, or a V3 block once all its frames are taken) back to the kernel.
 * The ring's status words are read with acquire and written with release semantics, which orders them against the
 * kernel's copies of the frame bytes. A V3 block reaches user space only when it is full or its retire timeout
 * passes, so a lone frame waits up to {@link Mode#retireTimeoutMs()}; V2 hands over every frame at once, for the
 * lowest latency.
 *
 * <p><b>Transmit.</b> The frame's own bytes are sent (no copy): {@link #transmit(DemiBuffer, long)} with one
 * {@code send(2)}, {@link #transmit(DemiBuffer[], int, long)} with one {@code sendmmsg(2)} per 64 frames. A full
 * socket buffer ({@code EAGAIN}, {@code ENOBUFS}) is counted as {@link PhyDrop#QUEUE_FULL}, and so are frames the
 * kernel dropped on a full receive ring (read from {@code PACKET_STATISTICS} when the ring flags a loss); other
 * refusals
 * ({@code ENETDOWN}, {@code ENXIO}) as {@link PhyDrop#SEND_FAILED}.
 *
 * <p><b>Capabilities and offloads.</b> The MTU and MAC address come from the interface, and so do its offload
 * settings ({@link #offloads()}, read with {@code SIOCETHTOOL} when the device opens, shown in {@link #toString()}).
 * The device claims no checksum offload for the link as a whole, but trusts frame by frame what the kernel trusts: a
 * frame a local sender left with a partial checksum ({@code TP_STATUS_CSUMNOTREADY}, what a kernel peer across a veth
 * pair with tx-checksumming on sends) or one already verified ({@code TP_STATUS_CSUM_VALID}) is marked
 * {@link DemiBuffer#markChecksumTrusted() trusted}, so the stack skips its checksums. GRO or LRO on this interface
 * merges received TCP segments into frames above the MTU; those are counted as {@link PhyDrop#OVERSIZE} and the
 * device warns when it opens ({@code ethtool -K IFACE gro off lro off} fixes it). TSO and GSO on the kernel peer's
 * interface make it send frames of up to 64 KiB, counted the same way: turn them off there
 * ({@code ethtool -K PEER tso off gso off}). See {@code docs/compatibility.md}.
 *
 * <p>Thread: confined to the LibOS's thread; allocates nothing per frame in the steady state.
 */
public final class PacketDevice implements PhysicalLayer {
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final System.Logger LOG = System.getLogger("dev.jdemi.phy.afpacket");
    private static final int PAGE = 4096;

    /**
     * How the receive ring is laid out.
     *
     * @param version {@link PacketSocket#TPACKET_V3} (blocks) or {@link PacketSocket#TPACKET_V2} (frames)
     * @param retireTimeoutMs V3 only: the longest a partly filled block waits before the kernel hands it over,
     *         1..1000
     */
    public record Mode(int version, int retireTimeoutMs) {
        /** TPACKET_V3 with a 1 ms block retire timeout: batches under load, up to 1 ms of delay when idle. */
        public static final Mode V3 = new Mode(PacketSocket.TPACKET_V3, 1);
        /** TPACKET_V2: one ring slot per frame, each handed over at once. */
        public static final Mode V2 = new Mode(PacketSocket.TPACKET_V2, 0);

        /**
         * Validates the values.
         *
         * @throws DemiException EINVAL for an unknown version or a timeout out of range
         */
        public Mode {
            if (version != PacketSocket.TPACKET_V2 && version != PacketSocket.TPACKET_V3) {
                throw new DemiException(Errno.EINVAL, "ring version " + version + " is neither TPACKET_V2 (1) nor"
                        + " TPACKET_V3 (2)");
            }
            if (version == PacketSocket.TPACKET_V3 && (retireTimeoutMs < 1 || retireTimeoutMs > 1000)) {
                throw new DemiException(Errno.EINVAL, "retireTimeoutMs " + retireTimeoutMs + " is outside 1..1000");
            }
        }
    }

    private final PacketSocket socket;
    private final BufferPool pool;
    private final Capabilities capabilities;
    private final Ethtool.Offloads offloads;
    private final PhyStats stats = new PhyStats();
    private final boolean v3;
    private final int slotBytes;
    private final int slots;
    private final DemiBuffer[] staged = new DemiBuffer[PacketSocket.MAX_BATCH];
    private MemorySegment ring;
    private boolean closed;

    // Ring cursor: the slot (V2 frame, V3 block) to look at next; for V3 the frames left in the open block.
    private int slot;
    private boolean blockOpen;
    private int blockFramesLeft;
    private long frameOffset;

    private PacketDevice(PacketSocket socket, BufferPool pool, Mode mode, Ethtool.Offloads offloads) {
        this.socket = socket;
        this.pool = pool;
        this.offloads = offloads;
        this.v3 = mode.version() == PacketSocket.TPACKET_V3;
        PacketSocket.Ring geometry = socket.ringGeometry();
        this.slotBytes = v3 ? geometry.blockBytes() : geometry.frameBytes();
        this.slots = v3 ? geometry.blocks() : geometry.frames();
        this.ring = socket.ring();
        byte[] mac = socket.mac();
        long value = 0;
        for (byte b : mac) {
            value = (value << 8) | (b & 0xff);
        }
        int mtu = Math.clamp(socket.mtu(), Capabilities.MIN_MTU, Capabilities.MAX_MTU);
        this.capabilities = new Capabilities(mtu, false, false, new MacAddress(value),
                Capabilities.DEFAULT_MAX_BATCH);
    }

    /**
     * Opens the device on an interface.
     *
     * @param interfaceName the Linux interface
     * @param pool the pool received frames are copied into: the LibOS's
     * @param mode the receive ring's layout
     * @return the device
     * @throws DemiException ENODEV for an unknown interface, EPERM without {@code CAP_NET_RAW}, or the errno of the
     *         system call that failed, naming it
     */
    public static PacketDevice open(String interfaceName, BufferPool pool, Mode mode) {
        PacketSocket socket;
        try {
            socket = PacketSocket.open(interfaceName);
        } catch (PacketSocket.SysException e) {
            throw failure(e);
        }
        try {
            socket.mapRing(geometry(mode, socket.mtu() + Capabilities.ETHERNET_HEADER_BYTES));
        } catch (PacketSocket.SysException e) {
            socket.close();
            throw failure(e);
        }
        Ethtool.Offloads offloads = readOffloads(interfaceName);
        if (offloads.mergesReceived()) {
            LOG.log(System.Logger.Level.WARNING, () -> "catpowder AF_PACKET device on " + interfaceName + ": "
                    + (offloads.genericReceive() ? "GRO" : "LRO") + " is on, so received TCP segments may be merged"
                    + " into frames above the MTU, which are dropped (counted as OVERSIZE); turn it off with: ethtool"
                    + " -K " + interfaceName + " gro off lro off");
        }
        return new PacketDevice(socket, pool, mode, offloads);
    }

    /** The interface's offloads; not every interface answers {@code SIOCETHTOOL}, and then all read as off. */
    private static Ethtool.Offloads readOffloads(String interfaceName) {
        try {
            return Ethtool.read(interfaceName);
        } catch (PacketSocket.SysException e) {
            return Ethtool.Offloads.NONE;
        }
    }

    private static DemiException failure(PacketSocket.SysException e) {
        String hint = e.errno() == Errno.EPERM ? ": AF_PACKET needs CAP_NET_RAW (run as root)" : "";
        return new DemiException(e.errno(), "catpowder AF_PACKET device: " + e.getMessage() + hint, e);
    }


    /**
     * The ring for a mode: V2 slots of a power of two that holds the largest frame and the kernel's ~80-byte header,
     * V3 blocks of 256 KiB (or two such slots); 2 to 4 MiB in all.
     */
    static PacketSocket.Ring geometry(Mode mode, int maxFrameBytes) {
        int frame = Integer.highestOneBit(Math.max(2048, maxFrameBytes + 128) - 1) << 1;
        if (mode.version() == PacketSocket.TPACKET_V2) {
            int block = Math.max(64 * 1024, frame);
            return new PacketSocket.Ring(PacketSocket.TPACKET_V2, block, Math.max(2, (2 << 20) / block), frame, 0);
        }
        int block = Math.max(256 * 1024, 2 * frame);
        block = (block + PAGE - 1) / PAGE * PAGE;
        return new PacketSocket.Ring(PacketSocket.TPACKET_V3, block, Math.max(4, (4 << 20) / block), frame,
                mode.retireTimeoutMs());
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
        return socket.interfaceName();
    }

    /** {@return the interface's offload settings when the device opened ({@code ethtool -k})} */
    public Ethtool.Offloads offloads() {
        return offloads;
    }

    @Override
    public String toString() {
        return "PacketDevice[" + socket.interfaceName() + (v3 ? " TPACKET_V3" : " TPACKET_V2") + " mtu="
                + capabilities.mtuBytes() + " mac=" + capabilities.macAddress() + " offloads: " + offloads + " "
                + stats + "]";
    }

    @Override
    public int receive(DemiBuffer[] frames, int max, long nowNs) {
        if (closed) {
            return 0;
        }
        int limit = Math.min(max, frames.length);
        return v3 ? receiveV3(frames, limit) : receiveV2(frames, limit);
    }

    private int receiveV2(DemiBuffer[] frames, int limit) {
        int count = 0;
        while (count < limit) {
            long base = (long) slot * slotBytes;
            int status = (int) INT.getAcquire(ring, base + PacketSocket.V2_STATUS);
            if ((status & PacketSocket.TP_STATUS_USER) == 0) {
                break;
            }
            if ((status & PacketSocket.TP_STATUS_LOSING) != 0) {
                countKernelDrops();
            }
            int length = ring.get(JAVA_INT, base + PacketSocket.V2_LEN);
            int captured = ring.get(JAVA_INT, base + PacketSocket.V2_SNAPLEN);
            int mac = Short.toUnsignedInt(ring.get(ValueLayout.JAVA_SHORT, base + PacketSocket.V2_MAC));
            DemiBuffer frame = copyOut(base + mac, length, captured, status);
            INT.setRelease(ring, base + PacketSocket.V2_STATUS, PacketSocket.TP_STATUS_KERNEL);
            slot = slot + 1 == slots ? 0 : slot + 1;
            if (frame != null) {
                frames[count++] = frame;
            }
        }
        return count;
    }

    private int receiveV3(DemiBuffer[] frames, int limit) {
        int count = 0;
        while (count < limit) {
            long block = (long) slot * slotBytes;
            if (!blockOpen) {
                int status = (int) INT.getAcquire(ring, block + PacketSocket.V3_BLOCK_STATUS);
                if ((status & PacketSocket.TP_STATUS_USER) == 0) {
                    break;
                }
                if ((status & PacketSocket.TP_STATUS_LOSING) != 0) {
                    countKernelDrops();
                }
                blockOpen = true;
                blockFramesLeft = ring.get(JAVA_INT, block + PacketSocket.V3_BLOCK_NUM_PKTS);
                frameOffset = block + Integer.toUnsignedLong(ring.get(JAVA_INT,
                        block + PacketSocket.V3_BLOCK_FIRST_PKT));
            }
            if (blockFramesLeft == 0) {
                releaseBlock(block);
                continue;
            }
            int length = ring.get(JAVA_INT, frameOffset + PacketSocket.V3_LEN);
            int captured = ring.get(JAVA_INT, frameOffset + PacketSocket.V3_SNAPLEN);
            int mac = Short.toUnsignedInt(ring.get(ValueLayout.JAVA_SHORT, frameOffset + PacketSocket.V3_MAC));
            int status = ring.get(JAVA_INT, frameOffset + PacketSocket.V3_STATUS);
            DemiBuffer frame = copyOut(frameOffset + mac, length, captured, status);
            frameOffset += Integer.toUnsignedLong(ring.get(JAVA_INT, frameOffset + PacketSocket.V3_NEXT_OFFSET));
            blockFramesLeft--;
            if (frame != null) {
                frames[count++] = frame;
            }
        }
        if (blockOpen && blockFramesLeft == 0) {
            releaseBlock((long) slot * slotBytes);
        }
        return count;
    }

    /**
     * The kernel marks the first slot it fills after dropping frames on a full ring with {@code TP_STATUS_LOSING}:
     * then its drop counter is read (and reset) into {@link PhyDrop#QUEUE_FULL}. Not per frame: only after a loss.
     */
    private void countKernelDrops() {
        long drops = socket.takeDrops();
        if (drops > 0) {
            stats.recordDrops(PhyDrop.QUEUE_FULL, drops);
        }
    }

    /**
     * Frames the kernel dropped on a full ring that the ring has not reported yet (a loss is reported with the next
     * frame that arrives after it); also counted into {@link PhyDrop#QUEUE_FULL}. Not for the datapath: a system call.
     *
     * @return the frames dropped since the last report
     */
    public long collectKernelDrops() {
        if (closed) {
            return 0;
        }
        long drops = socket.takeDrops();
        if (drops > 0) {
            stats.recordDrops(PhyDrop.QUEUE_FULL, drops);
            return drops;
        }
        return 0;
    }

    private void releaseBlock(long block) {
        INT.setRelease(ring, block + PacketSocket.V3_BLOCK_STATUS, PacketSocket.TP_STATUS_KERNEL);
        blockOpen = false;
        slot = slot + 1 == slots ? 0 : slot + 1;
    }

    /**
     * Copies one frame out of the ring into a pool buffer, or counts why it cannot and returns null. A frame the
     * kernel flags {@code TP_STATUS_CSUMNOTREADY} (sent by a local socket through an interface with
     * tx-checksumming on: its TCP/UDP checksum is only the pseudo-header sum) or {@code TP_STATUS_CSUM_VALID}
     * (verified already) is marked {@link DemiBuffer#markChecksumTrusted() trusted}, as the kernel's own stack trusts
     * it; every other frame has its checksums verified by the stack.
     */
    private DemiBuffer copyOut(long offset, int length, int captured, int status) {
        PhyDrop bad = FrameChecks.receivedLengthDrop(length, capabilities.maxFrameBytes());
        if (bad == null && captured < length) {
            bad = PhyDrop.OVERSIZE;
        }
        if (bad != null) {
            stats.recordDrop(bad);
            return null;
        }
        DemiBuffer frame;
        try {
            frame = pool.allocate(length);
        } catch (DemiException e) {
            stats.recordDrop(PhyDrop.NO_BUFFER);
            return null;
        }
        MemorySegment.copy(ring, offset, frame.memory(), frame.dataOffset(), length);
        if ((status & (PacketSocket.TP_STATUS_CSUMNOTREADY | PacketSocket.TP_STATUS_CSUM_VALID)) != 0) {
            frame.markChecksumTrusted();
        }
        stats.recordRx(length);
        return frame;
    }

    /** {@return whether the next ring slot holds data for user space} */
    private boolean ready() {
        if (v3 && blockOpen) {
            return true;
        }
        long status = v3 ? (long) slot * slotBytes + PacketSocket.V3_BLOCK_STATUS
                : (long) slot * slotBytes + PacketSocket.V2_STATUS;
        return ((int) INT.getAcquire(ring, status) & PacketSocket.TP_STATUS_USER) != 0;
    }

    @Override
    public int transmit(DemiBuffer frame, long nowNs) {
        int refused = FrameChecks.refuseTransmit(stats, frame, closed, capabilities.maxFrameBytes());
        if (refused != 0) {
            return refused;
        }
        int length = frame.length();
        long sent = socket.send(frame.address(), length);
        frame.free();
        if (sent < 0) {
            return FrameChecks.sendFailed(stats, (int) sent);
        }
        stats.recordTx(length);
        return 0;
    }

    @Override
    public int transmit(DemiBuffer[] frames, int count, long nowNs) {
        int result = 0;
        int n = 0;
        for (int i = 0; i < count; i++) {
            DemiBuffer frame = frames[i];
            int refused = FrameChecks.refuseTransmit(stats, frame, closed, capabilities.maxFrameBytes());
            if (refused != 0) {
                result = result == 0 ? refused : result;
                continue;
            }
            socket.stage(n, frame.address(), frame.length());
            staged[n++] = frame;
            if (n == PacketSocket.MAX_BATCH) {
                result = flush(n, result);
                n = 0;
            }
        }
        return n > 0 ? flush(n, result) : result;
    }

    /** Sends the staged frames, skipping (and counting) each one the kernel refuses, and frees them all. */
    private int flush(int n, int result) {
        int from = 0;
        while (from < n) {
            int sent = socket.sendBatch(from, n - from);
            if (sent < 0) {
                int errno = FrameChecks.sendFailed(stats, sent);
                result = result == 0 ? errno : result;
                sent = 1;
            } else {
                for (int i = from; i < from + sent; i++) {
                    stats.recordTx(staged[i].length());
                }
            }
            from += sent;
        }
        for (int i = 0; i < n; i++) {
            staged[i].free();
            staged[i] = null;
        }
        return result;
    }

    /** Sleeps in {@code poll(2)} on the socket unless the ring already holds a frame. */
    @Override
    public void block(long timeoutNs) {
        if (closed || ready()) {
            return;
        }
        long ms = Math.min(1000, (timeoutNs + 999_999) / 1_000_000);
        socket.poll((int) Math.max(1, ms));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ring = MemorySegment.NULL;
        socket.close();
    }
}
