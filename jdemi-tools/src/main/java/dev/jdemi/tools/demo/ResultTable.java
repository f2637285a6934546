package dev.jdemi.tools.demo;

import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's result table: one row per run, with requests, rate and latency percentiles in microseconds.
 */
public final class ResultTable {
    private static final String[] HEADER =
        {"LibOS", "message", "requests", "rps", "p50 (µs)", "p99 (µs)", "p99.9 (µs)"};

    private final List<String[]> rows = new ArrayList<>();

    /**
     * Adds a row.
     *
     * @param libos the LibOS column
     * @param messageBytes the message size
     * @param requests the completed requests
     * @param elapsedNs the measured period
     * @param latencyNs the round-trip times in nanoseconds
     */
    public void add(String libos, int messageBytes, long requests, long elapsedNs, Histogram latencyNs) {
        long rps = elapsedNs <= 0 ? 0 : Math.round(requests * 1e9 / elapsedNs);
        rows.add(new String[] {libos, messageBytes + " B", Long.toString(requests), Long.toString(rps),
            micros(latencyNs, 50.0), micros(latencyNs, 99.0), micros(latencyNs, 99.9)});
    }

    /** {@return a percentile in microseconds with two decimals, or "-" when there is no sample} */
    static String micros(Histogram latencyNs, double percentile) {
        if (latencyNs.getTotalCount() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f", latencyNs.getValueAtPercentile(percentile) / 1000.0);
    }

    /**
     * Prints the table: the first column left-aligned, the numbers right-aligned.
     *
     * @param out where to print
     */
    public void print(PrintWriter out) {
        int[] widths = new int[HEADER.length];
        for (int i = 0; i < HEADER.length; i++) {
            widths[i] = HEADER[i].length();
            for (String[] row : rows) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        out.println(line(HEADER, widths));
        for (String[] row : rows) {
            out.println(line(row, widths));
        }
        out.flush();
    }

    private static String line(String[] cells, int[] widths) {
        StringBuilder sb = new StringBuilder("  ");
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                sb.append("   ");
            }
            String pad = " ".repeat(widths[i] - cells[i].length());
            sb.append(i == 0 ? cells[i] + pad : pad + cells[i]);
        }
        return sb.toString().stripTrailing();
    }
}
