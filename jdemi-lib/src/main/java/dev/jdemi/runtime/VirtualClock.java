package dev.jdemi.runtime;

/**
 * A clock that moves only when advanced: tests use it to run timers, retransmissions and TIME_WAIT without
 * sleeping. When a wait has nothing to do, the runtime advances a virtual clock straight to the next timer or the
 * wait's deadline.
 */
public final class VirtualClock implements Clock {
    private long nowNs;

    /** Creates a clock at time 0. */
    public VirtualClock() {
        this(0);
    }

    /**
     * Creates a clock at a given time.
     *
     * @param startNs the initial time
     */
    public VirtualClock(long startNs) {
        this.nowNs = startNs;
    }

    @Override
    public long nowNs() {
        return nowNs;
    }

    @Override
    public long refresh() {
        return nowNs;
    }

    @Override
    public boolean isVirtual() {
        return true;
    }

    /**
     * Moves time forward.
     *
     * @param deltaNs how far, {@code >= 0}
     */
    public void advance(long deltaNs) {
        if (deltaNs < 0) {
            throw new IllegalArgumentException("time cannot go back: delta " + deltaNs);
        }
        nowNs += deltaNs;
    }

    /**
     * Moves time forward to an instant; an instant in the past leaves the clock alone.
     *
     * @param instantNs the new time
     */
    public void advanceTo(long instantNs) {
        if (instantNs > nowNs) {
            nowNs = instantNs;
        }
    }
}
