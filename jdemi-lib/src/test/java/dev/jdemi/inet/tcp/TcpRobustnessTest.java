package dev.jdemi.inet.tcp;

import static dev.jdemi.inet.tcp.TestNet.ALICE;
import static dev.jdemi.inet.tcp.TestNet.BOB;
import static dev.jdemi.inet.tcp.TestNet.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdemi.wire.TcpHeader;
import dev.jdemi.wire.TcpOptions;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hostile and random input: the machine never throws, and blind attacks do not break a connection. */
class TcpRobustnessTest {
    @Test
    void randomSegmentsAtAnOpenConnectionNeverThrowAndBlindOnesDoNotHurtIt() {
        TestNet net = new TestNet(TestNet.deterministic());
        TcpConnection[] c = net.connect();
        Random r = new Random(7);
        int port = c[0].localPort();
        for (int i = 0; i < 20_000; i++) {
            TcpOptions o = new TcpOptions();
            if (r.nextBoolean()) {
                o.timestamps(r.nextInt(), r.nextInt());
            }
            if (r.nextInt(4) == 0) {
                o.addSackBlock(r.nextInt(), r.nextInt());
            }
            if (r.nextInt(8) == 0) {
                o.mss(r.nextInt(65536)).windowScale(r.nextInt(15)).sackPermitted(true);
            }
            // Blind: random sequence and acknowledgment numbers, so RST/SYN almost never hit the window exactly.
            int flags = r.nextInt(256) & ~0x20;
            byte[] seg = TestNet.raw(BOB, 80, port, r.nextInt(), r.nextInt(), flags, r.nextInt(65536),
                    r.nextInt(3) == 0 ? r.nextInt(1400) : 0, o);
            net.inject(BOB, seg);
        }
        net.runFor(1000 * MS);
        assertThat(c[0].state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(net.alice.drops(TcpDrop.OUT_OF_WINDOW) + net.alice.drops(TcpDrop.PAWS)).isGreaterThan(10_000);
        // The challenge-ACK limit held: at most 1000 per second of virtual time.
        assertThat(net.alice.challengeAcksSent()).isLessThanOrEqualTo(1000);
        byte[] data = TcpStateMachineTest.pattern(100_000, 1);
        TestNet.send(c[0], data, net.nowNs);
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        net.runUntil(() -> {
            got.writeBytes(TestNet.readAll(c[1], net.nowNs));
            return got.size() == data.length;
        }, 10_000 * MS);
        assertThat(got.toByteArray()).isEqualTo(data);
    }

    @Test
    void randomBytesAtTheStackAreDroppedAndCountedNeverThrown() {
        TestNet net = new TestNet(TestNet.deterministic());
        net.bob.listen(BOB, 80, 4);
        Random r = new Random(9);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[r.nextInt(80)];
            r.nextBytes(bytes);
            if (bytes.length >= 20 && r.nextBoolean()) {
                // Make the checksum right so the garbage reaches the state machine.
                TcpHeader h = new TcpHeader().wrap(java.lang.foreign.MemorySegment.ofArray(bytes), 0, bytes.length);
                if (h.headerLength() >= 20 && h.headerLength() <= bytes.length) {
                    h.computeChecksum(ALICE, BOB);
                }
            }
            net.inject(ALICE, bytes);
        }
        assertThat(net.bob.drops(TcpDrop.MALFORMED)).isGreaterThan(5_000);
        // The listener still works.
        TcpConnection a = net.alice.connect(ALICE, 40_000, BOB, 80, net.nowNs);
        net.runUntil(() -> a.state() == TcpState.ESTABLISHED, 10_000 * MS);
    }

    @Test
    void largeWindowScaleAndBuffersCarryABigTransfer() {
        TcpConfig cfg = TestNet.deterministic().windowScale(14).receiveBufferBytes(4 << 20).sendBufferBytes(4 << 20)
                .initialCwndSegments(100);
        TestNet net = new TestNet(cfg);
        net.oneWayNs = 20 * MS;
        TcpConnection[] c = net.connect();
        assertThat(c[0].sendWindowShift()).isEqualTo(14);
        byte[] data = TcpStateMachineTest.pattern(8 << 20, 3);
        int[] sent = {0};
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        net.runUntil(() -> {
            while (sent[0] < data.length) {
                int n = c[0].send(java.lang.foreign.MemorySegment.ofArray(data), sent[0],
                        Math.min(65_535, data.length - sent[0]), net.nowNs);
                if (n <= 0) {
                    break;
                }
                sent[0] += n;
            }
            got.writeBytes(TestNet.readAll(c[1], net.nowNs));
            return got.size() == data.length;
        }, 100_000 * MS);
        assertThat(got.toByteArray()).isEqualTo(data);
        // The window grew past what 16 bits can say: more than 64 KiB was in flight at once.
        assertThat(c[0].sendWindow()).isGreaterThan(1 << 20);
        assertThat(c[0].cwnd()).isGreaterThan(65_535);
    }
}
