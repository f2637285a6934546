package dev.jdemi.wire;

import static dev.jdemi.wire.GoldenFrames.HOST_IP;
import static dev.jdemi.wire.GoldenFrames.HOST_MAC;
import static dev.jdemi.wire.GoldenFrames.IP;
import static dev.jdemi.wire.GoldenFrames.L4;
import static dev.jdemi.wire.GoldenFrames.PEER_IP;
import static dev.jdemi.wire.GoldenFrames.PEER_MAC;
import static dev.jdemi.wire.GoldenFrames.UDP;
import static dev.jdemi.wire.GoldenFrames.copy;
import static dev.jdemi.wire.GoldenFrames.hex;
import static dev.jdemi.wire.GoldenFrames.hexOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UdpHeaderTest {
    private static final String PAYLOAD = "jdemi wire golden datagram\n";

    private final UdpHeader udp = new UdpHeader();

    private UdpHeader wrap(byte[] frame) {
        return udp.wrap(copy(frame), L4, frame.length - L4);
    }

    @Test
    void parsesEveryFieldOfADatagram() {
        Ipv4Header ip = new Ipv4Header().wrap(copy(UDP), IP, UDP.length - IP);
        assertThat(ip.validate(true)).isEqualTo(DropReason.NONE);
        udp.wrap(ip.segment(), ip.payloadOffset(), ip.payloadLength());

        assertThat(udp.validate(ip.srcAddr(), ip.dstAddr(), true)).isEqualTo(DropReason.NONE);
        assertThat(udp.srcPort()).isEqualTo(41234);
        assertThat(udp.dstPort()).isEqualTo(53);
        assertThat(udp.length()).isEqualTo(35);
        assertThat(udp.checksum()).isEqualTo(0x1593);
        assertThat(udp.isChecksumValid(HOST_IP, PEER_IP)).isTrue();
        assertThat(udp.payloadOffset()).isEqualTo(L4 + 8);
        assertThat(udp.payloadLength()).isEqualTo(27);
        byte[] data = udp.segment().asSlice(udp.payloadOffset(), udp.payloadLength()).toArray(ValueLayout.JAVA_BYTE);
        assertThat(new String(data, StandardCharsets.US_ASCII)).isEqualTo(PAYLOAD);
    }

    @Test
    void buildsTheDatagramFrameByteForByte() {
        MemorySegment out = MemorySegment.ofArray(new byte[UDP.length]);
        new EthernetHeader().wrap(out, 0, UDP.length)
                .dstAddr(PEER_MAC).srcAddr(HOST_MAC).etherType(EthernetHeader.ETHER_TYPE_IPV4);
        Ipv4Header ip = new Ipv4Header().wrap(out, IP, UDP.length - IP)
                .version(4).ihl(5).totalLength(55).identification(0x8FEF).flags(Ipv4Header.FLAG_DF)
                .ttl(64).protocol(Ipv4Header.PROTOCOL_UDP).srcAddr(HOST_IP).dstAddr(PEER_IP)
                .computeHeaderChecksum();
        udp.wrap(out, ip.payloadOffset(), ip.payloadLength()).srcPort(41234).dstPort(53).length(35);
        MemorySegment.copy(MemorySegment.ofArray(PAYLOAD.getBytes(StandardCharsets.US_ASCII)), 0,
                out, udp.payloadOffset(), 27);
        udp.computeChecksum(HOST_IP, PEER_IP);

        assertThat(udp.checksum()).isEqualTo(0x1593);
        assertThat(hexOf(out)).isEqualTo(hexOf(UDP));
    }

    @Test
    void checksumOverScatteredDataEqualsTheContiguousOne() {
        MemorySegment header = MemorySegment.ofArray(new byte[8]);
        MemorySegment data = MemorySegment.ofArray(PAYLOAD.getBytes(StandardCharsets.US_ASCII));
        // The data in two pieces, the second starting at an odd position.
        long dataSum = Checksum.onesAt(0, 0, data, 0, 11);
        dataSum = Checksum.onesAt(dataSum, 11, data, 11, 16);

        udp.wrap(header, 0, 8).srcPort(41234).dstPort(53).length(35).computeChecksum(HOST_IP, PEER_IP, dataSum);

        assertThat(udp.checksum()).isEqualTo(0x1593);
    }

    @Test
    void computedZeroIsSentAsAllOnesAndStillVerifies() {
        // This datagram's true checksum is 0x0000 (found and checked with Python), which RFC 768 sends as 0xFFFF.
        MemorySegment datagram = MemorySegment.ofArray(hex("a1120035 00100000 7a65726f 21213880"));
        udp.wrap(datagram, 0, 16).computeChecksum(HOST_IP, PEER_IP);

        assertThat(udp.checksum()).isEqualTo(0xFFFF);
        assertThat(udp.isChecksumValid(HOST_IP, PEER_IP)).isTrue();
        assertThat(udp.validate(HOST_IP, PEER_IP, true)).isEqualTo(DropReason.NONE);
    }

    @Test
    void zeroChecksumMeansNoneAndIsNotVerified() {
        wrap(UDP).checksum(UdpHeader.NO_CHECKSUM);

        assertThat(udp.isChecksumValid(HOST_IP, PEER_IP)).isTrue();
        assertThat(udp.validate(HOST_IP, PEER_IP, true)).isEqualTo(DropReason.NONE);
    }

    @Test
    void wrongChecksumIsRefused() {
        wrap(UDP).checksum(0x1594);

        assertThat(udp.validate(HOST_IP, PEER_IP, true)).isEqualTo(DropReason.UDP_BAD_CHECKSUM);
        assertThat(udp.validate(HOST_IP, PEER_IP, false)).isEqualTo(DropReason.NONE);
    }

    @Test
    void pseudoHeaderMismatchIsRefused() {
        wrap(UDP);

        assertThat(udp.validate(HOST_IP, HOST_IP, true)).isEqualTo(DropReason.UDP_BAD_CHECKSUM);
    }

    @Test
    void shortDatagramIsTruncated() {
        udp.wrap(copy(UDP), L4, 7);

        assertThat(udp.validate(HOST_IP, PEER_IP, false)).isEqualTo(DropReason.UDP_TRUNCATED);
    }

    @Test
    void lengthFieldBelowTheHeaderIsRefused() {
        assertThat(wrap(UDP).length(7).validate(HOST_IP, PEER_IP, false)).isEqualTo(DropReason.UDP_BAD_LENGTH);
    }

    @Test
    void lengthFieldBeyondTheIpPayloadIsRefused() {
        assertThat(wrap(UDP).length(36).validate(HOST_IP, PEER_IP, false)).isEqualTo(DropReason.UDP_BAD_LENGTH);
    }

    @Test
    void lengthFieldShorterThanTheIpPayloadTrimsTheData() {
        // Drop the final newline from the datagram: length 34 inside a 35-byte IP payload, checksum recomputed.
        wrap(UDP).length(34).computeChecksum(HOST_IP, PEER_IP);

        assertThat(udp.validate(HOST_IP, PEER_IP, true)).isEqualTo(DropReason.NONE);
        assertThat(udp.payloadLength()).isEqualTo(26);
    }
}
