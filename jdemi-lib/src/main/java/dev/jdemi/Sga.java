package dev.jdemi;

import java.lang.foreign.MemorySegment;

/**
 * A scatter-gather array: the unit of data that {@code push}, {@code pushTo} and {@code pop} move.
 *
 * <p>jdemi's SGAs have exactly one segment of off-heap memory of at most {@link #MAX_SIZE} bytes, as upstream's
 * ({@code DEMI_SGARRAY_MAXSIZE = 1}). An SGA comes from {@link LibOS#sgaAlloc(int)} or from a completed pop, and
 * belongs to the application until it hands it back with {@link LibOS#sgaFree(Sga)}.
 *
 * <p>Ownership: a push takes its own reference to the bytes, so the application may free the SGA as soon as
 * {@code push} returns. Changing the bytes before the push completes is undefined: the data is not copied.
 * An SGA must not be used after it was freed; jdemi recycles SGA objects.
 *
 * <p>Thread: an SGA belongs to the LibOS (and thread) that made it.
 */
public interface Sga {
    /** The largest SGA, in bytes: upstream's DemiBuffer lengths are 16-bit. */
    int MAX_SIZE = 65_535;

    /**
     * Returns the SGA's data as a memory segment.
     *
     * @return a segment over exactly {@link #length()} bytes, starting at {@link #address()}
     */
    MemorySegment segment();

    /** {@return the number of data bytes} */
    int length();

    /** {@return the native address of the first data byte} */
    long address();

    /**
     * Narrows the SGA to a part of its current data, as a C program may narrow {@code sga_segs[0]}.
     *
     * @param offset how many bytes to drop from the front, {@code 0 <= offset <= length()}
     * @param length the new length, {@code 0 <= length <= length() - offset}
     * @throws DemiException EINVAL when the part lies outside the current data
     */
    void narrow(int offset, int length);

    /**
     * Copies bytes from the heap into the SGA.
     *
     * @param offset where in the SGA to start writing
     * @param src the source array
     * @param srcOffset the first byte of {@code src} to copy
     * @param length how many bytes
     */
    default void write(int offset, byte[] src, int srcOffset, int length) {
        MemorySegment.copy(src, srcOffset, segment(), java.lang.foreign.ValueLayout.JAVA_BYTE, offset, length);
    }

    /**
     * Copies bytes from the SGA to the heap.
     *
     * @param offset where in the SGA to start reading
     * @param dst the destination array
     * @param dstOffset the first byte of {@code dst} to fill
     * @param length how many bytes
     */
    default void read(int offset, byte[] dst, int dstOffset, int length) {
        MemorySegment.copy(segment(), java.lang.foreign.ValueLayout.JAVA_BYTE, offset, dst, dstOffset, length);
    }

    /** {@return a copy of the SGA's data} */
    default byte[] toArray() {
        byte[] out = new byte[length()];
        read(0, out, 0, out.length);
        return out;
    }
}
