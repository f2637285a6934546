package dev.jdemi.inet.tcp;

import static dev.jdemi.inet.tcp.TestNet.ALICE;
import static dev.jdemi.inet.tcp.TestNet.BOB;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** RFC 6528 initial sequence numbers, RFC 6056 ephemeral ports and the deterministic test mode. */
class TcpIsnAndPortsTest {
    @Test
    void isnDependsOnTheFourTupleAndTheSecretAndAdvancesWithTime() {
        IsnGenerator g = new IsnGenerator(123, 456, false);
        int a = g.isn(ALICE, 1000, BOB, 80, 0);
        int b = g.isn(ALICE, 1001, BOB, 80, 0);
        int other = new IsnGenerator(124, 456, false).isn(ALICE, 1000, BOB, 80, 0);
        assertThat(a).isNotEqualTo(b);
        assertThat(a).isNotEqualTo(other);
        // RFC 6528 section 3: M ticks every 4 microseconds.
        assertThat(g.isn(ALICE, 1000, BOB, 80, 4_000_000) - a).isEqualTo(1000);
        assertThat(g.isn(ALICE, 1000, BOB, 80, 4_000_000)).isEqualTo(a + 1000);
    }

    @Test
    void sipHashSpreadsNeighbouringTuples() {
        IsnGenerator g = new IsnGenerator(1, 2, false);
        Set<Integer> seen = new HashSet<>();
        for (int port = 0; port < 10_000; port++) {
            seen.add((int) g.hash(ALICE, port, BOB, 80, 0));
        }
        assertThat(seen).hasSize(10_000);
    }

    @Test
    void deterministicModeUsesIsnZeroAndPortsFrom65535Down() {
        TestNet net = new TestNet(TestNet.deterministic());
        net.bob.listen(BOB, 80, 8);
        TcpConnection first = net.alice.connect(ALICE, 0, BOB, 80, 123_456_789);
        TcpConnection second = net.alice.connect(ALICE, 0, BOB, 80, 123_456_789);
        assertThat(first.iss()).isZero();
        assertThat(first.localPort()).isEqualTo(65535);
        assertThat(second.localPort()).isEqualTo(65534);
    }

    @Test
    void defaultModeRandomisesIsnsAndPorts() {
        TcpConfig cfg = new TcpConfig();
        TcpStack s1 = new TcpStack(cfg, seg -> { }, 0x1111, 0x2222);
        TcpStack s2 = new TcpStack(cfg, seg -> { }, 0x3333, 0x4444);
        TcpConnection c1 = s1.connect(ALICE, 0, BOB, 80, 0);
        TcpConnection c2 = s2.connect(ALICE, 0, BOB, 80, 0);
        assertThat(c1.iss()).isNotEqualTo(c2.iss());
        assertThat(c1.localPort()).isNotEqualTo(c2.localPort());
        assertThat(c1.localPort()).isBetween(49152, 65535);
        TcpConnection next = s1.connect(ALICE, 0, BOB, 80, 0);
        assertThat(next.localPort()).isNotEqualTo(c1.localPort());
    }
}
