package dev.jdemi.inet;

import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.MacAddress;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SockAddr;
import dev.jdemi.WaitPolicy;
import dev.jdemi.inet.transport.InetTransport;
import dev.jdemi.libos.NetworkLibOS;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.runtime.VirtualClock;
import dev.jdemi.wire.Ipv4Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static dev.jdemi.inet.RawFrames.ALICE_IP;
import static dev.jdemi.inet.RawFrames.ALICE_MAC;
import static dev.jdemi.inet.RawFrames.PROBE_IP;
import static dev.jdemi.inet.RawFrames.PROBE_MAC;
import static dev.jdemi.inet.RawFrames.bytes;
import static dev.jdemi.inet.RawFrames.ethernet;
import static dev.jdemi.inet.RawFrames.ipv4;
import static dev.jdemi.inet.RawFrames.udp;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The drop paths that need more than one frame or some time (fragments, queues, timers), and the behaviours around
 * them: reassembly, echo replies, the ICMP rate limit, the zero checksum, each against alice's whole stack fed by a
 * scripted device on a virtual clock.
 */
class StackDropPathsTest {
    private static final long SECOND = 1_000_000_000L;
    private final BufferPool pool = new BufferPool(BufferPool.STACK_HEADROOM);
    private final VirtualClock clock = new VirtualClock(SECOND);
    private ScriptedDevice device;
    private NetworkLibOS alice;
    private InetTransport transport;
    private int qd;

    @BeforeEach
    void openAlice() {
        device = new ScriptedDevice(pool, MacAddress.parse(TestHosts.ALICE_MAC));
        InetConfig config = InetConfig.from(TestHosts.config(TestHosts.ALICE_IP, TestHosts.ALICE_MAC,
                "  arp_table:\n    \"02:00:00:00:00:99\": \"192.168.1.9\"\n"));
        transport = new InetTransport(config, device);
        alice = new NetworkLibOS(LibOSName.CATPOWDER, new Runtime(clock, pool, WaitPolicy.SPIN), transport);
        qd = alice.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
        alice.bind(qd, SockAddr.pack(ALICE_IP, Corpus.BOUND_PORT));
    }

    @AfterEach
    void close() {
        alice.close();
        assertThat(pool.liveBuffers()).as("buffers leaked").isZero();
        pool.close();
    }

    private InetStats stats() {
        return transport.stats();
    }

    private void poll() {
        while (alice.runtime().pollOnce() > 0) {
            // Until quiet.
        }
    }

    /** The fragments of one UDP datagram from the probe, {@code size} data bytes, {@code chunk} bytes each. */
    private static byte[][] fragments(int id, int size, int chunk) {
        byte[] datagram = udp(PROBE_IP, ALICE_IP, 5555, Corpus.BOUND_PORT, bytes(size, id));
        int count = (datagram.length + chunk - 1) / chunk;
        byte[][] frames = new byte[count][];
        for (int i = 0; i < count; i++) {
            int from = i * chunk;
            int to = Math.min(datagram.length, from + chunk);
            int flags = (to < datagram.length ? 0x2000 : 0) | (from / 8);
            frames[i] = ethernet(ALICE_MAC, PROBE_MAC, 0x0800, ipv4(PROBE_IP, ALICE_IP, 17, id, flags,
                    Arrays.copyOfRange(datagram, from, to)));
        }
        return frames;
    }

    private QResult popNow() {
        QResult result = new QResult();
        return alice.wait(alice.pop(qd), result, 0) ? result : null;
    }

    @Test
    void fragmentsInAnyOrderMakeOneDatagram() {
        byte[][] frames = fragments(77, 3000, 1480);
        for (int i = frames.length - 1; i >= 0; i--) {
            device.inject(frames[i]);
        }
        poll();
        QResult r = popNow();
        assertThat(r).isNotNull();
        assertThat(r.sga().toArray()).isEqualTo(bytes(3000, 77));
        assertThat(r.address()).hasToString("/192.168.1.9:5555");
        alice.sgaFree(r.sga());
        assertThat(stats().datagramsReassembled()).isEqualTo(1);
        assertThat(transport.stack().reassemblyHeldBytes()).isZero();
    }

    @Test
    void anOverlappingFragmentIsDropped() {
        byte[][] frames = fragments(5, 100, 32);
        device.inject(frames[0]);
        byte[] overlap = frames[1].clone();
        overlap[14 + 7] = (byte) 2; // offset 16 bytes instead of 32: overlaps the first fragment
        RawFrames.fixIpv4Checksum(overlap, 14);
        device.inject(overlap);
        device.inject(frames[0]);
        poll();
        assertThat(stats().drops(InetDrop.IPV4_FRAGMENT_OVERLAP)).isEqualTo(2);
        assertThat(transport.stack().reassembliesInProgress()).isEqualTo(1);
    }

