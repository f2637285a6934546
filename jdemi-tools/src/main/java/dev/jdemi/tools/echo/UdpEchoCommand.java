package dev.jdemi.tools.echo;

import dev.jdemi.DemiException;
import dev.jdemi.LibOS;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SockAddr;
import dev.jdemi.tools.options.Addresses;
import dev.jdemi.tools.options.LibOSOption;
import dev.jdemi.tools.options.LocalAddress;
import dev.jdemi.tools.options.Peer;
import dev.jdemi.tools.options.PeerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.concurrent.Callable;

/**
 * {@code jdemi udp-echo}: upstream's udp-echo server (each datagram goes back to its sender), and a closed-loop
 * client that measures round trips as the tcp-echo client does.
 */
@Command(name = "udp-echo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Upstream's udp-echo: a server that sends each datagram back to its sender, or a closed-loop "
                + "client that measures round trips.",
            "The server prints 'INFO: listening on IP:PORT' when it is bound. The client resends a request whose "
                    + "reply has not come within --timeout, and prints the tcp-echo client's lines."})
public final class UdpEchoCommand implements Callable<Integer> {
    private static final long NS_PER_SECOND = 1_000_000_000L;
    private static final long NS_PER_MILLI = 1_000_000L;
    private static final ValueLayout.OfLong STAMP = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    @Spec
    private CommandSpec spec;

    @Mixin
    private LibOSOption libos;

    @Mixin
    private PeerOptions peer;

    @Mixin
    private LocalAddress local;

    @Option(names = "--bufsize", paramLabel = "BYTES", defaultValue = "64",
            description = "Client: the size of each datagram, 8..65507 (default ${DEFAULT-VALUE}).")
    private int bufsize;

    @Option(names = "--nrequests", paramLabel = "N", defaultValue = "-1",
            description = "Requests the client makes (default 1024), or datagrams the server echoes before it "
                    + "stops (default 0: never stops). A request the client sends again after --timeout is one "
                    + "more datagram for the server.")
    private long nrequests;

    @Option(names = "--timeout", paramLabel = "MILLIS", defaultValue = "1000",
            description = "Client: how long to wait for a reply before sending the request again (default "
                    + "${DEFAULT-VALUE}).")
    private long timeoutMillis;

    @Option(names = "--log", paramLabel = "SECS", defaultValue = "0",
            description = "Print progress every SECS seconds; 0 never (default ${DEFAULT-VALUE}).")
    private long logSeconds;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (logSeconds < 0 || timeoutMillis < 1) {
            throw new ParameterException(spec.commandLine(), "--log must not be negative and --timeout must be "
                    + "at least 1");
        }
        if (peer.peer() == Peer.SERVER) {
            long limit = nrequests < 0 ? 0 : nrequests;
            try (LibOS os = libos.open()) {
                serve(os, out, limit);
            }
            return 0;
        }
        if (bufsize < EchoClient.STAMP_BYTES || bufsize > 65_507) {
            throw new ParameterException(spec.commandLine(), "--bufsize must be from 8 to 65507, was " + bufsize);
        }
        InetSocketAddress bind;
        try {
            bind = local.resolve(peer.address());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        long requests = nrequests < 0 ? 1024 : nrequests;
        try (LibOS os = libos.open()) {
            return request(os, out, bind, requests) ? 0 : 1;
        }
    }

