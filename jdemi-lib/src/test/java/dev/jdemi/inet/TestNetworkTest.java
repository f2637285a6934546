package dev.jdemi.inet;

import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SockAddr;
import dev.jdemi.bootstrap.MemoryNetwork;
import dev.jdemi.libos.NetworkLibOS;
import dev.jdemi.phy.PcapOnFailure;
import dev.jdemi.phy.PcapWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * alice, bob and carrie (spec §4.2) on the in-memory wire with one virtual clock: ARP between full LibOSes, its
 * timers, static entries and limits, UDP between them, and a deterministic capture. A failing test leaves its
 * capture under {@code target/pcap}.
 */
class TestNetworkTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int ALICE = RawFrames.ALICE_IP;
    private static final int BOB = RawFrames.ip(192, 168, 1, 2);
    private static final int NOBODY = RawFrames.ip(192, 168, 1, 50);

    @RegisterExtension
    final PcapOnFailure pcap = new PcapOnFailure();

    private TestNetwork net;
    private MemoryNetwork.Host alice;
    private MemoryNetwork.Host bob;
    private MemoryNetwork.Host carrie;

    @BeforeEach
    void open() {
        net = new TestNetwork();
        pcap.capture(net.wire());
        alice = net.add(TestHosts.alice());
        bob = net.add(TestHosts.bob());
        carrie = net.add(TestHosts.carrie());
    }

    @AfterEach
    void close() {
        net.close();
    }

    private static int udp(NetworkLibOS libos, int ip, int port) {
        int qd = libos.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
        libos.bind(qd, SockAddr.pack(ip, port));
        return qd;
    }

    private QResult send(NetworkLibOS from, int qd, long to, byte[] data) {
        Sga sga = from.sgaAlloc(data.length);
        sga.write(0, data, 0, data.length);
        QResult r = net.await(from, from.pushTo(qd, sga, to));
        from.sgaFree(sga);
        return r;
    }

    @Test
    void bobReachesAliceThroughArpAndCarrieLearnsNothing() {
        int server = udp(alice.libos(), ALICE, 7000);
        int client = udp(bob.libos(), 0, 0);
        long pop = alice.libos().pop(server);

        assertThat(send(bob.libos(), client, SockAddr.pack(ALICE, 7000), RawFrames.bytes(100, 1)).opcode())
                .isEqualTo(Opcode.PUSH);
        QResult got = net.await(alice.libos(), pop);

        assertThat(got.sga().toArray()).isEqualTo(RawFrames.bytes(100, 1));
        assertThat(SockAddr.ipv4(SockAddr.of(got.address()))).isEqualTo(BOB);
        alice.libos().sgaFree(got.sga());
        assertThat(bob.transport().stats().arpRequestsSent()).isEqualTo(1);
        assertThat(alice.transport().stats().arpRepliesSent()).isEqualTo(1);
        assertThat(alice.transport().stack().arpLookup(BOB, net.clock().nowNs())).as("learned from the request")
                .isEqualTo(dev.jdemi.MacAddress.parse(TestHosts.BOB_MAC).value());
        assertThat(carrie.transport().stack().arpCacheSize()).as("carrie was not the target").isZero();
        assertThat(carrie.transport().stats().drops(InetDrop.ARP_NOT_FOR_US)).isEqualTo(1);
        assertThat(carrie.transport().stats().drops(InetDrop.ETH_NOT_FOR_US)).as("unicast frames for others")
                .isEqualTo(2);
    }

    @Test
    void anUnansweredLookupRetriesThenFailsThePushWithEtimedout() {
        int qd = udp(alice.libos(), 0, 0);
        long start = net.clock().nowNs();

        QResult r = send(alice.libos(), qd, SockAddr.pack(NOBODY, 9), new byte[] {1, 2, 3});

        assertThat(r.opcode()).isEqualTo(Opcode.FAILED);
        assertThat(r.ret()).isEqualTo(Errno.ETIMEDOUT);
        // retries 2: three requests, one second apart, then one more second for the last.
        assertThat(alice.transport().stats().arpRequestsSent()).isEqualTo(3);
        assertThat(net.clock().nowNs() - start).isEqualTo(3 * SECOND);
        assertThat(alice.transport().stats().drops(InetDrop.ARP_UNRESOLVED)).isEqualTo(1);
        assertThat(alice.transport().stack().arpPendingDestinations()).isZero();
    }

    @Test
    void thePendingQueueOfADestinationIsBounded() {
        int qd = udp(alice.libos(), 0, 0);
        Sga sga = alice.libos().sgaAlloc(10);
        int limit = alice.transport().stack().config().arpPendingFrames();
        long last = 0;
        for (int i = 0; i <= limit; i++) {
            last = alice.libos().pushTo(qd, sga, SockAddr.pack(NOBODY, 9));
        }
        QResult r = net.await(alice.libos(), last);
        alice.libos().sgaFree(sga);
        assertThat(r.opcode()).isEqualTo(Opcode.FAILED);
        assertThat(r.ret()).isEqualTo(Errno.ENOBUFS);
        assertThat(alice.transport().stats().drops(InetDrop.ARP_PENDING_FULL)).isEqualTo(1);
        assertThat(alice.transport().stats().arpRequestsSent()).as("one lookup for them all").isEqualTo(1);
    }

    @Test
    void learnedEntriesExpireAfterTheirTtl() {
        int server = udp(alice.libos(), ALICE, 7000);
        int client = udp(bob.libos(), 0, 0);
        long pop = alice.libos().pop(server);
        send(bob.libos(), client, SockAddr.pack(ALICE, 7000), new byte[] {1});
        alice.libos().sgaFree(net.await(alice.libos(), pop).sga());
        long learnedAt = net.clock().nowNs();
        NetworkStack stack = bob.transport().stack();
        assertThat(stack.arpLookup(ALICE, learnedAt + 599 * SECOND)).isPositive();

        assertThat(stack.arpLookup(ALICE, learnedAt + 600 * SECOND)).as("TTL 600 s").isEqualTo(-1);

        net.clock().advance(600 * SECOND);
        pop = alice.libos().pop(server);
        send(bob.libos(), client, SockAddr.pack(ALICE, 7000), new byte[] {2});
        alice.libos().sgaFree(net.await(alice.libos(), pop).sga());
        assertThat(bob.transport().stats().arpRequestsSent()).as("asked again").isEqualTo(2);
    }

    @Test
    void staticEntriesNeedNoRequest() {
        MemoryNetwork.Host dave = net.add(TestHosts.config("192.168.1.4", "02:00:00:00:00:04",
                "  arp_table:\n    \"12:23:45:67:89:ab\": \"192.168.1.1\"\n"));
        int server = udp(alice.libos(), ALICE, 7000);
        long pop = alice.libos().pop(server);
        send(dave.libos(), udp(dave.libos(), 0, 0), SockAddr.pack(ALICE, 7000), new byte[] {4});
        alice.libos().sgaFree(net.await(alice.libos(), pop).sga());
        assertThat(dave.transport().stats().arpRequestsSent()).isZero();
        assertThat(dave.transport().stack().arpLookup(ALICE, Long.MAX_VALUE - 1)).as("never expires").isPositive();
    }

    @Test
    void aHostSendsToItself() {
        int a = udp(alice.libos(), ALICE, 7000);
        int b = udp(alice.libos(), 0, 0);
        long pop = alice.libos().pop(a);
        send(alice.libos(), b, SockAddr.pack(ALICE, 7000), new byte[] {7, 7});
        QResult got = net.await(alice.libos(), pop);
        assertThat(got.sga().toArray()).containsExactly(7, 7);
        alice.libos().sgaFree(got.sga());
        assertThat(alice.transport().stats().arpRequestsSent()).isZero();
    }

    @Test
    void theSameCallsGiveTheSameCapture(@TempDir Path directory) throws IOException {
        byte[][] captures = new byte[2][];
        for (int run = 0; run < 2; run++) {
            Path file = directory.resolve("run" + run + ".pcap");
            try (TestNetwork own = new TestNetwork()) {
                own.wire().capture(PcapWriter.open(file));
                MemoryNetwork.Host a = own.add(TestHosts.alice());
                MemoryNetwork.Host b = own.add(TestHosts.bob());
                int server = udp(a.libos(), ALICE, 7000);
                int client = udp(b.libos(), 0, 0);
                for (int i = 0; i < 5; i++) {
                    long pop = a.libos().pop(server);
                    Sga sga = b.libos().sgaAlloc(200 + i);
                    own.await(b.libos(), b.libos().pushTo(client, sga, SockAddr.pack(ALICE, 7000)));
                    b.libos().sgaFree(sga);
                    a.libos().sgaFree(own.await(a.libos(), pop).sga());
                }
            }
            captures[run] = Files.readAllBytes(file);
        }
        assertThat(captures[0].length).isGreaterThan(PcapWriter.GLOBAL_HEADER_BYTES + 6 * 16);
        assertThat(captures[1]).isEqualTo(captures[0]);
    }
}
