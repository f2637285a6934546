package dev.jdemi.wire;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an Ethernet II header: the encapsulation of IP datagrams on Ethernet defined by RFC 894, where the
 * two octets after the addresses carry an EtherType.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           destination address (48 bits, octets 0..5)          |  0
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |              source address (48 bits, octets 6..11)           |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        type (EtherType)       |  data: 46..1500 octets ...    | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Addresses are handled as the low 48 bits of a {@code long}, first octet in bits 40..47. The frame check sequence
 * is not part of the buffer. Not thread-safe; allocation-free.
 */
public final class EthernetHeader extends HeaderFlyweight {
    /** Offset of the destination address. */
    public static final int DST_ADDR_OFFSET = 0;
    /** Offset of the source address. */
    public static final int SRC_ADDR_OFFSET = 6;
    /** Offset of the type (EtherType) field. */
    public static final int ETHER_TYPE_OFFSET = 12;
    /** Length of the header in bytes. */
    public static final int HEADER_LENGTH = 14;
    /**
     * The shortest frame on the wire, without the frame check sequence: RFC 894 requires at least 46 data octets, so
     * shorter frames are padded.
     */
    public static final int MIN_FRAME_LENGTH = 60;
    /** EtherType of IPv4 (RFC 894). */
    public static final int ETHER_TYPE_IPV4 = 0x0800;
    /** EtherType of ARP (RFC 826). */
    public static final int ETHER_TYPE_ARP = 0x0806;
    /** EtherType of an IEEE 802.1Q VLAN tag. */
    public static final int ETHER_TYPE_VLAN = 0x8100;
    /** EtherType of IPv6. */
    public static final int ETHER_TYPE_IPV6 = 0x86DD;
    /** Type values below this are IEEE 802.3 lengths, not EtherTypes. */
    public static final int MIN_ETHER_TYPE = 0x0600;
    /** The broadcast address ff:ff:ff:ff:ff:ff as a 48-bit value. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public EthernetHeader() {
    }

    /**
     * Points this flyweight at a frame.
     *
     * @param segment the segment holding the frame
     * @param offset the offset of the first header byte
     * @param length the frame length from {@code offset}: header plus payload
     * @return this
     * @throws IndexOutOfBoundsException when the region is not inside the segment
     */
    public EthernetHeader wrap(MemorySegment segment, long offset, int length) {
        point(segment, offset, length);
        return this;
    }

    /**
     * Checks the header against the wrapped length.
     *
     * @return {@link DropReason#NONE}, {@link DropReason#ETHERNET_TRUNCATED} or
     *     {@link DropReason#ETHERNET_NOT_TYPE_II}
     */
    public int validate() {
        if (capacity < HEADER_LENGTH) {
            return DropReason.ETHERNET_TRUNCATED;
        }
        if (etherType() < MIN_ETHER_TYPE) {
            return DropReason.ETHERNET_NOT_TYPE_II;
        }
        return DropReason.NONE;
    }

    /**
     * The destination address.
     *
     * @return the 48-bit address
     */
    public long dstAddr() {
        return u48(DST_ADDR_OFFSET);
    }

    /**
     * Sets the destination address.
     *
     * @param addr the 48-bit address; higher bits are ignored
     * @return this
     */
    public EthernetHeader dstAddr(long addr) {
        put48(DST_ADDR_OFFSET, addr);
        return this;
    }

    /**
     * The source address.
     *
     * @return the 48-bit address
     */
    public long srcAddr() {
        return u48(SRC_ADDR_OFFSET);
    }

    /**
     * Sets the source address.
     *
     * @param addr the 48-bit address; higher bits are ignored
     * @return this
     */
    public EthernetHeader srcAddr(long addr) {
        put48(SRC_ADDR_OFFSET, addr);
        return this;
    }

    /**
     * The type field.
     *
     * @return the EtherType, {@code 0..0xFFFF}
     */
    public int etherType() {
        return u16(ETHER_TYPE_OFFSET);
    }

    /**
     * Sets the type field.
     *
     * @param etherType the EtherType; only the low 16 bits are written
     * @return this
     */
    public EthernetHeader etherType(int etherType) {
        put16(ETHER_TYPE_OFFSET, etherType);
        return this;
    }

    /**
     * Whether the destination is the broadcast address.
     *
     * @return {@code true} for ff:ff:ff:ff:ff:ff
     */
    public boolean isBroadcast() {
        return dstAddr() == BROADCAST;
    }

    /**
     * Whether the destination is a group (multicast or broadcast) address: the I/G bit, the least significant bit of
     * the first octet, is set.
     *
     * @return {@code true} for a group address
     */
    public boolean isMulticast() {
        return (u8(DST_ADDR_OFFSET) & 1) != 0;
    }

    /**
     * The offset of the payload in {@link #segment()}.
     *
     * @return {@code offset() + 14}
     */
    public long payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /**
     * The payload length implied by the wrapped length (it may include padding up to the minimum frame).
     *
     * @return {@code capacity() - 14}
     */
    public int payloadLength() {
        return capacity - HEADER_LENGTH;
    }
}
