package dev.jdemi.tools.demo;

import dev.jdemi.LibOS;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.bootstrap.MemoryNetwork;
import dev.jdemi.inet.tcp.TcpStack;
import dev.jdemi.tools.echo.EchoClient;
import dev.jdemi.tools.echo.LatencyStats;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The demo over jdemi's own TCP: an echo server and client, each a catpowder LibOS (the user-space stack with its
 * RFC 9293 TCP), joined by the in-memory wire; no root, no network interface. The wire is single-threaded, so both
 * run in the calling thread: each round trip is the client's push, the server's pops and echoes, and the client's
 * pops until the whole message is back, every segment going through Ethernet, ARP, IPv4 and TCP on both sides.
 */
public final class MemoryTcpEcho extends MemoryEcho {
    /**
     * Creates the scenario.
     *
     * @param bufsize the message size
     * @param durationNs how long the client runs
     * @param pcap where to capture the wire, or null
     */
    public MemoryTcpEcho(int bufsize, long durationNs, Path pcap) {
        super(bufsize, durationNs, pcap);
    }

    @Override
    public String describe() {
        return "TCP echo over the memory wire: a server and a client, each with its own catpowder LibOS "
                + "(jdemi's user-space stack and TCP), in one thread";
    }

    @Override
    int exchange(MemoryNetwork network, LibOS server, LibOS client, InetSocketAddress serverAddress,
                 LatencyStats stats, PrintWriter log) {
        int errors = 0;
        int listenQd = server.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
        server.bind(listenQd, serverAddress);
        server.listen(listenQd, 16);
        long acceptQt = server.accept(listenQd);
        int clientQd = client.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
        QResult result = new QResult();
        if (!wait(client, client.connect(clientQd, serverAddress), result, Opcode.CONNECT, log)
                || !wait(server, acceptQt, result, Opcode.ACCEPT, log)) {
            return 1;
        }
        int serverQd = result.acceptedQd();
        byte[] message = EchoClient.patternBytes(bufsize);
        Sga request = client.sgaAlloc(bufsize);
        request.write(0, message, 0, bufsize);
        byte[] received = new byte[bufsize];
        long startNs = System.nanoTime();
        stats.start(startNs);
        long endNs = startNs + durationNs;
        while (true) {
            long sentNs = System.nanoTime();
            if (sentNs >= endNs) {
                break;
            }
            long pushQt = client.push(clientQd, request);
            // The server echoes every piece as it comes; the client collects the pieces until the message is back.
            int echoed = 0;
            while (echoed < bufsize) {
                if (!wait(server, server.pop(serverQd), result, Opcode.POP, log) || result.sga().length() == 0) {
                    errors++;
                    break;
                }
                Sga piece = result.sga();
                echoed += piece.length();
                long echoQt = server.push(serverQd, piece);
                server.sgaFree(piece);
                if (!wait(server, echoQt, result, Opcode.PUSH, log)) {
                    errors++;
                    break;
                }
            }
            int have = 0;
            while (errors == 0 && have < bufsize) {
                if (!wait(client, client.pop(clientQd), result, Opcode.POP, log)) {
                    errors++;
                    break;
                }
                Sga piece = result.sga();
                int length = piece.length();
                if (length == 0 || have + length > bufsize) {
                    log.println("ERROR: the echo is " + (length == 0 ? "cut short" : "too long"));
                    client.sgaFree(piece);
                    errors++;
                    break;
                }
                piece.read(0, received, have, length);
                have += length;
                client.sgaFree(piece);
            }
            if (errors > 0 || !wait(client, pushQt, result, Opcode.PUSH, log)) {
                errors = Math.max(errors, 1);
                break;
            }
            long nowNs = System.nanoTime();
            if (!Arrays.equals(received, message)) {
                log.println("ERROR: the echo differs from the request");
                errors++;
            }
            stats.record(nowNs - sentNs, nowNs);
            stats.addBytes(bufsize);
        }
        stats.stop(System.nanoTime());
        client.sgaFree(request);
        client.close(clientQd);
        server.close(serverQd);
        server.close(listenQd);
        for (int i = 0; i < 2; i++) {
            MemoryNetwork.Host host = network.hosts().get(i);
            TcpStack tcp = host.transport().tcp();
            log.println((i == 0 ? "server " : "client ") + host.transport().stats() + " tcp resets sent "
                    + tcp.resetsSent());
        }
        return errors;
    }
}
