package dev.jdemi.wire;

import java.lang.foreign.MemorySegment;

/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of the data taken as
 * big-endian 16-bit words, with incremental update (RFC 1624) and the IPv4 pseudo-header used by UDP (RFC 768) and
 * TCP (RFC 9293 section 3.1).
 *
 * <p>Sums are carried as {@code long} partial sums so that a checksum can be built from several pieces (a
 * pseudo-header, a header, payload held in other segments): start from {@code 0}, feed each piece, then call
 * {@link #finish(long)}. A partial sum is any non-negative {@code long}; only its value modulo {@code 0xFFFF}
 * matters, and every method here returns it folded to 16 bits. The bulk loop adds eight bytes at a time: the two
 * 32-bit halves of each big-endian {@code long} go into a 64-bit accumulator that cannot overflow for any
 * {@code int} length, and the carries are folded once at the end (RFC 1071 section 2, "deferred carries").
 *
 * <p>All methods are static, allocate nothing and are safe from any thread.
 */
public final class Checksum {
    private Checksum() {
    }

    /**
     * Adds {@code length} bytes of {@code segment}, starting at {@code offset}, to a partial sum, as if the first byte
     * were the high byte of a 16-bit word. An odd last byte is padded on the right with a zero byte, as RFC 768 and
     * RFC 9293 prescribe.
     *
     * @param segment the data
     * @param offset the offset of the first byte
     * @param length the number of bytes, {@code >= 0}
     * @param initial the partial sum so far ({@code 0} to start)
     * @return the new partial sum, folded to 16 bits
     * @throws IllegalArgumentException when {@code length} is negative
     * @throws IndexOutOfBoundsException when the range is outside the segment
     */
    public static long ones(MemorySegment segment, long offset, int length, long initial) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
        long sum = fold(initial);
        int i = 0;
        for (; i <= length - 8; i += 8) {
            long v = segment.get(Bytes.U64, offset + i);
            sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
        }
        if (i <= length - 4) {
            sum += segment.get(Bytes.U32, offset + i) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (i <= length - 2) {
            sum += segment.get(Bytes.U16, offset + i) & 0xFFFF;
            i += 2;
        }
        if (i < length) {
            sum += (long) (segment.get(Bytes.U8, offset + i) & 0xFF) << 8;
        }
        return fold(sum);
    }

    /**
     * Adds a piece that sits at byte position {@code position} of the checksummed stream. When that position is odd
     * the piece's bytes straddle word boundaries, so its own sum is byte-swapped before it is added (RFC 1071 section
     * 2(B), byte-order independence). This lets a checksum run over scatter-gather pieces of any length.
     *
     * @param initial the partial sum of the stream before this piece
     * @param position the number of stream bytes before this piece
     * @param segment the data
     * @param offset the offset of the piece's first byte
     * @param length the number of bytes, {@code >= 0}
     * @return the new partial sum, folded to 16 bits
     */
    public static long onesAt(long initial, long position, MemorySegment segment, long offset, int length) {
        if ((position & 1) == 0) {
            return ones(segment, offset, length, initial);
        }
        int piece = (int) ones(segment, offset, length, 0);
        return fold(fold(initial) + (((piece & 0xFF) << 8) | (piece >>> 8)));
    }

    /**
     * Adds one 16-bit word to a partial sum.
     *
     * @param initial the partial sum
     * @param word the word; only its low 16 bits are used
     * @return the new partial sum, folded to 16 bits
     */
    public static long add16(long initial, int word) {
        return fold(fold(initial) + (word & 0xFFFF));
    }

    /**
     * Adds a 32-bit value (two 16-bit words, such as an IPv4 address) to a partial sum.
     *
     * @param initial the partial sum
     * @param value the value
     * @return the new partial sum, folded to 16 bits
     */
    public static long add32(long initial, int value) {
        return fold(fold(initial) + (value >>> 16) + (value & 0xFFFF));
    }

    /**
     * The partial sum of the IPv4 pseudo-header that UDP (RFC 768) and TCP (RFC 9293 section 3.1) prefix to their
     * checksum: source address, destination address, a zero byte, the protocol, and the transport length.
     *
     * @param srcAddr the IPv4 source address
     * @param dstAddr the IPv4 destination address
     * @param protocol the IP protocol number ({@link Ipv4Header#PROTOCOL_TCP}, {@link Ipv4Header#PROTOCOL_UDP})
     * @param length the length of the transport header plus payload, in bytes
     * @return the partial sum, folded to 16 bits
     */
    public static long pseudoHeader(int srcAddr, int dstAddr, int protocol, int length) {
        long sum = (srcAddr >>> 16) + (srcAddr & 0xFFFF) + (dstAddr >>> 16) + (dstAddr & 0xFFFF)
                + (protocol & 0xFF) + (length & 0xFFFF);
        return fold(sum);
    }

    /**
     * Folds the carries of a partial sum into 16 bits (end-around carry).
     *
     * @param sum a partial sum, read as unsigned
     * @return the same sum modulo {@code 0xFFFF}, in {@code [0, 0xFFFF]}
     */
    public static int fold(long sum) {
        long s = (sum >>> 32) + (sum & 0xFFFF_FFFFL);
        while ((s >>> 16) != 0) {
            s = (s >>> 16) + (s & 0xFFFF);
        }
        return (int) s;
    }

    /**
     * Turns a partial sum into the value to store in a checksum field: the one's complement of the folded sum.
     *
     * @param sum the partial sum of everything covered, with the checksum field itself taken as zero
     * @return the checksum, in {@code [0, 0xFFFF]}
     */
    public static int finish(long sum) {
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * Computes the checksum of a byte range in one call.
     *
     * @param segment the data
     * @param offset the offset of the first byte
     * @param length the number of bytes
     * @return the checksum, in {@code [0, 0xFFFF]}
     */
    public static int compute(MemorySegment segment, long offset, int length) {
        return finish(ones(segment, offset, length, 0));
    }

    /**
     * Whether a partial sum taken over data that includes its own checksum field verifies: the receiver's sum of all
     * words, checksum included, is all ones (RFC 1071 section 1).
     *
     * @param sum the partial sum over the data, checksum field included
     * @return {@code true} when the checksum verifies
     */
    public static boolean isValid(long sum) {
        return fold(sum) == 0xFFFF;
    }

    /**
     * Updates a checksum after one 16-bit word of the covered data changed, without summing the data again. Uses
     * equation 3 of RFC 1624, {@code HC' = ~(~HC + ~m + m')}, which, unlike RFC 1141's form, cannot turn a valid sum
     * into the negative zero {@code 0xFFFF} wrongly.
     *
     * @param checksum the old checksum field value
     * @param oldWord the old value of the word
     * @param newWord the new value of the word
     * @return the new checksum field value
     */
    public static int update16(int checksum, int oldWord, int newWord) {
        long sum = (~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * Updates a checksum after a 32-bit value of the covered data (an address, a sequence number) changed, by RFC 1624
     * equation 3 applied to both of its 16-bit words.
     *
     * @param checksum the old checksum field value
     * @param oldValue the old 32-bit value
     * @param newValue the new 32-bit value
     * @return the new checksum field value
     */
    public static int update32(int checksum, int oldValue, int newValue) {
        long sum = (~checksum & 0xFFFF)
                + (~oldValue >>> 16) + (~oldValue & 0xFFFF)
                + (newValue >>> 16) + (newValue & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }
}
