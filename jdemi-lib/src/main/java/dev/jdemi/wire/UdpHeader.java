package dev.jdemi.wire;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over a UDP header (RFC 768).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          source port          |       destination port        |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     length (header + data)    |           checksum            |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  data ...                                                        8
 * +-+-+-+-+-+-+-+-+
 *
 *  checksummed with the IPv4 pseudo-header in front:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     source IPv4 address                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   destination IPv4 address                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     zero      |  protocol 17  |          UDP length           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Wrap the flyweight with the IP payload length. A datagram whose length field is shorter than that is accepted
 * and its payload ends where the length field says, as Linux trims it; a longer one is refused. Not thread-safe;
 * allocation-free.
 */
public final class UdpHeader extends HeaderFlyweight {
    /** Offset of the source port. */
    public static final int SRC_PORT_OFFSET = 0;
    /** Offset of the destination port. */
    public static final int DST_PORT_OFFSET = 2;
    /** Offset of the length. */
    public static final int LENGTH_OFFSET = 4;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 6;
    /** Length of the header in bytes. */
    public static final int HEADER_LENGTH = 8;
    /** The checksum field value meaning "no checksum was computed" (RFC 768). */
    public static final int NO_CHECKSUM = 0;

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public UdpHeader() {
    }

    /**
     * Points this flyweight at a UDP datagram.
     *
     * @param segment the segment holding the datagram
     * @param offset the offset of the first UDP byte
     * @param length the bytes available: the IP payload length
     * @return this
     * @throws IndexOutOfBoundsException when the region is not inside the segment
     */
    public UdpHeader wrap(MemorySegment segment, long offset, int length) {
        point(segment, offset, length);
        return this;
    }

    /**
     * Checks the header against the wrapped length and, optionally, the checksum. RFC 768: "An all zero transmitted
     * checksum value means that the transmitter generated no checksum", so a zero field is not verified; RFC 1122
     * section 4.1.3.4 says a datagram with a present but wrong checksum MUST be discarded silently.
     *
     * @param srcAddr the IPv4 source address, for the pseudo-header
     * @param dstAddr the IPv4 destination address, for the pseudo-header
     * @param verifyChecksum whether to verify a non-zero checksum
     * @return {@link DropReason#NONE} or one of {@link DropReason#UDP_TRUNCATED}, {@link DropReason#UDP_BAD_LENGTH},
     *     {@link DropReason#UDP_BAD_CHECKSUM}
     */
    public int validate(int srcAddr, int dstAddr, boolean verifyChecksum) {
        if (capacity < HEADER_LENGTH) {
            return DropReason.UDP_TRUNCATED;
        }
        int length = length();
        if (length < HEADER_LENGTH || length > capacity) {
            return DropReason.UDP_BAD_LENGTH;
        }
        if (verifyChecksum && !isChecksumValid(srcAddr, dstAddr)) {
            return DropReason.UDP_BAD_CHECKSUM;
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
    public UdpHeader srcPort(int srcPort) {
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
    public UdpHeader dstPort(int dstPort) {
        put16(DST_PORT_OFFSET, dstPort);
        return this;
    }

    /**
     * The length field: header plus data.
     *
     * @return the length in bytes
     */
    public int length() {
        return u16(LENGTH_OFFSET);
    }

    /**
     * Sets the length field.
     *
     * @param length the length in bytes, header included; only the low 16 bits are written
     * @return this
     */
    public UdpHeader length(int length) {
        put16(LENGTH_OFFSET, length);
        return this;
    }

    /**
     * The checksum field.
     *
     * @return the field; {@link #NO_CHECKSUM} when the sender computed none
     */
    public int checksum() {
        return u16(CHECKSUM_OFFSET);
    }

    /**
     * Sets the checksum field (zero to send none, as with checksum offload).
     *
     * @param checksum the field; only the low 16 bits are written
     * @return this
     */
    public UdpHeader checksum(int checksum) {
        put16(CHECKSUM_OFFSET, checksum);
        return this;
    }

    /**
     * Computes the checksum over the pseudo-header and {@link #length()} bytes from the header on, and stores it.
     * RFC 768: "If the computed checksum is zero, it is transmitted as all ones", because zero on the wire means no
     * checksum. Set the length and write the data first.
     *
     * @param srcAddr the IPv4 source address
     * @param dstAddr the IPv4 destination address
     * @return this
     */
    public UdpHeader computeChecksum(int srcAddr, int dstAddr) {
        int length = length();
        put16(CHECKSUM_OFFSET, 0);
        long sum = Checksum.ones(segment, offset, length,
                Checksum.pseudoHeader(srcAddr, dstAddr, Ipv4Header.PROTOCOL_UDP, length));
        put16(CHECKSUM_OFFSET, transmitted(Checksum.finish(sum)));
        return this;
    }

    /**
     * Computes the checksum when the data is not in this segment (scatter-gather transmit): the header bytes here,
     * plus the partial sum of the data computed with {@link Checksum#ones} or {@link Checksum#onesAt}. The length
     * field must already count the data.
     *
     * @param srcAddr the IPv4 source address
     * @param dstAddr the IPv4 destination address
     * @param payloadSum the partial sum of the data, taken from an even stream position
     * @return this
     */
    public UdpHeader computeChecksum(int srcAddr, int dstAddr, long payloadSum) {
        put16(CHECKSUM_OFFSET, 0);
        long sum = Checksum.ones(segment, offset, HEADER_LENGTH,
                Checksum.pseudoHeader(srcAddr, dstAddr, Ipv4Header.PROTOCOL_UDP, length()) + Checksum.fold(payloadSum));
        put16(CHECKSUM_OFFSET, transmitted(Checksum.finish(sum)));
        return this;
    }

    /**
     * Whether the checksum verifies; a zero field (no checksum) counts as valid.
     *
     * @param srcAddr the IPv4 source address
     * @param dstAddr the IPv4 destination address
     * @return {@code true} when the field is zero or the sum over pseudo-header and datagram is all ones
     */
    public boolean isChecksumValid(int srcAddr, int dstAddr) {
        if (checksum() == NO_CHECKSUM) {
            return true;
        }
        int length = length();
        return Checksum.isValid(Checksum.ones(segment, offset, length,
                Checksum.pseudoHeader(srcAddr, dstAddr, Ipv4Header.PROTOCOL_UDP, length)));
    }

    /**
     * Maps a computed checksum to the value sent: RFC 768 sends a computed zero as all ones, since zero on the wire
     * means that no checksum was computed.
     *
     * @param computed a checksum from {@link Checksum#finish}
     * @return {@code 0xFFFF} for {@code 0}, otherwise {@code computed}
     */
    public static int transmitted(int computed) {
        return computed == 0 ? 0xFFFF : computed;
    }

    /**
     * The offset of the data in {@link #segment()}.
     *
     * @return {@code offset() + 8}
     */
    public long payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /**
     * The data length according to the length field.
     *
     * @return {@code length() - 8}
     */
    public int payloadLength() {
        return length() - HEADER_LENGTH;
    }
}
