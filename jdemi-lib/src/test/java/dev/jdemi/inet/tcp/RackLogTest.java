package dev.jdemi.inet.tcp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** RACK's transmission log and loss detection (RFC 8985 section 6), on its own. */
class RackLogTest {
    private static final int MSS = 1000;
    private static final long MS = 1_000_000L;

    /** Sends {@code n} MSS-sized segments from sequence 1, one per millisecond from {@code t0}. */
    private static RackLog sent(int n, long t0) {
        RackLog log = new RackLog(64);
        for (int i = 0; i < n; i++) {
            log.sent(1 + i * MSS, 1 + (i + 1) * MSS, t0 + i * MS);
        }
        return log;
    }

    private static SackScoreboard sacked(int left, int right) {
        SackScoreboard board = new SackScoreboard();
        board.add(left, right, 1, 1 << 20);
        return board;
    }

    @Test
    void aSegmentSentBeforeADeliveredOneIsLostOnceItsRttAndTheReorderingWindowHavePassed() {
        RackLog log = sent(4, 0);
        // Segment 1 (seq 1..1001) is lost; segment 2 is SACKed 10 ms after it was sent.
        log.delivered(1, sacked(1001, 2001), 11 * MS);
        assertThat(log.rttNs()).isEqualTo(10 * MS);
        // Step 5: segment 1 was sent at 0, RACK.rtt is 10 ms, reo_wnd 2 ms: lost from 12 ms on, not before.
        long wait = log.detect(2 * MS, 11 * MS);
        assertThat(log.firstLost()).isEqualTo(-1);
        assertThat(wait).isEqualTo(MS);
        assertThat(log.detect(2 * MS, 12 * MS)).isZero();
        assertThat(log.firstLost()).isZero();
        assertThat(log.lostBytes()).isEqualTo(MSS);
        // Segments 3 and 4 were sent after the delivered one: not lost, still in the pipe.
        assertThat(log.pipe()).isEqualTo(2L * MSS);
    }

    @Test
    void aLostRetransmissionIsFoundWhenDataSentAfterItIsDelivered() {
        RackLog log = sent(3, 0);
        log.delivered(1, sacked(1001, 2001), 10 * MS);
        log.detect(0, 10 * MS);
        assertThat(log.firstLost()).isZero();
        // The retransmission at 10 ms is lost too; then segment 4, sent at 11 ms, is SACKed at 21 ms.
        log.retransmitted(1, 1001, 10 * MS);
        assertThat(log.firstLost()).isEqualTo(-1);
        log.sent(3001, 4001, 11 * MS);
        SackScoreboard board = sacked(1001, 2001);
        board.add(3001, 4001, 1, 1 << 20);
        log.delivered(1, board, 21 * MS);
        log.detect(0, 21 * MS);
        assertThat(log.firstLost()).as("the retransmission is lost again").isZero();
        // Segment 3 (2001..3001) was sent at 2 ms, before segment 4: lost as well.
        assertThat(log.lostBytes()).isEqualTo(2L * MSS);
    }

    @Test
    void anAckOfARetransmissionSoonerThanTheMinimumRttDoesNotMoveRack() {
        RackLog log = sent(2, 0);
        log.delivered(1001, new SackScoreboard(), 10 * MS);
        assertThat(log.minRttNs()).isEqualTo(10 * MS);
        log.retransmitted(1001, 2001, 20 * MS);
        // Acknowledged 1 ms after the retransmission: caused by the original (RFC 8985 step 2), ignored.
        log.delivered(2001, new SackScoreboard(), 21 * MS);
        assertThat(log.rttNs()).isEqualTo(10 * MS);
        assertThat(log.size()).isZero();
    }

    @Test
    void theReorderingWindowIsZeroInRecoveryUntilReorderingIsSeenThenAQuarterOfTheMinimumRtt() {
        RackLog log = sent(3, 0);
        log.delivered(1001, new SackScoreboard(), 8 * MS);
        assertThat(log.reoWndNs(true, 0, 3, 20 * MS)).isZero();
        assertThat(log.reoWndNs(false, 0, 3, 20 * MS)).isEqualTo(2 * MS);
        assertThat(log.reoWndNs(false, 3, 3, 20 * MS)).isZero();
        // Segment 3 SACKed first, then segment 2 (never retransmitted) arrives: reordering (step 1).
        log.delivered(1001, sacked(2001, 3001), 10 * MS);
        log.delivered(3001, sacked(2001, 3001), 11 * MS);
        assertThat(log.reorderingSeen()).isTrue();
        assertThat(log.reoWndNs(true, 3, 3, 20 * MS)).isEqualTo(2 * MS);
        // A spurious retransmission widens it, SRTT bounds it.
        log.spuriousRetransmission();
        assertThat(log.reoWndNs(true, 3, 3, 20 * MS)).isEqualTo(4 * MS);
        assertThat(log.reoWndNs(true, 3, 3, 3 * MS)).isEqualTo(3 * MS);
    }

    @Test
    void aTimeoutMarksEverythingUnsackedLostAndTheCumulativeAckDropsRecords() {
        RackLog log = sent(4, 0);
        log.delivered(1, sacked(2001, 3001), 5 * MS);
        log.timeout(false);
        assertThat(log.lostBytes()).isEqualTo(3L * MSS);
        log.timeout(true);
        assertThat(log.lostBytes()).isEqualTo(4L * MSS);
        log.delivered(1501, new SackScoreboard(), 6 * MS);
        assertThat(log.size()).isEqualTo(3);
        assertThat(log.start(0)).isEqualTo(1501);
        log.delivered(4001, new SackScoreboard(), 7 * MS);
        assertThat(log.size()).isZero();
    }

    @Test
    void aFullLogMergesTheNewestRecords() {
        RackLog log = new RackLog(16);
        for (int i = 0; i < 40; i++) {
            log.sent(1 + i * MSS, 1 + (i + 1) * MSS, i);
        }
        assertThat(log.size()).isEqualTo(32);
        assertThat(log.end(31)).isEqualTo(1 + 40 * MSS);
        assertThat(log.xmitNs(31)).isEqualTo(39);
    }
}
