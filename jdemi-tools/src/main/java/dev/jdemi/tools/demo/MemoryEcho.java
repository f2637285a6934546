package dev.jdemi.tools.demo;

import dev.jdemi.Config;
import dev.jdemi.LibOS;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.bootstrap.MemoryNetwork;
import dev.jdemi.phy.PcapWriter;
import dev.jdemi.tools.echo.EchoClient;
import dev.jdemi.tools.echo.LatencyStats;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * What the demos over the in-memory wire share: two catpowder hosts, a server at {@value #SERVER_IP} and a client at
 * {@value #CLIENT_IP}, on one {@link MemoryNetwork} in the calling thread, the wire optionally captured to a pcap
 * file. A subclass runs the echo itself over the protocol it shows.
 */
abstract sealed class MemoryEcho implements Scenario permits MemoryTcpEcho, MemoryUdpEcho {
    static final String SERVER_IP = "10.0.0.1";
    static final String CLIENT_IP = "10.0.0.2";
    private static final int PORT = 7;
    private static final long WAIT_NS = 5_000_000_000L;

    final int bufsize;
    final long durationNs;
    private final Path pcap;

    MemoryEcho(int bufsize, long durationNs, Path pcap) {
        this.bufsize = bufsize;
        this.durationNs = durationNs;
        this.pcap = pcap;
    }

    @Override
    public final String libos() {
        return "catpowder";
    }

    @Override
    public final EchoClient.Report run(PrintWriter log) {
        LatencyStats stats = new LatencyStats();
        try (MemoryNetwork network = new MemoryNetwork()) {
            if (pcap != null) {
                network.wire().capture(PcapWriter.open(pcap));
            }
            LibOS server = network.open(host(SERVER_IP, "02:00:00:00:00:01")).libos();
            LibOS client = network.open(host(CLIENT_IP, "02:00:00:00:00:02")).libos();
            InetSocketAddress serverAddress = new InetSocketAddress(address(SERVER_IP), PORT);
            int errors = exchange(network, server, client, serverAddress, stats, log);
            return new EchoClient.Report(1, stats, errors);
        }
    }

    /**
     * Runs the closed-loop echo for {@link #durationNs}, recording every round trip in {@code stats}.
     *
     * @param network the wire and its two hosts, the server first
     * @param server the server's LibOS
     * @param client the client's LibOS
     * @param serverAddress where the server listens
     * @param stats where the round trips go; the method starts and stops it
     * @param log where errors and the hosts' counters are printed
     * @return the number of errors, 0 for a clean run
     */
    abstract int exchange(MemoryNetwork network, LibOS server, LibOS client, InetSocketAddress serverAddress,
                          LatencyStats stats, PrintWriter log);

    /** Waits for one operation and checks its opcode, printing why when it fails or does not come. */
    static boolean wait(LibOS libos, long qt, QResult result, Opcode expected, PrintWriter log) {
        if (!libos.wait(qt, result, WAIT_NS)) {
            log.println("ERROR: no " + expected + " within " + WAIT_NS / 1_000_000 + " ms");
            return false;
        }
        if (result.opcode() != expected) {
            log.println("ERROR: " + result);
            return false;
        }
        return true;
    }

    static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Config host(String ip, String mac) {
        return Config.parse("demikernel:\n  local_ipv4_addr: \"" + ip + "\"\n  local_link_addr: \"" + mac + "\"\n");
    }
}
