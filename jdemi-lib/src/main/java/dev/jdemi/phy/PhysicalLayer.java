package dev.jdemi.phy;

import dev.jdemi.runtime.DemiBuffer;

/**
 * A device that sends and receives whole Ethernet frames: the SPI under the user-space stack.
 *
 * <p>A frame is a {@link DemiBuffer} whose data starts at the Ethernet header and ends with the payload (no frame
 * check sequence). The stack pulls received frames in batches with {@link #receive} and pushes frames to send one at
 * a time or in batches with {@link #transmit}; frames travel as return values, never through callbacks.
 *
 * <p><b>Thread.</b> A device is confined to the thread of the LibOS that owns it; nothing here is thread-safe.
 * Devices that join several stacks in memory ({@link MemoryWire}) confine all of them to one thread.
 *
 * <p><b>Ownership.</b> {@link #receive} hands each frame to the caller, who frees it (or passes it on, for example to
 * the application as the SGA of a pop). {@link #transmit} takes the frame: the device frees it when it is done with
 * it, also when it drops it or fails. The caller must not touch a frame after handing it to {@code transmit}; to keep
 * the bytes (a TCP retransmission queue) it transmits a {@link DemiBuffer#cloneView() clone}. A device never writes
 * into a transmitted frame's bytes, since a clone may share them.
 *
 * <p><b>Allocation.</b> Receiving and transmitting allocate nothing on the heap in the steady state: frames come
 * from and go back to buffer pools.
 *
 * <p><b>Time.</b> Every call that may depend on time is handed {@code nowNs}, the runtime's clock reading of this loop
 * iteration; a device never reads a clock. A device that holds frames until a later time (a delay, a pacing ring)
 * says when through {@link #nextEventNs}, so a runtime on a virtual clock can jump to that instant.
 *
 * <p><b>Errors.</b> The datapath never throws: results are {@code >= 0} or {@code -errno}, and every drop is counted
 * in {@link #stats()}.
 */
public interface PhysicalLayer extends AutoCloseable {
    /** {@return what the device can do; the same object on every call} */
    Capabilities capabilities();

    /**
     * Takes up to {@code max} received frames without blocking.
     *
     * @param frames where to put them, from index 0; the entries past the returned count are left alone
     * @param max how many at most; a value above {@code frames.length} counts as {@code frames.length}
     * @param nowNs the current time
     * @return how many frames were stored, {@code 0} when none is ready (or the device is closed); each is owned by
     *         the caller
     */
    int receive(DemiBuffer[] frames, int max, long nowNs);

    /**
     * Sends one frame, or queues it for sending, without blocking.
     *
     * <p>Ownership passes to the device whatever the result: when the device cannot send the frame (a full ring
     * gives {@code -EAGAIN}, an oversized frame {@code -EMSGSIZE}, a closed device {@code -EBADF}) it frees the frame
     * and counts the drop. A would-block is therefore a loss, like a full queue on a real link, which the protocols
     * above recover from.
     *
     * @param frame the frame, live, from the transmitting LibOS's pool
     * @param nowNs the current time
     * @return {@code 0}, or {@code -errno} when the frame was dropped
     */
    int transmit(DemiBuffer frame, long nowNs);

    /**
     * Sends several frames; a device with rings overrides it to fill the ring once and notify the kernel once.
     *
     * @param frames the frames, at indexes {@code 0..count-1}; ownership of every one passes to the device
     * @param count how many
     * @param nowNs the current time
     * @return {@code 0} when all were sent, or the {@code -errno} of the first one that was dropped
     */
    default int transmit(DemiBuffer[] frames, int count, long nowNs) {
        int result = 0;
        for (int i = 0; i < count; i++) {
            int one = transmit(frames[i], nowNs);
            if (result == 0) {
                result = one;
            }
        }
        return result;
    }

    /**
     * Says when {@link #receive} will next have a frame without any further input from outside: the time a held frame
     * becomes deliverable, a time at or before now when one is deliverable already, or {@link Long#MAX_VALUE} when
     * the device holds nothing. A device fed by the kernel returns {@code Long.MAX_VALUE} and wakes the runtime
     * through {@link #block} instead.
     *
     * @return the instant in nanoseconds, on the runtime's clock
     */
    default long nextEventNs() {
        return Long.MAX_VALUE;
    }

    /**
     * Sleeps until a frame may be ready or the timeout passes; the runtime calls it when idle under a blocking wait
     * policy. Devices without a way to sleep (the in-memory ones) return at once.
     *
     * @param timeoutNs the longest sleep, {@code > 0}
     */
    default void block(long timeoutNs) {
    }

    /** {@return the device's counters; the same object on every call} */
    PhyStats stats();

    /**
     * Releases the device: frames it still holds are freed, later transmits are dropped ({@code -EBADF}) and receives
     * return 0. Closing twice does nothing.
     */
    @Override
    void close();
}
