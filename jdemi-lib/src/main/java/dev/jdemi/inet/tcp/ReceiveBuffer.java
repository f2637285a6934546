package dev.jdemi.inet.tcp;

import java.lang.foreign.MemorySegment;

/**
 * The receive queue of one connection: a byte ring holding data the application has not read yet and, beyond
 * RCV.NXT, out-of-order data stored in place at its final position, with the list of the out-of-order ranges held.
 * The ring bounds the window and so the memory out-of-order data may take; {@code maxRanges} bounds the bookkeeping.
 * Allocated once with the connection; allocation-free afterwards. Not thread-safe.
 */
final class ReceiveBuffer {
    private final byte[] ring;
    private final MemorySegment memory;
    /** Ring position of the next byte the application reads. */
    private int head;
    /** The sequence number of the byte at {@code head}. */
    private int readSeq;
    /** RCV.NXT: the end of the in-order data. */
    private int rcvNxt;
    private final int[] rangeStart;
    private final int[] rangeEnd;
    private int ranges;
    /** The start of the range that grew last, reported first in SACK (RFC 2018 section 4). */
    private int lastRangeSeq;
    private int oooBytes;

    ReceiveBuffer(int capacity, int maxRanges) {
        this.ring = new byte[capacity];
        this.memory = MemorySegment.ofArray(ring);
        this.rangeStart = new int[maxRanges];
        this.rangeEnd = new int[maxRanges];
    }

    void reset(int firstSeq) {
        head = 0;
        readSeq = firstSeq;
        rcvNxt = firstSeq;
        ranges = 0;
        oooBytes = 0;
    }

    int capacity() {
        return ring.length;
    }

    int rcvNxt() {
        return rcvNxt;
    }

    /** Bytes ready for the application. */
    int readable() {
        return rcvNxt - readSeq;
    }

    /** The right edge of the buffer: nothing at or beyond it can be stored. */
    int rightEdge() {
        return readSeq + ring.length;
    }

    /** Free space from RCV.NXT to the right edge. */
    int window() {
        return ring.length - readable();
    }

    int rangeCount() {
        return ranges;
    }

    int oooBytes() {
        return oooBytes;
    }

    /**
     * Stores data that starts at {@code seq}, already trimmed to {@code [rcvNxt, rightEdge())}.
     *
     * @return {@code 1} when in order (RCV.NXT advanced), {@code 0} when stored out of order, {@code -1} when dropped
     *     because a new out-of-order range would exceed the range limit
     */
    int store(int seq, MemorySegment src, long offset, int count) {
        if (count <= 0) {
            return seq == rcvNxt ? 1 : 0;
        }
        if (seq != rcvNxt && !addRange(seq, seq + count)) {
            return -1;
        }
        int pos = (int) ((head + (long) (seq - readSeq)) % ring.length);
        int first = Math.min(count, ring.length - pos);
        MemorySegment.copy(src, offset, memory, pos, first);
        if (count > first) {
            MemorySegment.copy(src, offset + first, memory, 0, count - first);
        }
        if (seq != rcvNxt) {
            return 0;
        }
        rcvNxt = seq + count;
        mergeInOrder();
        return 1;
    }

    /** Pulls ranges now touching RCV.NXT into the in-order data. */
    private void mergeInOrder() {
        while (ranges > 0 && Seq.leq(rangeStart[0], rcvNxt)) {
            if (Seq.gt(rangeEnd[0], rcvNxt)) {
                rcvNxt = rangeEnd[0];
            }
            oooBytes -= rangeEnd[0] - rangeStart[0];
            removeRange(0);
        }
        // A range may now start below rcvNxt only partly: ranges are disjoint and sorted, so the loop is enough.
    }

    private boolean addRange(int start, int end) {
        int i = 0;
        while (i < ranges && Seq.lt(rangeEnd[i], start)) {
            i++;
        }
        // i is the first range that ends at or after start: merge every range overlapping or touching [start, end).
        int j = i;
        int newStart = start;
        int newEnd = end;
        while (j < ranges && Seq.leq(rangeStart[j], end)) {
            newStart = Seq.min(newStart, rangeStart[j]);
            newEnd = Seq.max(newEnd, rangeEnd[j]);
            j++;
        }
        int merged = j - i;
        if (merged == 0 && ranges == rangeStart.length) {
            return false;
        }
        for (int k = i; k < j; k++) {
            oooBytes -= rangeEnd[k] - rangeStart[k];
        }
        if (merged == 0) {
            System.arraycopy(rangeStart, i, rangeStart, i + 1, ranges - i);
            System.arraycopy(rangeEnd, i, rangeEnd, i + 1, ranges - i);
            ranges++;
        } else if (merged > 1) {
            System.arraycopy(rangeStart, j, rangeStart, i + 1, ranges - j);
            System.arraycopy(rangeEnd, j, rangeEnd, i + 1, ranges - j);
            ranges -= merged - 1;
        }
        rangeStart[i] = newStart;
        rangeEnd[i] = newEnd;
        oooBytes += newEnd - newStart;
        lastRangeSeq = newStart;
        return true;
    }

    private void removeRange(int i) {
        System.arraycopy(rangeStart, i + 1, rangeStart, i, ranges - i - 1);
        System.arraycopy(rangeEnd, i + 1, rangeEnd, i, ranges - i - 1);
        ranges--;
    }

    /** Copies up to {@code max} readable bytes out and frees their space; returns the count. */
    int read(MemorySegment dst, long offset, int max) {
        int n = Math.min(max, readable());
        int first = Math.min(n, ring.length - head);
        MemorySegment.copy(memory, head, dst, offset, first);
        if (n > first) {
            MemorySegment.copy(memory, 0, dst, offset + first, n - first);
        }
        head = (head + n) % ring.length;
        readSeq += n;
        return n;
    }

    /**
     * Fills SACK blocks (RFC 2018 section 4): the range holding the most recent segment first, then the others.
     *
     * @return the number of blocks written, at most {@code maxBlocks}
     */
    int sackBlocks(dev.jdemi.wire.TcpOptions into, int maxBlocks) {
        int n = 0;
        int first = -1;
        for (int i = 0; i < ranges; i++) {
            if (Seq.inRange(lastRangeSeq, rangeStart[i], rangeEnd[i] + 1)) {
                first = i;
                break;
            }
        }
        if (first >= 0 && n < maxBlocks) {
            into.addSackBlock(rangeStart[first], rangeEnd[first]);
            n++;
        }
        for (int i = ranges - 1; i >= 0 && n < maxBlocks; i--) {
            if (i != first) {
                into.addSackBlock(rangeStart[i], rangeEnd[i]);
                n++;
            }
        }
        return n;
    }
}
