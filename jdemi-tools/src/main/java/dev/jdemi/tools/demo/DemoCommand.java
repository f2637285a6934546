package dev.jdemi.tools.demo;

import dev.jdemi.LibOSName;
import dev.jdemi.Sga;
import dev.jdemi.tools.echo.EchoClient;
import dev.jdemi.tools.options.LibOSOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code jdemi demo}: the quick look at jdemi. A TCP echo server and client, each with its own LibOS, exchange
 * messages in a closed loop for a few seconds; then a table shows the requests, the rate and the latency.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A TCP echo server and client, each with its own LibOS (catnap: kernel sockets, no root, no "
                + "configuration file), exchange 64-byte messages over 127.0.0.1 for a few seconds; then a table "
                + "shows requests, rps and the p50, p99 and p99.9 round-trip times (HdrHistogram)."})
public final class DemoCommand implements Callable<Integer> {
    private static final double MAX_SECONDS = 3600;

    @Spec
    private CommandSpec spec;

    @Mixin
    private LibOSOption libos;

    @Option(names = "--seconds", paramLabel = "SECS", defaultValue = "5",
            description = "How long the client runs (default ${DEFAULT-VALUE}).")
    private double seconds;

    @Option(names = "--bufsize", paramLabel = "BYTES", defaultValue = "64",
            description = "The message size, 8..65535 (default ${DEFAULT-VALUE}).")
    private int bufsize;

    @Option(names = "--verbose", description = "Also print the server's and the client's own lines.")
    private boolean verbose;

    @Override
    public Integer call() {
        if (!(seconds > 0 && seconds <= MAX_SECONDS)) {
            throw new ParameterException(spec.commandLine(), "--seconds must be above 0 and at most 3600, was "
                    + seconds);
        }
        if (bufsize < EchoClient.STAMP_BYTES || bufsize > Sga.MAX_SIZE) {
            throw new ParameterException(spec.commandLine(), "--bufsize must be from 8 to 65535, was " + bufsize);
        }
        PrintWriter out = spec.commandLine().getOut();
        Scenario scenario = libos.name() == LibOSName.CATMEM ? new PipeEcho(bufsize, (long) (seconds * 1e9))
                : new LoopbackTcpEcho(libos, bufsize, (long) (seconds * 1e9));
        out.println("jdemi demo: " + scenario.describe());
        out.println("  " + bufsize + "-byte messages, 1 connection, closed loop, "
                + String.format(Locale.ROOT, "%.1f", seconds) + " s ...");
        out.flush();
        PrintWriter log = verbose ? out : new PrintWriter(OutputStream.nullOutputStream());
        EchoClient.Report report = scenario.run(log);
        ResultTable table = new ResultTable();
        table.add(scenario.libos(), bufsize, report.stats().requests(), report.stats().elapsedNs(),
                report.stats().histogram());
        out.println();
        table.print(out);
        if (report.failed()) {
            spec.commandLine().getErr().println("jdemi demo: the run had " + report.errors()
                    + " errors (run with --verbose to see them)");
            return 1;
        }
        return 0;
    }
}
