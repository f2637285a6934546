package dev.jdemi.libos;

import dev.jdemi.runtime.Operation;

/**
 * The callbacks through which a {@link Transport} completes the operations that change a queue's state.
 */
public interface TransportHost {
    /**
     * An accept produced a connection: the LibOS makes a queue for it and completes the operation.
     *
     * @param op the accept
     * @param sd the new connection's transport descriptor
     * @param peer the peer's packed address
     */
    void accepted(Operation op, int sd, long peer);

    /**
     * A connect finished.
     *
     * @param op the connect
     * @param errno 0 on success, else why it failed
     */
    void connected(Operation op, int errno);

    /**
     * A close finished; the transport descriptor is gone either way.
     *
     * @param op the close
     * @param errno 0 on success, else the error the close reported
     */
    void closed(Operation op, int errno);
}
