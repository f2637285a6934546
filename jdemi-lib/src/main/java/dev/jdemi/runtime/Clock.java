package dev.jdemi.runtime;

/**
 * The source of time for a runtime, in nanoseconds.
 *
 * <p>The runtime reads the clock once per loop iteration ({@link #refresh()}) and hands that value to everything
 * that needs the time ({@code long nowNs}); nothing else reads a clock.
 */
public interface Clock {
    /** {@return the time read by the last {@link #refresh()}} */
    long nowNs();

    /**
     * Reads the underlying time source once.
     *
     * @return the new time, never smaller than the previous one
     */
    long refresh();

    /** {@return whether time only moves when told to (tests)} */
    boolean isVirtual();
}
