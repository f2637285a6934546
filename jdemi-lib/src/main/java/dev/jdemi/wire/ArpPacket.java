package dev.jdemi.wire;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an ARP packet for IPv4 over Ethernet (RFC 826): 28 bytes, 6-byte hardware and 4-byte protocol
 * addresses. Field names follow RFC 826 ({@code ar$hrd, ar$pro, ar$hln, ar$pln, ar$op, ar$sha, ar$spa, ar$tha,
 * ar$tpa}) in their usual spelling: htype, ptype, hlen, plen, op, sha, spa, tha, tpa.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     htype (ar$hrd) = 1        |     ptype (ar$pro) = 0x0800   |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | hlen (ar$hln) | plen (ar$pln) |  op (ar$op): 1 req, 2 reply   |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         sha: sender hardware address (octets 8..13)           |  8
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               | spa: sender protocol address  | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  spa (cont., octets 14..17)   | tha: target hardware address  | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+        (octets 18..23)        +
 * |                                                               | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          tpa: target protocol address (octets 24..27)         | 24
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Hardware addresses are the low 48 bits of a {@code long}; IPv4 addresses are {@code int}s, first octet in the
 * high byte. Not thread-safe; allocation-free.
 */
public final class ArpPacket extends HeaderFlyweight {
    /** Offset of the hardware type. */
    public static final int HTYPE_OFFSET = 0;
    /** Offset of the protocol type. */
    public static final int PTYPE_OFFSET = 2;
    /** Offset of the hardware address length. */
    public static final int HLEN_OFFSET = 4;
    /** Offset of the protocol address length. */
    public static final int PLEN_OFFSET = 5;
    /** Offset of the opcode. */
    public static final int OP_OFFSET = 6;
    /** Offset of the sender hardware address. */
    public static final int SHA_OFFSET = 8;
    /** Offset of the sender protocol address. */
    public static final int SPA_OFFSET = 14;
    /** Offset of the target hardware address. */
    public static final int THA_OFFSET = 18;
    /** Offset of the target protocol address. */
    public static final int TPA_OFFSET = 24;
    /** Length of an Ethernet/IPv4 ARP packet in bytes. */
    public static final int LENGTH = 28;
    /** Hardware type of Ethernet. */
    public static final int HTYPE_ETHERNET = 1;
    /** Protocol type of IPv4 (its EtherType). */
    public static final int PTYPE_IPV4 = 0x0800;
    /** Length of an Ethernet address. */
    public static final int HLEN_ETHERNET = 6;
    /** Length of an IPv4 address. */
    public static final int PLEN_IPV4 = 4;
    /** Opcode of a request ({@code ares_op$REQUEST}). */
    public static final int OP_REQUEST = 1;
    /** Opcode of a reply ({@code ares_op$REPLY}). */
    public static final int OP_REPLY = 2;

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public ArpPacket() {
    }

    /**
     * Points this flyweight at an ARP packet.
     *
     * @param segment the segment holding the packet
     * @param offset the offset of the first ARP byte (after the Ethernet header)
     * @param length the bytes available from {@code offset} (Ethernet padding may follow the 28 ARP bytes)
     * @return this
     * @throws IndexOutOfBoundsException when the region is not inside the segment
     */
    public ArpPacket wrap(MemorySegment segment, long offset, int length) {
        point(segment, offset, length);
        return this;
    }

    /**
     * Checks that this is a complete Ethernet/IPv4 request or reply. RFC 826 has the receiver check the hardware and
     * protocol types first and discard what it does not speak; the lengths must then be 6 and 4 for the addresses to
     * sit where this flyweight reads them.
     *
     * @return {@link DropReason#NONE} or one of {@link DropReason#ARP_TRUNCATED}, {@link DropReason#ARP_BAD_HTYPE},
     *     {@link DropReason#ARP_BAD_PTYPE}, {@link DropReason#ARP_BAD_HLEN}, {@link DropReason#ARP_BAD_PLEN},
     *     {@link DropReason#ARP_BAD_OP}
     */
    public int validate() {
        if (capacity < LENGTH) {
            return DropReason.ARP_TRUNCATED;
        }
        if (htype() != HTYPE_ETHERNET) {
            return DropReason.ARP_BAD_HTYPE;
        }
        if (ptype() != PTYPE_IPV4) {
            return DropReason.ARP_BAD_PTYPE;
        }
        if (hlen() != HLEN_ETHERNET) {
            return DropReason.ARP_BAD_HLEN;
        }
        if (plen() != PLEN_IPV4) {
            return DropReason.ARP_BAD_PLEN;
        }
        int op = op();
        if (op != OP_REQUEST && op != OP_REPLY) {
            return DropReason.ARP_BAD_OP;
        }
        return DropReason.NONE;
    }

