package dev.jdemi.inet.tcp;

import java.lang.foreign.MemorySegment;

/**
 * The send queue of one connection: a byte ring holding the data from SND.UNA (or the first data byte, while the SYN
 * is unacknowledged) up to the last byte the application pushed, so that anything unacknowledged can be sent again.
 * Allocated once with the connection; allocation-free afterwards. Not thread-safe.
 */
final class SendBuffer {
    private final byte[] ring;
    private final MemorySegment memory;
    private int head;
    private int length;
    /** The sequence number of the byte at {@code head}. */
    private int startSeq;

    SendBuffer(int capacity) {
        this.ring = new byte[capacity];
        this.memory = MemorySegment.ofArray(ring);
    }

    void reset(int firstSeq) {
        head = 0;
        length = 0;
        startSeq = firstSeq;
    }

    int capacity() {
        return ring.length;
    }

    int length() {
        return length;
    }

    int free() {
        return ring.length - length;
    }

    int startSeq() {
        return startSeq;
    }

    /** The sequence number after the last queued byte. */
    int endSeq() {
        return startSeq + length;
    }

    /** Appends up to {@code free()} bytes; returns how many were taken. */
    int append(MemorySegment src, long offset, int count) {
        int n = Math.min(count, free());
        int tail = (head + length) % ring.length;
        int first = Math.min(n, ring.length - tail);
        MemorySegment.copy(src, offset, memory, tail, first);
        if (n > first) {
            MemorySegment.copy(src, offset + first, memory, 0, n - first);
        }
        length += n;
        return n;
    }

    /** Drops acknowledged bytes before {@code seq}. */
    void acknowledge(int seq) {
        if (Seq.leq(seq, startSeq)) {
            return;
        }
        int n = Math.min(seq - startSeq, length);
        head = (head + n) % ring.length;
        length -= n;
        startSeq += n;
    }

    /** Points the segment's payload slices at {@code count} bytes from sequence number {@code seq}. */
    void slice(int seq, int count, OutboundSegment out) {
        int pos = (head + (seq - startSeq)) % ring.length;
        int first = Math.min(count, ring.length - pos);
        out.payload1 = memory;
        out.payload1Offset = pos;
        out.payload1Length = first;
        out.payload2 = memory;
        out.payload2Offset = 0;
        out.payload2Length = count - first;
    }
}
