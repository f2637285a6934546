package dev.jdemi.wire;

import static dev.jdemi.wire.GoldenFrames.HOST_IP;
import static dev.jdemi.wire.GoldenFrames.HOST_MAC;
import static dev.jdemi.wire.GoldenFrames.ICMP_REPLY;
import static dev.jdemi.wire.GoldenFrames.IP;
import static dev.jdemi.wire.GoldenFrames.IPV4_RR;
import static dev.jdemi.wire.GoldenFrames.PEER_IP;
import static dev.jdemi.wire.GoldenFrames.PEER_MAC;
import static dev.jdemi.wire.GoldenFrames.TCP_SYN;
import static dev.jdemi.wire.GoldenFrames.copy;
import static dev.jdemi.wire.GoldenFrames.hexOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Ipv4HeaderTest {
    private final Ipv4Header ip = new Ipv4Header();

    private Ipv4Header wrap(byte[] frame) {
        return ip.wrap(copy(frame), IP, frame.length - IP);
    }

    @Test
    void parsesEveryFieldOfTheSynHeader() {
        wrap(TCP_SYN);

        assertThat(ip.validate(true)).isEqualTo(DropReason.NONE);
        assertThat(ip.version()).isEqualTo(4);
        assertThat(ip.ihl()).isEqualTo(5);
        assertThat(ip.headerLength()).isEqualTo(20);
        assertThat(ip.tos()).isZero();
        assertThat(ip.dscp()).isZero();
        assertThat(ip.ecn()).isZero();
        assertThat(ip.totalLength()).isEqualTo(60);
        assertThat(ip.identification()).isEqualTo(0x923C);
        assertThat(ip.flags()).isEqualTo(Ipv4Header.FLAG_DF);
        assertThat(ip.isDontFragment()).isTrue();
        assertThat(ip.hasMoreFragments()).isFalse();
        assertThat(ip.isFragment()).isFalse();
        assertThat(ip.fragmentOffset()).isZero();
        assertThat(ip.ttl()).isEqualTo(64);
        assertThat(ip.protocol()).isEqualTo(Ipv4Header.PROTOCOL_TCP);
        assertThat(ip.headerChecksum()).isEqualTo(0x906F);
        assertThat(ip.isHeaderChecksumValid()).isTrue();
        assertThat(ip.srcAddr()).isEqualTo(HOST_IP);
        assertThat(ip.dstAddr()).isEqualTo(PEER_IP);
        assertThat(ip.optionsLength()).isZero();
        assertThat(ip.payloadOffset()).isEqualTo(34);
        assertThat(ip.payloadLength()).isEqualTo(40);
    }

    @Test
    void parsesTheEchoReplyHeaderWithoutDontFragment() {
        wrap(ICMP_REPLY);

        assertThat(ip.validate(true)).isEqualTo(DropReason.NONE);
        assertThat(ip.identification()).isEqualTo(0xFBF3);
        assertThat(ip.flags()).isZero();
        assertThat(ip.protocol()).isEqualTo(Ipv4Header.PROTOCOL_ICMP);
        assertThat(ip.headerChecksum()).isEqualTo(0x66A5);
        assertThat(ip.srcAddr()).isEqualTo(PEER_IP);
        assertThat(ip.dstAddr()).isEqualTo(HOST_IP);
        assertThat(ip.payloadLength()).isEqualTo(64);
    }

    @Test
    void parsesTheRecordRouteOption() {
        wrap(IPV4_RR);

        assertThat(ip.validate(true)).isEqualTo(DropReason.NONE);
        assertThat(ip.ihl()).isEqualTo(8);
        assertThat(ip.headerLength()).isEqualTo(32);
        assertThat(ip.totalLength()).isEqualTo(42);
        assertThat(ip.identification()).isEqualTo(0x8FF8);
        assertThat(ip.protocol()).isEqualTo(Ipv4Header.PROTOCOL_UDP);
        assertThat(ip.headerChecksum()).isEqualTo(0x779C);
        assertThat(ip.optionsLength()).isEqualTo(12);
        assertThat(ip.optionByte(0)).isEqualTo(Ipv4Header.OPTION_NOP);

        int rr = ip.findOption(Ipv4Header.OPTION_RECORD_ROUTE);
        assertThat(rr).isEqualTo(1);
        assertThat(ip.optionByte(rr + 1)).as("length").isEqualTo(11);
        assertThat(ip.optionByte(rr + 2)).as("pointer").isEqualTo(8);
        assertThat(ip.optionInt(rr + 3)).as("first recorded address").isEqualTo(HOST_IP);
        assertThat(ip.optionInt(rr + 7)).as("free slot").isZero();
        assertThat(ip.findOption(Ipv4Header.OPTION_TIMESTAMP)).isEqualTo(-1);
        assertThat(ip.payloadOffset()).isEqualTo(IP + 32);
        assertThat(ip.payloadLength()).isEqualTo(10);
    }

    @Test
    void buildsTheSynHeaderByteForByte() {
        MemorySegment out = MemorySegment.ofArray(new byte[20]);

        ip.wrap(out, 0, 20)
                .version(4).ihl(5).tos(0).totalLength(60)
                .identification(0x923C).flags(Ipv4Header.FLAG_DF).fragmentOffset(0)
                .ttl(64).protocol(Ipv4Header.PROTOCOL_TCP)
                .srcAddr(HOST_IP).dstAddr(PEER_IP)
                .computeHeaderChecksum();

        assertThat(ip.headerChecksum()).isEqualTo(0x906F);
        assertThat(hexOf(out)).isEqualTo(hexOf(TCP_SYN, IP, IP + 20));
    }

    @Test
    void buildsTheRecordRouteFrameByteForByte() {
        MemorySegment out = MemorySegment.ofArray(new byte[IPV4_RR.length]);
        new EthernetHeader().wrap(out, 0, IPV4_RR.length)
                .dstAddr(PEER_MAC).srcAddr(HOST_MAC).etherType(EthernetHeader.ETHER_TYPE_IPV4);
        ip.wrap(out, IP, IPV4_RR.length - IP)
                .version(4).ihl(8).totalLength(42)
                .identification(0x8FF8).flags(Ipv4Header.FLAG_DF)
                .ttl(64).protocol(Ipv4Header.PROTOCOL_UDP)
                .srcAddr(HOST_IP).dstAddr(PEER_IP)
                .optionByte(0, Ipv4Header.OPTION_NOP)
                .optionByte(1, Ipv4Header.OPTION_RECORD_ROUTE).optionByte(2, 11).optionByte(3, 8)
                .optionInt(4, HOST_IP).optionInt(8, 0)
                .computeHeaderChecksum();
        UdpHeader udp = new UdpHeader().wrap(out, ip.payloadOffset(), ip.payloadLength())
                .srcPort(41235).dstPort(53).length(10);
        out.set(java.lang.foreign.ValueLayout.JAVA_BYTE, udp.payloadOffset(), (byte) 'r');
        out.set(java.lang.foreign.ValueLayout.JAVA_BYTE, udp.payloadOffset() + 1, (byte) 'r');
        udp.computeChecksum(HOST_IP, PEER_IP);

        assertThat(ip.headerChecksum()).isEqualTo(0x779C);
        assertThat(udp.checksum()).isEqualTo(0xD40E);
        assertThat(hexOf(out)).isEqualTo(hexOf(IPV4_RR));
    }

    @Test
    void setterForFlagsKeepsTheFragmentOffsetAndTheOtherWay() {
        MemorySegment out = MemorySegment.ofArray(new byte[20]);
        ip.wrap(out, 0, 20).fragmentOffset(0x1ABC).flags(Ipv4Header.FLAG_MF | Ipv4Header.FLAG_RESERVED);

        assertThat(ip.fragmentOffset()).isEqualTo(0x1ABC);
        assertThat(ip.flags()).isEqualTo(0b101);
        assertThat(ip.isFragment()).isTrue();
        assertThat(ip.hasMoreFragments()).isTrue();

        ip.fragmentOffset(0).flags(Ipv4Header.FLAG_DF);
        assertThat(ip.isFragment()).isFalse();
        ip.fragmentOffset(1);
        assertThat(ip.isFragment()).isTrue();
        assertThat(ip.flags()).isEqualTo(Ipv4Header.FLAG_DF);
    }

    @Test
    void dscpAndEcnSplitTheTosOctet() {
        MemorySegment out = MemorySegment.ofArray(new byte[20]);
        ip.wrap(out, 0, 20).tos((46 << 2) | 0b01);

        assertThat(ip.dscp()).isEqualTo(46);
        assertThat(ip.ecn()).isEqualTo(1);
    }

    @Test
    void ethernetPaddingBeyondTotalLengthIsNotPayload() {
        byte[] padded = java.util.Arrays.copyOf(IPV4_RR, 80);
        ip.wrap(MemorySegment.ofArray(padded), IP, padded.length - IP);

        assertThat(ip.validate(true)).isEqualTo(DropReason.NONE);
        assertThat(ip.payloadLength()).isEqualTo(10);
    }

    @Test
    void shortBufferIsTruncated() {
        ip.wrap(copy(TCP_SYN), IP, 19);

        assertThat(ip.validate(true)).isEqualTo(DropReason.IPV4_TRUNCATED);
    }

    @ParameterizedTest
    @CsvSource({"6", "0", "15"})
    void versionOtherThanFourIsRefused(int version) {
        assertThat(wrap(TCP_SYN).version(version).validate(false)).isEqualTo(DropReason.IPV4_BAD_VERSION);
    }

    @ParameterizedTest
    @CsvSource({"0", "4"})
    void ihlBelowFiveIsRefused(int ihl) {
        assertThat(wrap(TCP_SYN).ihl(ihl).validate(false)).isEqualTo(DropReason.IPV4_BAD_IHL);
    }

    @Test
    void headerLongerThanTheBufferIsABadIhl() {
        ip.wrap(copy(TCP_SYN), IP, 40).ihl(11);

        assertThat(ip.validate(false)).isEqualTo(DropReason.IPV4_BAD_IHL);
    }

    @Test
    void totalLengthBeyondTheBufferIsRefused() {
        assertThat(wrap(TCP_SYN).totalLength(61).validate(false)).isEqualTo(DropReason.IPV4_BAD_TOTAL_LENGTH);
    }

    @Test
    void totalLengthShorterThanTheHeaderIsRefused() {
        assertThat(wrap(IPV4_RR).totalLength(31).validate(false)).isEqualTo(DropReason.IPV4_BAD_TOTAL_LENGTH);
    }

    @Test
    void corruptedHeaderFailsTheChecksumUnlessVerificationIsOff() {
        wrap(TCP_SYN).identification(0x923D);

        assertThat(ip.isHeaderChecksumValid()).isFalse();
        assertThat(ip.validate(true)).isEqualTo(DropReason.IPV4_BAD_CHECKSUM);
        assertThat(ip.validate(false)).isEqualTo(DropReason.NONE);
    }

    @Test
    void checksumCoversTheOptions() {
        wrap(IPV4_RR).optionInt(8, PEER_IP);

        assertThat(ip.validate(true)).isEqualTo(DropReason.IPV4_BAD_CHECKSUM);
    }

    @ParameterizedTest(name = "option bytes at 1..3 = {0} {1} {2}")
    @CsvSource({
        "7, 0, 8",    // length 0
        "7, 1, 8",    // length 1
        "7, 12, 8",   // runs one byte past the 12 option bytes
        "7, 11, 3",   // record-route pointer below 4
        "7, 2, 8",    // record route too short for its pointer
        "68, 11, 4",  // timestamp pointer below 5
        "99, 12, 0",  // unknown type, runs past the header
    })
    void malformedOptionsAreRefused(int type, int length, int pointer) {
        wrap(IPV4_RR).optionByte(1, type).optionByte(2, length).optionByte(3, pointer).computeHeaderChecksum();

        assertThat(ip.validateOptions()).isEqualTo(DropReason.IPV4_BAD_OPTION);
        assertThat(ip.validate(true)).isEqualTo(DropReason.IPV4_BAD_OPTION);
    }

    @Test
    void typeWithoutRoomForItsLengthIsRefused() {
        wrap(IPV4_RR).optionByte(0, 1).optionByte(1, 1).optionByte(2, 1).optionByte(3, 1)
                .optionInt(4, 0x0101_0101).optionInt(8, 0x0101_0144).computeHeaderChecksum();

        assertThat(ip.validate(true)).isEqualTo(DropReason.IPV4_BAD_OPTION);
    }

    @Test
    void unknownOptionsAndEolPaddingAreAccepted() {
        // NOP, unknown type 30 of length 4, EOL, then garbage that follows EOL and must not be read as options.
        wrap(IPV4_RR).optionInt(0, 0x011E_0400).optionInt(4, 0x0000_00FF).optionInt(8, 0xFF00_FF00)
                .computeHeaderChecksum();

        assertThat(ip.validate(true)).isEqualTo(DropReason.NONE);
        assertThat(ip.findOption(30)).isEqualTo(1);
        assertThat(ip.findOption(Ipv4Header.OPTION_RECORD_ROUTE)).isEqualTo(-1);
    }
}
