package dev.jdemi.conformance;

import dev.jdemi.LibOS;
import dev.jdemi.QResult;

/**
 * An operation a test started: its LibOS, its token, and its result once a wait returned it.
 *
 * <p>A test keeps a {@code PendingOp} for each operation it may have to drive while it waits for another, so that
 * a LibOS whose progress needs its own calls (catnap: two instances in one thread) is never starved. The token is
 * waited for with timeouts only; once a wait returned it, the op never waits again (the token is consumed).
 */
public final class PendingOp {
    private final LibOS libos;
    private final long qt;
    private final QResult result = new QResult();
    private boolean done;

    /**
     * Wraps a started operation.
     *
     * @param libos the LibOS that returned the token
     * @param qt the token
     */
    public PendingOp(LibOS libos, long qt) {
        this.libos = libos;
        this.qt = qt;
    }

    /**
     * Waits for the operation, unless a previous poll already returned its result.
     *
     * @param timeoutNs how long to wait; 0 polls
     * @return whether the operation has completed
     */
    public boolean poll(long timeoutNs) {
        if (!done) {
            done = libos.wait(qt, result, timeoutNs);
        }
        return done;
    }

    /** {@return whether a poll returned the result} */
    public boolean isDone() {
        return done;
    }

    /** {@return the result; meaningful once {@link #isDone()}} */
    public QResult result() {
        return result;
    }

    /** {@return the token} */
    public long qt() {
        return qt;
    }

    /** {@return the LibOS that owns the token} */
    public LibOS libos() {
        return libos;
    }
}
