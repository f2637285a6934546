package dev.jdemi.nativeabi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Offsets of upstream's packed C structures, and the one segment through which the C ABI reads and writes them.
 *
 * <p>C hands raw pointers; {@link #ALL} spans the whole address space so a pointer is an offset into it, read and
 * written without creating a segment per call. Every access is unaligned: the structures are packed.
 */
final class CStructs {
    /** The whole address space: a C pointer is an offset in it. */
    static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    /** {@code demi_sgarray_t} (40 bytes): {@code void *sga_buf}. */
    static final long SGA_BUF = 0;
    /** {@code uint32_t sga_numsegs}. */
    static final long SGA_NUMSEGS = 8;
    /** {@code sga_segs[0].sgaseg_buf}. */
    static final long SGA_SEG_BUF = 12;
    /** {@code sga_segs[0].sgaseg_len}. */
    static final long SGA_SEG_LEN = 20;
    /** {@code struct sockaddr_in sga_addr}. */
    static final long SGA_ADDR = 24;
    /** {@code sizeof(demi_sgarray_t)}. */
    static final long SGA_SIZE = 40;

    /** {@code demi_qresult_t} (64 bytes): {@code demi_opcode_t qr_opcode}. */
    static final long QR_OPCODE = 0;
    /** {@code int32_t qr_qd}. */
    static final long QR_QD = 4;
    /** {@code demi_qtoken_t qr_qt}. */
    static final long QR_QT = 8;
    /** {@code int64_t qr_ret}. */
    static final long QR_RET = 16;
    /** {@code qr_value}: a {@code demi_sgarray_t} or a {@code demi_accept_result_t}. */
    static final long QR_VALUE = 24;
    /** {@code sizeof(demi_qresult_t)}. */
    static final long QR_SIZE = 64;

    /** {@code demi_accept_result_t} (20 bytes): {@code int32_t qd}. */
    static final long ARES_QD = 0;
    /** {@code struct sockaddr_in addr}. */
    static final long ARES_ADDR = 4;

    /** {@code sizeof(struct linger)}: two ints, on and seconds. */
    static final int LINGER_SIZE = 8;
    /** {@code sizeof(int)}: the value of a boolean socket option. */
    static final int INT_SIZE = 4;

    private CStructs() {
    }

    /**
     * Zeroes {@code bytes} bytes (a multiple of 8) at {@code address} without making a slice.
     *
     * @param address where
     * @param bytes how many, a multiple of 8
     */
    static void zero(long address, long bytes) {
        for (long at = 0; at < bytes; at += 8) {
            ALL.set(LONG, address + at, 0L);
        }
    }
}
