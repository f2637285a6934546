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

    @Option(names = "--link", paramLabel = "LINK", defaultValue = "kernel",
            description = "kernel (the default: catnap over 127.0.0.1) or memory (catpowder: two user-space stacks "
                    + "joined by the in-memory wire, no root).")
    private String link;

    @Option(names = "--proto", paramLabel = "PROTO", defaultValue = "tcp",
            description = "tcp (the default) or udp; --link memory runs either, over jdemi's own stack.")
    private String proto;

    @Option(names = "--pcap", paramLabel = "FILE",
            description = "With --link memory: capture the wire's frames to this pcap file (tshark/Wireshark).")
    private java.nio.file.Path pcap;

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
        Scenario scenario = scenario();
        out.println("jdemi demo: " + scenario.describe());
        out.println("  " + bufsize + "-byte messages, 1 " + (scenario instanceof MemoryUdpEcho ? "socket pair"
                : "connection") + ", closed loop, "
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

    private Scenario scenario() {
        long durationNs = (long) (seconds * 1e9);
        boolean memory = link.equals("memory");
        if (!memory && !link.equals("kernel")) {
            throw new ParameterException(spec.commandLine(), "--link must be kernel or memory, was " + link);
        }
        if (!proto.equals("tcp") && !proto.equals("udp")) {
            throw new ParameterException(spec.commandLine(), "--proto must be tcp or udp, was " + proto);
        }
        if (memory) {
            if (libos.name() != LibOSName.CATPOWDER) {
                throw new ParameterException(spec.commandLine(), "--link memory runs --libos catpowder (the "
                        + "user-space stack)");
            }
            return proto.equals("udp") ? new MemoryUdpEcho(bufsize, durationNs, pcap)
                    : new MemoryTcpEcho(bufsize, durationNs, pcap);
        }
        if (!proto.equals("tcp") || pcap != null) {
            throw new ParameterException(spec.commandLine(), "over the kernel link the demo runs TCP without --pcap");
        }
        if (libos.name() == LibOSName.CATMEM) {
            return new PipeEcho(bufsize, durationNs);
        }
        return new LoopbackTcpEcho(libos, bufsize, durationNs);
    }
}
