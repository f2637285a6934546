package dev.jdemi.tools.bench;

import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs the peers against each other: in each round every peer once, in an order that rotates from round to round so
 * that no peer always follows the same one; for each peer a server process and a client process, pinned to separate
 * cores with {@code taskset} when the machine has two, the client running every scenario.
 */
public final class EchoBench {
    /** How long a server may take to print READY. */
    private static final long READY_TIMEOUT_MS = 30_000;
    /** What a client may take beyond its scenarios' windows (start-up, connecting, writing its file). */
    private static final long CLIENT_SLACK_MS = 60_000;
    /** The largest round-trip time the histograms hold: 10 s, far beyond any echo. */
    private static final long HIGHEST_NS = 10_000_000_000L;

    /**
     * What to run.
     *
     * @param peers the peers that can run here, in their first round's order
     * @param scenarios the scenarios each client runs
     * @param rounds how many times each peer runs
     * @param warmupMs each scenario's unrecorded warm-up
     * @param measureMs each scenario's measured window
     * @param pin whether to pin the server to CPU 0 and the client to CPU 1 with taskset
     * @param workDir where the clients write their run files and logs
     */
    public record Settings(List<EchoPeer> peers, List<EchoScenario> scenarios, int rounds, long warmupMs,
            long measureMs, boolean pin, Path workDir) {
    }

    /** One peer's figures in one scenario, over all rounds. */
    public static final class Cell {
        private final Histogram histogram = new Histogram(1, HIGHEST_NS, 3);
        private final List<Double> rps = new ArrayList<>();
        private final List<Double> roundP50Us = new ArrayList<>();

        /** {@return every round trip of every round, in ns} */
        public Histogram histogram() {
            return histogram;
        }

        /** {@return the requests per second of each round} */
        public List<Double> rps() {
            return rps;
        }

        /** {@return the median round trip of each round that has one, in µs, in round order} */
        public List<Double> roundP50Us() {
            return roundP50Us;
        }

        /** {@return the median of the rounds' requests per second} */
        public double medianRps() {
            List<Double> sorted = new ArrayList<>(rps);
            Collections.sort(sorted);
            int n = sorted.size();
            if (n == 0) {
                return 0;
            }
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }

        void add(RunFile.Result result) {
            for (int rtt : result.rttNs()) {
                histogram.recordValue(Math.max(1, Math.min(rtt, HIGHEST_NS)));
            }
            rps.add(result.rps());
            if (result.rttNs().length > 0) {
                int[] sorted = result.rttNs().clone();
                java.util.Arrays.sort(sorted);
                roundP50Us.add(sorted[(sorted.length - 1) / 2] / 1e3);
            }
        }
    }

    /**
     * What came out.
     *
     * @param cells by peer id, then scenario
     * @param failures by peer id, what went wrong in which round
     */
    public record Outcome(Map<String, Map<EchoScenario, Cell>> cells, Map<String, List<String>> failures) {
    }

    private final Settings settings;
    private final PrintWriter log;

    /**
     * Creates the bench.
     *
     * @param settings what to run
     * @param log where progress goes
     */
    public EchoBench(Settings settings, PrintWriter log) {
        this.settings = settings;
        this.log = log;
    }

    /**
     * Runs every round.
     *
     * @return the figures
     * @throws IOException when the work directory cannot be written
     */
    public Outcome run() throws IOException {
        Files.createDirectories(settings.workDir());
        Map<String, Map<EchoScenario, Cell>> cells = new LinkedHashMap<>();
        Map<String, List<String>> failures = new LinkedHashMap<>();
        for (EchoPeer peer : settings.peers()) {
            Map<EchoScenario, Cell> byScenario = new LinkedHashMap<>();
            for (EchoScenario scenario : settings.scenarios()) {
                byScenario.put(scenario, new Cell());
            }
            cells.put(peer.id(), byScenario);
        }
        List<EchoPeer> order = new ArrayList<>(settings.peers());
        for (int round = 1; round <= settings.rounds(); round++) {
            for (EchoPeer peer : order) {
                log.printf("round %d/%d: %s%n", round, settings.rounds(), peer.id());
                log.flush();
                try {
                    for (RunFile.Result result : runOnce(peer, round)) {
                        Cell cell = cells.get(peer.id()).get(result.scenario());
                        if (cell != null) {
                            cell.add(result);
                        }
                    }
                } catch (RunFailed e) {
                    log.printf("  %s failed in round %d: %s%n", peer.id(), round, e.getMessage());
                    failures.computeIfAbsent(peer.id(), id -> new ArrayList<>())
                            .add("round " + round + ": " + e.getMessage());
                }
            }
            Collections.rotate(order, -1);
        }
        return new Outcome(cells, failures);
    }

