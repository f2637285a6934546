package dev.jdemi.catmem;

import static dev.jdemi.catmem.RingDescriptor.CONSUMER_CLOSED_OFFSET;
import static dev.jdemi.catmem.RingDescriptor.CONSUMER_POSITION_OFFSET;
import static dev.jdemi.catmem.RingDescriptor.HEADER_LENGTH;
import static dev.jdemi.catmem.RingDescriptor.LENGTH_OFFSET;
import static dev.jdemi.catmem.RingDescriptor.PRODUCER_CLOSED_OFFSET;
import static dev.jdemi.catmem.RingDescriptor.PRODUCER_LOCK_OFFSET;
import static dev.jdemi.catmem.RingDescriptor.PRODUCER_POSITION_OFFSET;
import static dev.jdemi.catmem.RingDescriptor.RECORD_HEADER_LENGTH;
import static dev.jdemi.catmem.RingDescriptor.TYPE_DATA;
import static dev.jdemi.catmem.RingDescriptor.TYPE_OFFSET;
import static dev.jdemi.catmem.RingDescriptor.TYPE_PADDING;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One end's view of a ring laid out as {@link RingDescriptor} says: the producer side ({@link #offer}) or the consumer
 * side ({@link #poll}); an object is used for one side only, by one thread.
 *
 * <p>Method names carry their memory ordering, as in JCTools (see {@code package-info}): {@code lv} is a load with
 * acquire semantics, {@code so} an ordered (release) store, {@code lp}/{@code sp} plain, {@code cas} a
 * compare-and-set. The consumer learns of a record from its length word alone (a zero length means "not yet"), so
 * a message costs the consumer the cache lines of the record and nothing else; the producer caches the consumer
 * position in a plain field and reloads it only when the cached value says the ring is full.
 *
 * <p>Return codes, never exceptions: {@link #offer} returns true or false (full); {@link #poll} returns the bytes
 * copied, 0 when empty, or {@link #END_OF_STREAM}. Nothing here allocates.
 */
public final class Ring {
    /** {@link #poll} result: the producer closed and every record was consumed. */
    public static final int END_OF_STREAM = -1;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment header;
    private final MemorySegment data;
    private final int capacity;
    private final int mask;
    private final int maxPayload;
    /** Producer: the consumer position last loaded. Consumer: the producer position last loaded. */
    private long otherPositionCache;
    /** Consumer: bytes of the current record already handed out by partial polls. */
    private int readOffset;

    /**
     * Wraps a ring that lies at the start of a segment.
     *
     * @param ring the segment, at least {@link RingDescriptor#totalLength} long, 8-byte aligned
     * @param capacity the data capacity
     */
    public Ring(MemorySegment ring, int capacity) {
        RingDescriptor.checkCapacity(capacity);
        this.header = ring.asSlice(0, HEADER_LENGTH);
        this.data = ring.asSlice(HEADER_LENGTH, capacity);
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxPayload = RingDescriptor.maxPayload(capacity);
    }

    /** {@return the data capacity} */
    public int capacity() {
        return capacity;
    }

    /** {@return the largest payload {@link #offer} takes} */
    public int maxPayload() {
        return maxPayload;
    }

    // Shared positions and flags, named by ordering.

    private long lvProducerPosition() {
        return (long) LONG.getAcquire(header, (long) PRODUCER_POSITION_OFFSET);
    }

    private void soProducerPosition(long value) {
        LONG.setRelease(header, (long) PRODUCER_POSITION_OFFSET, value);
    }

    private long lvConsumerPosition() {
        return (long) LONG.getAcquire(header, (long) CONSUMER_POSITION_OFFSET);
    }

    private void soConsumerPosition(long value) {
        LONG.setRelease(header, (long) CONSUMER_POSITION_OFFSET, value);
    }

    /** {@return whether the producer closed} */
    public boolean lvProducerClosed() {
        return (int) INT.getAcquire(header, (long) PRODUCER_CLOSED_OFFSET) != 0;
    }

    /** {@return whether the consumer closed} */
    public boolean lvConsumerClosed() {
        return (int) INT.getAcquire(header, (long) CONSUMER_CLOSED_OFFSET) != 0;
    }

    /** Producer side: marks the end of the stream; called after the last {@link #offer}. */
    public void soProducerClosed() {
        INT.setRelease(header, (long) PRODUCER_CLOSED_OFFSET, 1);
    }

    /** Consumer side: tells the producer that nobody reads any more. */
    public void soConsumerClosed() {
        INT.setRelease(header, (long) CONSUMER_CLOSED_OFFSET, 1);
    }

    private boolean casProducerLock(int expect, int update) {
        return INT.compareAndSet(header, (long) PRODUCER_LOCK_OFFSET, expect, update);
    }

    private void soProducerLock(int value) {
        INT.setRelease(header, (long) PRODUCER_LOCK_OFFSET, value);
    }

    // Producer.

    /**
     * Producer side: appends one record if there is room.
     *
     * @param src the payload's memory
     * @param offset where the payload starts in {@code src}
     * @param length the payload's length, 1..{@link #maxPayload()}
     * @return true when the record was published, false when the ring is full
     */
    public boolean offer(MemorySegment src, long offset, int length) {
        if (length < 1 || length > maxPayload) {
            throw new IllegalArgumentException("record payload must be 1.." + maxPayload + " bytes, was " + length);
        }
        // Only this side writes the producer position, but another process may have been the producer before us
        // (shared rings), so it is loaded with acquire rather than kept in a field.
        final long producerPosition = lvProducerPosition();
        final int recordLength = RingDescriptor.recordLength(length);
        final int index = (int) producerPosition & mask;
        final int toEnd = capacity - index;
        final int needed = recordLength <= toEnd ? recordLength : toEnd + recordLength;
        // The header slot after the record must be free too: it is cleared before the record is published.
        if (producerPosition + needed + RECORD_HEADER_LENGTH - otherPositionCache > capacity) {
            otherPositionCache = lvConsumerPosition();
            if (producerPosition + needed + RECORD_HEADER_LENGTH - otherPositionCache > capacity) {
                return false;
            }
        }
        final int at = recordLength <= toEnd ? index : 0;
        spRecordLength((at + recordLength) & mask, 0);
        spRecordType(at, TYPE_DATA);
        MemorySegment.copy(src, offset, data, at + RECORD_HEADER_LENGTH, length);
        soRecordLength(at, length);
        if (at != index) {
            // Published after the record at 0, so a consumer that skips the padding finds that record ready.
            spRecordType(index, TYPE_PADDING);
            soRecordLength(index, toEnd);
        }
        soProducerPosition(producerPosition + needed);
        return true;
    }

    /**
     * Producer side, for a ring that several processes write (catloop's accept queue): {@link #offer} under the
     * ring's producer lock. The lock is held only for the copy of a small record.
     *
     * @param src the payload's memory
     * @param offset where the payload starts
     * @param length the payload's length
     * @return true when published; false when the ring is full or another producer holds the lock (retry later)
     */
    public boolean offerShared(MemorySegment src, long offset, int length) {
        if (!casProducerLock(0, 1)) {
            return false;
        }
        try {
            otherPositionCache = lvConsumerPosition();
            return offer(src, offset, length);
        } finally {
            soProducerLock(0);
        }
    }

    private void spRecordLength(int index, int length) {
        data.set(ValueLayout.JAVA_INT, index + LENGTH_OFFSET, length);
    }

    private void soRecordLength(int index, int length) {
        INT.setRelease(data, (long) index + LENGTH_OFFSET, length);
    }

    private int lvRecordLength(int index) {
        return (int) INT.getAcquire(data, (long) index + LENGTH_OFFSET);
    }

    private void spRecordType(int index, int type) {
        data.set(ValueLayout.JAVA_INT, index + TYPE_OFFSET, type);
    }

    // Consumer.

    /**
     * Consumer side: copies out up to {@code maxBytes} of the next record. A record longer than {@code maxBytes} is
     * handed out over several polls, in order; a poll never spans two records.
     *
     * @param dst where to copy
     * @param offset where in {@code dst}
     * @param maxBytes the most bytes to copy, {@code >= 1}
     * @return the bytes copied, 0 when the ring is empty, or {@link #END_OF_STREAM}
     */
    public int poll(MemorySegment dst, long offset, int maxBytes) {
        final long consumerPosition = lpConsumerPosition();
        long position = consumerPosition;
        while (true) {
            final int index = (int) position & mask;
            int length = lvRecordLength(index);
            if (length == 0) {
                // The closed flag is stored after the last record was published, so a header loaded after seeing
                // the flag is final.
                if (!lvProducerClosed()) {
                    storeConsumed(consumerPosition, position);
                    return 0;
                }
                length = lvRecordLength(index);
                if (length == 0) {
                    storeConsumed(consumerPosition, position);
                    return END_OF_STREAM;
                }
            }
            final int type = data.get(ValueLayout.JAVA_INT, index + TYPE_OFFSET);
            if (type == TYPE_PADDING) {
                position += length;
                continue;
            }
            final int n = Math.min(maxBytes, length - readOffset);
            MemorySegment.copy(data, index + RECORD_HEADER_LENGTH + readOffset, dst, offset, n);
            readOffset += n;
            if (readOffset == length) {
                readOffset = 0;
                position += RingDescriptor.recordLength(length);
            }
            storeConsumed(consumerPosition, position);
            return n;
        }
    }

    /**
     * Consumer side: whether a poll would find a record or the end of the stream.
     *
     * @return true when {@link #poll} would not return 0
     */
    public boolean isReadable() {
        return lvRecordLength((int) lpConsumerPosition() & mask) != 0 || lvProducerClosed();
    }

    private long lpConsumerPosition() {
        return (long) LONG.get(header, (long) CONSUMER_POSITION_OFFSET);
    }

    private void storeConsumed(long before, long after) {
        if (after != before) {
            soConsumerPosition(after);
        }
    }
}