    /**
     * The hardware type.
     *
     * @return the value, {@code 0..0xFFFF}
     */
    public int htype() {
        return u16(HTYPE_OFFSET);
    }

    /**
     * Sets the hardware type.
     *
     * @param htype the value; only the low 16 bits are written
     * @return this
     */
    public ArpPacket htype(int htype) {
        put16(HTYPE_OFFSET, htype);
        return this;
    }

    /**
     * The protocol type.
     *
     * @return the value, {@code 0..0xFFFF}
     */
    public int ptype() {
        return u16(PTYPE_OFFSET);
    }

    /**
     * Sets the protocol type.
     *
     * @param ptype the value; only the low 16 bits are written
     * @return this
     */
    public ArpPacket ptype(int ptype) {
        put16(PTYPE_OFFSET, ptype);
        return this;
    }

    /**
     * The hardware address length.
     *
     * @return the length in bytes
     */
    public int hlen() {
        return u8(HLEN_OFFSET);
    }

    /**
     * Sets the hardware address length.
     *
     * @param hlen the length; only the low 8 bits are written
     * @return this
     */
    public ArpPacket hlen(int hlen) {
        put8(HLEN_OFFSET, hlen);
        return this;
    }

    /**
     * The protocol address length.
     *
     * @return the length in bytes
     */
    public int plen() {
        return u8(PLEN_OFFSET);
    }

    /**
     * Sets the protocol address length.
     *
     * @param plen the length; only the low 8 bits are written
     * @return this
     */
    public ArpPacket plen(int plen) {
        put8(PLEN_OFFSET, plen);
        return this;
    }

    /**
     * The opcode.
     *
     * @return {@link #OP_REQUEST}, {@link #OP_REPLY} or another value
     */
    public int op() {
        return u16(OP_OFFSET);
    }

    /**
     * Sets the opcode.
     *
     * @param op the opcode; only the low 16 bits are written
     * @return this
     */
    public ArpPacket op(int op) {
        put16(OP_OFFSET, op);
        return this;
    }

    /**
     * The sender hardware address.
     *
     * @return the 48-bit address
     */
    public long sha() {
        return u48(SHA_OFFSET);
    }

    /**
     * Sets the sender hardware address.
     *
     * @param sha the 48-bit address
     * @return this
     */
    public ArpPacket sha(long sha) {
        put48(SHA_OFFSET, sha);
        return this;
    }

    /**
     * The sender protocol address.
     *
     * @return the IPv4 address
     */
    public int spa() {
        return i32(SPA_OFFSET);
    }

    /**
     * Sets the sender protocol address.
     *
     * @param spa the IPv4 address
     * @return this
     */
    public ArpPacket spa(int spa) {
        put32(SPA_OFFSET, spa);
        return this;
    }

    /**
     * The target hardware address (zero in a request, which is asking for it).
     *
     * @return the 48-bit address
     */
    public long tha() {
        return u48(THA_OFFSET);
    }

    /**
     * Sets the target hardware address.
     *
     * @param tha the 48-bit address
     * @return this
     */
    public ArpPacket tha(long tha) {
        put48(THA_OFFSET, tha);
        return this;
    }

    /**
     * The target protocol address.
     *
     * @return the IPv4 address
     */
    public int tpa() {
        return i32(TPA_OFFSET);
    }

    /**
     * Sets the target protocol address.
     *
     * @param tpa the IPv4 address
     * @return this
     */
    public ArpPacket tpa(int tpa) {
        put32(TPA_OFFSET, tpa);
        return this;
    }
}
