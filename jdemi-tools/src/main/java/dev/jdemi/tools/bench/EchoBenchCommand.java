package dev.jdemi.tools.bench;

import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code jdemi bench echo}: closed-loop TCP echo, every peer side by side, interleaved over several rounds; prints
 * the table and writes it with the latency CDFs under {@code docs/results/}, dated, plus an {@code echo-latest} copy
 * that the README links.
 */
@Command(name = "echo", mixinStandardHelpOptions = true,
        description = {"Closed-loop TCP echo over 127.0.0.1 for every peer (C floor, JDK NIO, Netty epoll and "
                + "io_uring, jdemi catnap), server and client in separate processes pinned to separate cores, "
                + "interleaved over rounds. Prints p50/p99/p99.9/rps with ratios to the C floor and the best Java "
                + "peer, and writes the table and latency CDF plots (PNG) under docs/results/."})
public final class EchoBenchCommand implements Callable<Integer> {
    /** The floor on the number of rounds for a published run. */
    public static final int DEFAULT_ROUNDS = 5;

    @Spec
    private CommandSpec spec;

    @Option(names = "--quick", description = "About a minute: " + DEFAULT_ROUNDS + " rounds with short windows "
            + "(50 ms warm-up, 100 ms measured per scenario).")
    private boolean quick;

    @Option(names = "--rounds", paramLabel = "N", description = "Rounds (default " + DEFAULT_ROUNDS + ").")
    private Integer rounds;

    @Option(names = "--warmup-ms", paramLabel = "MS", description = "Warm-up per scenario (default 500; quick 50).")
    private Long warmupMs;

    @Option(names = "--measure-ms", paramLabel = "MS",
            description = "Measured window per scenario (default 1500; quick 100).")
    private Long measureMs;

    @Option(names = "--peers", paramLabel = "ID,...", split = ",",
            description = "Only these peers (default: all that can run here).")
    private List<String> peerIds;

    @Option(names = "--scenarios", paramLabel = "SIZE:CONNS,...",
            description = "The workloads (default 64:1,1024:1,16384:1,64:8,64:32).")
    private String scenarios;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the results go (default: docs/results/ of the "
            + "checkout).")
    private Path out;

    @Option(names = "--note", paramLabel = "TEXT", description = "A note for the report, e.g. other load.")
    private String note;

