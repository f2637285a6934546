package dev.jdemi.tools.bench;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table of {@code ./jdemi bench veth}: for each row (the bare frame floor and catpowder per device, kernel TCP,
 * catnap) p50 / p99 / p99.9 round-trip time, the ratios to kernel TCP, and for catpowder the stack's cost per side,
 * {@code (catpowder − floor of the same device) / 2}, against the goal of at most 1 µs; then the goals, and
 * TPACKET_V3 against V2. Written as Markdown.
 */
public final class VethReport {
    /** The goal: the stack adds at most this much per side over the device's floor, at p50. */
    public static final double GOAL_STACK_US_PER_SIDE = 1.0;

    /**
     * A row's percentiles.
     *
     * @param p50Us the median round trip, µs
     * @param p99Us the 99th percentile, µs
     * @param p999Us the 99.9th percentile, µs
     * @param samples how many round trips
     */
    public record Stats(double p50Us, double p99Us, double p999Us, long samples) {
        /**
         * {@return the percentiles of a histogram of round trips in ns, or null when it is empty}
         *
         * @param histogram the round trips
         */
        public static Stats of(Histogram histogram) {
            if (histogram.getTotalCount() == 0) {
                return null;
            }
            return new Stats(histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
                    histogram.getValueAtPercentile(99.9) / 1e3, histogram.getTotalCount());
        }
    }

    /**
     * One row.
     *
     * @param id the row's name
     * @param role what it measures
     * @param device the device, or null for kernel sockets
     * @param stats the figures, or null when the row did not run
     * @param missing why it has no figures (the device does not open here, every round failed), or null
     * @param roundP50Us each round's median, µs, in round order (empty when unknown)
     */
    public record Row(String id, VethPeer.Role role, VethDevice device, Stats stats, String missing,
            List<Double> roundP50Us) {
        /** Copies the list. */
        public Row {
            roundP50Us = List.copyOf(roundP50Us);
        }

        /**
         * A row without per-round figures.
         *
         * @param id the row's name
         * @param role what it measures
         * @param device the device, or null
         * @param stats the figures, or null
         * @param missing why there are none, or null
         */
        public Row(String id, VethPeer.Role role, VethDevice device, Stats stats, String missing) {
            this(id, role, device, stats, missing, List.of());
        }

        /**
         * {@return the median of the rounds' medians, or the p50 of all round trips when the rounds are unknown}
         * In a closed loop a fast round holds more round trips than a slow one, so the p50 of all of them leans
         * to the fast rounds on a noisy machine; the median round does not. The verdicts use this figure.
         */
        public double typicalP50Us() {
            return roundP50Us.isEmpty() ? stats.p50Us() : median(roundP50Us);
        }
    }

    private final List<Row> rows;

