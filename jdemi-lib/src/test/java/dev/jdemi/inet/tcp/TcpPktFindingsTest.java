package dev.jdemi.inet.tcp;

import static dev.jdemi.inet.tcp.TestNet.ALICE;
import static dev.jdemi.inet.tcp.TestNet.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdemi.wire.TcpHeader;
import org.junit.jupiter.api.Test;

/** Bugs first exposed by the {@code .pkt} scripts, pinned down here with the state machine alone. */
class TcpPktFindingsTest {
    @Test
    void aBareFinBeyondAHoleIsAnsweredWithAnImmediateDuplicateAck() {
        TestNet net = new TestNet(TestNet.deterministic().timestamps(false).sack(false));
        TcpConnection[] c = net.connect();
        net.runFor(1000 * MS);
        int before = net.log.size();
        int seq = c[0].sndNxt();
        // Alice's FIN as if 1000 bytes before it were lost: RFC 5681 section 4.2, immediate ACK out of order.
        net.inject(ALICE, TestNet.raw(ALICE, c[0].localPort(), c[1].localPort(), seq + 1000, c[0].rcvNxt(),
                TcpHeader.FLAG_FIN | TcpHeader.FLAG_ACK, 1000, 0, null));
        assertThat(net.log).hasSize(before + 1);
        assertThat(net.last().flags()).isEqualTo(TcpHeader.FLAG_ACK);
        assertThat(net.last().ack()).isEqualTo(seq);
        assertThat(c[1].state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void readsDoNotSendWindowUpdatesWhenTheUnscaledWindowCannotGrow() {
        // Without window scaling a 256 KiB buffer is advertised as 65,535: reading 500 bytes moves the advertised
        // edge by 500, less than the update threshold, so no pure ACK may follow the read.
        TestNet net = new TestNet(TestNet.deterministic().timestamps(false).sack(false).windowScale(0)
                .delayedAckNs(200 * MS));
        TcpConnection[] c = net.connect();
        net.runFor(1000 * MS);
        TestNet.send(c[0], new byte[500], net.nowNs);
        net.deliverAll();
        assertThat(c[1].readable()).isEqualTo(500);
        int before = net.log.size();
        TestNet.readAll(c[1], net.nowNs);
        assertThat(net.log).hasSize(before);
    }

    @Test
    void theUserTimeoutAbortsWhenItExpiresNotAtTheNextBackedOffRto() {
        TestNet net = new TestNet(TestNet.deterministic());
        TcpConnection[] c = net.connect();
        c[0].userTimeoutNs(2500 * MS);
        net.dropFromAlice = true;
        long sentAt = net.nowNs;
        TestNet.send(c[0], new byte[100], net.nowNs);
        net.runUntil(() -> c[0].state() == TcpState.CLOSED, 10_000 * MS);
        // RTO 200 ms backs off to 0.2, 0.6, 1.4, 3.0 s: the abort must not wait for the 3.0 s one.
        assertThat(net.nowNs - sentAt).isEqualTo(2500 * MS);
        assertThat(c[0].error()).isEqualTo(TcpConnection.ETIMEDOUT);
    }
}
