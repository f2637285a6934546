package dev.jdemi.tools.bench;

import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code jdemi bench veth}: the "tcp-echo over veth". As root, two temporary network namespaces joined by
 * veth; in them, interleaved over rounds, one closed-loop client with the same message and pinning each time: per
 * device (AF_PACKET V2, V3, AF_XDP) the bare frame ping-pong ({@link FrameFloor}) and catpowder's TCP echo, then the
 * C echo on kernel TCP and catnap. Prints the table of {@link VethReport} and writes it with a CDF plot under
 * {@code docs/results/}, dated, plus a {@code veth-latest} copy. A device that does not open here (AF_XDP before it
 * lands) keeps its rows, as "n/a" with the reason.
 */
@Command(name = "veth", mixinStandardHelpOptions = true,
        description = {"As root: TCP echo over a veth pair between two temporary network namespaces. Per device "
                + "(AF_PACKET V2, V3, AF_XDP) the bare frame ping-pong (the floor) and jdemi catpowder; then the C "
                + "echo on kernel TCP and jdemi catnap. Same message size and pinning, one client, interleaved over "
                + "rounds. Prints p50/p99/p99.9, ratios to kernel TCP and catpowder's cost per side over the floor, "
                + "and writes the table and a CDF plot under docs/results/."})
public final class VethBenchCommand implements Callable<Integer> {
    /** Rounds of a full run. */
    public static final int DEFAULT_ROUNDS = 5;
    /** Rounds of a quick run. */
    public static final int QUICK_ROUNDS = 2;
    /** The JVM option of the Java rows unless {@code --background-jit}. */
    static final String BATCH_JIT = "-Xbatch";

    @Spec
    private CommandSpec spec;

    @Option(names = "--quick", description = "About a minute: " + QUICK_ROUNDS + " rounds, 200 ms warm-up and "
            + "500 ms measured per row.")
    private boolean quick;

    @Option(names = "--rounds", paramLabel = "N", description = "Rounds (default " + DEFAULT_ROUNDS + "; quick "
            + QUICK_ROUNDS + ").")
    private Integer rounds;

    @Option(names = "--warmup-ms", paramLabel = "MS", description = "Warm-up per row (default 2000; quick 200), "
            + "twice: each client first runs it once unrecorded.")
    private Long warmupMs;

    @Option(names = "--measure-ms", paramLabel = "MS", description = "Measured window per row (default 2000; quick "
            + "500).")
    private Long measureMs;

    @Option(names = "--size", paramLabel = "BYTES", description = "The message size (default 64).")
    private Integer size;

    @Option(names = "--devices", paramLabel = "DEV,...", description = "The devices: v2, v3, xdp (default all).")
    private String devices;

    @Option(names = "--no-kernel", description = "Leave out the kernel-socket rows (C echo, catnap).")
    private boolean noKernel;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the results go (default: docs/results/ of the "
            + "checkout).")
    private Path out;

    @Option(names = "--note", paramLabel = "TEXT", description = "A note for the report, e.g. other load.")
    private String note;

    @Option(names = "--no-pin", description = "Do not pin the processes with taskset.")
    private boolean noPin;

    @Option(names = "--background-jit", description = "Let the JIT compile in the background, as JVMs do by default. "
            + "Without it the Java rows run with -Xbatch: each JVM is pinned to one CPU, where a background compiler "
            + "thread takes turns with the spinning thread inside the measured window.")
    private boolean backgroundJit;

    @Option(names = "--jfr", paramLabel = "DIR", description = "Record each catpowder client JVM with Java Flight "
            + "Recorder (settings=profile, a sample every ms) into DIR, one file per device and round.")
    private Path jfr;

    /** What the options say, checked. */
    record Plan(int rounds, long warmupMs, long measureMs, int size, List<VethDevice> devices, boolean kernel,
            boolean pin, boolean batchJit) {
    }

