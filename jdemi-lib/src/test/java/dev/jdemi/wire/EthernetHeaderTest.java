package dev.jdemi.wire;

import static dev.jdemi.wire.GoldenFrames.ARP_REQUEST;
import static dev.jdemi.wire.GoldenFrames.HOST_MAC;
import static dev.jdemi.wire.GoldenFrames.PEER_MAC;
import static dev.jdemi.wire.GoldenFrames.TCP_SYN;
import static dev.jdemi.wire.GoldenFrames.copy;
import static dev.jdemi.wire.GoldenFrames.copyAt;
import static dev.jdemi.wire.GoldenFrames.hexOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class EthernetHeaderTest {
    private final EthernetHeader eth = new EthernetHeader();

    @Test
    void parsesTheBroadcastHeaderOfAnArpRequest() {
        eth.wrap(copy(ARP_REQUEST), 0, ARP_REQUEST.length);

        assertThat(eth.validate()).isEqualTo(DropReason.NONE);
        assertThat(eth.dstAddr()).isEqualTo(EthernetHeader.BROADCAST);
        assertThat(eth.srcAddr()).isEqualTo(HOST_MAC);
        assertThat(eth.etherType()).isEqualTo(EthernetHeader.ETHER_TYPE_ARP);
        assertThat(eth.isBroadcast()).isTrue();
        assertThat(eth.isMulticast()).isTrue();
        assertThat(eth.payloadOffset()).isEqualTo(14);
        assertThat(eth.payloadLength()).isEqualTo(28);
    }

    @Test
    void parsesAUnicastIpv4HeaderAtAnUnalignedOffset() {
        MemorySegment frame = copyAt(TCP_SYN, 3, 5);
        eth.wrap(frame, 3, TCP_SYN.length);

        assertThat(eth.validate()).isEqualTo(DropReason.NONE);
        assertThat(eth.dstAddr()).isEqualTo(PEER_MAC);
        assertThat(eth.srcAddr()).isEqualTo(HOST_MAC);
        assertThat(eth.etherType()).isEqualTo(EthernetHeader.ETHER_TYPE_IPV4);
        assertThat(eth.isBroadcast()).isFalse();
        assertThat(eth.isMulticast()).isFalse();
        assertThat(eth.segment()).isSameAs(frame);
        assertThat(eth.offset()).isEqualTo(3);
        assertThat(eth.capacity()).isEqualTo(74);
        assertThat(eth.payloadOffset()).isEqualTo(17);
        assertThat(eth.payloadLength()).isEqualTo(60);
    }

    @Test
    void buildsTheSynFrameHeaderByteForByte() {
        MemorySegment out = MemorySegment.ofArray(new byte[EthernetHeader.HEADER_LENGTH]);

        new EthernetHeader().wrap(out, 0, EthernetHeader.HEADER_LENGTH)
                .dstAddr(PEER_MAC)
                .srcAddr(HOST_MAC)
                .etherType(EthernetHeader.ETHER_TYPE_IPV4);

        assertThat(hexOf(out)).isEqualTo(hexOf(TCP_SYN, 0, 14));
    }

    @Test
    void setterKeepsOnlyTheLow48Bits() {
        MemorySegment out = MemorySegment.ofArray(new byte[16]);
        eth.wrap(out, 1, 14).dstAddr(0xFFFF_0102_0304_0506L).srcAddr(-1L);

        assertThat(eth.dstAddr()).isEqualTo(0x0102_0304_0506L);
        assertThat(eth.srcAddr()).isEqualTo(EthernetHeader.BROADCAST);
        assertThat(out.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)).isZero();
        assertThat(out.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 13)).isZero();
    }

    @Test
    void shortFrameIsTruncated() {
        eth.wrap(copy(TCP_SYN), 0, 13);

        assertThat(eth.validate()).isEqualTo(DropReason.ETHERNET_TRUNCATED);
    }

    @Test
    void ieee8023LengthFieldIsNotEthernetTwo() {
        MemorySegment frame = copy(TCP_SYN);
        eth.wrap(frame, 0, TCP_SYN.length).etherType(0x05DC);

        assertThat(eth.validate()).isEqualTo(DropReason.ETHERNET_NOT_TYPE_II);
        assertThat(eth.etherType(EthernetHeader.MIN_ETHER_TYPE).validate()).isEqualTo(DropReason.NONE);
    }

    @Test
    void wrapRefusesARegionOutsideTheSegment() {
        MemorySegment frame = copy(ARP_REQUEST);

        assertThatThrownBy(() -> eth.wrap(frame, 1, ARP_REQUEST.length))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> eth.wrap(frame, -1, 10)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