    private void serve(LibOS os, PrintWriter out, long limit) {
        int qd = os.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
        os.bind(qd, peer.address());
        out.println("INFO: listening on " + Addresses.format(peer.address()));
        QResult result = new QResult();
        long logNs = logSeconds * NS_PER_SECOND;
        long nextLogNs = System.nanoTime() + logNs;
        long echoed = 0;
        long bytes = 0;
        while (limit == 0 || echoed < limit) {
            os.wait(os.pop(qd), result);
            if (result.failed()) {
                throw new DemiException(result.ret(), "pop on " + Addresses.format(peer.address()) + " failed");
            }
            Sga sga = result.sga();
            long from = result.addr();
            int length = sga.length();
            if (length == 0) {
                os.sgaFree(sga);
                continue;
            }
            long pushQt = os.pushTo(qd, sga, from);
            os.sgaFree(sga);
            os.wait(pushQt, result);
            if (result.failed()) {
                out.println("WARN: echo to " + SockAddr.toString(from) + " failed: " + result);
            }
            echoed++;
            bytes += length;
            if (logNs > 0 && System.nanoTime() - nextLogNs >= 0) {
                out.println("INFO: " + echoed + " datagrams echoed");
                nextLogNs += logNs;
            }
        }
        os.close(qd);
        out.println("INFO: stopping, " + bytes + " bytes transferred");
    }

    /** Runs the closed loop; returns whether every request got its reply. */
    private boolean request(LibOS os, PrintWriter out, InetSocketAddress bind, long requests) {
        int qd = os.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
        os.bind(qd, bind);
        long server = SockAddr.of(peer.address());
        MemorySegment pattern = MemorySegment.ofArray(EchoClient.patternBytes(bufsize));
        LatencyStats stats = new LatencyStats();
        QResult result = new QResult();
        long logNs = logSeconds * NS_PER_SECOND;
        long timeoutNs = timeoutMillis * NS_PER_MILLI;
        long resent = 0;
        long corrupt = 0;
        stats.start(System.nanoTime());
        long nextLogNs = System.nanoTime() + logNs;
        long popQt = os.pop(qd, bufsize);
        for (long i = 0; i < requests; i++) {
            long sentNs = send(os, qd, server, pattern, result);
            while (true) {
                if (!os.wait(popQt, result, timeoutNs)) {
                    resent++;
                    sentNs = send(os, qd, server, pattern, result);
                    continue;
                }
                if (result.failed()) {
                    throw new DemiException(result.ret(), "pop on " + Addresses.format(bind) + " failed");
                }
                Sga sga = result.sga();
                boolean match = sga.length() == bufsize && sga.segment().get(STAMP, 0) == sentNs;
                boolean intact = match && MemorySegment.mismatch(sga.segment(), EchoClient.STAMP_BYTES, bufsize,
                        pattern, EchoClient.STAMP_BYTES, bufsize) < 0;
                os.sgaFree(sga);
                popQt = os.pop(qd, bufsize);
                if (intact) {
                    break;
                }
                if (match) {
                    corrupt++;
                }
            }
            long nowNs = System.nanoTime();
            stats.record(nowNs - sentNs, nowNs);
            stats.addBytes(bufsize);
            if (logNs > 0 && nowNs - nextLogNs >= 0) {
                stats.printProgress(out, nowNs);
                nextLogNs += logNs;
            }
        }
        long endNs = System.nanoTime();
        stats.stop(endNs);
        os.close(qd);
        stats.printProgress(out, endNs);
        if (resent > 0) {
            out.println("INFO: " + resent + " requests sent again after " + timeoutMillis + " ms without a reply");
        }
        if (corrupt > 0) {
            out.println("ERROR: " + corrupt + " corrupt replies");
        }
        out.println("INFO: stopping, " + stats.bytes() + " bytes transferred");
        return corrupt == 0;
    }

    /** Sends one stamped request and waits until it left; returns its stamp. */
    private long send(LibOS os, int qd, long server, MemorySegment pattern, QResult result) {
        Sga sga = os.sgaAlloc(bufsize);
        MemorySegment data = sga.segment();
        MemorySegment.copy(pattern, EchoClient.STAMP_BYTES, data, EchoClient.STAMP_BYTES,
                bufsize - EchoClient.STAMP_BYTES);
        long nowNs = System.nanoTime();
        data.set(STAMP, 0, nowNs);
        long qt = os.pushTo(qd, sga, server);
        os.sgaFree(sga);
        os.wait(qt, result);
        if (result.failed()) {
            throw new DemiException(result.ret(), "send to " + Addresses.format(peer.address()) + " failed");
        }
        return nowNs;
    }
}
