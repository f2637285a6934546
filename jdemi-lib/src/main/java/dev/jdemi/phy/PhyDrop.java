package dev.jdemi.phy;

/**
 * Why a device dropped a frame: the index of a drop counter in {@link PhyStats}.
 *
 * <p>A drop is never an exception: the frame is freed, the counter grows and the datapath goes on.
 */
public enum PhyDrop {
    /** The frame is longer than the MTU plus the 14-byte Ethernet header (sender's or receiver's MTU). */
    OVERSIZE,
    /** The frame is shorter than the 14-byte Ethernet header. */
    RUNT,
    /** A bounded queue or ring (receive queue, transmit ring) was full. */
    QUEUE_FULL,
    /** The receiver's buffer pool could not supply a buffer for the frame. */
    NO_BUFFER,
    /** The destination address is neither the port's own nor a group address (only when filtering is on). */
    FILTERED,
    /** The frame was transmitted on a closed device. */
    CLOSED,
    /** A {@link FaultInjector} lost the frame on purpose. */
    FAULT_LOSS,
    /** The kernel refused to send the frame for a reason other than a full queue (the link is down, for example). */
    SEND_FAILED;

    private static final PhyDrop[] VALUES = values();

    /** {@return all reasons, in ordinal order, without copying} (callers must not modify the array) */
    static PhyDrop[] all() {
        return VALUES;
    }
}