    /**
     * Checks the options.
     *
     * @return the plan
     * @throws ParameterException when an option is out of bounds
     */
    Plan plan() {
        int roundCount = rounds != null ? rounds : quick ? QUICK_ROUNDS : DEFAULT_ROUNDS;
        long warmup = warmupMs != null ? warmupMs : quick ? 200 : 2000;
        long measure = measureMs != null ? measureMs : quick ? 500 : 2000;
        int bytes = size != null ? size : 64;
        if (roundCount < 1) {
            throw new ParameterException(spec.commandLine(), "--rounds must be at least 1");
        }
        if (warmup < 0 || measure < 1) {
            throw new ParameterException(spec.commandLine(), "--warmup-ms must be >= 0 and --measure-ms >= 1");
        }
        if (bytes < 1 || bytes > 1400) {
            throw new ParameterException(spec.commandLine(), "--size must be within 1..1400 (one frame)");
        }
        List<VethDevice> chosen;
        try {
            chosen = devices == null ? List.of(VethDevice.values()) : VethDevice.parseList(devices);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return new Plan(roundCount, warmup, measure, bytes, chosen, !noKernel, !noPin, !backgroundJit);
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Plan plan = plan();
        String cannot = VethPair.cannotRun();
        if (cannot != null) {
            stderr.println("jdemi bench veth: " + cannot);
            stderr.flush();
            return 2;
        }
        boolean pin = plan.pin() && Runtime.getRuntime().availableProcessors() >= 2 && VethPair.onPath("taskset");
        Path outDir = out != null ? out : EchoBenchCommand.defaultOutDir();
        Files.createDirectories(outDir);
        ZonedDateTime start = ZonedDateTime.now(ZoneOffset.UTC);
        String loadBefore = EchoReport.Machine.load();
        Path work = Files.createTempDirectory("jdemi-bench-veth");
        // Ctrl-C: the pair's own hook ends the processes and deletes the namespaces; this one the work directory.
        Thread workCleanup = new Thread(() -> {
            try {
                EchoBenchCommand.deleteTree(work);
            } catch (IOException e) {
                System.err.println("could not delete " + work + ": " + e.getMessage());
            }
        }, "bench-veth-cleanup");
        Runtime.getRuntime().addShutdownHook(workCleanup);
        if (jfr != null) {
            Files.createDirectories(jfr);
        }
        EchoScenario scenario = new EchoScenario(plan.size(), 1);
        List<VethReport.Row> rows = new ArrayList<>();
        List<String> descriptions = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<VethPeer> peers = new ArrayList<>();
        Map<String, String> missing = new LinkedHashMap<>();
        EchoBench.Settings settings;
        EchoBench.Outcome outcome;
        try (VethPair pair = VethPair.create()) {
            stderr.println("veth pair " + pair.serverIf() + " (" + pair.serverNs() + ", " + pair.serverMac() + ") <-> "
                    + pair.clientIf() + " (" + pair.clientNs() + ", " + pair.clientMac() + ")");
            for (VethDevice device : plan.devices()) {
                Path serverConfig = work.resolve("server-" + device.word() + ".yaml");
                Path clientConfig = work.resolve("client-" + device.word() + ".yaml");
                Files.writeString(serverConfig, device.configYaml(pair.serverIf(), VethPair.SERVER_JDEMI_IP,
                        pair.serverMac()), StandardCharsets.UTF_8);
                Files.writeString(clientConfig, device.configYaml(pair.clientIf(), VethPair.CLIENT_JDEMI_IP,
                        pair.clientMac()), StandardCharsets.UTF_8);
                String reason = probe(pair.serverNs(), serverConfig);
                List<VethPeer> both = List.of(jit(floor(device, pair, serverConfig, clientConfig), plan),
                        jit(catpowder(device, pair, serverConfig, clientConfig, jfr), plan));
                for (VethPeer peer : both) {
                    if (reason == null) {
                        peers.add(peer);
                    } else {
                        missing.put(peer.id(), reason);
                        stderr.println("SKIP " + peer.id() + ": " + reason);
                    }
                }
            }
            if (plan.kernel()) {
                String reason = new NativeFloorPeer().unavailableReason();
                if (reason == null) {
                    peers.add(kernelTcp(pair));
                } else {
                    stderr.println("SKIP kernel-tcp: " + reason);
                }
                peers.add(jit(catnap(pair), plan));
            }
            stderr.flush();
            settings = new EchoBench.Settings(List.copyOf(peers), List.of(scenario), plan.rounds(), plan.warmupMs(),
                    plan.measureMs(), pin, work);
            outcome = new EchoBench(settings, stderr).run();
        } finally {
            EchoBenchCommand.deleteTree(work);
            try {
                Runtime.getRuntime().removeShutdownHook(workCleanup);
            } catch (IllegalStateException e) {
                // The JVM is shutting down: the hook runs anyway.
            }
        }
        // The rows in table order: per device the floor then catpowder, then the kernel-socket rows.
        List<EchoPeer> charted = new ArrayList<>();
        List<Histogram> histograms = new ArrayList<>();
        for (VethPeer peer : order(peers, missing, plan)) {
            descriptions.add("`" + peer.id() + "`: " + peer.description());
            List<String> failed = outcome.failures().getOrDefault(peer.id(), List.of());
            for (String failure : failed) {
                failures.add("`" + peer.id() + "` in " + failure);
            }
            if (missing.containsKey(peer.id())) {
                rows.add(new VethReport.Row(peer.id(), peer.role(), peer.device(), null,
                        missing.get(peer.id())));
                continue;
            }
            EchoBench.Cell cell = outcome.cells().get(peer.id()).get(scenario);
            Histogram h = cell.histogram();
            VethReport.Stats stats = VethReport.Stats.of(h);
            rows.add(new VethReport.Row(peer.id(), peer.role(), peer.device(), stats,
                    stats == null ? "every round failed" : null, cell.roundP50Us()));
            if (stats != null) {
                charted.add(peer);
                histograms.add(h);
            }
        }
        EchoReport.Machine machine = EchoReport.Machine.here(start, loadBefore);
        String base = start.format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm")) + "-veth" + (quick ? "-quick" : "");
        String chart = null;
        if (!charted.isEmpty()) {
            chart = base + ".png";
            CdfChart.write(outDir.resolve(chart), "Round trips over veth, " + scenario.label() + ": CDF", charted,
                    histograms, machine.date() + ", " + machine.cpu() + " (" + machine.cpus() + " CPUs), Linux "
                            + machine.kernel());
            Files.copy(outDir.resolve(chart), outDir.resolve("veth-latest.png"), StandardCopyOption.REPLACE_EXISTING);
        }
        VethReport report = new VethReport(rows);
        String command = EchoBenchCommand.typedCommand("./jdemi bench veth", spec);
        String jitNote = plan.batchJit()
                ? "Java rows run with -Xbatch (compilation blocks the thread that asked for it instead of taking turns "
                        + "with it on its pinned CPU)"
                : "Java rows compile in the background (--background-jit)";
        String fullNote = note == null || note.isBlank() ? jitNote : note + "; " + jitNote;
        String dated = report.markdown(machine, settings, plan.size(), command, fullNote, descriptions, failures,
                chart);
        Files.writeString(outDir.resolve(base + ".md"), dated, StandardCharsets.UTF_8);
        Files.writeString(outDir.resolve("veth-latest.md"), report.markdown(machine, settings, plan.size(), command,
                fullNote, descriptions, failures, chart == null ? null : "veth-latest.png"), StandardCharsets.UTF_8);
        stdout.println(dated);
        stdout.println("Written: " + outDir.resolve(base + ".md") + " (and veth-latest.md"
                + (chart == null ? ")" : ", the CDF PNG)"));
        stdout.flush();
        return failures.isEmpty() ? 0 : 1;
    }

    /** The peers in table order, the ones that could not run included. */
    private static List<VethPeer> order(List<VethPeer> ran, Map<String, String> missing, Plan plan) {
        List<VethPeer> all = new ArrayList<>(ran);
        // The skipped ones are rebuilt without commands: only their id, role and device matter to the table.
        for (String id : missing.keySet()) {
            VethDevice device = VethDevice.parse(id.substring(id.lastIndexOf('-') + 1));
            VethPeer.Role role = id.startsWith("floor-") ? VethPeer.Role.FRAME_FLOOR : VethPeer.Role.CATPOWDER;
            all.add(new VethPeer(id, role, device, describe(role, device), List.of(), List.of(), port -> List.of(),
                    (port, file, warmup, measure, scenarios) -> List.of()));
        }
        List<VethPeer> sorted = new ArrayList<>();
        for (VethDevice device : plan.devices()) {
            for (VethPeer.Role role : List.of(VethPeer.Role.FRAME_FLOOR, VethPeer.Role.CATPOWDER)) {
                all.stream().filter(p -> p.device() == device && p.role() == role).findFirst().ifPresent(sorted::add);
            }
        }
        all.stream().filter(p -> p.device() == null).forEach(sorted::add);
        return sorted;
    }

    private static String describe(VethPeer.Role role, VethDevice device) {
        return switch (role) {
            case FRAME_FLOOR -> "bare Ethernet frame ping-pong over " + device.label() + " (CatpowderProvider.openLink,"
                    + " no stack), two JVMs spinning on receive";
            case CATPOWDER -> "jdemi catpowder over " + device.label() + ", user-space TCP, wait policy SPIN, "
                    + "server and client each a JVM";
            case KERNEL_TCP -> "the C echo of `bench echo` (kernel TCP sockets, both ends busy-polling, TCP_NODELAY)";
            case CATNAP -> "jdemi catnap (kernel TCP sockets), wait policy SPIN";
        };
    }

    /** A Java row with {@code -Xbatch} unless the plan says background compilation. */
    private static VethPeer jit(VethPeer peer, Plan plan) {
        return plan.batchJit() ? peer.withJvmOptions(List.of(BATCH_JIT)) : peer;
    }

    private static VethPeer floor(VethDevice device, VethPair pair, Path serverConfig, Path clientConfig) {
        return new VethPeer("floor-" + device.word(), VethPeer.Role.FRAME_FLOOR, device,
                describe(VethPeer.Role.FRAME_FLOOR, device),
                VethPeer.inNamespace(pair.serverNs(), "CONFIG_PATH=" + serverConfig),
                VethPeer.inNamespace(pair.clientNs(), "CONFIG_PATH=" + clientConfig),
                port -> {
                    List<String> command = JvmPeer.java(FrameFloor.class);
                    command.add("server");
                    return command;
                },
                (port, file, warmup, measure, scenarios) -> {
                    List<String> command = JvmPeer.java(FrameFloor.class);
                    command.addAll(List.of("client", pair.serverMac(), file.toString(), Long.toString(warmup),
                            Long.toString(measure), scenarios.getFirst().arg()));
                    return command;
                });
    }

    private static VethPeer catpowder(VethDevice device, VethPair pair, Path serverConfig, Path clientConfig,
            Path jfrDir) {
        String host = EchoAgent.HOST_VARIABLE + "=" + VethPair.SERVER_JDEMI_IP;
        return new VethPeer("catpowder-" + device.word(), VethPeer.Role.CATPOWDER, device,
                describe(VethPeer.Role.CATPOWDER, device),
                VethPeer.inNamespace(pair.serverNs(), "CONFIG_PATH=" + serverConfig, host),
                VethPeer.inNamespace(pair.clientNs(), "CONFIG_PATH=" + clientConfig, host),
                VethPeer.CATPOWDER_AGENT::serverCommand, (port, file, warmup, measure, scenarios) -> {
                    List<String> command = new ArrayList<>(VethPeer.CATPOWDER_AGENT.clientCommand(port, file, warmup,
                            measure, scenarios));
                    if (jfrDir != null) {
                        // The run file's name tells the rounds apart.
                        String name = file.getFileName().toString().replace(".bin", ".jfr");
                        command.add(1, "-XX:StartFlightRecording=settings=profile,"
                                + "jdk.ExecutionSample#period=1ms,filename=" + jfrDir.toAbsolutePath().resolve(name));
                    }
                    return command;
                });
    }

    private static VethPeer kernelTcp(VethPair pair) {
        NativeFloorPeer c = new NativeFloorPeer();
        String host = EchoAgent.HOST_VARIABLE + "=" + VethPair.SERVER_KERNEL_IP;
        return new VethPeer("kernel-tcp", VethPeer.Role.KERNEL_TCP, null, describe(VethPeer.Role.KERNEL_TCP, null),
                VethPeer.inNamespace(pair.serverNs(), host), VethPeer.inNamespace(pair.clientNs(), host),
                c::serverCommand, c::clientCommand);
    }

    private static VethPeer catnap(VethPair pair) {
        EchoPeer agent = EchoPeers.all().get("catnap-spin");
        String host = EchoAgent.HOST_VARIABLE + "=" + VethPair.SERVER_KERNEL_IP;
        return new VethPeer("catnap", VethPeer.Role.CATNAP, null, describe(VethPeer.Role.CATNAP, null),
                VethPeer.inNamespace(pair.serverNs(), host), VethPeer.inNamespace(pair.clientNs(), host),
                agent::serverCommand, agent::clientCommand);
    }

    /** Opens the device in the server's namespace and closes it: null when it opens, else why not. */
    private static String probe(String ns, Path config) {
        List<String> command = VethPeer.inNamespace(ns, "CONFIG_PATH=" + config);
        command = new ArrayList<>(command);
        command.addAll(JvmPeer.java(FrameFloor.class));
        command.add("probe");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "the probe did not finish";
            }
            String text = new String(output, StandardCharsets.UTF_8).strip();
            for (String line : text.split("\n")) {
                if (line.startsWith("OK")) {
                    return null;
                }
                if (line.startsWith("NA ")) {
                    return line.substring(3);
                }
            }
            return "the probe failed: " + text;
        } catch (IOException e) {
            return "the probe did not start: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