    @Test
    void anIncompleteDatagramTimesOut() {
        byte[][] frames = fragments(6, 100, 32);
        device.inject(frames[0]);
        device.inject(frames[1]);
        poll();
        assertThat(transport.stack().reassembliesInProgress()).isEqualTo(1);
        clock.advance(InetConfig.DEFAULT_REASSEMBLY_TIMEOUT_NS - 1);
        poll();
        assertThat(stats().drops(InetDrop.IPV4_REASSEMBLY_TIMEOUT)).isZero();
        clock.advance(1);
        poll();
        assertThat(stats().drops(InetDrop.IPV4_REASSEMBLY_TIMEOUT)).isEqualTo(2);
        assertThat(transport.stack().reassemblyHeldBytes()).isZero();
    }

    @Test
    void reassemblyIsBoundedInDatagrams() {
        for (int id = 0; id <= 16; id++) {
            device.inject(fragments(100 + id, 100, 32)[0]);
        }
        poll();
        assertThat(transport.stack().reassembliesInProgress()).isEqualTo(16);
        assertThat(stats().drops(InetDrop.IPV4_REASSEMBLY_OVERFLOW)).isEqualTo(1);
    }

    @Test
    void aFullSocketQueueDrops() {
        int limit = transport.stack().config().udpQueueDatagrams();
        for (int i = 0; i <= limit; i++) {
            device.inject(RawFrames.udpFrame(Corpus.BOUND_PORT, bytes(4, i)));
            if (i % 100 == 0) {
                poll();
            }
        }
        poll();
        assertThat(stats().drops(InetDrop.UDP_QUEUE_FULL)).isEqualTo(1);
        QResult first = popNow();
        assertThat(first.sga().toArray()).isEqualTo(bytes(4, 0));
        alice.sgaFree(first.sga());
    }

    @Test
    void aConnectedSocketTakesOnlyItsPeer() {
        QResult connected = new QResult();
        assertThat(alice.wait(alice.connect(qd, SockAddr.pack(PROBE_IP, 4444)), connected, 0)).isTrue();
        device.inject(RawFrames.udpFrame(Corpus.BOUND_PORT, bytes(4, 1)));
        poll();
        assertThat(stats().drops(InetDrop.UDP_NOT_FROM_PEER)).isEqualTo(1);
        assertThat(popNow()).isNull();
    }

    @Test
    void theLoopbackQueueIsBounded() {
        NetworkStack stack = transport.stack();
        for (int i = 0; i <= 256; i++) {
            DemiBuffer packet = stack.allocatePacket(8);
            int rc = stack.send(packet, ALICE_IP, 253, clock.nowNs(), null);
            assertThat(rc).isEqualTo(i < 256 ? NetworkStack.SENT : -Errno.ENOBUFS);
        }
        assertThat(stats().drops(InetDrop.LOOPBACK_FULL)).isEqualTo(1);
    }

    @Test
    void echoRepliesCarryTheWholePayloadUpToTheMtu() {
        for (int size : new int[] {0, 1, 56, 1472}) {
            device.transmitted().clear();
            byte[] request = RawFrames.icmp(8, 0, 0x1234_0000 | size, bytes(size, size));
            device.inject(RawFrames.ipFrame(1, request));
            poll();
            assertThat(device.transmitted()).as("replies to %d bytes", size).hasSize(1);
            byte[] reply = device.transmitted().get(0);
            ByteBuffer b = ByteBuffer.wrap(reply);
            assertThat(b.getShort(12)).isEqualTo((short) 0x0800);
            assertThat(b.getInt(14 + 12)).as("source").isEqualTo(ALICE_IP);
            assertThat(b.getInt(14 + 16)).as("destination").isEqualTo(PROBE_IP);
            assertThat(RawFrames.checksum(reply, 14, 20, 0)).as("IPv4 checksum").isZero();
            int total = b.getShort(14 + 2) & 0xFFFF;
            assertThat(total).isEqualTo(20 + 8 + size);
            byte[] icmp = Arrays.copyOfRange(reply, 34, 14 + total);
            assertThat(icmp[0]).as("echo reply").isZero();
            assertThat(RawFrames.checksum(icmp, 0, icmp.length, 0)).as("ICMP checksum").isZero();
            assertThat(Arrays.copyOfRange(icmp, 4, icmp.length)).isEqualTo(Arrays.copyOfRange(request, 4,
                    request.length));
        }
        assertThat(stats().icmpEchoRepliesSent()).isEqualTo(4);
    }

