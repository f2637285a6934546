package dev.jdemi.phy.afxdp;

/**
 * The system calls of an AF_XDP socket that the device makes besides touching the rings: what a test replaces with a
 * kernel of its own. Each returns {@code >= 0} or {@code -errno} and never throws.
 */
interface XskPort {
    /** {@return 0 or -errno: asks the kernel to send what the transmit ring holds} */
    int kick();

    /** {@return 0 or -errno: wakes the kernel to take chunks from the fill ring} */
    int wakeRx();

    /**
     * Sleeps until the receive ring holds a frame or the timeout passes.
     *
     * @param timeoutMs the longest sleep
     * @return {@code > 0} when readable, {@code 0} on timeout, or {@code -errno}
     */
    int poll(int timeoutMs);

    /**
     * Reads the kernel's growing counters: rx_dropped, rx_invalid_descs, tx_invalid_descs, rx_ring_full,
     * rx_fill_ring_empty_descs, tx_ring_empty_descs.
     *
     * @param into six counters
     * @return 0 or -errno
     */
    int statistics(long[] into);

    /** Deletes the socket and the UMEM registration. */
    void close();
}
