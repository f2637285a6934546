package dev.jdemi.inet.tcp;

/**
 * RACK loss detection (RFC 8985 section 6): the sender's log of the segments in flight, each with the time of its
 * latest transmission, and the RACK state learnt from the segments delivered (cumulatively acknowledged or SACKed).
 * A segment is lost when a segment sent after it has been delivered and more than {@code RACK.rtt + RACK.reo_wnd}
 * has passed since it was sent: this finds lost retransmissions and losses in windows too small for three duplicate
 * ACKs, which DupThresh alone (RFC 6675) leaves to the retransmission timeout.
 *
 * <p>The log is a ring of records in sequence order covering {@code [SND.UNA, SND.MAX)}; a record is one
 * transmission as sent (at most one MSS), so retransmissions keep the original boundaries. When the ring is full the
 * newest record absorbs the new one (its time becomes the newer), which only coarsens detection. Fixed capacity,
 * allocation-free; not thread-safe.
 */
final class RackLog {
    /** The segment has been SACKed. */
    static final byte SACKED = 1;
    /** RACK (or a timeout) marked the segment lost and it has not been sent again since. */
    static final byte LOST = 2;
    /** The segment has been sent more than once. */
    static final byte RETRANSMITTED = 4;

    private final int[] start;
    private final int[] end;
    private final long[] xmitNs;
    private final byte[] flags;
    private final int mask;
    private int head;
    private int count;

    // RACK state (RFC 8985 section 6.1).
    private long rackXmitNs = Long.MIN_VALUE;
    private int rackEndSeq;
    private long rackRttNs;
    private long minRttNs = Long.MAX_VALUE;
    private boolean reordering;
    private int fack;
    private boolean hasFack;
    private int reoWndMult = 1;
    private int reoWndPersist;

    /**
     * Creates a log.
     *
     * @param segments the most records kept; rounded up to a power of two
     */
    RackLog(int segments) {
        int capacity = Integer.highestOneBit(Math.max(16, segments - 1)) << 1;
        start = new int[capacity];
        end = new int[capacity];
        xmitNs = new long[capacity];
        flags = new byte[capacity];
        mask = capacity - 1;
    }

    /** Forgets every record and the RACK state (a new connection). */
    void reset() {
        count = 0;
        head = 0;
        rackXmitNs = Long.MIN_VALUE;
        rackRttNs = 0;
        minRttNs = Long.MAX_VALUE;
        reordering = false;
        hasFack = false;
        reoWndMult = 1;
        reoWndPersist = 0;
    }

    int size() {
        return count;
    }

    int start(int i) {
        return start[(head + i) & mask];
    }

    int end(int i) {
        return end[(head + i) & mask];
    }

    byte flags(int i) {
        return flags[(head + i) & mask];
    }

    long xmitNs(int i) {
        return xmitNs[(head + i) & mask];
    }

    /** {@return the latest RTT measured from a delivered segment (RACK.rtt), or 0 before any} */
    long rttNs() {
        return rackRttNs;
    }

    /** {@return the least RTT measured from delivered segments that were never retransmitted, or 0 before any} */
    long minRttNs() {
        return minRttNs == Long.MAX_VALUE ? 0 : minRttNs;
    }

    /** {@return whether a segment was seen delivered out of order (RACK.reord)} */
    boolean reorderingSeen() {
        return reordering;
    }

    /** A first transmission of {@code [from, to)}, at {@code SND.MAX}. */
    void sent(int from, int to, long nowNs) {
        if (count == start.length) {
            int last = (head + count - 1) & mask;
            end[last] = to;
            xmitNs[last] = nowNs;
            return;
        }
        int slot = (head + count) & mask;
        start[slot] = from;
        end[slot] = to;
        xmitNs[slot] = nowNs;
        flags[slot] = 0;
        count++;
    }

    /** {@code [from, to)} was sent again: every record it touches takes the new time and is no longer lost. */
    void retransmitted(int from, int to, long nowNs) {
        for (int i = 0; i < count; i++) {
            int slot = (head + i) & mask;
            if (Seq.geq(start[slot], to)) {
                return;
            }
            if (Seq.gt(end[slot], from)) {
                xmitNs[slot] = nowNs;
                flags[slot] = (byte) ((flags[slot] | RETRANSMITTED) & ~LOST);
            }
        }
    }

    /**
     * Takes an ACK: records wholly covered by the cumulative ACK or by a SACKed range are delivered and update the
     * RACK state (RFC 8985 section 6.2 steps 1 to 3); records below the cumulative ACK are dropped.
     *
     * @param una the cumulative ACK (the new SND.UNA, or the old one for a duplicate)
     * @param scoreboard the SACKed ranges, already updated with this ACK's blocks
     * @param nowNs the ACK's arrival time
     */
    void delivered(int una, SackScoreboard scoreboard, long nowNs) {
        boolean sack = !scoreboard.isEmpty();
        if (sack) {
            int high = scoreboard.highestSacked(una);
            if (!hasFack || Seq.gt(high, fack)) {
                fack = high;
                hasFack = true;
            }
        }
        int i = 0;
        for (; i < count; i++) {
            int slot = (head + i) & mask;
            boolean cumulative = Seq.leq(end[slot], una);
            if (!cumulative && !sack) {
                break;
            }
            if ((flags[slot] & SACKED) != 0) {
                continue;
            }
            if (cumulative || scoreboard.covers(start[slot], end[slot])) {
                update(slot, nowNs);
                flags[slot] |= SACKED;
            }
        }
        while (count > 0 && Seq.leq(end[head], una)) {
            head = (head + 1) & mask;
            count--;
        }
        if (count > 0 && Seq.lt(start[head], una)) {
            start[head] = una;
        }
    }

