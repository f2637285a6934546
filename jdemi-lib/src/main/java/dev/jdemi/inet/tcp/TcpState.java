package dev.jdemi.inet.tcp;

/** The connection states of RFC 9293 section 3.3.2, named as there. */
public enum TcpState {
    /** No connection; the TCB is gone or not yet opened. */
    CLOSED,
    /** Waiting for a connection request (only listeners are in this state). */
    LISTEN,
    /** A SYN was sent; waiting for the matching SYN and ACK. */
    SYN_SENT,
    /** A SYN was received and answered; waiting for the ACK of ours. */
    SYN_RECEIVED,
    /** Open: data flows both ways. */
    ESTABLISHED,
    /** We closed (sent FIN); waiting for its ACK or the peer's FIN. */
    FIN_WAIT_1,
    /** Our FIN is acknowledged; waiting for the peer's FIN. */
    FIN_WAIT_2,
    /** The peer closed; we may still send until we close. */
    CLOSE_WAIT,
    /** Both sides closed at once; waiting for the ACK of our FIN. */
    CLOSING,
    /** The peer closed first, then we did; waiting for the ACK of our FIN. */
    LAST_ACK,
    /** Both FINs acknowledged; lingering 2 MSL so stray segments die. */
    TIME_WAIT;

    /**
     * Whether the connection is synchronized (RFC 9293: every state after SYN_RECEIVED).
     *
     * @return {@code true} from ESTABLISHED onwards
     */
    public boolean isSynchronized() {
        return ordinal() >= ESTABLISHED.ordinal();
    }
}
