package dev.jdemi.wire;

import static dev.jdemi.wire.GoldenFrames.HOST_IP;
import static dev.jdemi.wire.GoldenFrames.HOST_MAC;
import static dev.jdemi.wire.GoldenFrames.IP;
import static dev.jdemi.wire.GoldenFrames.L4;
import static dev.jdemi.wire.GoldenFrames.PEER_IP;
import static dev.jdemi.wire.GoldenFrames.PEER_MAC;
import static dev.jdemi.wire.GoldenFrames.TCP_ACK;
import static dev.jdemi.wire.GoldenFrames.TCP_DATA;
import static dev.jdemi.wire.GoldenFrames.TCP_SACK1;
import static dev.jdemi.wire.GoldenFrames.TCP_SACK2;
import static dev.jdemi.wire.GoldenFrames.TCP_SYN;
import static dev.jdemi.wire.GoldenFrames.TCP_SYN_ACK;
import static dev.jdemi.wire.GoldenFrames.copy;
import static dev.jdemi.wire.GoldenFrames.hexOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TcpHeaderTest {
    private final TcpHeader tcp = new TcpHeader();
    private final TcpOptions options = new TcpOptions();

    /** Wraps the TCP segment of a frame through Ethernet and IPv4, checking both on the way. */
    private TcpHeader parse(byte[] frame) {
        EthernetHeader eth = new EthernetHeader().wrap(copy(frame), 0, frame.length);
        assertThat(eth.validate()).isEqualTo(DropReason.NONE);
        Ipv4Header ip = new Ipv4Header().wrap(eth.segment(), eth.payloadOffset(), eth.payloadLength());
        assertThat(ip.validate(true)).isEqualTo(DropReason.NONE);
        assertThat(ip.protocol()).isEqualTo(Ipv4Header.PROTOCOL_TCP);
        return tcp.wrap(ip.segment(), ip.payloadOffset(), ip.payloadLength());
    }

    /** An empty frame of the golden frame's size with its Ethernet and IPv4 headers built from their fields. */
    private static MemorySegment ipFrame(byte[] golden, boolean fromHost, int identification) {
        MemorySegment out = MemorySegment.ofArray(new byte[golden.length]);
        new EthernetHeader().wrap(out, 0, golden.length)
                .dstAddr(fromHost ? PEER_MAC : HOST_MAC)
                .srcAddr(fromHost ? HOST_MAC : PEER_MAC)
                .etherType(EthernetHeader.ETHER_TYPE_IPV4);
        new Ipv4Header().wrap(out, IP, golden.length - IP)
                .version(4).ihl(5).totalLength(golden.length - IP)
                .identification(identification).flags(Ipv4Header.FLAG_DF)
                .ttl(64).protocol(Ipv4Header.PROTOCOL_TCP)
                .srcAddr(fromHost ? HOST_IP : PEER_IP).dstAddr(fromHost ? PEER_IP : HOST_IP)
                .computeHeaderChecksum();
        return out;
    }

    @Test
    void parsesEveryFieldOfTheLinuxSyn() {
        parse(TCP_SYN);

        assertThat(tcp.validate(HOST_IP, PEER_IP, true)).isEqualTo(DropReason.NONE);
        assertThat(tcp.srcPort()).isEqualTo(48606);
        assertThat(tcp.dstPort()).isEqualTo(80);
        assertThat(tcp.seqNumber()).isEqualTo(0x3B50F780);
        assertThat(tcp.ackNumber()).isZero();
        assertThat(tcp.dataOffset()).isEqualTo(10);
        assertThat(tcp.headerLength()).isEqualTo(40);
        assertThat(tcp.reserved()).isZero();
        assertThat(tcp.flags()).isEqualTo(TcpHeader.FLAG_SYN);
        assertThat(tcp.isSyn()).isTrue();
        assertThat(tcp.isAck() || tcp.isFin() || tcp.isRst() || tcp.isPsh() || tcp.isUrg() || tcp.isEce()
                || tcp.isCwr()).isFalse();
        assertThat(tcp.window()).isEqualTo(64240);
        assertThat(tcp.checksum()).isEqualTo(0xFF8F);
        assertThat(tcp.isChecksumValid(HOST_IP, PEER_IP)).isTrue();
        assertThat(tcp.urgentPointer()).isZero();
        assertThat(tcp.optionsLength()).isEqualTo(20);
        assertThat(tcp.payloadOffset()).isEqualTo(L4 + 40);
        assertThat(tcp.payloadLength()).isZero();

        assertThat(tcp.parseOptions(options)).isEqualTo(DropReason.NONE);
        assertThat(options.hasMss()).isTrue();
        assertThat(options.mss()).isEqualTo(1460);
        assertThat(options.isSackPermitted()).isTrue();
        assertThat(options.hasTimestamps()).isTrue();
        assertThat(options.tsVal()).isEqualTo(0x180F2C5D);
        assertThat(options.tsEcr()).isZero();
        assertThat(options.hasWindowScale()).isTrue();
        assertThat(options.windowScale()).isEqualTo(10);
        assertThat(options.sackBlockCount()).isZero();
        assertThat(options.hasUnknownOption()).isFalse();
    }

    @Test
    void parsesEveryFieldOfTheSynAck() {
        parse(TCP_SYN_ACK);

        assertThat(tcp.validate(PEER_IP, HOST_IP, true)).isEqualTo(DropReason.NONE);
        assertThat(tcp.srcPort()).isEqualTo(80);
        assertThat(tcp.dstPort()).isEqualTo(48606);
        assertThat(tcp.seqNumber()).isEqualTo(0x8B99765A);
        assertThat(tcp.ackNumber()).isEqualTo(0x3B50F781);
        assertThat(tcp.dataOffset()).isEqualTo(10);
        assertThat(tcp.flags()).isEqualTo(TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK);
        assertThat(tcp.hasFlags(TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK)).isTrue();
        assertThat(tcp.hasFlags(TcpHeader.FLAG_SYN | TcpHeader.FLAG_FIN)).isFalse();
        assertThat(tcp.window()).isEqualTo(65160);
        assertThat(tcp.checksum()).isEqualTo(0xEE77);
        assertThat(tcp.urgentPointer()).isZero();

        assertThat(tcp.parseOptions(options)).isEqualTo(DropReason.NONE);
        assertThat(options.mss()).isEqualTo(1460);
        assertThat(options.isSackPermitted()).isTrue();
        assertThat(options.tsVal()).isEqualTo(0xFA9710E3);
        assertThat(options.tsEcr()).isEqualTo(0x180F2C5D);
        assertThat(options.windowScale()).isEqualTo(10);
    }

    @Test
    void parsesEveryFieldOfTheFinalHandshakeAck() {
        parse(TCP_ACK);

        assertThat(tcp.validate(HOST_IP, PEER_IP, true)).isEqualTo(DropReason.NONE);
        assertThat(tcp.seqNumber()).isEqualTo(0x3B50F781);
        assertThat(tcp.ackNumber()).isEqualTo(0x8B99765B);
        assertThat(tcp.dataOffset()).isEqualTo(8);
        assertThat(tcp.flags()).isEqualTo(TcpHeader.FLAG_ACK);
        assertThat(tcp.window()).isEqualTo(63);
        assertThat(tcp.checksum()).isEqualTo(0x1B90);

        assertThat(tcp.parseOptions(options)).isEqualTo(DropReason.NONE);
        assertThat(options.hasMss() || options.hasWindowScale() || options.isSackPermitted()).isFalse();
        assertThat(options.tsVal()).isEqualTo(0x180F2C5E);
        assertThat(options.tsEcr()).isEqualTo(0xFA9710E3);
    }

    @Test
    void parsesDataAndItsPayloadChecksum() {
        parse(TCP_DATA);

        assertThat(tcp.validate(HOST_IP, PEER_IP, true)).isEqualTo(DropReason.NONE);
        assertThat(tcp.srcPort()).isEqualTo(33418);
        assertThat(tcp.seqNumber()).isEqualTo(0x5080931B);
        assertThat(tcp.ackNumber()).isEqualTo(0xF3802FDA);
        assertThat(tcp.flags()).isEqualTo(TcpHeader.FLAG_PSH | TcpHeader.FLAG_ACK);
        assertThat(tcp.window()).isEqualTo(502);
        assertThat(tcp.checksum()).isEqualTo(0x59B6);
        assertThat(tcp.payloadLength()).isEqualTo(100);
        for (int i = 0; i < 100; i++) {
            assertThat(tcp.segment().get(ValueLayout.JAVA_BYTE, tcp.payloadOffset() + i))
                    .isEqualTo((byte) (7 * i + 1000));
        }
    }

    @Test
    void parsesTheSackBlocksOfBothDuplicateAcks() {
        parse(TCP_SACK1);
        assertThat(tcp.validate(PEER_IP, HOST_IP, true)).isEqualTo(DropReason.NONE);
        assertThat(tcp.dataOffset()).isEqualTo(11);
        assertThat(tcp.checksum()).isEqualTo(0xC708);
        assertThat(tcp.parseOptions(options)).isEqualTo(DropReason.NONE);
        assertThat(options.tsVal()).isEqualTo(0xE551A4BA);
        assertThat(options.tsEcr()).isEqualTo(0xB39ED61C);
        assertThat(options.sackBlockCount()).isEqualTo(1);
        assertThat(options.sackLeft(0)).isEqualTo(0x5080931B);
        assertThat(options.sackRight(0)).isEqualTo(0x5080937F);

        parse(TCP_SACK2);
        assertThat(tcp.validate(PEER_IP, HOST_IP, true)).isEqualTo(DropReason.NONE);
        assertThat(tcp.dataOffset()).isEqualTo(13);
        assertThat(tcp.checksum()).isEqualTo(0xCF8A);
        assertThat(tcp.parseOptions(options)).isEqualTo(DropReason.NONE);
        assertThat(options.tsVal()).isEqualTo(0xE551A4EC);
        assertThat(options.sackBlockCount()).isEqualTo(2);
        assertThat(options.sackLeft(0)).isEqualTo(0x50809AEB);
        assertThat(options.sackRight(0)).isEqualTo(0x50809B4F);
        assertThat(options.sackLeft(1)).isEqualTo(0x5080931B);
        assertThat(options.sackRight(1)).isEqualTo(0x5080937F);
    }

    @Test
    void buildsTheLinuxSynByteForByte() {
        MemorySegment out = ipFrame(TCP_SYN, true, 0x923C);

        tcp.wrap(out, L4, TCP_SYN.length - L4)
                .srcPort(48606).dstPort(80).seqNumber(0x3B50F780).ackNumber(0)
                .flags(TcpHeader.FLAG_SYN).window(64240).urgentPointer(0)
                .writeOptions(options.clear().mss(1460).sackPermitted(true).timestamps(0x180F2C5D, 0).windowScale(10))
                .computeChecksum(HOST_IP, PEER_IP);

        assertThat(tcp.dataOffset()).isEqualTo(10);
        assertThat(hexOf(out)).isEqualTo(hexOf(TCP_SYN));
    }

    @Test
    void buildsTheSynAckByteForByte() {
        MemorySegment out = ipFrame(TCP_SYN_ACK, false, 0);

        tcp.wrap(out, L4, TCP_SYN_ACK.length - L4)
                .srcPort(80).dstPort(48606).seqNumber(0x8B99765A).ackNumber(0x3B50F781)
                .flags(TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK).window(65160)
                .writeOptions(options.clear().mss(1460).sackPermitted(true).timestamps(0xFA9710E3, 0x180F2C5D)
                        .windowScale(10))
                .computeChecksum(PEER_IP, HOST_IP);

        assertThat(hexOf(out)).isEqualTo(hexOf(TCP_SYN_ACK));
    }

    @Test
    void buildsTheHandshakeAckByteForByte() {
        MemorySegment out = ipFrame(TCP_ACK, true, 0x923D);

        tcp.wrap(out, L4, TCP_ACK.length - L4)
                .srcPort(48606).dstPort(80).seqNumber(0x3B50F781).ackNumber(0x8B99765B)
                .flags(TcpHeader.FLAG_ACK).window(63)
                .writeOptions(options.clear().timestamps(0x180F2C5E, 0xFA9710E3))
                .computeChecksum(HOST_IP, PEER_IP);

        assertThat(hexOf(out)).isEqualTo(hexOf(TCP_ACK));
    }

    @Test
    void buildsBothSackAcksByteForByte() {
        MemorySegment out1 = ipFrame(TCP_SACK1, false, 0xB959);
        options.clear().timestamps(0xE551A4BA, 0xB39ED61C).addSackBlock(0x5080931B, 0x5080937F);
        tcp.wrap(out1, L4, TCP_SACK1.length - L4)
                .srcPort(80).dstPort(33418).seqNumber(0xF3802FDA).ackNumber(0x50808F33)
                .flags(TcpHeader.FLAG_ACK).window(64).writeOptions(options).computeChecksum(PEER_IP, HOST_IP);
        assertThat(hexOf(out1)).isEqualTo(hexOf(TCP_SACK1));

        MemorySegment out2 = ipFrame(TCP_SACK2, false, 0xB95A);
        options.clear().timestamps(0xE551A4EC, 0xB39ED61C);
        options.addSackBlock(0x50809AEB, 0x50809B4F);
        options.addSackBlock(0x5080931B, 0x5080937F);
        tcp.wrap(out2, L4, TCP_SACK2.length - L4)
                .srcPort(80).dstPort(33418).seqNumber(0xF3802FDA).ackNumber(0x50808F33)
                .flags(TcpHeader.FLAG_ACK).window(64).writeOptions(options).computeChecksum(PEER_IP, HOST_IP);
        assertThat(hexOf(out2)).isEqualTo(hexOf(TCP_SACK2));
    }

    @Test
    void checksumOverScatteredDataMatchesTheGoldenSegment() {
        MemorySegment golden = copy(TCP_DATA);
        int dataAt = L4 + 32;
        // The header alone in its own buffer, the data summed in three pieces, two of them at odd positions.
        MemorySegment header = MemorySegment.ofArray(new byte[32]);
        MemorySegment.copy(golden, L4, header, 0, 32);
        long sum = Checksum.onesAt(0, 0, golden, dataAt, 33);
        sum = Checksum.onesAt(sum, 33, golden, dataAt + 33, 40);
        sum = Checksum.onesAt(sum, 73, golden, dataAt + 73, 27);

        tcp.wrap(header, 0, 32).checksum(0).computeChecksum(HOST_IP, PEER_IP, sum, 100);

        assertThat(tcp.checksum()).isEqualTo(0x59B6);
    }

    @Test
    void shortSegmentIsTruncated() {
        tcp.wrap(copy(TCP_SYN), L4, 19);

        assertThat(tcp.validate(HOST_IP, PEER_IP, false)).isEqualTo(DropReason.TCP_TRUNCATED);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void dataOffsetBelowFiveIsRefused(int dataOffset) {
        parse(TCP_SYN).dataOffset(dataOffset);

        assertThat(tcp.validate(HOST_IP, PEER_IP, false)).isEqualTo(DropReason.TCP_BAD_DATA_OFFSET);
    }

    @Test
    void dataOffsetBeyondTheSegmentIsRefused() {
        parse(TCP_SYN).dataOffset(11);

        assertThat(tcp.validate(HOST_IP, PEER_IP, false)).isEqualTo(DropReason.TCP_BAD_DATA_OFFSET);
    }

    @Test
    void corruptedSegmentFailsTheChecksumUnlessVerificationIsOff() {
        parse(TCP_SYN).window(64241);

        assertThat(tcp.validate(HOST_IP, PEER_IP, true)).isEqualTo(DropReason.TCP_BAD_CHECKSUM);
        assertThat(tcp.validate(HOST_IP, PEER_IP, false)).isEqualTo(DropReason.NONE);
    }

    @Test
    void pseudoHeaderWithTheWrongDestinationFailsTheChecksum() {
        parse(TCP_SYN);

        assertThat(tcp.validate(HOST_IP, 0x0A00_0203, true)).isEqualTo(DropReason.TCP_BAD_CHECKSUM);
    }

    @ParameterizedTest(name = "MSS option length byte {0}")
    @ValueSource(ints = {0, 1, 21})
    void optionLengthThatCannotBeWalkedIsRefused(int length) {
        parse(TCP_SYN);
        tcp.segment().set(ValueLayout.JAVA_BYTE, tcp.offset() + TcpHeader.OPTIONS_OFFSET + 1, (byte) length);
        tcp.computeChecksum(HOST_IP, PEER_IP);

        assertThat(tcp.validate(HOST_IP, PEER_IP, true)).isEqualTo(DropReason.TCP_BAD_OPTION_LIST);
        assertThat(tcp.parseOptions(options)).isEqualTo(DropReason.TCP_BAD_OPTION_LIST);
    }

    @Test
    void lastOptionRunningPastTheHeaderIsRefused() {
        parse(TCP_SYN);
        // The window-scale option starts at option byte 17; a length of 4 ends one byte past the 20 option bytes.
        tcp.segment().set(ValueLayout.JAVA_BYTE, tcp.offset() + TcpHeader.OPTIONS_OFFSET + 18, (byte) 4);
        tcp.computeChecksum(HOST_IP, PEER_IP);

        assertThat(tcp.validate(HOST_IP, PEER_IP, true)).isEqualTo(DropReason.TCP_BAD_OPTION_LIST);
    }

    @Test
    void wrongSizedKnownOptionPassesValidateButIsReportedByTheParser() {
        parse(TCP_SYN);
        // Turn the 10-byte timestamps option into an unknown-length kind-8 option of length 6 plus 4 NOPs.
        long ts = tcp.offset() + TcpHeader.OPTIONS_OFFSET + 6;
        tcp.segment().set(ValueLayout.JAVA_BYTE, ts + 1, (byte) 6);
        for (int i = 6; i < 10; i++) {
            tcp.segment().set(ValueLayout.JAVA_BYTE, ts + i, (byte) TcpOptions.KIND_NOP);
        }
        tcp.computeChecksum(HOST_IP, PEER_IP);

        assertThat(tcp.validate(HOST_IP, PEER_IP, true)).isEqualTo(DropReason.NONE);
        assertThat(tcp.parseOptions(options)).isEqualTo(DropReason.TCP_BAD_OPTION_SIZE);
        assertThat(options.hasTimestamps()).isFalse();
        assertThat(options.mss()).isEqualTo(1460);
        assertThat(options.windowScale()).isEqualTo(10);
    }
}
