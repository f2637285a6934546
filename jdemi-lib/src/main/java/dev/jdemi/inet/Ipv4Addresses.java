package dev.jdemi.inet;

/** Classes of IPv4 addresses (RFC 1122 §3.2.1.3, RFC 5771, RFC 1112), for {@code int} addresses in network order. */
final class Ipv4Addresses {
    /** The limited broadcast, 255.255.255.255. */
    static final int BROADCAST = 0xFFFF_FFFF;

    private Ipv4Addresses() {
    }

    static boolean isBroadcast(int ip) {
        return ip == BROADCAST;
    }

    /** {@return whether the address is class D, 224.0.0.0/4} */
    static boolean isMulticast(int ip) {
        return (ip >>> 28) == 0xE;
    }

    /**
     * Whether a datagram from this source must be discarded. RFC 1122 §3.2.1.3: a host MUST silently discard an
     * incoming datagram whose source is not a valid unicast address: {0, 0} (0.0.0.0), broadcast, class D
     * (multicast), class E, or {127, any} (loopback, which "MUST NOT appear outside a host").
     */
    static boolean isBadSource(int ip) {
        int first = ip >>> 24;
        return ip == 0 || first == 127 || first >= 224;
    }
}
