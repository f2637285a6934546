package dev.jdemi.tools.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table of {@code jdemi bench echo}: per scenario and peer, p50 / p99 / p99.9 round-trip time and requests per
 * second, with the ratios to the C floor and to the best Java peer, then the goals and whether today's run meets
 * them. Written as Markdown, under a header that names the date, CPU, kernel and JDK.
 */
public final class EchoReport {
    /** catnap's p50 may be at most this many times the C floor's. */
    public static final double GOAL_VS_FLOOR = 1.15;
    /** The best Java peer's p50 must be at least this many times catnap's. */
    public static final double GOAL_VS_JAVA = 1.3;

    /**
     * Where the run happened.
     *
     * @param date when it started, UTC
     * @param cpu the CPU model
     * @param cpus the CPUs this JVM sees
     * @param kernel the kernel release
     * @param jdk the JDK's vendor and version
     * @param loadBefore the load average before the run
     * @param loadAfter the load average after it
     */
    public record Machine(String date, String cpu, int cpus, String kernel, String jdk, String loadBefore,
            String loadAfter) {
        /**
         * {@return this machine: its CPU, kernel and JDK, with the start of the run and the load before and now}
         *
         * @param start when the run started
         * @param loadBefore the load average then ({@link #load()})
         */
        public static Machine here(ZonedDateTime start, String loadBefore) {
            return new Machine(start.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")), cpuModel(),
                    Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"),
                    System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"), loadBefore,
                    load());
        }

        /** {@return the load average now, or "unknown"} */
        public static String load() {
            try {
                String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
                return fields[0] + " " + fields[1] + " " + fields[2];
            } catch (IOException | RuntimeException e) {
                return "unknown";
            }
        }

        /** {@return the CPU model from /proc/cpuinfo, or the JVM's architecture} */
        public static String cpuModel() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("model name")) {
                        return line.substring(line.indexOf(':') + 1).trim();
                    }
                }
            } catch (IOException e) {
                // Fall through to the architecture.
            }
            return System.getProperty("os.arch");
        }

        /**
         * Appends a report's title and the lines that say where and how it ran: CPU, kernel, JDK, the load before and
         * after, and the command.
         *
         * @param out the document
         * @param bench the bench's word in the title ({@code echo}, {@code veth})
         * @param command the command line that ran it
         */
        public void appendHeader(StringBuilder out, String bench, String command) {
            out.append("# jdemi bench ").append(bench).append(", ").append(date).append("\n\n");
            out.append("- CPU: ").append(cpu).append(", ").append(cpus).append(" CPUs\n");
            out.append("- Kernel: Linux ").append(kernel).append('\n');
            out.append("- JDK: ").append(jdk).append('\n');
            out.append("- Load average (1/5/15 min) before: ").append(loadBefore).append("; after: ")
                    .append(loadAfter).append('\n');
            out.append("- Command: `").append(command).append("`\n");
        }
    }

    private final EchoBench.Settings settings;
    private final EchoBench.Outcome outcome;
    private final Map<String, String> unavailable;

    /**
     * Creates the report.
     *
     * @param settings what ran
     * @param outcome what came out
     * @param unavailable the peers that could not run here, and why
     */
    public EchoReport(EchoBench.Settings settings, EchoBench.Outcome outcome, Map<String, String> unavailable) {
        this.settings = settings;
        this.outcome = outcome;
        this.unavailable = unavailable;
    }

    /** One peer's line in one scenario; -1 where the peer has no figures. */
    record Row(EchoPeer peer, double p50Us, double p99Us, double p999Us, double rps, long samples) {
        boolean measured() {
            return samples > 0;
        }
    }

    /**
     * {@return the rows of a scenario, in peer order}
     *
     * @param scenario the scenario
     */
    List<Row> rows(EchoScenario scenario) {
        List<Row> rows = new ArrayList<>();
        for (EchoPeer peer : settings.peers()) {
            EchoBench.Cell cell = outcome.cells().get(peer.id()).get(scenario);
            Histogram h = cell.histogram();
            long n = h.getTotalCount();
            rows.add(n == 0 ? new Row(peer, -1, -1, -1, -1, 0)
                    : new Row(peer, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                            h.getValueAtPercentile(99.9) / 1e3, cell.medianRps(), n));
        }
        return rows;
    }

    private static Row floor(List<Row> rows) {
        return rows.stream().filter(r -> r.peer().kind() == EchoPeer.Kind.FLOOR && r.measured()).findFirst()
                .orElse(null);
    }

    private static Row bestJavaByLatency(List<Row> rows) {
        return rows.stream().filter(r -> r.peer().kind() == EchoPeer.Kind.JAVA && r.measured())
                .min((a, b) -> Double.compare(a.p50Us(), b.p50Us())).orElse(null);
    }

    private static Row bestJavaByRps(List<Row> rows) {
        return rows.stream().filter(r -> r.peer().kind() == EchoPeer.Kind.JAVA && r.measured())
                .max((a, b) -> Double.compare(a.rps(), b.rps())).orElse(null);
    }

    /**
     * The tables, one per scenario, in Markdown.
     *
     * @return the tables
     */
    public String tables() {
        StringBuilder out = new StringBuilder();
        for (EchoScenario scenario : settings.scenarios()) {
            List<Row> rows = rows(scenario);
            Row floor = floor(rows);
            Row bestLatency = bestJavaByLatency(rows);
            Row bestRps = bestJavaByRps(rows);
            out.append("### ").append(scenario.label()).append(scenario.latency() ? " (latency)" : " (throughput)")
                    .append("\n\n");
            out.append("| peer | p50 µs | p99 µs | p99.9 µs | rps | p50 ÷ C floor | p50 ÷ best Java "
                    + "| rps ÷ C floor | rps ÷ best Java |\n");
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Row row : rows) {
                String name = row.peer().id();
                if (row == bestLatency) {
                    name += " ¹";
                }
                if (row == bestRps) {
                    name += " ²";
                }
                if (!row.measured()) {
                    out.append("| ").append(name).append(" | – | – | – | – | – | – | – | – |\n");
                    continue;
                }
                out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %,.0f | %s | %s | %s | %s |%n",
                        name, row.p50Us(), row.p99Us(), row.p999Us(), row.rps(),
                        ratio(row.p50Us(), floor == null ? -1 : floor.p50Us()),
                        ratio(row.p50Us(), bestLatency == null ? -1 : bestLatency.p50Us()),
                        ratio(row.rps(), floor == null ? -1 : floor.rps()),
                        ratio(row.rps(), bestRps == null ? -1 : bestRps.rps())));
            }
            out.append("\n¹ the best Java peer by p50; ² the best Java peer by rps. Latency percentiles over every "
                    + "round trip of every round; rps the median of the rounds.\n\n");
        }
        return out.toString();
    }

    private static String ratio(double value, double reference) {
        return reference <= 0 ? "–" : String.format(Locale.ROOT, "%.2f×", value / reference);
    }

    /**
     * The goals and whether this run meets them, in the first latency scenario (64 B × 1 conn in the standard set).
     *
     * @return the Markdown list
     */
    public String goals() {
        EchoScenario scenario = settings.scenarios().stream().filter(EchoScenario::latency).findFirst()
                .orElse(settings.scenarios().getFirst());
        List<Row> rows = rows(scenario);
        Row floor = floor(rows);
        Row bestJava = bestJavaByLatency(rows);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Goals (p50, %s): a jdemi LibOS at most %.2f× the C floor's p50, "
                + "and the best Java peer's p50 at least %.2f× the LibOS's.%n%n", scenario.label(), GOAL_VS_FLOOR,
                GOAL_VS_JAVA));
        for (Row row : rows) {
            if (row.peer().kind() != EchoPeer.Kind.JDEMI) {
                continue;
            }
            if (!row.measured()) {
                out.append("- ").append(row.peer().id()).append(": no figures\n");
                continue;
            }
            out.append("- ").append(row.peer().id()).append(": ");
            if (floor == null) {
                out.append("no C floor to compare with");
            } else {
                double vsFloor = row.p50Us() / floor.p50Us();
                out.append(String.format(Locale.ROOT, "%.2f× the C floor (goal ≤ %.2f×: %s)", vsFloor,
                        GOAL_VS_FLOOR, vsFloor <= GOAL_VS_FLOOR ? "met" : "NOT met"));
            }
            out.append("; ");
            if (bestJava == null) {
                out.append("no Java peer to compare with");
            } else {
                double vsJava = bestJava.p50Us() / row.p50Us();
                out.append(String.format(Locale.ROOT, "the best Java peer's p50 (%s) ÷ this p50 = %.2f× "
                        + "(goal ≥ %.2f×: %s)", bestJava.peer().id(), vsJava, GOAL_VS_JAVA,
                        vsJava >= GOAL_VS_JAVA ? "met" : "NOT met"));
            }
            out.append('\n');
        }
        return out.append('\n').toString();
    }

    /**
     * The whole report.
     *
     * @param machine where it ran
     * @param command the command line that ran it
     * @param note a free-text note about the conditions (other load), or null
     * @param charts the chart file names, by scenario, to link
     * @return the Markdown document
     */
    public String markdown(Machine machine, String command, String note, Map<EchoScenario, String> charts) {
        StringBuilder out = new StringBuilder();
        machine.appendHeader(out, "echo", command);
        out.append(String.format(Locale.ROOT, "- %d rounds, interleaved (the order rotates each round); per scenario "
                + "%d ms warm-up then %d ms measured; %s%n", settings.rounds(), settings.warmupMs(),
                settings.measureMs(), settings.pin() ? "server pinned to CPU 0 and client to CPU 1 (taskset)"
                        : "NOT pinned (taskset missing or fewer than 2 CPUs)"));
        if (note != null && !note.isBlank()) {
            out.append("- Note: ").append(note).append('\n');
        }
        out.append("\nPeers:\n\n");
        for (EchoPeer peer : settings.peers()) {
            out.append("- `").append(peer.id()).append("`: ").append(peer.description()).append('\n');
        }
        for (Map.Entry<String, String> skipped : unavailable.entrySet()) {
            out.append("- `").append(skipped.getKey()).append("`: SKIPPED, ").append(skipped.getValue())
                    .append('\n');
        }
        for (Map.Entry<String, List<String>> failed : outcome.failures().entrySet()) {
            for (String failure : failed.getValue()) {
                out.append("- `").append(failed.getKey()).append("` FAILED in ").append(failure).append('\n');
            }
        }
        out.append("\n## Goals\n\n").append(goals());
        out.append("## Results\n\n").append(tables());
        if (!charts.isEmpty()) {
            out.append("## Latency CDFs\n\n");
            for (Map.Entry<EchoScenario, String> chart : charts.entrySet()) {
                out.append("![").append(chart.getKey().label()).append("](").append(chart.getValue()).append(")\n\n");
            }
        }
        return out.toString();
    }

    /**
     * Writes a report file.
     *
     * @param file the file
     * @param text the Markdown
     * @throws IOException when it cannot be written
     */
    static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
