package dev.jdemi.inet;

import dev.jdemi.LibOS;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SockAddr;
import dev.jdemi.bootstrap.MemoryNetwork;
import dev.jdemi.libos.NetworkLibOS;
import dev.jdemi.phy.FaultInjector;
import dev.jdemi.phy.PcapOnFailure;
import dev.jdemi.phy.PhyDrop;
import dev.jdemi.wire.DropReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * UDP between alice and bob when bob's port damages what it receives (the seeded fault injector): corrupted
 * datagrams never reach the application, lost ones are simply missing, and the counters add up.
 */
class FaultyLinkTest {
    private static final int ALICE = RawFrames.ALICE_IP;
    private static final int BOB = RawFrames.ip(192, 168, 1, 2);
    private static final long SECOND = 1_000_000_000L;
    /** Static entries both ways: ARP has no checksum, so a corrupted ARP packet would teach a wrong MAC. */
    private static final String ALICE_KNOWS_BOB = "  arp_table:\n    \"ab:89:67:45:23:12\": \"192.168.1.2\"\n";
    private static final String BOB_KNOWS_ALICE = "  arp_table:\n    \"12:23:45:67:89:ab\": \"192.168.1.1\"\n";

    @RegisterExtension
    final PcapOnFailure pcap = new PcapOnFailure();

    /** Sends {@code count} datagrams alice → bob and returns how many bob popped, all checked intact. */
    private int exchange(TestNetwork net, NetworkLibOS alice, NetworkLibOS bob, int count) {
        int client = alice.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
        int server = bob.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
        bob.bind(server, SockAddr.pack(BOB, 9000));
        int received = 0;
        QResult result = new QResult();
        long pop = bob.pop(server);
        for (int i = 0; i < count; i++) {
            byte[] data = RawFrames.bytes(100 + i, i);
            Sga sga = alice.sgaAlloc(data.length);
            sga.write(0, data, 0, data.length);
            assertThat(net.await(alice, alice.pushTo(client, sga, SockAddr.pack(BOB, 9000))).opcode())
                    .isEqualTo(Opcode.PUSH);
            alice.sgaFree(sga);
            if (bob.wait(pop, result, SECOND)) {
                assertThat(result.opcode()).isEqualTo(Opcode.POP);
                byte[] got = result.sga().toArray();
                bob.sgaFree(result.sga());
                assertThat(got).as("datagram %d arrives intact or not at all", i).isEqualTo(data);
                received++;
                pop = bob.pop(server);
            }
        }
        return received;
    }

    @Test
    void corruptedDatagramsAreDroppedByTheirChecksums() {
        try (TestNetwork net = new TestNetwork()) {
            pcap.capture(net.wire());
            FaultInjector[] injector = new FaultInjector[1];
            NetworkLibOS alice = net.add(TestHosts.config(TestHosts.ALICE_IP, TestHosts.ALICE_MAC, ALICE_KNOWS_BOB))
                    .libos();
            MemoryNetwork.Host bob = net.add(TestHosts.config(TestHosts.BOB_IP, TestHosts.BOB_MAC, BOB_KNOWS_ALICE),
                    (port, pool) -> injector[0] = new FaultInjector(port, pool, FaultInjector.Direction.RECEIVE,
                            FaultInjector.Faults.NONE.withCorruption(1), 42));

            assertThat(exchange(net, alice, bob.libos(), 50)).as("datagrams popped").isZero();

            InetStats stats = bob.transport().stats();
            assertThat(injector[0].corrupted()).isEqualTo(50);
            assertThat(stats.framesIn()).isEqualTo(50);
            long malformed = 0;
            for (int code = 1; code < DropReason.COUNT; code++) {
                malformed += stats.drops(code);
            }
            // One flipped bit past the Ethernet header: the IPv4 header checks or the UDP checksum catch it, or the
            // flip turned the datagram into one for another address, port or protocol.
            assertThat(stats.dropsTotal()).as("%s", stats).isEqualTo(50);
            assertThat(malformed).as("caught as malformed: %s", stats).isGreaterThan(40);
            assertThat(stats.drops(DropReason.UDP_BAD_CHECKSUM)).as("%s", stats).isPositive();
        }
    }

    @Test
    void lostDatagramsAreMissingAndCounted() {
        try (TestNetwork net = new TestNetwork()) {
            pcap.capture(net.wire());
            FaultInjector[] injector = new FaultInjector[1];
            NetworkLibOS alice = net.add(TestHosts.alice()).libos();
            MemoryNetwork.Host bob = net.add(TestHosts.bob(), (port, pool) -> injector[0] = new FaultInjector(port,
                    pool, FaultInjector.Direction.RECEIVE, FaultInjector.Faults.NONE.withLoss(0.3), 7));

            int received = exchange(net, alice, bob.libos(), 100);

            long lost = bob.transport().stack().device().stats().drops(PhyDrop.FAULT_LOSS);
            assertThat(lost).isEqualTo(injector[0].lost()).isBetween(10L, 60L);
            // Each datagram is one frame; ARP frames may be lost too (the push then waits for a retry).
            assertThat(received + lost).isGreaterThanOrEqualTo(100);
            assertThat(received).isEqualTo((int) bob.transport().stats().datagramsDelivered());
        }
    }
}
