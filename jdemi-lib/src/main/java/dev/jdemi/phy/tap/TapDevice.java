package dev.jdemi.phy.tap;

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
import dev.jdemi.sys.Tun;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A device over a Linux TAP interface ({@code /dev/net/tun}): jdemi is the far end of a virtual Ethernet cable whose
 * near end is the kernel's interface. What the kernel sends on the interface jdemi reads; what jdemi writes arrives at
 * the kernel as if received on it.
 *
 * <p><b>Addresses.</b> jdemi's MAC is the configured one ({@code demikernel.local_link_addr}), reported in
 * {@link #capabilities()}; the interface's own MAC belongs to the kernel's side. The interface should carry an IPv4
 * address of the kernel's own in jdemi's subnet (not jdemi's address), and be up; then the kernel is jdemi's peer. An
 * interface that does not exist is created when the device opens, and is <em>not persistent</em>: it disappears when
 * the device closes, so a program that wants addresses to survive creates it first
 * ({@code ip tuntap add dev NAME mode tap}).
 *
 * <p><b>Receive.</b> {@link #receive} reads frames with non-blocking {@code read(2)} calls straight into buffers of
 * the LibOS's pool (with the pool's headroom in front, so the stack writes replies in place) until the kernel has no
 * more or the batch is full. The buffer of the read that found nothing is kept for the next call, so an idle poll
 * allocates nothing. A frame longer than the MTU plus the Ethernet header is counted as {@link PhyDrop#OVERSIZE}, a
 * frame the pool has no buffer for as {@link PhyDrop#NO_BUFFER} (it is read into a scratch buffer and discarded, as
 * a NIC drops on a full ring).
 *
 * <p><b>Transmit.</b> One {@code write(2)} per frame, of the frame's own bytes (no copy, no {@code writev}: a frame
 * is one contiguous buffer). {@code EAGAIN} and {@code ENOBUFS} are counted as {@link PhyDrop#QUEUE_FULL}, any other
 * refusal (the interface is down: {@code EIO}) as {@link PhyDrop#SEND_FAILED}.
 *
 * <p><b>Capabilities.</b> The MTU comes from the interface ({@code SIOCGIFMTU}). Without a virtio-net header the
 * kernel completes checksums and segments before it hands a frame to the TAP, so no checksum offload is claimed
 * either way; the interface's offload settings are read for the record ({@link #offloads()}).
 *
 * <p>Thread: confined to the LibOS's thread; allocates nothing per frame in the steady state.
 */
public final class TapDevice implements PhysicalLayer {
    private static final int MAX_BUFFER_BYTES = 65_535;
    private static final System.Logger LOG = System.getLogger("dev.jdemi.phy.tap");

    private final Tun tun;
    private final BufferPool pool;
    private final Capabilities capabilities;
    private final Ethtool.Offloads offloads;
    private final PhyStats stats = new PhyStats();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment scratch;
    private DemiBuffer spare;
    private boolean closed;

    private TapDevice(Tun tun, BufferPool pool, MacAddress mac, Ethtool.Offloads offloads) {
        this.tun = tun;
        this.pool = pool;
        this.offloads = offloads;
        int mtu = Math.clamp(tun.mtu(), Capabilities.MIN_MTU, Capabilities.MAX_MTU);
        this.capabilities = new Capabilities(mtu, false, false, mac, Capabilities.DEFAULT_MAX_BATCH);
        this.scratch = arena.allocate(capabilities.maxFrameBytes() + 1L, 64);
    }

    /**
     * Opens the device on a TAP interface, creating the interface (not persistent) when it does not exist.
     *
     * @param interfaceName the interface
     * @param mac jdemi's own address on the link (not the interface's, which is the kernel's)
     * @param pool the pool received frames are read into: the LibOS's
     * @return the device
     * @throws DemiException EPERM without {@code CAP_NET_ADMIN}, EINVAL when the interface exists but is not a TAP
     *         device, EBUSY when another process has it open, or the errno of the system call that failed, naming it
     */
    public static TapDevice open(String interfaceName, MacAddress mac, BufferPool pool) {
        if (mac == null) {
            throw new DemiException(Errno.EINVAL, "catpowder TAP device: jdemi needs a MAC of its own on "
                    + interfaceName + " (demikernel.local_link_addr); the interface's is the kernel's");
        }
        Tun tun;
        try {
            tun = Tun.open(interfaceName);
        } catch (PacketSocket.SysException e) {
            throw new DemiException(e.errno(), "catpowder TAP device: " + e.getMessage() + hint(e.errno()), e);
        }
        Ethtool.Offloads offloads;
        try {
            offloads = Ethtool.read(interfaceName);
        } catch (PacketSocket.SysException e) {
            // The offloads are for the record only: a TAP without virtio-net headers receives complete frames.
            offloads = Ethtool.Offloads.NONE;
        }
        TapDevice device = new TapDevice(tun, pool, mac, offloads);
        if (tun.created()) {
            LOG.log(System.Logger.Level.INFO, () -> "created TAP interface " + interfaceName + " (not persistent:"
                    + " it disappears when jdemi closes it); give the kernel's side an address in jdemi's subnet and"
                    + " bring it up: ip addr add ADDRESS/PREFIX dev " + interfaceName + "; ip link set "
                    + interfaceName + " up");
        }
        return device;
    }

    private static String hint(int errno) {
        return switch (errno) {
            case Errno.EPERM -> ": a TAP device needs CAP_NET_ADMIN (run as root)";
            case Errno.EINVAL -> ": is the interface a TAP device (not TUN, not another kind)?";
            case Errno.EBUSY -> ": another process has the TAP device open";
            case Errno.ENOENT -> ": /dev/net/tun is missing (no TUN/TAP support in this kernel or container)";
            default -> "";
        };
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
        return tun.interfaceName();
    }

    /** {@return the interface's offload settings when the device opened (for the record: none changes a frame)} */
    public Ethtool.Offloads offloads() {
        return offloads;
    }

    /** {@return whether opening created the interface, which then disappears when the device closes} */
    public boolean createdInterface() {
        return tun.created();
    }

    @Override
    public int receive(DemiBuffer[] frames, int max, long nowNs) {
        if (closed) {
            return 0;
        }
        int limit = Math.min(max, frames.length);
        int maxFrame = capabilities.maxFrameBytes();
        int slotBytes = Math.min(maxFrame + 1, MAX_BUFFER_BYTES);
        int count = 0;
        while (count < limit) {
            DemiBuffer frame = spare;
            if (frame == null) {
                try {
                    frame = pool.allocate(slotBytes);
                } catch (DemiException e) {
                    if (!discardOne()) {
                        break;
                    }
                    continue;
                }
                spare = frame;
            }
            // One byte more than the largest frame is read, so that a longer frame is seen as such.
            long n = tun.read(frame.address(), frame.length() + frame.tailroom());
            if (n < 0) {
                break;
            }
            // n is at most maxFrame + 1: the read is bounded by the buffer.
            PhyDrop bad = FrameChecks.receivedLengthDrop((int) n, maxFrame);
            if (bad != null) {
                stats.recordDrop(bad);
                continue;
            }
            spare = null;
            frame.setLength((int) n);
            stats.recordRx((int) n);
            frames[count++] = frame;
        }
        return count;
    }

    /** Reads one frame into the scratch buffer and counts it as {@link PhyDrop#NO_BUFFER}; false when none came. */
    private boolean discardOne() {
        long n = tun.read(scratch.address(), scratch.byteSize());
        if (n < 0) {
            return false;
        }
        stats.recordDrop(PhyDrop.NO_BUFFER);
        return true;
    }

    @Override
    public int transmit(DemiBuffer frame, long nowNs) {
        int refused = FrameChecks.refuseTransmit(stats, frame, closed, capabilities.maxFrameBytes());
        if (refused != 0) {
            return refused;
        }
        int length = frame.length();
        long written = tun.write(frame.address(), length);
        frame.free();
        if (written < 0) {
            return FrameChecks.sendFailed(stats, (int) written);
        }
        stats.recordTx(length);
        return 0;
    }

    /** Sleeps in {@code poll(2)} on the TAP descriptor until a frame is queued or the timeout passes. */
    @Override
    public void block(long timeoutNs) {
        if (closed) {
            return;
        }
        long ms = Math.min(1000, (timeoutNs + 999_999) / 1_000_000);
        tun.poll((int) Math.max(1, ms));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (spare != null) {
            spare.free();
            spare = null;
        }
        tun.close();
        arena.close();
    }

    @Override
    public String toString() {
        return "TapDevice[" + tun.interfaceName() + (tun.created() ? " (created, not persistent)" : "") + " mtu="
                + capabilities.mtuBytes() + " mac=" + capabilities.macAddress() + " offloads: " + offloads + " "
                + stats + "]";
    }
}
