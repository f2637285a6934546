package dev.jdemi.wire;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over a TCP header (RFC 9293 section 3.1, which obsoletes RFC 793), options included.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          source port          |       destination port        |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        sequence number                        |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 acknowledgment number (if ACK)                |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | data  |       |C|E|U|A|P|R|S|F|                               |
 * |offset | rsrvd |W|C|R|C|S|S|Y|I|            window             | 12
 * |(words)|       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           checksum            |        urgent pointer         | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     options (0..40 octets, data offset - 5 words), padded     | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  data ...
 * +-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The checksum covers the IPv4 pseudo-header (as for {@link UdpHeader}, protocol 6, with the TCP length taken from
 * IP) and the whole segment. Sequence and acknowledgment numbers are {@code int}s compared modulo 2^32. Options are
 * parsed into, and written from, a reusable {@link TcpOptions}.
 *
 * <p>Wrap the flyweight with the segment length, that is the IP payload length. Not thread-safe; allocation-free.
 */
public final class TcpHeader extends HeaderFlyweight {
    /** Offset of the source port. */
    public static final int SRC_PORT_OFFSET = 0;
    /** Offset of the destination port. */
    public static final int DST_PORT_OFFSET = 2;
    /** Offset of the sequence number. */
    public static final int SEQ_NUMBER_OFFSET = 4;
    /** Offset of the acknowledgment number. */
    public static final int ACK_NUMBER_OFFSET = 8;
    /** Offset of the octet holding the data offset (high nibble) and reserved bits (low nibble). */
    public static final int DATA_OFFSET_OFFSET = 12;
    /** Offset of the control bits (flags) octet. */
    public static final int FLAGS_OFFSET = 13;
    /** Offset of the window. */
    public static final int WINDOW_OFFSET = 14;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 16;
    /** Offset of the urgent pointer. */
    public static final int URGENT_POINTER_OFFSET = 18;
    /** Offset of the first option octet. */
    public static final int OPTIONS_OFFSET = 20;
    /** Length of a header without options. */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Length of a header with the most options (data offset 15). */
    public static final int MAX_HEADER_LENGTH = 60;

    /** FIN: no more data from sender. */
    public static final int FLAG_FIN = 0x01;
    /** SYN: synchronize sequence numbers. */
    public static final int FLAG_SYN = 0x02;
    /** RST: reset the connection. */
    public static final int FLAG_RST = 0x04;
    /** PSH: push function. */
    public static final int FLAG_PSH = 0x08;
    /** ACK: the acknowledgment number is significant. */
    public static final int FLAG_ACK = 0x10;
    /** URG: the urgent pointer is significant. */
    public static final int FLAG_URG = 0x20;
    /** ECE: ECN-Echo (RFC 3168). */
    public static final int FLAG_ECE = 0x40;
    /** CWR: congestion window reduced (RFC 3168). */
    public static final int FLAG_CWR = 0x80;

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public TcpHeader() {
    }

    /**
     * Points this flyweight at a TCP segment.
     *
     * @param segment the memory segment holding the TCP segment
     * @param offset the offset of the first TCP byte
     * @param length the TCP segment length (header plus data): the IP payload length
     * @return this
     * @throws IndexOutOfBoundsException when the region is not inside the memory segment
     */
    public TcpHeader wrap(MemorySegment segment, long offset, int length) {
        point(segment, offset, length);
        return this;
    }

    /**
     * Checks the header against the wrapped length, then the checksum, then that the option list can be walked.
     * RFC 9293 has a receiver check the checksum of every segment (MUST-3) and be "prepared to handle an illegal
     * option length (e.g., zero)" (MUST-7). A known option with the wrong size is not checked here;
     * {@link TcpOptions#parse} reports it.
     *
     * @param srcAddr the IPv4 source address, for the pseudo-header
     * @param dstAddr the IPv4 destination address, for the pseudo-header
     * @param verifyChecksum whether to verify the checksum
     * @return {@link DropReason#NONE} or one of {@link DropReason#TCP_TRUNCATED},
     *     {@link DropReason#TCP_BAD_DATA_OFFSET}, {@link DropReason#TCP_BAD_CHECKSUM},
     *     {@link DropReason#TCP_BAD_OPTION_LIST}
     */
    public int validate(int srcAddr, int dstAddr, boolean verifyChecksum) {
        if (capacity < MIN_HEADER_LENGTH) {
            return DropReason.TCP_TRUNCATED;
        }
        int headerLength = headerLength();
        if (headerLength < MIN_HEADER_LENGTH || headerLength > capacity) {
            return DropReason.TCP_BAD_DATA_OFFSET;
        }
        if (verifyChecksum && !isChecksumValid(srcAddr, dstAddr)) {
            return DropReason.TCP_BAD_CHECKSUM;
        }
        if (headerLength > MIN_HEADER_LENGTH) {
            return TcpOptions.check(segment, offset + OPTIONS_OFFSET, headerLength - MIN_HEADER_LENGTH);
        }
        return DropReason.NONE;
    }

