package dev.jdemi.wire;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an IPv4 header (RFC 791), options included.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |version|  ihl  | tos: DSCP |ECN|         total length          |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        identification         |R|D|M|     fragment offset     |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      ttl      |   protocol    |        header checksum        |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        source address                         | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     destination address                       | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      options (0..40 octets, ihl - 5 words), EOL/zero padded   | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   flags: R reserved (must be zero), D don't fragment, M more fragments
 * </pre>
 *
 * <p>The type-of-service octet is read whole ({@link #tos()}) or as its RFC 2474 / RFC 3168 parts
 * ({@link #dscp()}, {@link #ecn()}). Addresses are {@code int}s, first octet in the high byte. The fragment offset is
 * in units of 8 octets, as on the wire. Options are reached by their index from the first option octet
 * ({@link #optionByte(int)}, {@link #findOption(int)}), which keeps option handling allocation-free.
 *
 * <p>Wrap the flyweight with the bytes that follow the link header; after {@link #validate(boolean)} succeeds,
 * {@link #totalLength()} is the datagram and anything beyond it (Ethernet padding) is to be ignored. Not thread-safe;
 * allocation-free.
 */
public final class Ipv4Header extends HeaderFlyweight {
    /** Offset of the version (high nibble) and IHL (low nibble) octet. */
    public static final int VERSION_IHL_OFFSET = 0;
    /** Offset of the type-of-service (DSCP and ECN) octet. */
    public static final int TOS_OFFSET = 1;
    /** Offset of the total length. */
    public static final int TOTAL_LENGTH_OFFSET = 2;
    /** Offset of the identification. */
    public static final int IDENTIFICATION_OFFSET = 4;
    /** Offset of the 16 bits holding the flags (high 3) and the fragment offset (low 13). */
    public static final int FLAGS_FRAGMENT_OFFSET_OFFSET = 6;
    /** Offset of the time to live. */
    public static final int TTL_OFFSET = 8;
    /** Offset of the protocol. */
    public static final int PROTOCOL_OFFSET = 9;
    /** Offset of the header checksum. */
    public static final int HEADER_CHECKSUM_OFFSET = 10;
    /** Offset of the source address. */
    public static final int SRC_ADDR_OFFSET = 12;
    /** Offset of the destination address. */
    public static final int DST_ADDR_OFFSET = 16;
    /** Offset of the first option octet. */
    public static final int OPTIONS_OFFSET = 20;
    /** Length of a header without options. */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Length of a header with the most options (IHL 15). */
    public static final int MAX_HEADER_LENGTH = 60;
    /** The only version this flyweight accepts. */
    public static final int VERSION_4 = 4;

    /** Protocol number of ICMP (RFC 792). */
    public static final int PROTOCOL_ICMP = 1;
    /** Protocol number of TCP (RFC 9293). */
    public static final int PROTOCOL_TCP = 6;
    /** Protocol number of UDP (RFC 768). */
    public static final int PROTOCOL_UDP = 17;

    /** The reserved flag bit, which RFC 791 says must be zero. */
    public static final int FLAG_RESERVED = 0b100;
    /** The don't-fragment flag bit. */
    public static final int FLAG_DF = 0b010;
    /** The more-fragments flag bit. */
    public static final int FLAG_MF = 0b001;

    /** Option type: end of option list (RFC 791). */
    public static final int OPTION_EOL = 0;
    /** Option type: no operation (RFC 791). */
    public static final int OPTION_NOP = 1;
    /** Option type: record route (RFC 791). */
    public static final int OPTION_RECORD_ROUTE = 7;
    /** Option type: internet timestamp (RFC 791). */
    public static final int OPTION_TIMESTAMP = 68;
    /** Option type: loose source and record route (RFC 791). */
    public static final int OPTION_LSRR = 131;
    /** Option type: strict source and record route (RFC 791). */
    public static final int OPTION_SSRR = 137;
    /** Option type: router alert (RFC 2113). */
    public static final int OPTION_ROUTER_ALERT = 148;

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public Ipv4Header() {
    }

    /**
     * Points this flyweight at an IPv4 header.
     *
     * @param segment the segment holding the datagram
     * @param offset the offset of the first header byte
     * @param length the bytes available from {@code offset}: the datagram and possibly link padding
     * @return this
     * @throws IndexOutOfBoundsException when the region is not inside the segment
     */
    public Ipv4Header wrap(MemorySegment segment, long offset, int length) {
        point(segment, offset, length);
        return this;
    }

    /**
     * Checks the header against the wrapped length, in the order version, IHL, total length, checksum, options.
     * Following RFC 1122 section 3.2.1.2, "A host MUST verify the IP header checksum on every received datagram and
     * silently discard every datagram that has a bad checksum"; pass {@code false} only when the device has already
     * verified it.
     *
     * @param verifyChecksum whether to verify the header checksum
     * @return {@link DropReason#NONE} or one of {@link DropReason#IPV4_TRUNCATED},
     *     {@link DropReason#IPV4_BAD_VERSION}, {@link DropReason#IPV4_BAD_IHL},
     *     {@link DropReason#IPV4_BAD_TOTAL_LENGTH}, {@link DropReason#IPV4_BAD_CHECKSUM},
     *     {@link DropReason#IPV4_BAD_OPTION}
     */
    public int validate(boolean verifyChecksum) {
        if (capacity < MIN_HEADER_LENGTH) {
            return DropReason.IPV4_TRUNCATED;
        }
        if (version() != VERSION_4) {
            return DropReason.IPV4_BAD_VERSION;
        }
        int headerLength = headerLength();
        if (headerLength < MIN_HEADER_LENGTH || headerLength > capacity) {
            return DropReason.IPV4_BAD_IHL;
        }
        int totalLength = totalLength();
        if (totalLength < headerLength || totalLength > capacity) {
            return DropReason.IPV4_BAD_TOTAL_LENGTH;
        }
        if (verifyChecksum && !isHeaderChecksumValid()) {
            return DropReason.IPV4_BAD_CHECKSUM;
        }
        if (headerLength > MIN_HEADER_LENGTH) {
            return validateOptions();
        }
        return DropReason.NONE;
    }

    /**
     * Walks the options and checks that each can be skipped safely. RFC 791 section 3.1 defines two formats: a single
     * type octet (EOL, NOP) or type, length (counting the type and length octets) and data. A length below 2 or past
     * the header cannot be walked. Route options need a length of at least 3 and a pointer of at least 4, the
     * timestamp option a length of at least 4 and a pointer of at least 5, since the pointer counts from the option's
     * first octet and points past the fixed part. Unknown types with a sane length are accepted.
     *
     * @return {@link DropReason#NONE} or {@link DropReason#IPV4_BAD_OPTION}
     */
    public int validateOptions() {
        int length = optionsLength();
        int i = 0;
        while (i < length) {
            int type = optionByte(i);
            if (type == OPTION_EOL) {
                break;
            }
            if (type == OPTION_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= length) {
                return DropReason.IPV4_BAD_OPTION;
            }
            int optionLength = optionByte(i + 1);
            if (optionLength < 2 || i + optionLength > length) {
                return DropReason.IPV4_BAD_OPTION;
            }
            if (type == OPTION_RECORD_ROUTE || type == OPTION_LSRR || type == OPTION_SSRR) {
                if (optionLength < 3 || optionByte(i + 2) < 4) {
                    return DropReason.IPV4_BAD_OPTION;
                }
            } else if (type == OPTION_TIMESTAMP) {
                if (optionLength < 4 || optionByte(i + 2) < 5) {
                    return DropReason.IPV4_BAD_OPTION;
                }
            }
            i += optionLength;
        }
        return DropReason.NONE;
    }

    /**
     * The version field.
     *
     * @return the version, 4 for a valid header
     */
    public int version() {
        return u8(VERSION_IHL_OFFSET) >>> 4;
    }

    /**
     * Sets the version field, keeping IHL.
     *
     * @param version the version; only the low 4 bits are written
     * @return this
     */
    public Ipv4Header version(int version) {
        put8(VERSION_IHL_OFFSET, (version << 4) | (u8(VERSION_IHL_OFFSET) & 0x0F));
        return this;
    }

    /**
     * The internet header length field.
     *
     * @return the header length in 32-bit words, 5..15 for a valid header
     */
    public int ihl() {
        return u8(VERSION_IHL_OFFSET) & 0x0F;
    }

    /**
     * Sets the internet header length field, keeping the version.
     *
     * @param ihl the length in 32-bit words; only the low 4 bits are written
     * @return this
     */
    public Ipv4Header ihl(int ihl) {
        put8(VERSION_IHL_OFFSET, (u8(VERSION_IHL_OFFSET) & 0xF0) | (ihl & 0x0F));
        return this;
    }

    /**
     * The header length in bytes.
     *
     * @return {@code ihl() * 4}
     */
    public int headerLength() {
        return ihl() << 2;
    }

    /**
     * The type-of-service octet.
     *
     * @return the octet, {@code 0..255}
     */
    public int tos() {
        return u8(TOS_OFFSET);
    }

    /**
     * Sets the type-of-service octet.
     *
     * @param tos the octet; only the low 8 bits are written
     * @return this
     */
    public Ipv4Header tos(int tos) {
        put8(TOS_OFFSET, tos);
        return this;
    }

    /**
     * The differentiated services code point: the high 6 bits of the TOS octet (RFC 2474).
     *
     * @return the DSCP, {@code 0..63}
     */
    public int dscp() {
        return tos() >>> 2;
    }

    /**
     * The explicit congestion notification field: the low 2 bits of the TOS octet (RFC 3168).
     *
     * @return the ECN codepoint, {@code 0..3}
     */
    public int ecn() {
        return tos() & 0b11;
    }

    /**
     * The total length field: header plus data.
     *
     * @return the length in bytes
     */
    public int totalLength() {
        return u16(TOTAL_LENGTH_OFFSET);
    }

    /**
     * Sets the total length field.
     *
     * @param totalLength the length in bytes; only the low 16 bits are written
     * @return this
     */
    public Ipv4Header totalLength(int totalLength) {
        put16(TOTAL_LENGTH_OFFSET, totalLength);
        return this;
    }

    /**
     * The identification field.
     *
     * @return the value, {@code 0..0xFFFF}
     */
    public int identification() {
        return u16(IDENTIFICATION_OFFSET);
    }

    /**
     * Sets the identification field.
     *
     * @param identification the value; only the low 16 bits are written
     * @return this
     */
    public Ipv4Header identification(int identification) {
        put16(IDENTIFICATION_OFFSET, identification);
        return this;
    }

    /**
     * The three flag bits.
     *
     * @return a combination of {@link #FLAG_RESERVED}, {@link #FLAG_DF}, {@link #FLAG_MF}
     */
    public int flags() {
        return u16(FLAGS_FRAGMENT_OFFSET_OFFSET) >>> 13;
    }

    /**
     * Sets the three flag bits, keeping the fragment offset.
     *
     * @param flags a combination of {@link #FLAG_RESERVED}, {@link #FLAG_DF}, {@link #FLAG_MF}
     * @return this
     */
    public Ipv4Header flags(int flags) {
        put16(FLAGS_FRAGMENT_OFFSET_OFFSET, ((flags & 0b111) << 13) | fragmentOffset());
        return this;
    }

    /**
     * Whether the don't-fragment flag is set.
     *
     * @return {@code true} when DF is set
     */
    public boolean isDontFragment() {
        return (flags() & FLAG_DF) != 0;
    }

    /**
     * Whether the more-fragments flag is set.
     *
     * @return {@code true} when MF is set
     */
    public boolean hasMoreFragments() {
        return (flags() & FLAG_MF) != 0;
    }

    /**
     * Whether this datagram is a fragment: MF set or a non-zero fragment offset.
     *
     * @return {@code true} for any fragment, first, middle or last
     */
    public boolean isFragment() {
        return (u16(FLAGS_FRAGMENT_OFFSET_OFFSET) & 0x3FFF) != 0;
    }

    /**
     * The fragment offset field.
     *
     * @return the offset in units of 8 bytes, {@code 0..0x1FFF}
     */
    public int fragmentOffset() {
        return u16(FLAGS_FRAGMENT_OFFSET_OFFSET) & 0x1FFF;
    }

    /**
     * Sets the fragment offset field, keeping the flags.
     *
     * @param fragmentOffset the offset in units of 8 bytes; only the low 13 bits are written
     * @return this
     */
    public Ipv4Header fragmentOffset(int fragmentOffset) {
        put16(FLAGS_FRAGMENT_OFFSET_OFFSET,
                (u16(FLAGS_FRAGMENT_OFFSET_OFFSET) & 0xE000) | (fragmentOffset & 0x1FFF));
        return this;
    }

    /**
     * The time to live.
     *
     * @return the TTL, {@code 0..255}
     */
    public int ttl() {
        return u8(TTL_OFFSET);
    }

    /**
     * Sets the time to live.
     *
     * @param ttl the TTL; only the low 8 bits are written
     * @return this
     */
    public Ipv4Header ttl(int ttl) {
        put8(TTL_OFFSET, ttl);
        return this;
    }

    /**
     * The protocol of the payload.
     *
     * @return the protocol number, e.g. {@link #PROTOCOL_TCP}
     */
    public int protocol() {
        return u8(PROTOCOL_OFFSET);
    }

    /**
     * Sets the protocol of the payload.
     *
     * @param protocol the protocol number; only the low 8 bits are written
     * @return this
     */
    public Ipv4Header protocol(int protocol) {
        put8(PROTOCOL_OFFSET, protocol);
        return this;
    }

    /**
     * The header checksum field.
     *
     * @return the field, {@code 0..0xFFFF}
     */
    public int headerChecksum() {
        return u16(HEADER_CHECKSUM_OFFSET);
    }

    /**
     * Sets the header checksum field.
     *
     * @param headerChecksum the field; only the low 16 bits are written
     * @return this
     */
    public Ipv4Header headerChecksum(int headerChecksum) {
        put16(HEADER_CHECKSUM_OFFSET, headerChecksum);
        return this;
    }

    /**
     * Computes the header checksum over {@link #headerLength()} bytes, options included (RFC 791: "the 16 bit one's
     * complement of the one's complement sum of all 16 bit words in the header"), and stores it. Set IHL and every
     * other header field first.
     *
     * @return this
     */
    public Ipv4Header computeHeaderChecksum() {
        put16(HEADER_CHECKSUM_OFFSET, 0);
        put16(HEADER_CHECKSUM_OFFSET, Checksum.compute(segment, offset, headerLength()));
        return this;
    }

    /**
     * Whether the header checksum verifies over {@link #headerLength()} bytes.
     *
     * @return {@code true} when the sum of the header, checksum included, is all ones
     */
    public boolean isHeaderChecksumValid() {
        return Checksum.isValid(Checksum.ones(segment, offset, headerLength(), 0));
    }

    /**
     * The source address.
     *
     * @return the IPv4 address
     */
    public int srcAddr() {
        return i32(SRC_ADDR_OFFSET);
    }

    /**
     * Sets the source address.
     *
     * @param srcAddr the IPv4 address
     * @return this
     */
    public Ipv4Header srcAddr(int srcAddr) {
        put32(SRC_ADDR_OFFSET, srcAddr);
        return this;
    }

    /**
     * The destination address.
     *
     * @return the IPv4 address
     */
    public int dstAddr() {
        return i32(DST_ADDR_OFFSET);
    }

    /**
     * Sets the destination address.
     *
     * @param dstAddr the IPv4 address
     * @return this
     */
    public Ipv4Header dstAddr(int dstAddr) {
        put32(DST_ADDR_OFFSET, dstAddr);
        return this;
    }

    /**
     * The number of option bytes, padding included.
     *
     * @return {@code headerLength() - 20}, {@code 0..40} for a valid header
     */
    public int optionsLength() {
        return headerLength() - MIN_HEADER_LENGTH;
    }

    /**
     * Reads one option octet.
     *
     * @param index the index from the first option octet
     * @return the octet, {@code 0..255}
     */
    public int optionByte(int index) {
        return u8(OPTIONS_OFFSET + index);
    }

    /**
     * Writes one option octet (type, length, pointer, data or padding).
     *
     * @param index the index from the first option octet
     * @param value the octet; only the low 8 bits are written
     * @return this
     */
    public Ipv4Header optionByte(int index, int value) {
        put8(OPTIONS_OFFSET + index, value);
        return this;
    }

    /**
     * Reads four option octets as a 32-bit value, such as an address in a route option.
     *
     * @param index the index of the first octet from the first option octet
     * @return the value
     */
    public int optionInt(int index) {
        return i32(OPTIONS_OFFSET + index);
    }

    /**
     * Writes four option octets.
     *
     * @param index the index of the first octet from the first option octet
     * @param value the value
     * @return this
     */
    public Ipv4Header optionInt(int index, int value) {
        put32(OPTIONS_OFFSET + index, value);
        return this;
    }

    /**
     * Finds the first option of a type, walking the list as {@link #validateOptions()} does.
     *
     * @param type the option type, e.g. {@link #OPTION_RECORD_ROUTE}
     * @return the index of the option's type octet from the first option octet, or {@code -1} when absent or when the
     *     list is malformed before it
     */
    public int findOption(int type) {
        int length = optionsLength();
        int i = 0;
        while (i < length) {
            int t = optionByte(i);
            if (t == type) {
                return i;
            }
            if (t == OPTION_EOL) {
                return -1;
            }
            if (t == OPTION_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= length) {
                return -1;
            }
            int optionLength = optionByte(i + 1);
            if (optionLength < 2) {
                return -1;
            }
            i += optionLength;
        }
        return -1;
    }

    /**
     * The offset of the payload in {@link #segment()}.
     *
     * @return {@code offset() + headerLength()}
     */
    public long payloadOffset() {
        return offset + headerLength();
    }

    /**
     * The payload length: total length minus header length, which excludes any link padding.
     *
     * @return the length in bytes
     */
    public int payloadLength() {
        return totalLength() - headerLength();
    }
}
