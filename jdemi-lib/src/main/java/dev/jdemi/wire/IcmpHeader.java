package dev.jdemi.wire;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an ICMPv4 message (RFC 792): the 8-byte header and the data after it, which the checksum covers.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     type      |     code      |           checksum            |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           rest of header: depends on type and code            |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  data ...                                                        8
 * +-+-+-+-+-+-+-+-+
 *
 *  rest of header for echo (type 8) and echo reply (type 0):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          identifier           |        sequence number        |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  for destination unreachable, code 4 (fragmentation needed, RFC 1191):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        unused (zero)          |         next-hop MTU          |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Wrap the flyweight with the whole message (the IP payload length): the checksum is computed and verified over
 * all of it. Not thread-safe; allocation-free.
 */
public final class IcmpHeader extends HeaderFlyweight {
    /** Offset of the type. */
    public static final int TYPE_OFFSET = 0;
    /** Offset of the code. */
    public static final int CODE_OFFSET = 1;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 2;
    /** Offset of the 32-bit rest of the header. */
    public static final int REST_OF_HEADER_OFFSET = 4;
    /** Offset of the echo identifier. */
    public static final int IDENTIFIER_OFFSET = 4;
    /** Offset of the echo sequence number. */
    public static final int SEQUENCE_NUMBER_OFFSET = 6;
    /** Offset of the next-hop MTU in a fragmentation-needed message (RFC 1191). */
    public static final int NEXT_HOP_MTU_OFFSET = 6;
    /** Length of the header in bytes. */
    public static final int HEADER_LENGTH = 8;

    /** Type: echo reply. */
    public static final int TYPE_ECHO_REPLY = 0;
    /** Type: destination unreachable. */
    public static final int TYPE_DESTINATION_UNREACHABLE = 3;
    /** Type: source quench (deprecated by RFC 6633). */
    public static final int TYPE_SOURCE_QUENCH = 4;
    /** Type: redirect. */
    public static final int TYPE_REDIRECT = 5;
    /** Type: echo (request). */
    public static final int TYPE_ECHO_REQUEST = 8;
    /** Type: time exceeded. */
    public static final int TYPE_TIME_EXCEEDED = 11;
    /** Type: parameter problem. */
    public static final int TYPE_PARAMETER_PROBLEM = 12;
    /** Type: timestamp (request). */
    public static final int TYPE_TIMESTAMP = 13;
    /** Type: timestamp reply. */
    public static final int TYPE_TIMESTAMP_REPLY = 14;

    /** Destination-unreachable code: port unreachable. */
    public static final int CODE_PORT_UNREACHABLE = 3;
    /** Destination-unreachable code: fragmentation needed and DF set. */
    public static final int CODE_FRAGMENTATION_NEEDED = 4;

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public IcmpHeader() {
    }

    /**
     * Points this flyweight at an ICMP message.
     *
     * @param segment the segment holding the message
     * @param offset the offset of the first ICMP byte
     * @param length the message length: header plus data
     * @return this
     * @throws IndexOutOfBoundsException when the region is not inside the segment
     */
    public IcmpHeader wrap(MemorySegment segment, long offset, int length) {
        point(segment, offset, length);
        return this;
    }

    /**
     * Checks the message. RFC 792 gives one checksum over the whole message; a host discards messages whose checksum
     * fails, like any other corrupted datagram.
     *
     * @param verifyChecksum whether to verify the checksum
     * @return {@link DropReason#NONE}, {@link DropReason#ICMP_TRUNCATED} or {@link DropReason#ICMP_BAD_CHECKSUM}
     */
    public int validate(boolean verifyChecksum) {
        if (capacity < HEADER_LENGTH) {
            return DropReason.ICMP_TRUNCATED;
        }
        if (verifyChecksum && !isChecksumValid()) {
            return DropReason.ICMP_BAD_CHECKSUM;
        }
        return DropReason.NONE;
    }

    /**
     * The type.
     *
     * @return the type, e.g. {@link #TYPE_ECHO_REQUEST}
     */
    public int type() {
        return u8(TYPE_OFFSET);
    }

    /**
     * Sets the type.
     *
     * @param type the type; only the low 8 bits are written
     * @return this
     */
    public IcmpHeader type(int type) {
        put8(TYPE_OFFSET, type);
        return this;
    }

    /**
     * The code.
     *
     * @return the code, {@code 0..255}
     */
    public int code() {
        return u8(CODE_OFFSET);
    }

    /**
     * Sets the code.
     *
     * @param code the code; only the low 8 bits are written
     * @return this
     */
    public IcmpHeader code(int code) {
        put8(CODE_OFFSET, code);
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
     * Sets the checksum field.
     *
     * @param checksum the field; only the low 16 bits are written
     * @return this
     */
    public IcmpHeader checksum(int checksum) {
        put16(CHECKSUM_OFFSET, checksum);
        return this;
    }

    /**
     * Computes the checksum over the whole wrapped message and stores it. Write the header and data first.
     *
     * @return this
     */
    public IcmpHeader computeChecksum() {
        put16(CHECKSUM_OFFSET, 0);
        put16(CHECKSUM_OFFSET, Checksum.compute(segment, offset, capacity));
        return this;
    }

    /**
     * Whether the checksum verifies over the whole wrapped message.
     *
     * @return {@code true} when the sum of the message, checksum included, is all ones
     */
    public boolean isChecksumValid() {
        return Checksum.isValid(Checksum.ones(segment, offset, capacity, 0));
    }

    /**
     * The four type-specific bytes after the checksum.
     *
     * @return them as a 32-bit value
     */
    public int restOfHeader() {
        return i32(REST_OF_HEADER_OFFSET);
    }

    /**
     * Sets the four type-specific bytes after the checksum.
     *
     * @param restOfHeader the 32-bit value
     * @return this
     */
    public IcmpHeader restOfHeader(int restOfHeader) {
        put32(REST_OF_HEADER_OFFSET, restOfHeader);
        return this;
    }

    /**
     * The echo identifier.
     *
     * @return the identifier, {@code 0..0xFFFF}
     */
    public int identifier() {
        return u16(IDENTIFIER_OFFSET);
    }

    /**
     * Sets the echo identifier.
     *
     * @param identifier the identifier; only the low 16 bits are written
     * @return this
     */
    public IcmpHeader identifier(int identifier) {
        put16(IDENTIFIER_OFFSET, identifier);
        return this;
    }

    /**
     * The echo sequence number.
     *
     * @return the sequence number, {@code 0..0xFFFF}
     */
    public int sequenceNumber() {
        return u16(SEQUENCE_NUMBER_OFFSET);
    }

    /**
     * Sets the echo sequence number.
     *
     * @param sequenceNumber the sequence number; only the low 16 bits are written
     * @return this
     */
    public IcmpHeader sequenceNumber(int sequenceNumber) {
        put16(SEQUENCE_NUMBER_OFFSET, sequenceNumber);
        return this;
    }

    /**
     * The next-hop MTU of a fragmentation-needed message (RFC 1191 section 4); zero from routers that predate it.
     *
     * @return the MTU in bytes
     */
    public int nextHopMtu() {
        return u16(NEXT_HOP_MTU_OFFSET);
    }

    /**
     * The offset of the data after the header in {@link #segment()}.
     *
     * @return {@code offset() + 8}
     */
    public long payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /**
     * The length of the data after the header.
     *
     * @return {@code capacity() - 8}
     */
    public int payloadLength() {
        return capacity - HEADER_LENGTH;
    }
}
