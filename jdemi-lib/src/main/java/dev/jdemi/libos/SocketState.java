package dev.jdemi.libos;

/**
 * The states of a socket queue, as upstream's socket state machine (spec §2.8).
 */
public enum SocketState {
    /** Created, no local address. */
    UNBOUND,
    /** Bound to a local address. */
    BOUND,
    /** Listening for connections. */
    LISTENING,
    /** A connect is in progress. */
    CONNECTING,
    /** Connected (TCP), or connected to a default peer (UDP). */
    ESTABLISHED,
    /** A close is in progress. */
    CLOSING,
    /** Closed, or unusable after a failed connect; only close is allowed. */
    CLOSED
}