    /** A peer's run that failed: the bench reports it and goes on. */
    static final class RunFailed extends Exception {
        RunFailed(String message) {
            super(message);
        }
    }

    private List<RunFile.Result> runOnce(EchoPeer peer, int round) throws IOException, RunFailed {
        int port = freePort();
        Path out = settings.workDir().resolve(peer.id() + "-round" + round + ".bin");
        Path clientLog = settings.workDir().resolve(peer.id() + "-round" + round + "-client.log");
        Files.deleteIfExists(out);
        // Both processes start at once, so that their JVMs start in parallel; the client waits for a line on its
        // standard input, sent once the server is ready.
        Process server = start(pinned(peer.serverCommand(port), 0), null);
        Process client = null;
        LinkedBlockingQueue<String> serverLines = readLines(server);
        try {
            client = start(pinned(peer.clientCommand(port, out, settings.warmupMs(), settings.measureMs(),
                    settings.scenarios()), 1), clientLog);
            awaitReady(serverLines, peer);
            try (var go = client.getOutputStream()) {
                go.write('\n');
            }
            long timeoutMs = (settings.scenarios().size() + 1) * (settings.warmupMs() + settings.measureMs())
                    + CLIENT_SLACK_MS;
            boolean finished;
            try {
                finished = client.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunFailed("interrupted");
            }
            if (!finished) {
                throw new RunFailed("the client did not finish within " + timeoutMs + " ms; " + tail(clientLog));
            }
            if (client.exitValue() != 0) {
                throw new RunFailed("the client exited with " + client.exitValue() + "; " + tail(clientLog)
                        + serverTail(server, serverLines));
            }
            if (!server.isAlive()) {
                throw new RunFailed("the server died during the run" + serverTail(server, serverLines));
            }
            return RunFile.read(out);
        } finally {
            if (client != null) {
                stop(client);
            }
            stop(server);
        }
    }

    private static String serverTail(Process server, LinkedBlockingQueue<String> lines) {
        List<String> seen = new ArrayList<>();
        lines.drainTo(seen);
        seen.remove(EOF);
        return "; the server is " + (server.isAlive() ? "alive" : "dead")
                + (seen.isEmpty() ? "" : ", its last lines: " + String.join(" | ",
                        seen.subList(Math.max(0, seen.size() - 5), seen.size())));
    }

    private List<String> pinned(List<String> command, int cpu) {
        if (!settings.pin()) {
            return command;
        }
        List<String> pinned = new ArrayList<>(List.of("taskset", "-c", Integer.toString(cpu)));
        pinned.addAll(command);
        return pinned;
    }

    private static Process start(List<String> command, Path logFile) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (logFile != null) {
            builder.redirectOutput(logFile.toFile());
        }
        return builder.start();
    }

    /** The end of a process's output in {@link #readLines}. */
    private static final String EOF = "\u0000eof";

    /** Reads a process's output on a thread of its own, so that the process never blocks on a full pipe. */
    private static LinkedBlockingQueue<String> readLines(Process process) {
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().name("bench-server-output").start(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(output lost: " + e + ")");
            } finally {
                lines.add(EOF);
            }
        });
        return lines;
    }

    /** Waits for the server's READY line; its other lines go to the log. */
    private void awaitReady(LinkedBlockingQueue<String> lines, EchoPeer peer) throws RunFailed {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        List<String> seen = new ArrayList<>();
        try {
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new RunFailed("the server did not print READY within " + READY_TIMEOUT_MS + " ms: " + seen);
                }
                if (line.equals("READY")) {
                    return;
                }
                if (line.equals(EOF)) {
                    throw new RunFailed("the server exited before READY: " + String.join(" | ", seen));
                }
                seen.add(line);
                log.println("  " + peer.id() + " server: " + line);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunFailed("interrupted");
        }
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return "its last lines: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "no log (" + e.getMessage() + ")";
        }
    }

    /** Lets the kernel pick a free port on 127.0.0.1 (catnap cannot listen on port 0). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        }
    }
}
