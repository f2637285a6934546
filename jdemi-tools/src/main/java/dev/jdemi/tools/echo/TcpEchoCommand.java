package dev.jdemi.tools.echo;

import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.tools.options.LibOSOption;
import dev.jdemi.tools.options.Peer;
import dev.jdemi.tools.options.PeerOptions;
import dev.jdemi.tools.options.Workers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jdemi tcp-echo}: upstream's tcp-echo system test (spec §7.3), server or client.
 */
@Command(name = "tcp-echo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Upstream's tcp-echo: an echo server, or a closed-loop client that measures round trips.",
            "The server prints 'INFO: listening on IP:PORT' when clients can connect and stops when they are all "
                    + "gone. The client prints 'INFO: N requests, R rps, p50 X ns, p99 Y ns' every --log seconds "
                    + "and at the end, then 'INFO: stopping, N bytes transferred'."})
public final class TcpEchoCommand implements Callable<Integer> {
    private static final long NS_PER_SECOND = 1_000_000_000L;

    @Spec
    private CommandSpec spec;

    @Mixin
    private LibOSOption libos;

    @Mixin
    private PeerOptions peer;

    @Option(names = "--bufsize", paramLabel = "BYTES", defaultValue = "64",
            description = "Client: the size of each request and reply, 8..65535 (default ${DEFAULT-VALUE}).")
    private int bufsize;

    @Option(names = "--nclients", paramLabel = "N", defaultValue = "1",
            description = "Client: connections per thread (default ${DEFAULT-VALUE}).")
    private int nclients;

    @Option(names = "--nrequests", paramLabel = "N", defaultValue = "1024",
            description = "Client: requests per connection; 0 runs until the server closes (default "
                    + "${DEFAULT-VALUE}).")
    private long nrequests;

    @Option(names = "--nthreads", paramLabel = "N", defaultValue = "1",
            description = "Threads, each with its own LibOS; a server honours it on catnap only, sharing the port "
                    + "through SO_REUSEPORT (default ${DEFAULT-VALUE}).")
    private int nthreads;

    @Option(names = "--log", paramLabel = "SECS", defaultValue = "0",
            description = "Print progress every SECS seconds; 0 never (default ${DEFAULT-VALUE}).")
    private long logSeconds;

    @Option(names = "--run-mode", paramLabel = "sequential|concurrent", defaultValue = "sequential",
            converter = RunMode.Converter.class,
            description = "Client: open the connections one after the other, or all at once (default "
                    + "${DEFAULT-VALUE}).")
    private RunMode runMode;

    @Override
    public Integer call() {
        if (nthreads < 1) {
            throw new ParameterException(spec.commandLine(), "--nthreads must be at least 1, was " + nthreads);
        }
        if (logSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--log must not be negative, was " + logSeconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        long logNs = logSeconds * NS_PER_SECOND;
        if (peer.peer() == Peer.SERVER) {
            int threads = nthreads;
            if (threads > 1 && libos.name() != LibOSName.CATNAP) {
                out.println("WARN: --nthreads is honoured only on catnap; running 1 server thread");
                threads = 1;
            }
            Workers.run("tcp-echo-server", threads, i -> serve(out, logNs));
            return 0;
        }
        EchoClient.Settings settings;
        try {
            settings = new EchoClient.Settings(peer.address(), bufsize, nclients, nrequests, 0, runMode, logNs);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        List<EchoClient.Report> reports = Workers.run("tcp-echo-client", nthreads, i -> {
            try (LibOS os = libos.open()) {
                return new EchoClient(os, settings, out).run();
            }
        });
        return reports.stream().anyMatch(EchoClient.Report::failed) ? 1 : 0;
    }

    private long serve(PrintWriter out, long logNs) {
        try (LibOS os = libos.open(); EchoServer server = new EchoServer(os, out)) {
            server.listen(peer.address(), EchoServer.BACKLOG);
            return server.run(logNs);
        }
    }
}