    /**
     * Creates the report.
     *
     * @param rows the rows, in table order
     */
    public VethReport(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    /**
     * {@return the median of some values (the mean of the middle two for an even count)}
     *
     * @param values at least one
     */
    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * {@return the stack's cost per side: half the difference of two round trips, in µs}
     *
     * @param stackUs the round trip through the stack
     * @param floorUs the bare device's round trip
     */
    public static double stackCostPerSide(double stackUs, double floorUs) {
        return (stackUs - floorUs) / 2;
    }

    /** {@return the row of a role and device with figures, or null} */
    Row find(VethPeer.Role role, VethDevice device) {
        for (Row row : rows) {
            if (row.role() == role && row.device() == device && row.stats() != null) {
                return row;
            }
        }
        return null;
    }

    private Row kernel() {
        return find(VethPeer.Role.KERNEL_TCP, null);
    }

    /** {@return the table in Markdown} */
    public String table() {
        Row kernel = kernel();
        StringBuilder out = new StringBuilder();
        out.append("| row | device | p50 µs | p99 µs | p99.9 µs | p50 of each round, µs | median round's p50 µs "
                + "| that ÷ kernel TCP | p99 ÷ kernel TCP | stack cost per side µs | goal ≤ 1 µs |\n");
        out.append("|---|---|---:|---:|---:|---|---:|---:|---:|---:|---|\n");
        for (Row row : rows) {
            String device = row.device() == null ? "kernel sockets" : row.device().label();
            if (row.stats() == null) {
                out.append("| ").append(row.id()).append(" | ").append(device).append(" | n/a: ")
                        .append(row.missing() == null ? "no figures" : row.missing().replace('|', '/'))
                        .append(" | | | | | | | | |\n");
                continue;
            }
            Stats s = row.stats();
            String cost = "";
            String verdict = "";
            if (row.role() == VethPeer.Role.CATPOWDER) {
                Row floor = find(VethPeer.Role.FRAME_FLOOR, row.device());
                if (floor == null) {
                    cost = "no floor";
                } else {
                    double perSide = stackCostPerSide(row.typicalP50Us(), floor.typicalP50Us());
                    cost = String.format(Locale.ROOT, "%.2f", perSide);
                    verdict = perSide <= GOAL_STACK_US_PER_SIDE ? "PASS" : "FAIL";
                }
            }
            StringBuilder rounds = new StringBuilder();
            for (double p50 : row.roundP50Us()) {
                rounds.append(rounds.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", p50));
            }
            out.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %s | %.1f | %s | %s | %s | %s |%n",
                    row.id(), device, s.p50Us(), s.p99Us(), s.p999Us(), rounds, row.typicalP50Us(),
                    ratio(row.typicalP50Us(), kernel == null ? -1 : kernel.typicalP50Us()),
                    ratio(s.p99Us(), kernel == null ? -1 : kernel.stats().p99Us()), cost, verdict));
        }
        return out.toString();
    }

    private static String ratio(double value, double reference) {
        return reference <= 0 ? "–" : String.format(Locale.ROOT, "%.2f×", value / reference);
    }

    /** {@return the devices that have a catpowder row, in table order} */
    private List<VethDevice> devices() {
        List<VethDevice> devices = new ArrayList<>();
        for (Row row : rows) {
            if (row.role() == VethPeer.Role.CATPOWDER && !devices.contains(row.device())) {
                devices.add(row.device());
            }
        }
        return devices;
    }

    /** {@return the goals and, per device, whether this run meets them, as a Markdown list} */
    public String goals() {
        Row kernel = kernel();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Goals: catpowder adds at most %.1f µs per side over the bare frame "
                + "round trip of its device (p50), and beats kernel TCP on the same veth (p50). p50 here is the "
                + "median round's.%n%n",
                GOAL_STACK_US_PER_SIDE));
        for (VethDevice device : devices()) {
            Row stack = find(VethPeer.Role.CATPOWDER, device);
            Row floor = find(VethPeer.Role.FRAME_FLOOR, device);
            out.append("- ").append(device.label()).append(": ");
            if (stack == null) {
                Row missing = rows.stream().filter(r -> r.role() == VethPeer.Role.CATPOWDER && r.device() == device)
                        .findFirst().orElse(null);
                out.append("n/a (").append(missing == null || missing.missing() == null ? "no figures"
                        : missing.missing()).append(")\n");
                continue;
            }
            if (floor == null) {
                out.append("no floor to compare with");
            } else {
                double p50 = stackCostPerSide(stack.typicalP50Us(), floor.typicalP50Us());
                double all = stackCostPerSide(stack.stats().p50Us(), floor.stats().p50Us());
                double p99 = stackCostPerSide(stack.stats().p99Us(), floor.stats().p99Us());
                out.append(String.format(Locale.ROOT, "stack cost per side %.2f µs at the median round's p50 (%.2f "
                        + "µs at the p50 of all round trips, %.2f µs at p99): %s", p50, all, p99,
                        p50 <= GOAL_STACK_US_PER_SIDE ? "PASS" : "FAIL"));
            }
            out.append("; ");
            if (kernel == null) {
                out.append("no kernel TCP to compare with");
            } else {
                double vsKernel = stack.typicalP50Us() / kernel.typicalP50Us();
                out.append(String.format(Locale.ROOT, "%.2f× kernel TCP's p50 (%.2f× at p99): %s", vsKernel,
                        stack.stats().p99Us() / kernel.stats().p99Us(),
                        vsKernel < 1 ? "beats it, PASS" : "does not beat it, FAIL"));
            }
            out.append('\n');
        }
        return out.append('\n').toString();
    }

    /**
     * TPACKET_V3 against V2, floor and stack, and what the figures say about catpowder's default ring.
     *
     * @return the Markdown paragraph, or an empty string when either ring has no catpowder figures
     */
    public String ringComparison() {
        Row v2 = find(VethPeer.Role.CATPOWDER, VethDevice.V2);
        Row v3 = find(VethPeer.Role.CATPOWDER, VethDevice.V3);
        if (v2 == null || v3 == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        Row floorV2 = find(VethPeer.Role.FRAME_FLOOR, VethDevice.V2);
        Row floorV3 = find(VethPeer.Role.FRAME_FLOOR, VethDevice.V3);
        if (floorV2 != null && floorV3 != null) {
            out.append(String.format(Locale.ROOT, "- bare frame round trip: V3 − V2 = %+.1f µs at p50, %+.1f µs at "
                    + "p99%n", floorV3.typicalP50Us() - floorV2.typicalP50Us(),
                    floorV3.stats().p99Us() - floorV2.stats().p99Us()));
        }
        double p50 = v3.typicalP50Us() - v2.typicalP50Us();
        double p99 = v3.stats().p99Us() - v2.stats().p99Us();
        out.append(String.format(Locale.ROOT, "- catpowder TCP echo: V3 − V2 = %+.1f µs at p50, %+.1f µs at p99 "
                + "(V3 %.2f× V2 at p50)%n", p50, p99, v3.typicalP50Us() / v2.typicalP50Us()));
        out.append("- ").append(recommendation(typical(v2), typical(v3))).append('\n');
        return out.toString();
    }

    private static Stats typical(Row row) {
        Stats s = row.stats();
        return new Stats(row.typicalP50Us(), s.p99Us(), s.p999Us(), s.samples());
    }

    /**
     * What the figures say about the default ring for a latency-bound user.
     *
     * @param v2 catpowder's figures on TPACKET_V2
     * @param v3 catpowder's figures on TPACKET_V3
     * @return one sentence
     */
    static String recommendation(Stats v2, Stats v3) {
        boolean fasterMedian = v2.p50Us() < v3.p50Us();
        boolean noWorseTail = v2.p99Us() <= v3.p99Us() * 1.05;
        if (fasterMedian && noWorseTail) {
            return String.format(Locale.ROOT, "recommendation: make TPACKET_V2 catpowder's default ring: it is "
                    + "faster at p50 (%.1f against %.1f µs) and no worse at p99 (%.1f against %.1f µs) on a lone "
                    + "request; keep V3 as the choice for bulk receive", v2.p50Us(), v3.p50Us(), v2.p99Us(),
                    v3.p99Us());
        }
        if (fasterMedian) {
            return String.format(Locale.ROOT, "recommendation: no clear winner: V2 is faster at p50 (%.1f against "
                    + "%.1f µs) but worse at p99 (%.1f against %.1f µs); measure again before changing the default",
                    v2.p50Us(), v3.p50Us(), v2.p99Us(), v3.p99Us());
        }
        return String.format(Locale.ROOT, "recommendation: keep TPACKET_V3 the default: V2 is not faster at p50 "
                + "here (%.1f against %.1f µs)", v2.p50Us(), v3.p50Us());
    }

    /**
     * The whole report.
     *
     * @param machine where it ran
     * @param settings what ran (rounds, windows, pinning)
     * @param messageBytes the echo's message size
     * @param command the command line
     * @param note a note about the conditions, or null
     * @param descriptions one line per row: what runs
     * @param failures what failed in which round
     * @param chart the CDF plot's file name, or null
     * @return the Markdown document
     */
    public String markdown(EchoReport.Machine machine, EchoBench.Settings settings, int messageBytes, String command,
            String note, List<String> descriptions, List<String> failures, String chart) {
        StringBuilder out = new StringBuilder();
        machine.appendHeader(out, "veth", command);
        out.append(String.format(Locale.ROOT, "- Closed loop, one client, %d B messages (the floor's frame %d B, as "
                + "long as a TCP segment's frame with that payload); %d rounds, interleaved (the order rotates each "
                + "round); %d ms warm-up then %d ms measured per row and round; %s%n", messageBytes,
                FloorFrame.frameBytes(messageBytes), settings.rounds(), settings.warmupMs(), settings.measureMs(),
                settings.pin() ? "server pinned to CPU 0 and client to CPU 1 (taskset)"
                        : "NOT pinned (taskset missing or fewer than 2 CPUs)"));
        out.append("- Two network namespaces joined by veth, offloads off on both ends\n");
        if (note != null && !note.isBlank()) {
            out.append("- Note: ").append(note).append('\n');
        }
        out.append("\nRows:\n\n");
        for (String line : descriptions) {
            out.append("- ").append(line).append('\n');
        }
        for (String failure : failures) {
            out.append("- FAILED: ").append(failure).append('\n');
        }
        out.append("\n## Goals\n\n").append(goals());
        out.append("## Results\n\n").append(table());
        out.append("\np50 / p99 / p99.9 over every round trip of every round; the median round's p50 is the median of "
                + "the rounds' own p50s (a fast round holds more round trips than a slow one, so it weighs more in "
                + "the first). The ratios to kernel TCP at p50, the stack cost per side = (catpowder − the frame "
                + "floor of the same device) / 2 and the verdicts use the median round's p50; V3 against V2 too.\n\n");
        String rings = ringComparison();
        if (!rings.isEmpty()) {
            out.append("## TPACKET_V3 against V2\n\n").append(rings).append('\n');
        }
        if (chart != null) {
            out.append("## Latency CDF\n\n![round trips over veth](").append(chart).append(")\n");
        }
        return out.toString();
    }
}
