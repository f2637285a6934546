package dev.jdemi.runtime;

/**
 * The real clock: {@link System#nanoTime()}, the one place in jdemi that reads it.
 */
public final class SystemClock implements Clock {
    private long nowNs = System.nanoTime();

    @Override
    public long nowNs() {
        return nowNs;
    }

    @Override
    public long refresh() {
        nowNs = System.nanoTime();
        return nowNs;
    }

    @Override
    public boolean isVirtual() {
        return false;
    }
}
