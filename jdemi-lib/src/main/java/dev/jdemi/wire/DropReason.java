package dev.jdemi.wire;

/**
 * Why a received header was refused: the codes returned by the {@code validate} methods of the flyweights and by
 * {@link TcpOptions#parse}. {@link #NONE} ({@code 0}) means the header is acceptable; every other code is a small
 * positive {@code int} below {@link #COUNT}, so a stack can count drops in a {@code long[COUNT]} indexed by code.
 *
 * <p>The codes describe malformed headers only. Policy drops (a frame for another host, an unsupported protocol, an
 * IPv4 fragment the stack cannot reassemble, no socket on the port) belong to the stack, which can number its own
 * reasons from {@link #COUNT} upwards.
 */
public final class DropReason {
    /** The header is well formed. */
    public static final int NONE = 0;

    /** Fewer than 14 bytes: no room for the Ethernet header. */
    public static final int ETHERNET_TRUNCATED = 1;
    /**
     * The type field is below 0x0600, so it is an IEEE 802.3 length, not an EtherType: the frame is not Ethernet II
     * (RFC 894) encapsulation.
     */
    public static final int ETHERNET_NOT_TYPE_II = 2;

    /** Fewer than 28 bytes: no room for an Ethernet/IPv4 ARP packet. */
    public static final int ARP_TRUNCATED = 3;
    /** The hardware type is not 1 (Ethernet). */
    public static final int ARP_BAD_HTYPE = 4;
    /** The protocol type is not 0x0800 (IPv4). */
    public static final int ARP_BAD_PTYPE = 5;
    /** The hardware address length is not 6. */
    public static final int ARP_BAD_HLEN = 6;
    /** The protocol address length is not 4. */
    public static final int ARP_BAD_PLEN = 7;
    /** The opcode is neither 1 (request) nor 2 (reply). */
    public static final int ARP_BAD_OP = 8;

    /** Fewer than 20 bytes: no room for the fixed IPv4 header. */
    public static final int IPV4_TRUNCATED = 9;
    /** The version field is not 4. */
    public static final int IPV4_BAD_VERSION = 10;
    /** IHL is below 5, or the header it describes is longer than the bytes available. */
    public static final int IPV4_BAD_IHL = 11;
    /** Total length is shorter than the header or longer than the bytes available. */
    public static final int IPV4_BAD_TOTAL_LENGTH = 12;
    /** The header checksum does not verify. */
    public static final int IPV4_BAD_CHECKSUM = 13;
    /**
     * An option cannot be walked: its length is below 2 or runs past the header, or a route/timestamp option has an
     * impossible length or pointer.
     */
    public static final int IPV4_BAD_OPTION = 14;

    /** Fewer than 8 bytes: no room for the ICMP header. */
    public static final int ICMP_TRUNCATED = 15;
    /** The ICMP checksum does not verify over the whole message. */
    public static final int ICMP_BAD_CHECKSUM = 16;

    /** Fewer than 8 bytes: no room for the UDP header. */
    public static final int UDP_TRUNCATED = 17;
    /** The UDP length field is below 8 or longer than the bytes available. */
    public static final int UDP_BAD_LENGTH = 18;
    /** The UDP checksum is not zero and does not verify. */
    public static final int UDP_BAD_CHECKSUM = 19;

    /** Fewer than 20 bytes: no room for the fixed TCP header. */
    public static final int TCP_TRUNCATED = 20;
    /** Data offset is below 5, or the header it describes is longer than the segment. */
    public static final int TCP_BAD_DATA_OFFSET = 21;
    /** The TCP checksum does not verify. */
    public static final int TCP_BAD_CHECKSUM = 22;
    /**
     * The option list cannot be walked: an option's length is 0 or 1, or it runs past the header (RFC 9293 MUST-7
     * asks that an illegal option length be handled, not trusted).
     */
    public static final int TCP_BAD_OPTION_LIST = 23;
    /**
     * The list is walkable but a known option has the wrong length for its kind (MSS not 4, window scale not 3,
     * SACK-permitted not 2, timestamps not 10, SACK not 2 + 8n with n in 1..4). {@link TcpOptions#parse} skips such
     * an option and still reads the others, so a stack may choose to ignore this code, as Linux does, or drop.
     */
    public static final int TCP_BAD_OPTION_SIZE = 24;

    /** One more than the largest code: the size of a per-reason counter array. */
    public static final int COUNT = 25;

    private static final String[] NAMES = {
        "NONE",
        "ETHERNET_TRUNCATED", "ETHERNET_NOT_TYPE_II",
        "ARP_TRUNCATED", "ARP_BAD_HTYPE", "ARP_BAD_PTYPE", "ARP_BAD_HLEN", "ARP_BAD_PLEN", "ARP_BAD_OP",
        "IPV4_TRUNCATED", "IPV4_BAD_VERSION", "IPV4_BAD_IHL", "IPV4_BAD_TOTAL_LENGTH", "IPV4_BAD_CHECKSUM",
        "IPV4_BAD_OPTION",
        "ICMP_TRUNCATED", "ICMP_BAD_CHECKSUM",
        "UDP_TRUNCATED", "UDP_BAD_LENGTH", "UDP_BAD_CHECKSUM",
        "TCP_TRUNCATED", "TCP_BAD_DATA_OFFSET", "TCP_BAD_CHECKSUM", "TCP_BAD_OPTION_LIST", "TCP_BAD_OPTION_SIZE",
    };

    private DropReason() {
    }

    /**
     * The constant name of a code, for counters and logs.
     *
     * @param code a code from this class
     * @return its name, or {@code "UNKNOWN"} for a value outside {@code [0, COUNT)}
     */
    public static String name(int code) {
        return code >= 0 && code < NAMES.length ? NAMES[code] : "UNKNOWN";
    }
}
