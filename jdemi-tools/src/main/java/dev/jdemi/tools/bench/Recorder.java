package dev.jdemi.tools.bench;

/**
 * The round-trip times of one scenario in a client: a warm-up that is not recorded, then a measured window. Only
 * requests sent inside the window count, so the warm-up's slow first requests never leak into the figures.
 *
 * <p>Not thread-safe: one recorder per client thread. Recording allocates nothing; past the capacity, requests are
 * counted but their times are not kept.
 */
public final class Recorder {
    /** The most round-trip times kept per scenario, the same cap as the C floor's. */
    public static final int DEFAULT_CAPACITY = 4 * 1024 * 1024;
    /** How long past its window a scenario waits for its first measured request. */
    public static final long GRACE_NS = 10_000_000_000L;

    private final int[] samples;
    private int count;
    private long requests;
    private long measureStartNs;
    private long endNs;
    private long measureNs;

    /**
     * Creates a recorder.
     *
     * @param capacity the most round-trip times it keeps
     */
    public Recorder(int capacity) {
        this.samples = new int[capacity];
    }

    /**
     * Starts a scenario now: {@code warmupNs} unrecorded, then {@code measureNs} recorded.
     *
     * @param warmupNs the warm-up
     * @param measureNs the measured window
     */
    public void begin(long warmupNs, long measureNs) {
        count = 0;
        requests = 0;
        this.measureNs = measureNs;
        measureStartNs = System.nanoTime() + warmupNs;
        endNs = measureStartNs + measureNs;
    }

    /**
     * Starts a scenario over the same window as another recorder: the threads of a threaded client each take one.
     *
     * @param other a recorder that has begun
     */
    public void beginLike(Recorder other) {
        count = 0;
        requests = 0;
        measureNs = other.measureNs;
        measureStartNs = other.measureStartNs;
        endNs = other.endNs;
    }

    /**
     * Records a completed request. A window in which no request completed (the process did not get the CPU) is
     * extended until one does, so that every scenario has at least one figure; past {@link #GRACE_NS} the client
     * gives up on it.
     *
     * @param sentNs when the request was sent ({@link System#nanoTime()})
     * @param nowNs when its reply was complete
     * @return true while the scenario goes on; false once its window is over (send no further request)
     */
    public boolean complete(long sentNs, long nowNs) {
        boolean late = nowNs >= endNs;
        if (late && requests > 0) {
            return false;
        }
        if (sentNs >= measureStartNs) {
            requests++;
            if (count < samples.length) {
                long rtt = nowNs - sentNs;
                samples[count++] = (int) Math.min(rtt, Integer.MAX_VALUE);
            }
        }
        return !late || requests == 0;
    }

    /** {@return whether the scenario is over: its window has passed with a request in it, or the grace too} */
    public boolean over() {
        long now = System.nanoTime();
        return now >= endNs && (requests > 0 || now >= endNs + GRACE_NS);
    }

    /** {@return the nanoTime at which the scenario ends} */
    public long endNs() {
        return endNs;
    }

    /**
     * Adds another recorder's figures to this one (the per-thread recorders of a threaded client).
     *
     * @param other a recorder whose scenario ran over the same window
     */
    public void addAll(Recorder other) {
        int n = Math.min(other.count, samples.length - count);
        System.arraycopy(other.samples, 0, samples, count, n);
        count += n;
        requests += other.requests;
    }

    /**
     * {@return the scenario's result}
     *
     * @param scenario the scenario that ran
     */
    public RunFile.Result result(EchoScenario scenario) {
        int[] kept = new int[count];
        System.arraycopy(samples, 0, kept, 0, count);
        return new RunFile.Result(scenario, measureNs, requests, kept);
    }
}
