package dev.jdemi.tools.echo;

import org.HdrHistogram.Histogram;

import java.io.PrintWriter;

/**
 * Request counts and round-trip times of an echo client, and upstream's progress line.
 *
 * <p>Recording allocates nothing: the histogram covers 1 ns to {@link #MAX_LATENCY_NS} with three significant
 * digits and never resizes; a longer round trip is recorded as the maximum. Confined to one thread.
 */
public final class LatencyStats {
    /** The longest round trip the histogram tells apart: 60 s. */
    public static final long MAX_LATENCY_NS = 60_000_000_000L;

    private final Histogram histogram = new Histogram(MAX_LATENCY_NS, 3);
    private long requests;
    private long bytes;
    private long startNs;
    private long endNs;

    /** Marks the start of the measured period; rps counts from here. */
    public void start(long nowNs) {
        startNs = nowNs;
        endNs = nowNs;
    }

    /**
     * Records one completed request.
     *
     * @param rttNs its round-trip time
     * @param nowNs the time it completed
     */
    public void record(long rttNs, long nowNs) {
        histogram.recordValue(Math.clamp(rttNs, 1, MAX_LATENCY_NS));
        requests++;
        endNs = nowNs;
    }

    /** Counts bytes that came back. */
    public void addBytes(long n) {
        bytes += n;
    }

    /** Ends the measured period. */
    public void stop(long nowNs) {
        endNs = nowNs;
    }

    /** {@return the number of completed requests} */
    public long requests() {
        return requests;
    }

    /** {@return the number of bytes that came back} */
    public long bytes() {
        return bytes;
    }

    /** {@return the length of the measured period in nanoseconds} */
    public long elapsedNs() {
        return Math.max(endNs - startNs, 0);
    }

    /** {@return the round-trip histogram in nanoseconds (live: it changes while requests are recorded)} */
    public Histogram histogram() {
        return histogram;
    }

    /** {@return completed requests per second over the period up to {@code nowNs}} */
    public long rps(long nowNs) {
        long elapsed = nowNs - startNs;
        return elapsed <= 0 ? 0 : (long) (requests * 1e9 / elapsed);
    }

    /**
     * Adds another client's statistics to these, as one report for several threads.
     *
     * @param other the other statistics
     */
    public void add(LatencyStats other) {
        if (other.requests == 0) {
            bytes += other.bytes;
            return;
        }
        if (requests == 0) {
            startNs = other.startNs;
            endNs = other.endNs;
        } else {
            startNs = Math.min(startNs, other.startNs);
            endNs = Math.max(endNs, other.endNs);
        }
        histogram.add(other.histogram);
        requests += other.requests;
        bytes += other.bytes;
    }

    /**
     * Prints upstream's progress line: {@code INFO: {n} requests, {rps} rps, p50 {ns} ns, p99 {ns} ns}.
     *
     * @param out where to print
     * @param nowNs the current time
     */
    public void printProgress(PrintWriter out, long nowNs) {
        out.println("INFO: " + requests + " requests, " + rps(nowNs) + " rps, p50 "
                + histogram.getValueAtPercentile(50.0) + " ns, p99 " + histogram.getValueAtPercentile(99.0) + " ns");
    }
}
