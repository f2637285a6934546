package dev.jdemi.inet;

import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.QResult;
import dev.jdemi.SockAddr;
import dev.jdemi.inet.transport.InetTransport;
import dev.jdemi.libos.NetworkLibOS;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.runtime.VirtualClock;
import dev.jdemi.WaitPolicy;
import dev.jdemi.wire.DropReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The malformed-input corpus (more than 100 hand-made frames) against alice's whole stack: each frame is dropped
 * with the right per-reason counter and no other, no exception escapes, and nothing else changes: no other counter,
 * no ARP entry, no reassembly, no datagram for the bound socket, no frame sent but the ICMP error the RFCs ask for,
 * no buffer kept.
 */
class MalformedFrameCorpusTest {
    private final BufferPool pool = new BufferPool(BufferPool.STACK_HEADROOM);
    private final VirtualClock clock = new VirtualClock(1_000_000_000L);
    private ScriptedDevice device;
    private NetworkLibOS alice;
    private InetTransport transport;
    private long pendingPop;

    @BeforeEach
    void openAlice() {
        device = new ScriptedDevice(pool, dev.jdemi.MacAddress.parse(TestHosts.ALICE_MAC));
        // The probe is in alice's static ARP table, so an ICMP error goes straight out without a lookup.
        InetConfig config = InetConfig.from(TestHosts.config(TestHosts.ALICE_IP, TestHosts.ALICE_MAC,
                "  arp_table:\n    \"02:00:00:00:00:99\": \"192.168.1.9\"\n"));
        transport = new InetTransport(config, device);
        alice = new NetworkLibOS(LibOSName.CATPOWDER, new Runtime(clock, pool, WaitPolicy.SPIN), transport);
        int qd = alice.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
        alice.bind(qd, SockAddr.pack(RawFrames.ALICE_IP, Corpus.BOUND_PORT));
        pendingPop = alice.pop(qd);
    }

    @AfterEach
    void close() {
        alice.close();
    }

    static List<Corpus.Case> corpus() {
        return Corpus.all();
    }

    @Test
    void theCorpusHasMoreThanAHundredFrames() {
        assertThat(Corpus.all()).hasSizeGreaterThanOrEqualTo(100);
    }

    @Test
    void everyReceiveDropPathHasAFrame() {
        Set<String> covered = Corpus.all().stream().map(c -> InetDrop.name(c.reason()))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> receivePaths = new TreeSet<>();
        for (int code = DropReason.ETHERNET_TRUNCATED; code <= DropReason.UDP_BAD_CHECKSUM; code++) {
            receivePaths.add(InetDrop.name(code));
        }
        for (int code : new int[] {InetDrop.ETH_NOT_FOR_US, InetDrop.ETH_BAD_SOURCE, InetDrop.ETH_UNSUPPORTED_TYPE,
            InetDrop.ARP_BAD_SENDER, InetDrop.ARP_NOT_FOR_US, InetDrop.ARP_UNSOLICITED_REPLY,
            InetDrop.IPV4_RESERVED_FLAG, InetDrop.IPV4_NOT_FOR_US, InetDrop.IPV4_BAD_SOURCE,
            InetDrop.IPV4_UNKNOWN_PROTOCOL, InetDrop.IPV4_BAD_FRAGMENT, InetDrop.ICMP_IGNORED,
            InetDrop.ICMP_ECHO_TO_BROADCAST, InetDrop.UDP_NO_SOCKET, InetDrop.UDP_ZERO_PORT,
            InetDrop.TRANSPORT_UNSUPPORTED}) {
            receivePaths.add(InetDrop.name(code));
        }
        assertThat(covered).containsAll(receivePaths);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void isDroppedWithItsReasonAndNothingElseChanges(Corpus.Case c) {
        InetStats stats = transport.stats();
        long before = stats.drops(c.reason());
        long total = stats.dropsTotal();
        int arpEntries = transport.stack().arpCacheSize();
        int live = pool.liveBuffers();

        device.inject(c.frame());
        assertThatCode(() -> alice.runtime().pollOnce()).doesNotThrowAnyException();

        assertThat(stats.drops(c.reason())).as("the %s counter", InetDrop.name(c.reason())).isEqualTo(before + 1);
        assertThat(stats.dropsTotal()).as("all drop counters: %s", stats).isEqualTo(total + 1);
        assertThat(transport.stack().arpCacheSize()).as("ARP entries").isEqualTo(arpEntries);
        assertThat(transport.stack().arpPendingDestinations()).as("ARP lookups").isZero();
        assertThat(transport.stack().reassembliesInProgress()).as("reassemblies").isZero();
        assertThat(alice.wait(pendingPop, new QResult(), 0)).as("the bound socket got a datagram").isFalse();
        assertThat(pool.liveBuffers()).as("buffers kept").isEqualTo(live);
        assertThat(device.transmitted()).as("frames sent in answer").hasSize(c.replies());
        if (c.replies() == 1) {
            byte[] reply = device.transmitted().get(0);
            assertThat(reply[14 + 9]).as("an ICMP message").isEqualTo((byte) 1);
            assertThat(reply[14 + 20]).as("destination unreachable").isEqualTo((byte) 3);
            int code = c.reason() == InetDrop.UDP_NO_SOCKET ? 3 : 2;
            assertThat(reply[14 + 21]).as("port or protocol unreachable").isEqualTo((byte) code);
            assertThat(RawFrames.checksum(reply, 14 + 20, reply.length - 34, 0)).as("ICMP checksum").isZero();
            byte[] quoted = java.util.Arrays.copyOfRange(reply, 14 + 28, reply.length);
            assertThat(quoted).as("the offending header and 8 data bytes").isEqualTo(java.util.Arrays.copyOfRange(
                    c.frame(), 14, 14 + 20 + Math.min(8, c.frame().length - 34)));
        }
    }
}