    @Option(names = "--no-pin", description = "Do not pin the processes with taskset.")
    private boolean noPin;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        int roundCount = rounds != null ? rounds : DEFAULT_ROUNDS;
        if (roundCount < 1) {
            throw new ParameterException(spec.commandLine(), "--rounds must be at least 1");
        }
        long warmup = warmupMs != null ? warmupMs : quick ? 50 : 500;
        long measure = measureMs != null ? measureMs : quick ? 100 : 1500;
        if (warmup < 0 || measure < 1) {
            throw new ParameterException(spec.commandLine(), "--warmup-ms must be >= 0 and --measure-ms >= 1");
        }
        List<EchoScenario> workloads;
        try {
            workloads = scenarios == null ? EchoScenario.STANDARD : EchoScenario.parseList(scenarios);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Map<String, EchoPeer> known = EchoPeers.all();
        List<String> wanted = peerIds == null ? new ArrayList<>(known.keySet()) : peerIds;
        List<EchoPeer> peers = new ArrayList<>();
        Map<String, String> unavailable = new LinkedHashMap<>();
        for (String id : wanted) {
            EchoPeer peer = known.get(id);
            if (peer == null) {
                throw new ParameterException(spec.commandLine(), "unknown peer " + id + "; known: " + known.keySet());
            }
            String reason = peer.unavailableReason();
            if (reason == null) {
                peers.add(peer);
            } else {
                unavailable.put(id, reason);
                stderr.println("SKIP " + id + ": " + reason);
            }
        }
        stderr.flush();
        if (peers.isEmpty()) {
            stderr.println("jdemi bench echo: no peer can run here");
            return 1;
        }
        boolean pin = !noPin && Runtime.getRuntime().availableProcessors() >= 2 && onPath("taskset");
        Path outDir = out != null ? out : defaultOutDir();
        Files.createDirectories(outDir);
        ZonedDateTime start = ZonedDateTime.now(ZoneOffset.UTC);
        String loadBefore = EchoReport.Machine.load();
        Path work = Files.createTempDirectory("jdemi-bench-echo");
        EchoBench.Settings settings = new EchoBench.Settings(peers, workloads, roundCount, warmup, measure, pin, work);
        EchoBench.Outcome outcome;
        try {
            outcome = new EchoBench(settings, stderr).run();
        } finally {
            deleteTree(work);
        }
        EchoReport.Machine machine = EchoReport.Machine.here(start, loadBefore);
        String base = start.format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm")) + "-echo" + (quick ? "-quick" : "");
        String subtitle = machine.date() + ", " + machine.cpu() + " (" + machine.cpus() + " CPUs), Linux "
                + machine.kernel();
        Map<EchoScenario, String> dated = new LinkedHashMap<>();
        Map<EchoScenario, String> latest = new LinkedHashMap<>();
        for (EchoScenario scenario : workloads) {
            if (!scenario.latency()) {
                continue;
            }
            List<Histogram> histograms = new ArrayList<>();
            for (EchoPeer peer : peers) {
                histograms.add(outcome.cells().get(peer.id()).get(scenario).histogram());
            }
            String png = base + "-" + scenario.fileLabel() + ".png";
            CdfChart.write(outDir.resolve(png), scenario, peers, histograms, subtitle);
            String latestPng = "echo-latest-" + scenario.fileLabel() + ".png";
            Files.copy(outDir.resolve(png), outDir.resolve(latestPng), StandardCopyOption.REPLACE_EXISTING);
            dated.put(scenario, png);
            latest.put(scenario, latestPng);
        }
        EchoReport report = new EchoReport(settings, outcome, unavailable);
        String command = typedCommand("./jdemi bench echo", spec);
        EchoReport.write(outDir.resolve(base + ".md"), report.markdown(machine, command, note, dated));
        EchoReport.write(outDir.resolve("echo-latest.md"), report.markdown(machine, command, note, latest));
        stdout.println(report.markdown(machine, command, note, dated));
        stdout.println("Written: " + outDir.resolve(base + ".md") + " (and echo-latest.md, the CDF PNGs)");
        stdout.flush();
        return outcome.failures().isEmpty() ? 0 : 1;
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** The checkout's docs/results/: three levels above the tools jar (jdemi-tools/target/jdemi-tools.jar). */
    static Path defaultOutDir() {
        try {
            Path code = Path.of(EchoBenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath();
            Path root = code.getParent().getParent().getParent();
            if (Files.isDirectory(root.resolve("docs"))) {
                return root.resolve("docs").resolve("results");
            }
        } catch (URISyntaxException | RuntimeException e) {
            // Fall back to the working directory.
        }
        return Path.of("docs", "results");
    }

    /** Deletes a directory and everything below it; a missing one is no error. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The command as it was typed, for a report: the prefix, then every option given except {@code --note} (a report
     * prints the note on a line of its own), in the order picocli matched them.
     *
     * @param prefix the launcher and the command, such as {@code ./jdemi bench echo}
     * @param spec the command's picocli model, after parsing
     * @return the command line
     */
    static String typedCommand(String prefix, CommandSpec spec) {
        StringBuilder text = new StringBuilder(prefix);
        for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
            if (option.longestName().equals("--note")) {
                continue;
            }
            text.append(' ').append(option.longestName());
            if (option.arity().max() > 0) {
                text.append(' ').append(String.join(",", option.originalStringValues()));
            }
        }
        return text.toString();
    }
}
