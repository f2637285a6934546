package dev.jdemi.tools.examples;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
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
 * {@code jdemi udp-ping-pong}: the client sends a datagram and waits for it to come back, round after round.
 */
@Command(name = "udp-ping-pong", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Upstream's udp-ping-pong: --iterations rounds of one --bufsize datagram (all 0x65). The "
                + "server sends each datagram back to its sender and prints 'pong i'; the client keeps its push and "
                + "its pop outstanding together, checks each reply and prints 'ping i'."})
public final class UdpPingPongCommand extends Example {
    private static final long NS_PER_MILLI = 1_000_000L;

    @Mixin
    private LocalAddress local;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "64",
            description = "How many rounds (default ${DEFAULT-VALUE}).")
    private long iterations;

    @Option(names = "--timeout", paramLabel = "MILLIS", defaultValue = "10000",
            description = "How long to wait for a reply (client) or the next datagram (server) (default "
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
            Io.await(os, os.pop(qd), result, Opcode.POP, "pop of round " + i, timeoutNs);
            Sga sga = result.sga();
            long from = result.addr();
            long qt;
            try {
                Io.checkFilled(sga, "datagram " + i);
                qt = os.pushTo(qd, sga, from);
            } finally {
                os.sgaFree(sga);
            }
            Io.await(os, qt, result, Opcode.PUSH, "push to " + SockAddr.toString(from), LibOS.WAIT_FOREVER);
            out.println("pong " + i);
        }
        os.close(qd);
    }

    @Override
    void client(LibOS os, PrintWriter out) {
        QResult result = new QResult();
        int qd = Io.bindUdp(os, bind);
        long server = SockAddr.of(peer().address());
        long timeoutNs = timeoutMillis * NS_PER_MILLI;
        long[] qts = new long[2];
        for (long i = 1; i <= iterations; i++) {
            Sga sga = Io.filled(os, bufsize());
            qts[0] = os.pushTo(qd, sga, server);
            os.sgaFree(sga);
            qts[1] = os.pop(qd);
            int outstanding = 2;
            while (outstanding > 0) {
                int index = os.waitAny(qts, outstanding, result, timeoutNs);
                if (index < 0) {
                    throw new DemiException(Errno.ETIMEDOUT, "no reply to round " + i + " from "
                            + Addresses.format(peer().address()) + " within " + timeoutMillis + " ms");
                }
                qts[index] = qts[--outstanding];
                if (result.failed()) {
                    throw new DemiException(result.ret(), "round " + i + " failed: " + result);
                }
                if (result.opcode() == Opcode.POP) {
                    Sga reply = result.sga();
                    try {
                        Io.checkFilled(reply, "reply " + i);
                    } finally {
                        os.sgaFree(reply);
                    }
                }
            }
            out.println("ping " + i);
        }
        os.close(qd);
    }
}
