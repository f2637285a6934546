package dev.jdemi.inet;

import dev.jdemi.runtime.DemiBuffer;

/**
 * A received IPv4 datagram handed up to a transport: {@link NetworkStack#receive} fills one reused holder, so
 * nothing is allocated per datagram.
 *
 * <p>Ownership: {@link #buffer} belongs to whoever took the datagram, who frees it or passes it on (a UDP pop hands it
 * to the application, narrowed to the payload). Offsets are relative to the buffer's data start.
 */
public final class Datagram {
    /** The frame or reassembled datagram holding this datagram. */
    public DemiBuffer buffer;
    /** The IPv4 protocol number. */
    public int protocol;
    /** The source address. */
    public int srcAddr;
    /** The destination address (this host's or the limited broadcast). */
    public int dstAddr;
    /** Where the IPv4 header starts in {@link #buffer}. */
    public int ipOffset;
    /** Where the transport header starts. */
    public int payloadOffset;
    /** The transport header and data, in bytes (padding excluded). */
    public int payloadLength;
    /** Whether it came to a broadcast address (link or IPv4), so no ICMP error may answer it. */
    public boolean broadcast;
    /** Whether the device verified the checksums already. */
    public boolean checksumVerified;

    /** Creates an empty holder. */
    public Datagram() {
    }

    void set(DemiBuffer buffer, int protocol, int srcAddr, int dstAddr, int ipOffset, int payloadOffset,
            int payloadLength, boolean broadcast, boolean checksumVerified) {
        this.buffer = buffer;
        this.protocol = protocol;
        this.srcAddr = srcAddr;
        this.dstAddr = dstAddr;
        this.ipOffset = ipOffset;
        this.payloadOffset = payloadOffset;
        this.payloadLength = payloadLength;
        this.broadcast = broadcast;
        this.checksumVerified = checksumVerified;
    }

    /** Drops the reference to the buffer, once it was passed on or freed. */
    public void clear() {
        buffer = null;
    }
}
