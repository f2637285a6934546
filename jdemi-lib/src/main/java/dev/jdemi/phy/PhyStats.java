package dev.jdemi.phy;

/**
 * The counters of a device: frames and bytes received and transmitted, and drops by {@link PhyDrop reason}.
 *
 * <p>The device records, everybody else reads. A decorator ({@link PcapTap}, {@link FaultInjector}) shares the
 * counters of the device it wraps and records the drops it causes itself, so one object describes the whole chain.
 * Received counts the frames the device handed up through {@link PhysicalLayer#receive}; transmitted counts the frames
 * it sent. Frames a decorator adds or holds (a duplicate, a delayed frame) are in the decorator's own counters.
 *
 * <p>Thread: confined to the device's thread; reading from another thread may see stale values. Recording
 * allocates nothing.
 */
public final class PhyStats {
    private long framesRx;
    private long bytesRx;
    private long framesTx;
    private long bytesTx;
    private final long[] drops = new long[PhyDrop.all().length];

    /** Creates counters at zero. */
    public PhyStats() {
    }

    /**
     * Records one frame handed to the receiver.
     *
     * @param bytes the frame's length
     */
    public void recordRx(int bytes) {
        framesRx++;
        bytesRx += bytes;
    }

    /**
     * Records one frame sent.
     *
     * @param bytes the frame's length
     */
    public void recordTx(int bytes) {
        framesTx++;
        bytesTx += bytes;
    }

    /**
     * Records one dropped frame.
     *
     * @param reason why
     */
    public void recordDrop(PhyDrop reason) {
        drops[reason.ordinal()]++;
    }

    /** {@return frames handed to the receiver} */
    public long framesRx() {
        return framesRx;
    }

    /** {@return bytes of the frames handed to the receiver} */
    public long bytesRx() {
        return bytesRx;
    }

    /** {@return frames sent} */
    public long framesTx() {
        return framesTx;
    }

    /** {@return bytes of the frames sent} */
    public long bytesTx() {
        return bytesTx;
    }

    /**
     * Records frames that were dropped before the device saw them (a kernel ring that was full, for example).
     *
     * @param reason why
     * @param count how many, {@code >= 0}
     */
    public void recordDrops(PhyDrop reason, long count) {
        drops[reason.ordinal()] += count;
    }

    /**
     * Returns the drops for one reason.
     *
     * @param reason the reason
     * @return how many frames were dropped for it
     */
    public long drops(PhyDrop reason) {
        return drops[reason.ordinal()];
    }

    /** {@return the drops for all reasons together} */
    public long dropsTotal() {
        long total = 0;
        for (long count : drops) {
            total += count;
        }
        return total;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PhyStats[rx=").append(framesRx).append('/').append(bytesRx)
                .append("B tx=").append(framesTx).append('/').append(bytesTx).append('B');
        for (PhyDrop reason : PhyDrop.all()) {
            if (drops[reason.ordinal()] != 0) {
                sb.append(' ').append(reason).append('=').append(drops[reason.ordinal()]);
            }
        }
        return sb.append(']').toString();
    }
}