    /**
     * The source port.
     *
     * @return the port, {@code 0..0xFFFF}
     */
    public int srcPort() {
        return u16(SRC_PORT_OFFSET);
    }

    /**
     * Sets the source port.
     *
     * @param srcPort the port; only the low 16 bits are written
     * @return this
     */
    public TcpHeader srcPort(int srcPort) {
        put16(SRC_PORT_OFFSET, srcPort);
        return this;
    }

    /**
     * The destination port.
     *
     * @return the port, {@code 0..0xFFFF}
     */
    public int dstPort() {
        return u16(DST_PORT_OFFSET);
    }

    /**
     * Sets the destination port.
     *
     * @param dstPort the port; only the low 16 bits are written
     * @return this
     */
    public TcpHeader dstPort(int dstPort) {
        put16(DST_PORT_OFFSET, dstPort);
        return this;
    }

    /**
     * The sequence number of the first data octet (of the SYN itself when SYN is set).
     *
     * @return the 32-bit sequence number
     */
    public int seqNumber() {
        return i32(SEQ_NUMBER_OFFSET);
    }

    /**
     * Sets the sequence number.
     *
     * @param seqNumber the 32-bit sequence number
     * @return this
     */
    public TcpHeader seqNumber(int seqNumber) {
        put32(SEQ_NUMBER_OFFSET, seqNumber);
        return this;
    }

    /**
     * The acknowledgment number: the next sequence number the sender expects, meaningful when ACK is set.
     *
     * @return the 32-bit acknowledgment number
     */
    public int ackNumber() {
        return i32(ACK_NUMBER_OFFSET);
    }

    /**
     * Sets the acknowledgment number.
     *
     * @param ackNumber the 32-bit acknowledgment number
     * @return this
     */
    public TcpHeader ackNumber(int ackNumber) {
        put32(ACK_NUMBER_OFFSET, ackNumber);
        return this;
    }

    /**
     * The data offset: the header length in 32-bit words.
     *
     * @return the data offset, 5..15 for a valid header
     */
    public int dataOffset() {
        return u8(DATA_OFFSET_OFFSET) >>> 4;
    }

    /**
     * Sets the data offset, keeping the reserved bits.
     *
     * @param dataOffset the header length in 32-bit words; only the low 4 bits are written
     * @return this
     */
    public TcpHeader dataOffset(int dataOffset) {
        put8(DATA_OFFSET_OFFSET, (dataOffset << 4) | (u8(DATA_OFFSET_OFFSET) & 0x0F));
        return this;
    }

    /**
     * The header length in bytes.
     *
     * @return {@code dataOffset() * 4}
     */
    public int headerLength() {
        return dataOffset() << 2;
    }

    /**
     * The four reserved bits between the data offset and the control bits, which a sender must zero (RFC 9293).
     *
     * @return the bits, {@code 0..15}
     */
    public int reserved() {
        return u8(DATA_OFFSET_OFFSET) & 0x0F;
    }

    /**
     * The control bits.
     *
     * @return a combination of the {@code FLAG_*} constants
     */
    public int flags() {
        return u8(FLAGS_OFFSET);
    }

    /**
     * Sets the control bits.
     *
     * @param flags a combination of the {@code FLAG_*} constants
     * @return this
     */
    public TcpHeader flags(int flags) {
        put8(FLAGS_OFFSET, flags);
        return this;
    }

    /**
     * Whether all the given control bits are set.
     *
     * @param mask a combination of the {@code FLAG_*} constants
     * @return {@code true} when every bit of {@code mask} is set
     */
    public boolean hasFlags(int mask) {
        return (flags() & mask) == mask;
    }

    /**
     * Whether FIN is set.
     *
     * @return {@code true} when FIN is set
     */
    public boolean isFin() {
        return (flags() & FLAG_FIN) != 0;
    }

    /**
     * Whether SYN is set.
     *
     * @return {@code true} when SYN is set
     */
    public boolean isSyn() {
        return (flags() & FLAG_SYN) != 0;
    }

    /**
     * Whether RST is set.
     *
     * @return {@code true} when RST is set
     */
    public boolean isRst() {
        return (flags() & FLAG_RST) != 0;
    }

    /**
     * Whether PSH is set.
     *
     * @return {@code true} when PSH is set
     */
    public boolean isPsh() {
        return (flags() & FLAG_PSH) != 0;
    }

    /**
     * Whether ACK is set.
     *
     * @return {@code true} when ACK is set
     */
    public boolean isAck() {
        return (flags() & FLAG_ACK) != 0;
    }

    /**
     * Whether URG is set.
     *
     * @return {@code true} when URG is set
     */
    public boolean isUrg() {
        return (flags() & FLAG_URG) != 0;
    }

    /**
     * Whether ECE is set.
     *
     * @return {@code true} when ECE is set
     */
    public boolean isEce() {
        return (flags() & FLAG_ECE) != 0;
    }

    /**
     * Whether CWR is set.
     *
     * @return {@code true} when CWR is set
     */
    public boolean isCwr() {
        return (flags() & FLAG_CWR) != 0;
    }

