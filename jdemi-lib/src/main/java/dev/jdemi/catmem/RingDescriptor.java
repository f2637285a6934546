package dev.jdemi.catmem;

/**
 * The layout of one catmem ring in shared memory: a single-producer, single-consumer queue of variable-length
 * records, in the manner of Agrona's {@code RingBufferDescriptor}.
 *
 * <pre>
 *   0                                                              ring header (HEADER_LENGTH = 512 bytes)
 *   +-------------------------------+  PRODUCER_POSITION_OFFSET   long, written by the producer only (release)
 *   |  padding to 128               |
 *   +-------------------------------+  CONSUMER_POSITION_OFFSET   long, written by the consumer only (release)
 *   |  padding to 256               |
 *   +-------------------------------+  PRODUCER_CLOSED_OFFSET     int, 0 then 1 once the producer closed (release)
 *   |                               |  PRODUCER_LOCK_OFFSET       int, 0 free / 1 held (CAS): shared producers only
 *   |  padding to 384               |
 *   +-------------------------------+  CONSUMER_CLOSED_OFFSET     int, 0 then 1 once the consumer closed (release)
 *   |  padding to 512               |
 *   +-------------------------------+  HEADER_LENGTH
 *   |  data: capacity bytes         |  records, each RECORD_ALIGNMENT-aligned:
 *   |  (a power of two)             |    [int length][int type][payload][pad to 8]
 *   +-------------------------------+
 * </pre>
 *
 * <p>Positions are byte counts since the ring was created: they only grow, so there is no ABA and
 * {@code producer - consumer} is the number of bytes in use; a record lies at {@code position & (capacity - 1)}.
 * Each position sits on its own pair of cache lines (128 bytes, against the adjacent-line prefetcher), so the two
 * sides never write the same line.
 *
 * <p>A record never wraps: when one does not fit before the end of the data, the producer fills the rest with a
 * {@link #TYPE_PADDING} record whose length field is the whole gap, and starts the record at offset 0. Hence the
 * largest payload is {@link #maxPayload(int)}, half the capacity less a header.
 *
 * <p>Ordering: a record is published by its length word. The producer first clears the length word of the slot
 * after the record (plain store; that slot is free space, so the consumer stops there), writes the type and the
 * payload with plain stores, and then stores the length with release; the consumer loads the length at its position
 * with acquire, and 0 means "nothing yet". A padding record is published after the record it makes room for, so a
 * consumer that skips the padding finds that record ready. The producer position is the producer's own bookkeeping
 * (shared so that producers of several processes can take turns under the lock); the consumer never reads it. The
 * consumer frees space by a release store of the consumer position, which the producer loads with acquire before
 * reusing the space, and since it must also clear the next slot, a record needs its length plus one header of free
 * space. A closed flag is stored (release) after the last record of its side.
 */
public final class RingDescriptor {
    /** The producer position: bytes ever published. */
    public static final int PRODUCER_POSITION_OFFSET = 0;
    /** The consumer position: bytes ever consumed. */
    public static final int CONSUMER_POSITION_OFFSET = 128;
    /** Set to 1 when the producer closed: after the data up to the producer position, nothing more comes. */
    public static final int PRODUCER_CLOSED_OFFSET = 256;
    /** A spin lock that serialises producers of several processes on a shared ring (catloop's accept queue). */
    public static final int PRODUCER_LOCK_OFFSET = 260;
    /** Set to 1 when the consumer closed: nothing will read what is pushed. */
    public static final int CONSUMER_CLOSED_OFFSET = 384;
    /** The length of the ring header, before the data. */
    public static final int HEADER_LENGTH = 512;
    /** A record's header: {@code [int length][int type]}. */
    public static final int RECORD_HEADER_LENGTH = 8;
    /** Records start at multiples of this. */
    public static final int RECORD_ALIGNMENT = 8;
    /** Offset of the length in a record header: the payload's length, or a padding record's whole length. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the type in a record header. */
    public static final int TYPE_OFFSET = 4;
    /** A record of application data. */
    public static final int TYPE_DATA = 1;
    /** A gap up to the end of the data, to be skipped. */
    public static final int TYPE_PADDING = 2;

    private RingDescriptor() {
    }

    /**
     * Returns the bytes a ring of some capacity occupies.
     *
     * @param capacity the data capacity, a power of two
     * @return header plus capacity
     */
    public static long totalLength(int capacity) {
        return HEADER_LENGTH + (long) capacity;
    }

    /**
     * Returns the space a record with some payload takes in the data.
     *
     * @param payload the payload's length
     * @return header plus payload, rounded up to {@link #RECORD_ALIGNMENT}
     */
    public static int recordLength(int payload) {
        return (payload + RECORD_HEADER_LENGTH + RECORD_ALIGNMENT - 1) & -RECORD_ALIGNMENT;
    }

    /**
     * Returns the largest payload a ring takes: with a record of at most half the capacity, a padding record and
     * the record always fit into an empty ring.
     *
     * @param capacity the data capacity
     * @return the largest payload in bytes
     */
    public static int maxPayload(int capacity) {
        return capacity / 2 - RECORD_HEADER_LENGTH;
    }

    /**
     * Checks a capacity.
     *
     * @param capacity the data capacity
     * @return the capacity
     * @throws IllegalArgumentException unless a power of two of at least 1 KiB
     */
    public static int checkCapacity(int capacity) {
        if (capacity < 1024 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two >= 1024, was " + capacity);
        }
        return capacity;
    }
}
