package dev.jdemi.wire;

import static dev.jdemi.wire.GoldenFrames.ARP_REPLY;
import static dev.jdemi.wire.GoldenFrames.ARP_REQUEST;
import static dev.jdemi.wire.GoldenFrames.HOST_IP;
import static dev.jdemi.wire.GoldenFrames.HOST_MAC;
import static dev.jdemi.wire.GoldenFrames.IP;
import static dev.jdemi.wire.GoldenFrames.PEER_IP;
import static dev.jdemi.wire.GoldenFrames.PEER_MAC;
import static dev.jdemi.wire.GoldenFrames.copy;
import static dev.jdemi.wire.GoldenFrames.hexOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArpPacketTest {
    private final EthernetHeader eth = new EthernetHeader();
    private final ArpPacket arp = new ArpPacket();

    private ArpPacket wrapRequest() {
        return arp.wrap(copy(ARP_REQUEST), IP, ARP_REQUEST.length - IP);
    }

    @Test
    void parsesEveryFieldOfARequest() {
        eth.wrap(copy(ARP_REQUEST), 0, ARP_REQUEST.length);
        arp.wrap(eth.segment(), eth.payloadOffset(), eth.payloadLength());

        assertThat(arp.validate()).isEqualTo(DropReason.NONE);
        assertThat(arp.htype()).isEqualTo(ArpPacket.HTYPE_ETHERNET);
        assertThat(arp.ptype()).isEqualTo(ArpPacket.PTYPE_IPV4);
        assertThat(arp.hlen()).isEqualTo(6);
        assertThat(arp.plen()).isEqualTo(4);
        assertThat(arp.op()).isEqualTo(ArpPacket.OP_REQUEST);
        assertThat(arp.sha()).isEqualTo(HOST_MAC);
        assertThat(arp.spa()).isEqualTo(HOST_IP);
        assertThat(arp.tha()).isZero();
        assertThat(arp.tpa()).isEqualTo(PEER_IP);
    }

    @Test
    void parsesEveryFieldOfAReply() {
        arp.wrap(copy(ARP_REPLY), IP, ARP_REPLY.length - IP);

        assertThat(arp.validate()).isEqualTo(DropReason.NONE);
        assertThat(arp.htype()).isEqualTo(1);
        assertThat(arp.ptype()).isEqualTo(0x0800);
        assertThat(arp.hlen()).isEqualTo(6);
        assertThat(arp.plen()).isEqualTo(4);
        assertThat(arp.op()).isEqualTo(ArpPacket.OP_REPLY);
        assertThat(arp.sha()).isEqualTo(PEER_MAC);
        assertThat(arp.spa()).isEqualTo(PEER_IP);
        assertThat(arp.tha()).isEqualTo(HOST_MAC);
        assertThat(arp.tpa()).isEqualTo(HOST_IP);
    }

    @Test
    void buildsTheRequestFrameByteForByte() {
        MemorySegment out = MemorySegment.ofArray(new byte[ARP_REQUEST.length]);

        eth.wrap(out, 0, ARP_REQUEST.length)
                .dstAddr(EthernetHeader.BROADCAST).srcAddr(HOST_MAC).etherType(EthernetHeader.ETHER_TYPE_ARP);
        arp.wrap(out, eth.payloadOffset(), eth.payloadLength())
                .htype(ArpPacket.HTYPE_ETHERNET).ptype(ArpPacket.PTYPE_IPV4)
                .hlen(ArpPacket.HLEN_ETHERNET).plen(ArpPacket.PLEN_IPV4)
                .op(ArpPacket.OP_REQUEST)
                .sha(HOST_MAC).spa(HOST_IP)
                .tha(0).tpa(PEER_IP);

        assertThat(hexOf(out)).isEqualTo(hexOf(ARP_REQUEST));
    }

    @Test
    void buildsTheReplyFrameByteForByte() {
        MemorySegment out = MemorySegment.ofArray(new byte[ARP_REPLY.length]);

        eth.wrap(out, 0, ARP_REPLY.length)
                .dstAddr(HOST_MAC).srcAddr(PEER_MAC).etherType(EthernetHeader.ETHER_TYPE_ARP);
        arp.wrap(out, IP, ArpPacket.LENGTH)
                .htype(1).ptype(0x0800).hlen(6).plen(4)
                .op(ArpPacket.OP_REPLY)
                .sha(PEER_MAC).spa(PEER_IP)
                .tha(HOST_MAC).tpa(HOST_IP);

        assertThat(hexOf(out)).isEqualTo(hexOf(ARP_REPLY));
    }

    @Test
    void ethernetPaddingAfterThePacketIsAccepted() {
        byte[] padded = java.util.Arrays.copyOf(ARP_REQUEST, EthernetHeader.MIN_FRAME_LENGTH);
        arp.wrap(MemorySegment.ofArray(padded), IP, padded.length - IP);

        assertThat(arp.validate()).isEqualTo(DropReason.NONE);
        assertThat(arp.tpa()).isEqualTo(PEER_IP);
    }

    @Test
    void shortPacketIsTruncated() {
        arp.wrap(copy(ARP_REQUEST), IP, ArpPacket.LENGTH - 1);

        assertThat(arp.validate()).isEqualTo(DropReason.ARP_TRUNCATED);
    }

    @Test
    void nonEthernetHardwareTypeIsRefused() {
        assertThat(wrapRequest().htype(6).validate()).isEqualTo(DropReason.ARP_BAD_HTYPE);
    }

    @Test
    void nonIpv4ProtocolTypeIsRefused() {
        assertThat(wrapRequest().ptype(0x86DD).validate()).isEqualTo(DropReason.ARP_BAD_PTYPE);
    }

    @Test
    void wrongHardwareLengthIsRefused() {
        assertThat(wrapRequest().hlen(8).validate()).isEqualTo(DropReason.ARP_BAD_HLEN);
    }

    @Test
    void wrongProtocolLengthIsRefused() {
        assertThat(wrapRequest().plen(16).validate()).isEqualTo(DropReason.ARP_BAD_PLEN);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 4, 0x0101})
    void opcodesOtherThanRequestAndReplyAreRefused(int op) {
        assertThat(wrapRequest().op(op).validate()).isEqualTo(DropReason.ARP_BAD_OP);
    }
}
