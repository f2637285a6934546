package dev.jdemi.phy.afxdp;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One AF_XDP ring, driven from Java: a single-producer single-consumer queue in memory shared with the kernel, whose
 * two u32 index words only grow and wrap at 2^32, with {@code size} entries (a power of two) found at
 * {@code index & mask}.
 *
 * <p>User space is the producer of the fill and transmit rings and the consumer of the receive and completion rings.
 * As in libxdp's {@code xsk.h}, each side keeps cached copies of both words and reads the other side's word (with
 * acquire semantics, which orders it before the entries it covers) only when the cache says the ring is full or
 * empty; it publishes its own word with release semantics, after the entries it wrote or read. Indexes are Java
 * {@code int}s: their subtraction is exact modulo 2^32, so wrapping needs no care.
 *
 * <p>Thread: confined to the device's thread; allocates nothing.
 */
final class XskRing {
    private static final VarHandle INT = JAVA_INT.varHandle();
    /** {@code XDP_RING_NEED_WAKEUP}. */
    private static final int NEED_WAKEUP = 1;

    private final MemorySegment producer;
    private final MemorySegment consumer;
    private final MemorySegment flags;
    private final MemorySegment entries;
    private final int size;
    private final int mask;
    private final int entryBytes;
    /** Producer ring: the next index to produce. Consumer ring: the last producer index seen. */
    private int cachedProd;
    /** Producer ring: the consumer index seen plus {@code size} (the first index not free). Consumer ring: the next
     * index to consume. */
    private int cachedCons;
    /** Consumer ring: the consumer index published. */
    private int released;

    private XskRing(MemorySegment producer, MemorySegment consumer, MemorySegment flags, MemorySegment entries,
            int size, int entryBytes, boolean userProduces) {
        if (size <= 0 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("ring size " + size + " is not a power of two");
        }
        this.producer = producer;
        this.consumer = consumer;
        this.flags = flags;
        this.entries = entries;
        this.size = size;
        this.mask = size - 1;
        this.entryBytes = entryBytes;
        int prod = (int) INT.getAcquire(producer, 0L);
        int cons = (int) INT.getAcquire(consumer, 0L);
        cachedProd = prod;
        cachedCons = userProduces ? cons + size : cons;
        released = cons;
    }

    /**
     * A ring that user space produces into (fill, transmit).
     *
     * @param producer the producer word
     * @param consumer the consumer word
     * @param flags the flags word
     * @param entries the entries
     * @param size how many entries
     * @param entryBytes 8 (addresses) or 16 (descriptors)
     * @return the ring
     */
    static XskRing producer(MemorySegment producer, MemorySegment consumer, MemorySegment flags,
            MemorySegment entries, int size, int entryBytes) {
        return new XskRing(producer, consumer, flags, entries, size, entryBytes, true);
    }

    /**
     * A ring that user space consumes from (receive, completion).
     *
     * @param producer the producer word
     * @param consumer the consumer word
     * @param flags the flags word
     * @param entries the entries
     * @param size how many entries
     * @param entryBytes 8 (addresses) or 16 (descriptors)
     * @return the ring
     */
    static XskRing consumer(MemorySegment producer, MemorySegment consumer, MemorySegment flags,
            MemorySegment entries, int size, int entryBytes) {
        return new XskRing(producer, consumer, flags, entries, size, entryBytes, false);
    }

    /** {@return how many entries the ring has} */
    int size() {
        return size;
    }

    // Producer side.

    /**
     * Free slots, reading the consumer word only when the cached count is below {@code wanted}.
     *
     * @param wanted how many the caller would like
     * @return how many slots may be produced now
     */
    int free(int wanted) {
        int free = cachedCons - cachedProd;
        if (free >= wanted) {
            return free;
        }
        cachedCons = (int) INT.getAcquire(consumer, 0L) + size;
        return cachedCons - cachedProd;
    }

    /** {@return the index of the next entry to produce; entries {@code next()..next()+n-1} are written, then
     * {@link #submit}} */
    int next() {
        return cachedProd;
    }

    /**
     * Publishes {@code n} written entries to the kernel.
     *
     * @param n how many, no more than {@link #free} allowed
     */
    void submit(int n) {
        cachedProd += n;
        INT.setRelease(producer, 0L, cachedProd);
    }

    /** {@return how many produced entries the kernel has not consumed yet (reads the consumer word)} */
    int outstanding() {
        return cachedProd - (int) INT.getAcquire(consumer, 0L);
    }

    // Consumer side.

    /**
     * Entries ready to consume, reading the producer word only when the cache holds none.
     *
     * @param max the most the caller takes
     * @return how many, {@code <= max}
     */
    int ready(int max) {
        int ready = cachedProd - cachedCons;
        if (ready == 0) {
            cachedProd = (int) INT.getAcquire(producer, 0L);
            ready = cachedProd - cachedCons;
        }
        return Math.min(ready, max);
    }

    /** {@return whether an entry is ready, reading the producer word} */
    boolean hasReady() {
        return (int) INT.getAcquire(producer, 0L) != cachedCons;
    }

    /** {@return the index of the next entry to consume} */
    int peek() {
        return cachedCons;
    }

    /**
     * Hands {@code n} consumed entries back to the kernel.
     *
     * @param n how many, no more than {@link #ready} gave
     */
    void release(int n) {
        cachedCons += n;
        released += n;
        INT.setRelease(consumer, 0L, released);
    }

    // Entries and flags.

    /** {@return whether the kernel asks to be woken (a system call) to make progress on this ring} */
    boolean needsWakeup() {
        return ((int) INT.getAcquire(flags, 0L) & NEED_WAKEUP) != 0;
    }

    /** {@return the UMEM address in a fill or completion entry} */
    long address(int index) {
        return entries.get(JAVA_LONG, (long) (index & mask) * entryBytes);
    }

    /** Writes a UMEM address into a fill or completion entry. */
    void setAddress(int index, long address) {
        entries.set(JAVA_LONG, (long) (index & mask) * entryBytes, address);
    }

    /** {@return the length in a receive or transmit descriptor} */
    int length(int index) {
        return entries.get(JAVA_INT, (long) (index & mask) * entryBytes + 8);
    }

    /** Writes a receive or transmit descriptor: address, length, no options. */
    void setDescriptor(int index, long address, int length) {
        long at = (long) (index & mask) * entryBytes;
        entries.set(JAVA_LONG, at, address);
        entries.set(JAVA_INT, at + 8, length);
        entries.set(JAVA_INT, at + 12, 0);
    }
}
