package dev.jdemi.inet;

import dev.jdemi.LibOS;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SockAddr;
import dev.jdemi.libos.NetworkLibOS;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The datapath allocates nothing on the heap in the steady state: UDP round trips between alice and bob, through
 * both whole stacks and the memory wire, measured with the thread's allocation counter after a warm-up.
 */
class SteadyStateAllocationTest {
    private static final int ROUND_TRIPS = 20_000;

    @Test
    void udpRoundTripsAllocateNothing() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (TestNetwork net = new TestNetwork()) {
            NetworkLibOS alice = net.add(TestHosts.alice()).libos();
            NetworkLibOS bob = net.add(TestHosts.bob()).libos();
            int server = alice.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
            long serverAddress = SockAddr.pack(RawFrames.ALICE_IP, 7000);
            alice.bind(server, serverAddress);
            int client = bob.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
            bob.bind(client, SockAddr.pack(RawFrames.ip(192, 168, 1, 2), 7001));
            Sga request = bob.sgaAlloc(64);
            QResult result = new QResult();
            roundTrips(alice, bob, server, client, serverAddress, request, result, ROUND_TRIPS);

            long before = threads.getCurrentThreadAllocatedBytes();
            roundTrips(alice, bob, server, client, serverAddress, request, result, ROUND_TRIPS);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;

            bob.sgaFree(request);
            System.out.println("SteadyStateAllocationTest: " + allocated + " bytes for " + ROUND_TRIPS
                    + " UDP round trips (" + (double) allocated / ROUND_TRIPS + " per round trip)");
            // The counter itself and the JIT may allocate a little; a per-packet allocation would be > 20 bytes
            // for every one of the 80,000 frames.
            assertThat(allocated).as("bytes allocated in %d round trips", ROUND_TRIPS).isLessThan(64 * 1024);
        }
    }

    private static void roundTrips(NetworkLibOS alice, NetworkLibOS bob, int server, int client, long serverAddress,
            Sga request, QResult result, int count) {
        for (int i = 0; i < count; i++) {
            long clientPop = bob.pop(client);
            long serverPop = alice.pop(server);
            expect(bob, bob.pushTo(client, request, serverAddress), result, Opcode.PUSH);
            expect(alice, serverPop, result, Opcode.POP);
            Sga echo = result.sga();
            long replyQt = alice.pushTo(server, echo, result.addr());
            alice.sgaFree(echo);
            expect(alice, replyQt, result, Opcode.PUSH);
            expect(bob, clientPop, result, Opcode.POP);
            bob.sgaFree(result.sga());
        }
    }

    private static void expect(NetworkLibOS libos, long qt, QResult result, Opcode opcode) {
        if (!libos.wait(qt, result, TestNetwork.LIMIT_NS) || result.opcode() != opcode) {
            throw new AssertionError("expected " + opcode + ", got " + result);
        }
    }
}
