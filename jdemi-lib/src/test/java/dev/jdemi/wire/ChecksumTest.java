package dev.jdemi.wire;

import static dev.jdemi.wire.GoldenFrames.HOST_IP;
import static dev.jdemi.wire.GoldenFrames.IP;
import static dev.jdemi.wire.GoldenFrames.PEER_IP;
import static dev.jdemi.wire.GoldenFrames.TCP_SYN;
import static dev.jdemi.wire.GoldenFrames.copy;
import static dev.jdemi.wire.GoldenFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChecksumTest {

    /** A deliberately naive reference: one big-endian 16-bit word at a time, as RFC 1071 section 1 describes it. */
    private static int referenceSum(byte[] data, int from, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int hi = data[from + i] & 0xFF;
            int lo = i + 1 < length ? data[from + i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    @Test
    void rfc1071ExampleSumsToDdf2() {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 have the folded sum ddf2, so the checksum is 220d.
        MemorySegment data = MemorySegment.ofArray(hex("0001f203f4f5f6f7"));

        assertThat(Checksum.ones(data, 0, 8, 0)).isEqualTo(0xDDF2);
        assertThat(Checksum.compute(data, 0, 8)).isEqualTo(0x220D);
    }

    @Test
    void oddLengthPadsTheLastByteWithZero() {
        MemorySegment data = MemorySegment.ofArray(hex("010203"));

        assertThat(Checksum.ones(data, 0, 3, 0)).isEqualTo(0x0402);
        assertThat(Checksum.compute(data, 0, 3)).isEqualTo(0xFBFD);
    }

    @Test
    void allZeroDataAndEmptyDataChecksumToAllOnes() {
        MemorySegment zeros = MemorySegment.ofArray(new byte[64]);

        assertThat(Checksum.compute(zeros, 0, 64)).isEqualTo(0xFFFF);
        assertThat(Checksum.compute(zeros, 0, 0)).isEqualTo(0xFFFF);
        assertThat(Checksum.isValid(Checksum.ones(zeros, 0, 64, 0))).isFalse();
    }

    @Test
    void allOnesDataSumsToNegativeZeroAndChecksumsToZero() {
        byte[] ones = new byte[10];
        java.util.Arrays.fill(ones, (byte) 0xFF);
        MemorySegment data = MemorySegment.ofArray(ones);

        assertThat(Checksum.ones(data, 0, 10, 0)).isEqualTo(0xFFFF);
        assertThat(Checksum.compute(data, 0, 10)).isZero();
        assertThat(Checksum.isValid(Checksum.ones(data, 0, 10, 0))).isTrue();
    }

    @Test
    void wideLoopAgreesWithTheWordAtATimeReferenceForEveryLengthAndAlignment() {
        SplittableRandom random = new SplittableRandom(0x5EED);
        byte[] data = new byte[400];
        for (int round = 0; round < 4; round++) {
            random.nextBytes(data);
            if (round == 3) {
                java.util.Arrays.fill(data, (byte) 0xFF);
            }
            MemorySegment segment = MemorySegment.ofArray(data);
            for (int from = 0; from < 8; from++) {
                for (int length = 0; length <= 300; length++) {
                    assertThat(Checksum.ones(segment, from, length, 0))
                            .as("round %d, offset %d, length %d", round, from, length)
                            .isEqualTo(referenceSum(data, from, length));
                }
            }
        }
    }

    @Test
    void initialSumCarriesIntoTheResult() {
        MemorySegment data = MemorySegment.ofArray(hex("ffff0001"));

        // 0xFFFF (initial) + 0xFFFF + 0x0001 = 0x1FFFF, which folds to 0x0001 after two end-around carries.
        assertThat(Checksum.ones(data, 0, 4, 0xFFFF)).isEqualTo(0x0001);
        assertThat(Checksum.ones(data, 0, 4, 0x1_0000_0000L)).isEqualTo(Checksum.ones(data, 0, 4, 1));
    }

    @Test
    void piecesAtOddStreamPositionsSumLikeTheWhole() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] data = new byte[257];
        random.nextBytes(data);
        MemorySegment segment = MemorySegment.ofArray(data);
        long whole = Checksum.ones(segment, 0, data.length, 0);

        for (int cut1 = 0; cut1 < 40; cut1++) {
            for (int cut2 = cut1; cut2 < 80; cut2 += 3) {
                long sum = Checksum.onesAt(0, 0, segment, 0, cut1);
                sum = Checksum.onesAt(sum, cut1, segment, cut1, cut2 - cut1);
                sum = Checksum.onesAt(sum, cut2, segment, cut2, data.length - cut2);
                assertThat(sum).as("cuts %d, %d", cut1, cut2).isEqualTo(whole);
            }
        }
    }

    @Test
    void pseudoHeaderSumsAddressesProtocolAndLength() {
        // 0a00 + 020f + 0a00 + 0202 + 0006 + 0028 = 0x183f
        assertThat(Checksum.pseudoHeader(HOST_IP, PEER_IP, 6, 40)).isEqualTo(0x183F);
        assertThat(Checksum.add32(Checksum.add16(0, 0x0006), 0xFFFF_0001)).isEqualTo(0x0007);
    }

    @Test
    void rfc1624ExampleGivesPositiveZeroByEquationThree() {
        // RFC 1624 section 4: HC = 0xDD2F, m = 0x5555, m' = 0x3285; equation 3 yields 0x0000 (RFC 1141's form gave
        // the 0xFFFF that a full recomputation can never produce for this data).
        assertThat(Checksum.update16(0xDD2F, 0x5555, 0x3285)).isEqualTo(0x0000);
    }

    @Test
    void incrementalTtlDecrementMatchesTheIndependentlyComputedChecksum() {
        // The SYN's IPv4 header with TTL 63 instead of 64 has checksum 0x916f (computed with Python).
        MemorySegment frame = copy(TCP_SYN);
        Ipv4Header ip = new Ipv4Header().wrap(frame, IP, TCP_SYN.length - IP);
        int oldWord = (ip.ttl() << 8) | ip.protocol();

        ip.ttl(ip.ttl() - 1);
        int updated = Checksum.update16(ip.headerChecksum(), oldWord, (ip.ttl() << 8) | ip.protocol());

        assertThat(updated).isEqualTo(0x916F);
        ip.headerChecksum(updated);
        assertThat(ip.isHeaderChecksumValid()).isTrue();
    }

    @Test
    void incrementalAddressRewriteMatchesTheIndependentlyComputedChecksum() {
        // Rewriting the SYN's source to 192.168.1.1 gives header checksum 0xdad4 (computed with Python).
        MemorySegment frame = copy(TCP_SYN);
        Ipv4Header ip = new Ipv4Header().wrap(frame, IP, TCP_SYN.length - IP);
        int newAddr = 0xC0A8_0101;

        int updated = Checksum.update32(ip.headerChecksum(), ip.srcAddr(), newAddr);

        assertThat(updated).isEqualTo(0xDAD4);
        ip.srcAddr(newAddr).headerChecksum(updated);
        assertThat(ip.isHeaderChecksumValid()).isTrue();
    }

    @Test
    void udpSendsAComputedZeroAsAllOnes() {
        assertThat(UdpHeader.transmitted(0)).isEqualTo(0xFFFF);
        assertThat(UdpHeader.transmitted(0x1234)).isEqualTo(0x1234);
        assertThat(UdpHeader.transmitted(0xFFFF)).isEqualTo(0xFFFF);
    }

    @Test
    void foldAndFinishHandleTheWholeUnsignedRange() {
        assertThat(Checksum.fold(0)).isZero();
        assertThat(Checksum.fold(0xFFFF)).isEqualTo(0xFFFF);
        assertThat(Checksum.fold(0x1_0000)).isEqualTo(1);
        // 2^64 - 1 is 0xFFFF (mod 0xFFFF), and 0xFFFF folds to itself.
        assertThat(Checksum.fold(-1L)).isEqualTo(0xFFFF);
        assertThat(Checksum.finish(0xFFFF)).isZero();
        assertThat(Checksum.finish(0x1234)).isEqualTo(0xEDCB);
    }

    @Test
    void negativeLengthIsRejected() {
        MemorySegment data = MemorySegment.ofArray(new byte[4]);

        assertThatThrownBy(() -> Checksum.ones(data, 0, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Checksum.ones(data, 2, 4, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
