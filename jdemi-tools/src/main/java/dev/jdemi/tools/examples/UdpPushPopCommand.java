package dev.jdemi.tools.examples;

import dev.jdemi.LibOS;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SockAddr;
import dev.jdemi.tools.options.Addresses;
import dev.jdemi.tools.options.LocalAddress;
import dev.jdemi.tools.options.Peer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.InetSocketAddress;

/**
 * {@code jdemi udp-push-pop}: the client sends datagrams, the server receives them; no replies.
 */
@Command(name = "udp-push-pop", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Upstream's udp-push-pop: the client sends --iterations datagrams of --bufsize bytes (all "
                + "0x65) and prints 'push (i)'; the server, bound to --address, checks each one and prints "
                + "'pop (i)'. UDP may drop datagrams: the server gives up after --timeout without one."})
public final class UdpPushPopCommand extends Example {
    private static final long NS_PER_MILLI = 1_000_000L;

    @Mixin
    private LocalAddress local;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "1024",
            description = "How many datagrams (default ${DEFAULT-VALUE}).")
    private long iterations;

    @Option(names = "--timeout", paramLabel = "MILLIS", defaultValue = "10000",
            description = "Server: how long to wait for the next datagram once the first came (default "
                    + "${DEFAULT-VALUE}).")
    private long timeoutMillis;

    private InetSocketAddress bind;

    @Override
    long iterations() {
        return iterations;
    }

    @Override
    void check() {
        if (bufsize() > 65_507) {
            throw usage("--bufsize must be at most 65507 for a UDP datagram, was " + bufsize());
        }
        if (timeoutMillis < 1) {
            throw usage("--timeout must be at least 1, was " + timeoutMillis);
        }
        if (peer().peer() == Peer.CLIENT) {
            try {
                bind = local.resolve(peer().address());
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
    }

    @Override
    void server(LibOS os, PrintWriter out) {
        QResult result = new QResult();
        int qd = Io.bindUdp(os, peer().address());
        out.println("INFO: listening on " + Addresses.format(peer().address()));
        for (long i = 1; i <= iterations; i++) {
            long timeoutNs = i == 1 ? LibOS.WAIT_FOREVER : timeoutMillis * NS_PER_MILLI;
            Io.await(os, os.pop(qd), result, Opcode.POP, "pop of datagram " + i + " of " + iterations, timeoutNs);
            Sga sga = result.sga();
            try {
                Io.checkFilled(sga, "datagram " + i);
            } finally {
                os.sgaFree(sga);
            }
            out.println("pop (" + i + ")");
        }
        os.close(qd);
    }

    @Override
    void client(LibOS os, PrintWriter out) {
        QResult result = new QResult();
        int qd = Io.bindUdp(os, bind);
        long server = SockAddr.of(peer().address());
        for (long i = 1; i <= iterations; i++) {
            Sga sga = Io.filled(os, bufsize());
            long qt = os.pushTo(qd, sga, server);
            os.sgaFree(sga);
            Io.await(os, qt, result, Opcode.PUSH, "push", LibOS.WAIT_FOREVER);
            out.println("push (" + i + ")");
        }
        os.close(qd);
    }
}
