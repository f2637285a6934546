package dev.jdemi.inet.tcp;

import dev.jdemi.wire.Checksum;
import dev.jdemi.wire.TcpHeader;
import dev.jdemi.wire.TcpOptions;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A TCP segment to send, described rather than built: addresses, header fields, options and the payload as up to two
 * slices (the send buffer is a ring, so the payload may wrap). One instance per stack is reused for every segment; it
 * is only valid during {@link TcpSegmentSink#emit}. Not thread-safe; allocation-free.
 */
public final class OutboundSegment {
    int srcAddr;
    int dstAddr;
    int srcPort;
    int dstPort;
    int seqNumber;
    int ackNumber;
    int flags;
    int window;
    final TcpOptions options = new TcpOptions();
    MemorySegment payload1;
    long payload1Offset;
    int payload1Length;
    MemorySegment payload2;
    long payload2Offset;
    int payload2Length;
    private final TcpHeader header = new TcpHeader();

    OutboundSegment() {
    }

    /**
     * The IPv4 source address (ours).
     *
     * @return the address as a big-endian int
     */
    public int srcAddr() {
        return srcAddr;
    }

    /**
     * The IPv4 destination address (the peer's).
     *
     * @return the address as a big-endian int
     */
    public int dstAddr() {
        return dstAddr;
    }

    /**
     * The source port.
     *
     * @return the port
     */
    public int srcPort() {
        return srcPort;
    }

    /**
     * The destination port.
     *
     * @return the port
     */
    public int dstPort() {
        return dstPort;
    }

    /**
     * The sequence number.
     *
     * @return the number
     */
    public int seqNumber() {
        return seqNumber;
    }

    /**
     * The acknowledgment number (meaningful with ACK).
     *
     * @return the number
     */
    public int ackNumber() {
        return ackNumber;
    }

    /**
     * The control bits, {@code TcpHeader.FLAG_*}.
     *
     * @return the flags
     */
    public int flags() {
        return flags;
    }

    /**
     * The window field as sent (already shifted right by our window scale).
     *
     * @return 0..65535
     */
    public int window() {
        return window;
    }

    /**
     * The options to send; do not modify.
     *
     * @return the options
     */
    public TcpOptions options() {
        return options;
    }

    /**
     * The payload length.
     *
     * @return bytes
     */
    public int payloadLength() {
        return payload1Length + payload2Length;
    }

    /**
     * The header length, options and padding included.
     *
     * @return bytes, a multiple of 4
     */
    public int headerLength() {
        return TcpHeader.MIN_HEADER_LENGTH + ((options.length() + 3) & ~3);
    }

    /**
     * The whole segment length, header plus payload: the IPv4 payload length.
     *
     * @return bytes
     */
    public int length() {
        return headerLength() + payloadLength();
    }

    /**
     * Copies the payload to {@code dst}.
     *
     * @param dst where to copy
     * @param offset the offset of the first payload byte in {@code dst}
     */
    public void copyPayload(MemorySegment dst, long offset) {
        if (payload1Length > 0) {
            MemorySegment.copy(payload1, payload1Offset, dst, offset, payload1Length);
        }
        if (payload2Length > 0) {
            MemorySegment.copy(payload2, payload2Offset, dst, offset + payload1Length, payload2Length);
        }
    }

    /**
     * Writes the complete segment, header, options, payload and checksum, at {@code offset} in {@code dst}.
     *
     * @param dst where to write; needs {@link #length()} bytes from {@code offset}
     * @param offset the offset of the first TCP byte
     * @return the number of bytes written, {@link #length()}
     */
    public int write(MemorySegment dst, long offset) {
        int length = length();
        header.wrap(dst, offset, length).srcPort(srcPort).dstPort(dstPort).seqNumber(seqNumber).ackNumber(ackNumber)
                .flags(flags).window(window).checksum(0)
                .urgentPointer(0);
        // Zero the reserved bits (RFC 9293: "MUST be zero") before writeOptions sets the data offset.
        dst.set(ValueLayout.JAVA_BYTE, offset + TcpHeader.DATA_OFFSET_OFFSET, (byte) 0);
        header.writeOptions(options);
        copyPayload(dst, header.payloadOffset());
        header.computeChecksum(srcAddr, dstAddr);
        return length;
    }

    /**
     * The ones'-complement partial sum of the payload, for an IP layer that sends header and payload as separate
     * scatter-gather elements and checksums with {@link TcpHeader#computeChecksum(int, int, long, int)}.
     *
     * @return the partial sum
     */
    public long payloadChecksum() {
        long sum = 0;
        if (payload1Length > 0) {
            sum = Checksum.onesAt(sum, 0, payload1, payload1Offset, payload1Length);
        }
        if (payload2Length > 0) {
            sum = Checksum.onesAt(sum, payload1Length, payload2, payload2Offset, payload2Length);
        }
        return sum;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(srcPort).append('>').append(dstPort).append(" [");
        appendFlags(sb, flags);
        sb.append("] seq=").append(Integer.toUnsignedString(seqNumber));
        if ((flags & TcpHeader.FLAG_ACK) != 0) {
            sb.append(" ack=").append(Integer.toUnsignedString(ackNumber));
        }
        sb.append(" win=").append(window).append(" len=").append(payloadLength());
        return sb.toString();
    }

    static void appendFlags(StringBuilder sb, int flags) {
        String names = "FSRPAUEC";
        for (int i = 0; i < names.length(); i++) {
            if ((flags & (1 << i)) != 0) {
                sb.append(names.charAt(i));
            }
        }
    }
}