    @Test
    void anEchoLongerThanTheMtuIsAnsweredInFragments() {
        byte[] request = RawFrames.icmp(8, 0, 0x0001_0001, bytes(4000, 3));
        int chunk = 1480;
        for (int from = 0; from < request.length; from += chunk) {
            int to = Math.min(request.length, from + chunk);
            int flags = (to < request.length ? 0x2000 : 0) | from / 8;
            device.inject(ethernet(ALICE_MAC, PROBE_MAC, 0x0800, ipv4(PROBE_IP, ALICE_IP, 1, 42, flags,
                    Arrays.copyOfRange(request, from, to))));
        }
        poll();
        assertThat(device.transmitted()).hasSize(3);
        assertThat(stats().fragmentsSent()).isEqualTo(3);
    }

    @Test
    void portUnreachablesAreRateLimited() {
        for (int i = 0; i < 20; i++) {
            device.inject(RawFrames.udpFrame(9, bytes(4, i)));
        }
        poll();
        assertThat(stats().icmpErrorsSent()).isEqualTo(10);
        assertThat(stats().icmpErrorsRateLimited()).isEqualTo(10);
        clock.advance(SECOND / 10);
        device.inject(RawFrames.udpFrame(9, bytes(4, 99)));
        poll();
        assertThat(stats().icmpErrorsSent()).as("one token per 100 ms").isEqualTo(11);
    }

    @Test
    void aZeroUdpChecksumMeansNone() {
        byte[] frame = RawFrames.udpFrame(Corpus.BOUND_PORT, bytes(9, 9));
        frame[14 + 20 + 6] = 0;
        frame[14 + 20 + 7] = 0;
        device.inject(frame);
        poll();
        QResult r = popNow();
        assertThat(r.sga().toArray()).isEqualTo(bytes(9, 9));
        alice.sgaFree(r.sga());
    }

    @Test
    void sentDatagramsHaveValidChecksums() {
        Sga sga = alice.sgaAlloc(33);
        sga.write(0, bytes(33, 4), 0, 33);
        QResult r = new QResult();
        assertThat(alice.wait(alice.pushTo(qd, sga, SockAddr.pack(PROBE_IP, 5555)), r, 0)).isTrue();
        assertThat(r.opcode()).isEqualTo(Opcode.PUSH);
        alice.sgaFree(sga);
        byte[] frame = device.transmitted().get(0);
        assertThat(frame.length).isEqualTo(14 + 20 + 8 + 33);
        assertThat(RawFrames.checksum(frame, 14, 20, 0)).isZero();
        int udpLength = 8 + 33;
        assertThat(RawFrames.checksum(frame, 34, udpLength, RawFrames.pseudo(ALICE_IP, PROBE_IP, 17, udpLength)))
                .isZero();
        assertThat(frame[14 + 6] & 0x40).as("DF").isNotZero();
        assertThat(frame[14 + 8] & 0xFF).as("TTL").isEqualTo(NetworkStack.TTL);
        assertThat(frame[14 + 9]).isEqualTo((byte) Ipv4Header.PROTOCOL_UDP);
    }

    @Test
    void checksumOffloadSendsNoUdpChecksum() {
        BufferPool ownPool = new BufferPool(BufferPool.STACK_HEADROOM);
        ScriptedDevice own = new ScriptedDevice(ownPool, MacAddress.parse(TestHosts.ALICE_MAC));
        InetConfig config = InetConfig.from(dev.jdemi.Config.parse(TestHosts.yaml(TestHosts.ALICE_IP,
                TestHosts.ALICE_MAC, "  arp_table:\n    \"02:00:00:00:00:99\": \"192.168.1.9\"\n")
                .replace("udp_checksum_offload: false", "udp_checksum_offload: true")));
        try (NetworkLibOS offloading = new NetworkLibOS(LibOSName.CATPOWDER,
                new Runtime(clock, ownPool, WaitPolicy.SPIN), new InetTransport(config, own))) {
            int socket = offloading.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
            Sga sga = offloading.sgaAlloc(5);
            offloading.wait(offloading.pushTo(socket, sga, SockAddr.pack(PROBE_IP, 5555)), new QResult(), 0);
            offloading.sgaFree(sga);
        }
        byte[] frame = own.transmitted().get(0);
        assertThat(frame.length).isEqualTo(60);
        assertThat(frame[34 + 6]).isZero();
        assertThat(frame[34 + 7]).isZero();
    }
}
