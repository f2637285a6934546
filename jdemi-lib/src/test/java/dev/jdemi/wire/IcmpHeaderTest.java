package dev.jdemi.wire;

import static dev.jdemi.wire.GoldenFrames.HOST_IP;
import static dev.jdemi.wire.GoldenFrames.HOST_MAC;
import static dev.jdemi.wire.GoldenFrames.ICMP_REPLY;
import static dev.jdemi.wire.GoldenFrames.ICMP_REQUEST;
import static dev.jdemi.wire.GoldenFrames.L4;
import static dev.jdemi.wire.GoldenFrames.PEER_IP;
import static dev.jdemi.wire.GoldenFrames.PEER_MAC;
import static dev.jdemi.wire.GoldenFrames.copy;
import static dev.jdemi.wire.GoldenFrames.hexOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class IcmpHeaderTest {
    private final IcmpHeader icmp = new IcmpHeader();

    /** Wraps the ICMP message of a frame the way the stack would: through Ethernet and IPv4. */
    private IcmpHeader parse(byte[] frame) {
        EthernetHeader eth = new EthernetHeader().wrap(copy(frame), 0, frame.length);
        Ipv4Header ip = new Ipv4Header().wrap(eth.segment(), eth.payloadOffset(), eth.payloadLength());
        assertThat(ip.validate(true)).isEqualTo(DropReason.NONE);
        return icmp.wrap(ip.segment(), ip.payloadOffset(), ip.payloadLength());
    }

    @Test
    void parsesEveryFieldOfAnEchoRequest() {
        parse(ICMP_REQUEST);

        assertThat(icmp.validate(true)).isEqualTo(DropReason.NONE);
        assertThat(icmp.type()).isEqualTo(IcmpHeader.TYPE_ECHO_REQUEST);
        assertThat(icmp.code()).isZero();
        assertThat(icmp.checksum()).isEqualTo(0xB634);
        assertThat(icmp.isChecksumValid()).isTrue();
        assertThat(icmp.identifier()).isEqualTo(0x1C2B);
        assertThat(icmp.sequenceNumber()).isEqualTo(1);
        assertThat(icmp.restOfHeader()).isEqualTo(0x1C2B_0001);
        assertThat(icmp.payloadOffset()).isEqualTo(L4 + 8);
        assertThat(icmp.payloadLength()).isEqualTo(56);
        // ping's pattern: byte i of the data is i, after the 16-byte timeval.
        for (int i = 16; i < 56; i++) {
            assertThat(icmp.segment().get(ValueLayout.JAVA_BYTE, icmp.payloadOffset() + i)).isEqualTo((byte) i);
        }
    }

    @Test
    void parsesTheKernelsEchoReply() {
        parse(ICMP_REPLY);

        assertThat(icmp.validate(true)).isEqualTo(DropReason.NONE);
        assertThat(icmp.type()).isEqualTo(IcmpHeader.TYPE_ECHO_REPLY);
        assertThat(icmp.code()).isZero();
        assertThat(icmp.checksum()).isEqualTo(0xBE34);
        assertThat(icmp.identifier()).isEqualTo(0x1C2B);
        assertThat(icmp.sequenceNumber()).isEqualTo(1);
        assertThat(icmp.payloadLength()).isEqualTo(56);
    }

    @Test
    void buildsTheEchoRequestFrameByteForByte() {
        MemorySegment out = MemorySegment.ofArray(new byte[ICMP_REQUEST.length]);
        new EthernetHeader().wrap(out, 0, ICMP_REQUEST.length)
                .dstAddr(PEER_MAC).srcAddr(HOST_MAC).etherType(EthernetHeader.ETHER_TYPE_IPV4);
        Ipv4Header ip = new Ipv4Header().wrap(out, 14, ICMP_REQUEST.length - 14)
                .version(4).ihl(5).totalLength(84).identification(0x4F57).flags(Ipv4Header.FLAG_DF)
                .ttl(64).protocol(Ipv4Header.PROTOCOL_ICMP).srcAddr(HOST_IP).dstAddr(PEER_IP)
                .computeHeaderChecksum();
        icmp.wrap(out, ip.payloadOffset(), ip.payloadLength())
                .type(IcmpHeader.TYPE_ECHO_REQUEST).code(0).identifier(0x1C2B).sequenceNumber(1);
        MemorySegment.copy(MemorySegment.ofArray(ICMP_REQUEST), L4 + 8, out, icmp.payloadOffset(), 56);
        icmp.computeChecksum();

        assertThat(icmp.checksum()).isEqualTo(0xB634);
        assertThat(hexOf(out)).isEqualTo(hexOf(ICMP_REQUEST));
    }

    @Test
    void turnsTheRequestIntoTheKernelsReplyInPlace() {
        parse(ICMP_REQUEST).type(IcmpHeader.TYPE_ECHO_REPLY).computeChecksum();

        assertThat(hexOf(icmp.segment().asSlice(L4).toArray(ValueLayout.JAVA_BYTE)))
                .isEqualTo(hexOf(ICMP_REPLY, L4, ICMP_REPLY.length));
    }

    @Test
    void incrementalUpdateOfTheTypeWordGivesTheReplyChecksum() {
        parse(ICMP_REQUEST);
        int oldWord = icmp.type() << 8 | icmp.code();

        int updated = Checksum.update16(icmp.checksum(), oldWord, IcmpHeader.TYPE_ECHO_REPLY << 8);

        assertThat(updated).isEqualTo(0xBE34);
    }

    @Test
    void shortMessageIsTruncated() {
        icmp.wrap(copy(ICMP_REQUEST), L4, 7);

        assertThat(icmp.validate(false)).isEqualTo(DropReason.ICMP_TRUNCATED);
    }

    @Test
    void corruptedDataFailsTheChecksum() {
        parse(ICMP_REQUEST);
        icmp.segment().set(ValueLayout.JAVA_BYTE, icmp.payloadOffset() + 55, (byte) 0x38);

        assertThat(icmp.validate(true)).isEqualTo(DropReason.ICMP_BAD_CHECKSUM);
        assertThat(icmp.validate(false)).isEqualTo(DropReason.NONE);
    }

    @Test
    void readsTheNextHopMtuOfFragmentationNeeded() {
        MemorySegment out = MemorySegment.ofArray(new byte[8]);
        icmp.wrap(out, 0, 8).type(IcmpHeader.TYPE_DESTINATION_UNREACHABLE)
                .code(IcmpHeader.CODE_FRAGMENTATION_NEEDED).restOfHeader(1400).computeChecksum();

        assertThat(icmp.nextHopMtu()).isEqualTo(1400);
        assertThat(icmp.validate(true)).isEqualTo(DropReason.NONE);
        // 0x0304 + 0x0578 = 0x087c, so the checksum is its complement 0xf783.
        assertThat(hexOf(out)).isEqualTo("0304f78300000578");
    }
}
