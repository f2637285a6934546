package dev.jdemi.inet;

import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.wire.DropReason;
import dev.jdemi.wire.IcmpHeader;
import dev.jdemi.wire.Ipv4Header;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ICMPv4 (RFC 792) for a host: echo replies for any echo request up to the largest datagram, and destination
 * unreachable errors for datagrams no transport wants, under RFC 1122 §3.2.2's rules and a token-bucket rate limit.
 *
 * <p>Thread: the stack's. Nothing is allocated on the heap per message; replies come from the pool.
 */
final class Icmp {
    /** Data octets of the offending datagram quoted in an error, after its header (RFC 792: "64 bits"). */
    static final int QUOTED_DATA_BYTES = 8;

    private final NetworkStack stack;
    private final InetStats stats;
    private final long intervalNs;
    private final long bucketCapacityNs;
    private final IcmpHeader icmp = new IcmpHeader();
    private final Ipv4Header ip = new Ipv4Header();
    private long bucketNs;
    private long lastRefillNs = Long.MIN_VALUE;

    Icmp(NetworkStack stack, InetConfig config, InetStats stats) {
        this.stack = stack;
        this.stats = stats;
        this.intervalNs = config.icmpErrorIntervalNs();
        this.bucketCapacityNs = config.icmpErrorBurst() * intervalNs;
        this.bucketNs = bucketCapacityNs;
    }

    /** Handles a received ICMP message and frees it. */
    void receive(Datagram d, long nowNs) {
        DemiBuffer buffer = d.buffer;
        icmp.wrap(buffer.memory(), buffer.dataOffset() + (long) d.payloadOffset, d.payloadLength);
        int code = icmp.validate(!d.checksumVerified);
        if (code != DropReason.NONE) {
            drop(buffer, code);
            return;
        }
        if (icmp.type() != IcmpHeader.TYPE_ECHO_REQUEST) {
            drop(buffer, InetDrop.ICMP_IGNORED);
            return;
        }
        if (d.broadcast) {
            // RFC 1122 §3.2.2.6: "An ICMP Echo Request destined to an IP broadcast or IP multicast address MAY be
            // silently discarded."
            drop(buffer, InetDrop.ICMP_ECHO_TO_BROADCAST);
            return;
        }
        // RFC 1122 §3.2.2.6: "the data received in the ICMP Echo Request MUST be entirely included in the resulting
        // Echo Reply". The message is copied, since the request's buffer may be a frame with little headroom left.
        DemiBuffer reply = stack.allocatePacket(d.payloadLength);
        if (reply != null) {
            MemorySegment.copy(buffer.memory(), buffer.dataOffset() + (long) d.payloadOffset, reply.memory(),
                    reply.dataOffset(), d.payloadLength);
            icmp.wrap(reply.memory(), reply.dataOffset(), d.payloadLength).type(IcmpHeader.TYPE_ECHO_REPLY).code(0)
                    .computeChecksum();
            stats.echoReplySent();
            stack.send(reply, d.srcAddr, Ipv4Header.PROTOCOL_ICMP, nowNs, null);
        }
        buffer.free();
    }

    /**
     * Sends a destination unreachable about a datagram, unless RFC 1122 §3.2.2 forbids it or the rate limit says no.
     * The datagram stays the caller's.
     */
    void sendUnreachable(Datagram d, int code, long nowNs) {
        // RFC 1122 §3.2.2: "An ICMP error message MUST NOT be sent as the result of receiving: an ICMP error message,
        // or a datagram destined to an IP broadcast or IP multicast address, or a datagram sent as a link-layer
        // broadcast, or a non-initial fragment, or a datagram whose source address does not define a single host."
        // Non-initial fragments never get here (reassembled datagrams are whole) and bad sources were dropped.
        if (d.broadcast || Ipv4Addresses.isMulticast(d.dstAddr) || isIcmpError(d)) {
            return;
        }
        if (!takeToken(nowNs)) {
            stats.icmpErrorRateLimited();
            return;
        }
        DemiBuffer buffer = d.buffer;
        int headerLength = d.payloadOffset - d.ipOffset;
        int quoted = headerLength + Math.min(QUOTED_DATA_BYTES, d.payloadLength);
        DemiBuffer message = stack.allocatePacket(IcmpHeader.HEADER_LENGTH + quoted);
        if (message == null) {
            return;
        }
        MemorySegment.copy(buffer.memory(), buffer.dataOffset() + (long) d.ipOffset, message.memory(),
                message.dataOffset() + IcmpHeader.HEADER_LENGTH, quoted);
        icmp.wrap(message.memory(), message.dataOffset(), IcmpHeader.HEADER_LENGTH + quoted)
                .type(IcmpHeader.TYPE_DESTINATION_UNREACHABLE).code(code).restOfHeader(0).computeChecksum();
        stats.icmpErrorSent();
        stack.send(message, d.srcAddr, Ipv4Header.PROTOCOL_ICMP, nowNs, null);
    }

    private boolean isIcmpError(Datagram d) {
        if (d.protocol != Ipv4Header.PROTOCOL_ICMP || d.payloadLength < 1) {
            return false;
        }
        int type = d.buffer.memory().get(ValueLayout.JAVA_BYTE,
                d.buffer.dataOffset() + (long) d.payloadOffset) & 0xFF;
        return type != IcmpHeader.TYPE_ECHO_REQUEST && type != IcmpHeader.TYPE_ECHO_REPLY
                && type != IcmpHeader.TYPE_TIMESTAMP && type != IcmpHeader.TYPE_TIMESTAMP_REPLY;
    }

    /** A token bucket measured in time: it fills by the time elapsed, up to the burst, and each error costs one
     * interval. */
    private boolean takeToken(long nowNs) {
        if (lastRefillNs != Long.MIN_VALUE) {
            long elapsed = nowNs - lastRefillNs;
            if (elapsed > 0) {
                bucketNs = Math.min(bucketCapacityNs, bucketNs + elapsed);
            }
        }
        lastRefillNs = nowNs;
        if (bucketNs < intervalNs) {
            return false;
        }
        bucketNs -= intervalNs;
        return true;
    }

    private void drop(DemiBuffer buffer, int code) {
        stats.drop(code);
        buffer.free();
    }
}
