package dev.jdemi.inet;

import dev.jdemi.wire.DropReason;

/**
 * Why the stack dropped a frame: the malformed-header codes of {@link DropReason} ({@code 1..24}) and the stack's own
 * policy codes, numbered from {@link DropReason#COUNT} upwards. Every code indexes a counter in {@link InetStats}.
 *
 * <p>A drop is never an exception: the frame is freed, its counter grows and the datapath goes on.
 */
public final class InetDrop {
    private static final int BASE = DropReason.COUNT;

    /** The destination MAC is neither this host's nor broadcast (a NIC that is not promiscuous drops it). */
    public static final int ETH_NOT_FOR_US = BASE;
    /** The source MAC is the broadcast address or this host's own: no other station sends that. */
    public static final int ETH_BAD_SOURCE = BASE + 1;
    /** The EtherType is neither IPv4 nor ARP (IPv6, VLAN tags and the rest are not spoken). */
    public static final int ETH_UNSUPPORTED_TYPE = BASE + 2;
    /** The ARP sender is impossible: a zero, broadcast or own MAC; a broadcast, multicast or own IPv4 address. */
    public static final int ARP_BAD_SENDER = BASE + 3;
    /** The ARP target address is not this host's (RFC 826: "Am I the target protocol address?" no). */
    public static final int ARP_NOT_FOR_US = BASE + 4;
    /** An ARP reply nobody asked for, from a sender not in the cache: it must not create an entry. */
    public static final int ARP_UNSOLICITED_REPLY = BASE + 5;
    /** An outgoing frame found the pending queue of its destination, or the table of pending lookups, full. */
    public static final int ARP_PENDING_FULL = BASE + 6;
    /** An outgoing frame waited for an ARP reply that never came (all retries spent). */
    public static final int ARP_UNRESOLVED = BASE + 7;
    /** The reserved IPv4 flag is set (RFC 791: "Bit 0: reserved, must be zero"). */
    public static final int IPV4_RESERVED_FLAG = BASE + 8;
    /** The IPv4 destination is neither this host's address nor the limited broadcast. */
    public static final int IPV4_NOT_FOR_US = BASE + 9;
    /** The IPv4 source is not a unicast host: 0.0.0.0, broadcast, multicast, loopback or class E. */
    public static final int IPV4_BAD_SOURCE = BASE + 10;
    /** The protocol is neither ICMP, UDP nor TCP. */
    public static final int IPV4_UNKNOWN_PROTOCOL = BASE + 11;
    /** A fragment that cannot be part of a datagram: a non-final one whose length is not a multiple of 8, or one
     * that ends past 65,535 bytes. */
    public static final int IPV4_BAD_FRAGMENT = BASE + 12;
    /** A fragment overlapping one already held (duplicates included). */
    public static final int IPV4_FRAGMENT_OVERLAP = BASE + 13;
    /** The fragments of an incomplete datagram, when its reassembly timer ran out (counted per fragment). */
    public static final int IPV4_REASSEMBLY_TIMEOUT = BASE + 14;
    /** A fragment that would exceed the reassembly memory cap, the fragment limit or the number of datagrams. */
    public static final int IPV4_REASSEMBLY_OVERFLOW = BASE + 15;
    /** An ICMP message the stack does not act on (echo replies, errors, timestamps...). */
    public static final int ICMP_IGNORED = BASE + 16;
    /** An echo request sent to a broadcast address (RFC 1122 §3.2.2.6: MAY be silently discarded). */
    public static final int ICMP_ECHO_TO_BROADCAST = BASE + 17;
    /** No UDP socket on the destination port (a port unreachable goes back when allowed). */
    public static final int UDP_NO_SOCKET = BASE + 18;
    /** The socket's receive queue is full. */
    public static final int UDP_QUEUE_FULL = BASE + 19;
    /** The UDP destination port is 0, which no socket can have. */
    public static final int UDP_ZERO_PORT = BASE + 20;
    /** A connected UDP socket got a datagram from someone other than its peer. */
    public static final int UDP_NOT_FROM_PEER = BASE + 21;
    /** A segment its transport cannot take: TCP to a broadcast address (RFC 1122 section 4.2.3.10). */
    public static final int TRANSPORT_UNSUPPORTED = BASE + 22;
    /** The buffer pool could not supply a buffer (a reply, a reassembled datagram). */
    public static final int NO_BUFFER = BASE + 23;
    /** The queue of frames this host sends to itself is full. */
    public static final int LOOPBACK_FULL = BASE + 24;

    /** One more than the largest code: the size of the counter array. */
    public static final int COUNT = BASE + 25;

    private static final String[] NAMES = {
        "ETH_NOT_FOR_US", "ETH_BAD_SOURCE", "ETH_UNSUPPORTED_TYPE",
        "ARP_BAD_SENDER", "ARP_NOT_FOR_US", "ARP_UNSOLICITED_REPLY", "ARP_PENDING_FULL", "ARP_UNRESOLVED",
        "IPV4_RESERVED_FLAG", "IPV4_NOT_FOR_US", "IPV4_BAD_SOURCE", "IPV4_UNKNOWN_PROTOCOL", "IPV4_BAD_FRAGMENT",
        "IPV4_FRAGMENT_OVERLAP", "IPV4_REASSEMBLY_TIMEOUT", "IPV4_REASSEMBLY_OVERFLOW",
        "ICMP_IGNORED", "ICMP_ECHO_TO_BROADCAST",
        "UDP_NO_SOCKET", "UDP_QUEUE_FULL", "UDP_ZERO_PORT", "UDP_NOT_FROM_PEER",
        "TRANSPORT_UNSUPPORTED", "NO_BUFFER", "LOOPBACK_FULL",
    };

    private InetDrop() {
    }

    /**
     * The name of a code, wire or stack.
     *
     * @param code a code of {@link DropReason} or of this class
     * @return its constant name, or {@code "UNKNOWN"}
     */
    public static String name(int code) {
        if (code >= BASE && code < COUNT) {
            return NAMES[code - BASE];
        }
        return DropReason.name(code);
    }
}
