package dev.jdemi.phy;

import dev.jdemi.Errno;
import dev.jdemi.runtime.DemiBuffer;

/**
 * The frame checks every device makes the same way, with the drop each one counts: a frame to send while the device
 * is closed, or longer than the device's largest frame, or shorter than an Ethernet header; a frame received outside
 * those bounds; a send the kernel refused. Static and allocation-free, for the devices' hot paths.
 */
public final class FrameChecks {
    private FrameChecks() {
    }

    /**
     * Frees and counts a frame that cannot be sent at all: {@link PhyDrop#CLOSED}, {@link PhyDrop#OVERSIZE} or
     * {@link PhyDrop#RUNT}.
     *
     * @param stats the device's counters
     * @param frame the frame to send
     * @param closed whether the device is closed
     * @param maxFrameBytes the device's largest frame ({@link Capabilities#maxFrameBytes()})
     * @return 0 when the frame can be sent (it is then neither freed nor counted), else {@code -EBADF},
     *     {@code -EMSGSIZE} or {@code -EINVAL} with the frame freed and the drop counted
     */
    public static int refuseTransmit(PhyStats stats, DemiBuffer frame, boolean closed, int maxFrameBytes) {
        if (closed) {
            frame.free();
            stats.recordDrop(PhyDrop.CLOSED);
            return -Errno.EBADF;
        }
        int length = frame.length();
        if (length > maxFrameBytes) {
            frame.free();
            stats.recordDrop(PhyDrop.OVERSIZE);
            return -Errno.EMSGSIZE;
        }
        if (length < Capabilities.ETHERNET_HEADER_BYTES) {
            frame.free();
            stats.recordDrop(PhyDrop.RUNT);
            return -Errno.EINVAL;
        }
        return 0;
    }

    /**
     * {@return why a received frame of this length is dropped: {@link PhyDrop#RUNT} when shorter than an Ethernet
     * header, {@link PhyDrop#OVERSIZE} when longer than the largest frame, or null when it is kept}
     *
     * @param length the frame's length in bytes
     * @param maxFrameBytes the device's largest frame
     */
    public static PhyDrop receivedLengthDrop(int length, int maxFrameBytes) {
        if (length < Capabilities.ETHERNET_HEADER_BYTES) {
            return PhyDrop.RUNT;
        }
        return length > maxFrameBytes ? PhyDrop.OVERSIZE : null;
    }

    /**
     * Counts a send the kernel refused: {@link PhyDrop#QUEUE_FULL} for {@code EAGAIN} or {@code ENOBUFS} (the queue
     * is full; a later send may pass), {@link PhyDrop#SEND_FAILED} for any other errno.
     *
     * @param stats the device's counters
     * @param errno the call's result, {@code -errno}
     * @return the same {@code -errno}
     */
    public static int sendFailed(PhyStats stats, int errno) {
        stats.recordDrop(errno == -Errno.EAGAIN || errno == -Errno.ENOBUFS ? PhyDrop.QUEUE_FULL : PhyDrop.SEND_FAILED);
        return errno;
    }
}