    /**
     * The window: how many octets, beginning with the acknowledgment number, the sender will accept, before any
     * window scaling (RFC 7323).
     *
     * @return the unscaled window, {@code 0..0xFFFF}
     */
    public int window() {
        return u16(WINDOW_OFFSET);
    }

    /**
     * Sets the window.
     *
     * @param window the unscaled window; only the low 16 bits are written
     * @return this
     */
    public TcpHeader window(int window) {
        put16(WINDOW_OFFSET, window);
        return this;
    }

    /**
     * The checksum field.
     *
     * @return the field, {@code 0..0xFFFF}
     */
    public int checksum() {
        return u16(CHECKSUM_OFFSET);
    }

    /**
     * Sets the checksum field (for example zero when the device computes it).
     *
     * @param checksum the field; only the low 16 bits are written
     * @return this
     */
    public TcpHeader checksum(int checksum) {
        put16(CHECKSUM_OFFSET, checksum);
        return this;
    }

    /**
     * The urgent pointer, meaningful when URG is set.
     *
     * @return the pointer, {@code 0..0xFFFF}
     */
    public int urgentPointer() {
        return u16(URGENT_POINTER_OFFSET);
    }

    /**
     * Sets the urgent pointer.
     *
     * @param urgentPointer the pointer; only the low 16 bits are written
     * @return this
     */
    public TcpHeader urgentPointer(int urgentPointer) {
        put16(URGENT_POINTER_OFFSET, urgentPointer);
        return this;
    }

    /**
     * Computes the checksum over the pseudo-header and the whole wrapped segment, and stores it. Write the header,
     * options and data first.
     *
     * @param srcAddr the IPv4 source address
     * @param dstAddr the IPv4 destination address
     * @return this
     */
    public TcpHeader computeChecksum(int srcAddr, int dstAddr) {
        put16(CHECKSUM_OFFSET, 0);
        long sum = Checksum.ones(segment, offset, capacity,
                Checksum.pseudoHeader(srcAddr, dstAddr, Ipv4Header.PROTOCOL_TCP, capacity));
        put16(CHECKSUM_OFFSET, Checksum.finish(sum));
        return this;
    }

    /**
     * Computes the checksum when the data is not in this memory segment (scatter-gather transmit): the
     * {@link #headerLength()} header bytes here plus the partial sum of {@code payloadLength} data bytes computed with
     * {@link Checksum#ones} or {@link Checksum#onesAt}.
     *
     * @param srcAddr the IPv4 source address
     * @param dstAddr the IPv4 destination address
     * @param payloadSum the partial sum of the data, taken from an even stream position
     * @param payloadLength the number of data bytes
     * @return this
     */
    public TcpHeader computeChecksum(int srcAddr, int dstAddr, long payloadSum, int payloadLength) {
        int headerLength = headerLength();
        put16(CHECKSUM_OFFSET, 0);
        long initial = Checksum.pseudoHeader(srcAddr, dstAddr, Ipv4Header.PROTOCOL_TCP, headerLength + payloadLength)
                + Checksum.fold(payloadSum);
        put16(CHECKSUM_OFFSET, Checksum.finish(Checksum.ones(segment, offset, headerLength, initial)));
        return this;
    }

    /**
     * Whether the checksum verifies over the pseudo-header and the whole wrapped segment.
     *
     * @param srcAddr the IPv4 source address
     * @param dstAddr the IPv4 destination address
     * @return {@code true} when the sum, checksum included, is all ones
     */
    public boolean isChecksumValid(int srcAddr, int dstAddr) {
        return Checksum.isValid(Checksum.ones(segment, offset, capacity,
                Checksum.pseudoHeader(srcAddr, dstAddr, Ipv4Header.PROTOCOL_TCP, capacity)));
    }

    /**
     * The number of option bytes, padding included.
     *
     * @return {@code headerLength() - 20}
     */
    public int optionsLength() {
        return headerLength() - MIN_HEADER_LENGTH;
    }

    /**
     * Parses the options of this header into a reusable holder.
     *
     * @param into the holder; cleared first
     * @return the result of {@link TcpOptions#parse}
     */
    public int parseOptions(TcpOptions into) {
        return into.parse(segment, offset + OPTIONS_OFFSET, optionsLength());
    }

    /**
     * Writes options after the fixed header with {@link TcpOptions#write} and sets the data offset to cover them.
     *
     * @param from the options to send
     * @return this
     */
    public TcpHeader writeOptions(TcpOptions from) {
        int written = from.write(segment, offset + OPTIONS_OFFSET);
        return dataOffset((MIN_HEADER_LENGTH + written) >>> 2);
    }

    /**
     * The offset of the data in {@link #segment()}.
     *
     * @return {@code offset() + headerLength()}
     */
    public long payloadOffset() {
        return offset + headerLength();
    }

    /**
     * The data length: the wrapped length minus the header length.
     *
     * @return the length in bytes
     */
    public int payloadLength() {
        return capacity - headerLength();
    }
}
