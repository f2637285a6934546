package dev.jdemi.inet.tcp;

/**
 * The sender's SACK scoreboard (RFC 2018, used as RFC 6675 describes): the sorted, disjoint ranges above SND.UNA that
 * the peer reported holding. Recovery retransmits the holes between them. Fixed capacity, allocation-free; a report
 * that would need more ranges than that is ignored (it is advisory: RFC 2018 section 8 lets the receiver renege, so
 * the sender never frees SACKed data before the cumulative ACK). Not thread-safe.
 */
final class SackScoreboard {
    private static final int CAPACITY = 32;
    private final int[] start = new int[CAPACITY];
    private final int[] end = new int[CAPACITY];
    private int count;

    void clear() {
        count = 0;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Records a reported block, clamped to {@code (una, max]}; returns whether anything new was learnt. */
    boolean add(int left, int right, int una, int max) {
        if (Seq.lt(left, una)) {
            left = una;
        }
        if (Seq.gt(right, max)) {
            right = max;
        }
        if (Seq.geq(left, right)) {
            return false;
        }
        int i = 0;
        while (i < count && Seq.lt(end[i], left)) {
            i++;
        }
        int j = i;
        int newStart = left;
        int newEnd = right;
        while (j < count && Seq.leq(start[j], right)) {
            newStart = Seq.min(newStart, start[j]);
            newEnd = Seq.max(newEnd, end[j]);
            j++;
        }
        int merged = j - i;
        if (merged == 1 && start[i] == newStart && end[i] == newEnd) {
            return false;
        }
        if (merged == 0) {
            if (count == CAPACITY) {
                return false;
            }
            System.arraycopy(start, i, start, i + 1, count - i);
            System.arraycopy(end, i, end, i + 1, count - i);
            count++;
        } else if (merged > 1) {
            System.arraycopy(start, j, start, i + 1, count - j);
            System.arraycopy(end, j, end, i + 1, count - j);
            count -= merged - 1;
        }
        start[i] = newStart;
        end[i] = newEnd;
        return true;
    }

    /** Forgets everything below the new SND.UNA. */
    void acknowledge(int una) {
        int drop = 0;
        while (drop < count && Seq.leq(end[drop], una)) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(start, drop, start, 0, count - drop);
            System.arraycopy(end, drop, end, 0, count - drop);
            count -= drop;
        }
        if (count > 0 && Seq.lt(start[0], una)) {
            start[0] = una;
        }
    }

    /** Whether one SACKed range holds all of {@code [from, to)}. */
    boolean covers(int from, int to) {
        for (int i = 0; i < count; i++) {
            if (Seq.leq(start[i], from)) {
                if (Seq.geq(end[i], to)) {
                    return true;
                }
            } else {
                return false;
            }
        }
        return false;
    }

    /** The total SACKed bytes. */
    int sackedBytes() {
        int n = 0;
        for (int i = 0; i < count; i++) {
            n += end[i] - start[i];
        }
        return n;
    }

    /** The end of the highest SACKed range, or {@code una} when empty. */
    int highestSacked(int una) {
        return count == 0 ? una : end[count - 1];
    }

    /** SACKed bytes at or above {@code seq}. */
    int sackedAbove(int seq) {
        int n = 0;
        for (int i = count - 1; i >= 0 && Seq.gt(end[i], seq); i--) {
            n += end[i] - Seq.max(start[i], seq);
        }
        return n;
    }

    /** The first un-SACKed sequence number at or after {@code seq}. */
    int nextUnsacked(int seq) {
        for (int i = 0; i < count; i++) {
            if (Seq.inRange(seq, start[i], end[i])) {
                return end[i];
            }
        }
        return seq;
    }

    /** The start of the first SACKed range after {@code seq}, or {@code limit} when there is none before it. */
    int holeEnd(int seq, int limit) {
        for (int i = 0; i < count; i++) {
            if (Seq.gt(start[i], seq)) {
                return Seq.min(start[i], limit);
            }
        }
        return limit;
    }

    /** Un-SACKed bytes in {@code [from, to)}. */
    int unsackedBetween(int from, int to) {
        if (Seq.geq(from, to)) {
            return 0;
        }
        int n = to - from;
        for (int i = 0; i < count; i++) {
            int s = Seq.max(start[i], from);
            int e = Seq.min(end[i], to);
            if (Seq.lt(s, e)) {
                n -= e - s;
            }
        }
        return n;
    }
}