    /** RFC 8985 section 6.2 steps 1 to 3 for one delivered record. */
    private void update(int slot, long nowNs) {
        long rtt = nowNs - xmitNs[slot];
        boolean retransmitted = (flags[slot] & RETRANSMITTED) != 0;
        // Step 1: "RACK.reord = TRUE" when a segment that was never retransmitted is delivered below RACK.fack.
        if (!retransmitted && hasFack && Seq.lt(end[slot], fack)) {
            reordering = true;
        }
        // Step 2: an ACK of a retransmitted segment is ambiguous when it came sooner than the least RTT: it was
        // probably caused by the original transmission, so it must not move RACK.xmit_ts.
        if (retransmitted && rtt < minRttNs) {
            return;
        }
        if (rtt <= 0) {
            // Sent and delivered within one clock reading: no information about the path.
            return;
        }
        if (!retransmitted) {
            minRttNs = Math.min(minRttNs, rtt);
        }
        // Step 3: RACK.xmit_ts, RACK.end_seq and RACK.rtt follow the most recently sent delivered segment.
        if (xmitNs[slot] > rackXmitNs || (xmitNs[slot] == rackXmitNs && Seq.gt(end[slot], rackEndSeq))) {
            rackXmitNs = xmitNs[slot];
            rackEndSeq = end[slot];
            rackRttNs = rtt;
        }
    }

    /**
     * RFC 8985 section 6.2 step 4: the reordering window. Zero when no reordering has been seen and the sender is
     * in recovery or has DupThresh segments SACKed (losses, not reordering, are then the likely cause); else a
     * quarter of the least RTT, scaled by {@link #spuriousRetransmission}, at most SRTT.
     */
    long reoWndNs(boolean inRecovery, int sackedSegments, int dupThresh, long srttNs) {
        if (!reordering && (inRecovery || sackedSegments >= dupThresh)) {
            return 0;
        }
        long window = (long) reoWndMult * (minRttNs() / 4);
        return srttNs > 0 ? Math.min(window, srttNs) : window;
    }

    /**
     * RFC 8985 section 6.2 step 4 grows the reordering window when DSACK shows a retransmission was spurious; jdemi
     * sends no D-SACK-based undo, so the timestamp-based detection (RFC 3522) is the signal instead. The window
     * returns to its base after 16 recoveries without one.
     */
    void spuriousRetransmission() {
        reoWndMult = Math.min(reoWndMult + 1, 64);
        reoWndPersist = 16;
    }

    /** A recovery ended: counts down the persistence of a grown reordering window (RFC 8985 step 4). */
    void recoveryEnded() {
        if (reoWndPersist > 0 && --reoWndPersist == 0) {
            reoWndMult = 1;
        }
    }

    /**
     * RFC 8985 section 6.2 step 5: marks lost every record not delivered that was sent before the most recently
     * sent delivered one and more than {@code RACK.rtt + reoWnd} ago.
     *
     * @param reoWndNs the reordering window
     * @param nowNs the time
     * @return 0 when nothing waits, else the time until the last waiting record would be lost (the reordering
     *         timer, RFC 8985 section 6.2 step 5)
     */
    long detect(long reoWndNs, long nowNs) {
        if (rackXmitNs == Long.MIN_VALUE) {
            return 0;
        }
        long timeout = 0;
        for (int i = 0; i < count; i++) {
            int slot = (head + i) & mask;
            if ((flags[slot] & (SACKED | LOST)) != 0) {
                continue;
            }
            boolean sentBefore = xmitNs[slot] < rackXmitNs
                    || (xmitNs[slot] == rackXmitNs && Seq.lt(end[slot], rackEndSeq));
            if (!sentBefore) {
                continue;
            }
            long remaining = xmitNs[slot] + rackRttNs + reoWndNs - nowNs;
            if (remaining <= 0) {
                flags[slot] |= LOST;
            } else {
                timeout = Math.max(timeout, remaining);
            }
        }
        return timeout;
    }

    /** A retransmission timeout: every record not SACKed is lost (RFC 8985 section 6.3, as RFC 6675 section 5.1). */
    void timeout(boolean forgetSacks) {
        for (int i = 0; i < count; i++) {
            int slot = (head + i) & mask;
            if (forgetSacks) {
                flags[slot] &= ~SACKED;
            }
            if ((flags[slot] & SACKED) == 0) {
                flags[slot] |= LOST;
            }
        }
    }

    /** Marks record {@code i} lost (RFC 6675's DupThresh rule found it so). */
    void markLost(int i) {
        flags[(head + i) & mask] |= LOST;
    }

    /** {@return the index of the first record marked lost, or -1} */
    int firstLost() {
        for (int i = 0; i < count; i++) {
            if ((flags[(head + i) & mask] & LOST) != 0) {
                return i;
            }
        }
        return -1;
    }

    /** {@return the bytes of the records marked lost} */
    long lostBytes() {
        long n = 0;
        for (int i = 0; i < count; i++) {
            int slot = (head + i) & mask;
            if ((flags[slot] & LOST) != 0) {
                n += end[slot] - start[slot];
            }
        }
        return n;
    }

    /**
     * The data in flight (RFC 6675 section 4's pipe, with RACK's marks as IsLost): records neither SACKed nor marked
     * lost.
     *
     * @return bytes
     */
    long pipe() {
        long n = 0;
        for (int i = 0; i < count; i++) {
            int slot = (head + i) & mask;
            if ((flags[slot] & (SACKED | LOST)) == 0) {
                n += end[slot] - start[slot];
            }
        }
        return n;
    }
}
