package dev.jdemi.tools.demo;

import dev.jdemi.LibOS;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SockAddr;
import dev.jdemi.bootstrap.MemoryNetwork;
import dev.jdemi.tools.echo.EchoClient;
import dev.jdemi.tools.echo.LatencyStats;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The demo over jdemi's own stack: a UDP echo server and client, each a catpowder LibOS (the user-space stack),
 * joined by the in-memory wire; no root, no network interface. The wire is single-threaded, so both run in the
 * calling thread: each round trip is the client's push, the server's pop and echo, and the client's pop, every frame
 * going through Ethernet, ARP, IPv4 and UDP on both sides.
 */
public final class MemoryUdpEcho extends MemoryEcho {
    /**
     * Creates the scenario.
     *
     * @param bufsize the message size
     * @param durationNs how long the client runs
     * @param pcap where to capture the wire, or null
     */
    public MemoryUdpEcho(int bufsize, long durationNs, Path pcap) {
        super(bufsize, durationNs, pcap);
    }

    @Override
    public String describe() {
        return "UDP echo over the memory wire: a server and a client, each with its own catpowder LibOS "
                + "(jdemi's user-space stack), in one thread";
    }

    @Override
    int exchange(MemoryNetwork network, LibOS server, LibOS client, InetSocketAddress serverAddress,
                 LatencyStats stats, PrintWriter log) {
        int errors = 0;
        int serverQd = server.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
        server.bind(serverQd, serverAddress);
        int clientQd = client.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
        client.bind(clientQd, new InetSocketAddress(address(CLIENT_IP), 0));
        long to = SockAddr.of(serverAddress);
        byte[] message = EchoClient.patternBytes(bufsize);
        Sga request = client.sgaAlloc(bufsize);
        request.write(0, message, 0, bufsize);
        QResult result = new QResult();
        byte[] received = new byte[bufsize];
        long startNs = System.nanoTime();
        stats.start(startNs);
        long endNs = startNs + durationNs;
        while (true) {
            long sentNs = System.nanoTime();
            if (sentNs >= endNs) {
                break;
            }
            long clientPop = client.pop(clientQd);
            long serverPop = server.pop(serverQd);
            if (!wait(client, client.pushTo(clientQd, request, to), result, Opcode.PUSH, log)
                    || !wait(server, serverPop, result, Opcode.POP, log)) {
                errors++;
                break;
            }
            Sga echo = result.sga();
            long replyQt = server.pushTo(serverQd, echo, SockAddr.of(result.address()));
            server.sgaFree(echo);
            if (!wait(server, replyQt, result, Opcode.PUSH, log)
                    || !wait(client, clientPop, result, Opcode.POP, log)) {
                errors++;
                break;
            }
            long nowNs = System.nanoTime();
            Sga reply = result.sga();
            boolean intact = reply.length() == bufsize;
            if (intact) {
                reply.read(0, received, 0, bufsize);
                intact = Arrays.equals(received, message);
            }
            client.sgaFree(reply);
            if (!intact) {
                log.println("ERROR: the echo differs from the request");
                errors++;
            }
            stats.record(nowNs - sentNs, nowNs);
            stats.addBytes(bufsize);
        }
        stats.stop(System.nanoTime());
        client.sgaFree(request);
        log.println("server " + network.hosts().get(0).transport().stats());
        log.println("client " + network.hosts().get(1).transport().stats());
        return errors;
    }
}
