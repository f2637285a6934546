package dev.jdemi.wire;

import static dev.jdemi.wire.GoldenFrames.TCP_SACK2;
import static dev.jdemi.wire.GoldenFrames.TCP_SYN;
import static dev.jdemi.wire.GoldenFrames.hex;
import static dev.jdemi.wire.GoldenFrames.hexOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TcpOptionsTest {
    /** Where the options start in a frame with a 20-byte IPv4 header. */
    private static final int OPTIONS = GoldenFrames.L4 + TcpHeader.OPTIONS_OFFSET;

    private final TcpOptions options = new TcpOptions();
    private final MemorySegment out = MemorySegment.ofArray(new byte[TcpOptions.MAX_LENGTH + 8]);

    private int parse(String hexBytes) {
        byte[] bytes = hex(hexBytes);
        return options.parse(MemorySegment.ofArray(bytes), 0, bytes.length);
    }

    private String written() {
        int n = options.write(out, 0);
        assertThat(n).isEqualTo(options.length());
        return hexOf(out.asSlice(0, n));
    }

    @Test
    void writesTheLinuxSynLayout() {
        options.mss(1460).sackPermitted(true).timestamps(0x180F2C5D, 0).windowScale(10);

        assertThat(written()).isEqualTo(hexOf(TCP_SYN, OPTIONS, OPTIONS + 20));
    }

    @Test
    void writesTimestampsAndSackBlocksAsLinuxDoes() {
        options.timestamps(0xE551A4EC, 0xB39ED61C);
        options.addSackBlock(0x50809AEB, 0x50809B4F);
        options.addSackBlock(0x5080931B, 0x5080937F);

        assertThat(written()).isEqualTo(hexOf(TCP_SACK2, OPTIONS, OPTIONS + 32));
    }

    @Test
    void writesSackPermittedWithoutTimestampsBehindTwoNops() {
        options.mss(536).sackPermitted(true);

        assertThat(written()).isEqualTo("02040218" + "01010402");
    }

    @Test
    void writesNothingWhenEmpty() {
        assertThat(written()).isEmpty();
        assertThat(options.mss(1).clear().length()).isZero();
    }

    @Test
    void keepsOnlyTheSackBlocksThatFitBesideTimestamps() {
        options.timestamps(1, 2);
        for (int b = 0; b < 4; b++) {
            assertThat(options.addSackBlock(10 * b, 10 * b + 5)).isTrue();
        }
        assertThat(options.addSackBlock(99, 100)).isFalse();

        assertThat(options.length()).isEqualTo(TcpOptions.MAX_LENGTH);
        assertThat(written()).isEqualTo(hexOf(hex(
                "0101080a 00000001 00000002",  // NOP, NOP, timestamps
                "0101051a 00000000 00000005 0000000a 0000000f 00000014 00000019")));  // NOP, NOP, three blocks
    }

    @Test
    void writesFourSackBlocksWhenAloneAndParsesThemBack() {
        for (int b = 0; b < 4; b++) {
            options.addSackBlock(0x1000 * b, 0x1000 * b + 0x800);
        }
        int n = options.write(out, 0);

        assertThat(n).isEqualTo(36);
        assertThat(options.parse(out, 0, n)).isEqualTo(DropReason.NONE);
        assertThat(options.sackBlockCount()).isEqualTo(4);
        assertThat(options.sackLeft(3)).isEqualTo(0x3000);
        assertThat(options.sackRight(3)).isEqualTo(0x3800);
    }

    @Test
    void staticWritersBuildUpstreamDemikernelsSynLayout() {
        // Upstream sends <MSS, WS, EOL>, zero-padded to a word: a 28-byte SYN header.
        out.fill((byte) 0x77);
        int n = TcpOptions.putMss(out, 0, 1450);
        n += TcpOptions.putWindowScale(out, n, 0);
        n += TcpOptions.putEol(out, n);
        n = TcpOptions.padToWord(out, 0, n);

        assertThat(n).isEqualTo(8);
        assertThat(hexOf(out.asSlice(0, n))).isEqualTo("020405aa03030000");
        assertThat(options.parse(out, 0, n)).isEqualTo(DropReason.NONE);
        assertThat(options.mss()).isEqualTo(1450);
        assertThat(options.hasWindowScale()).isTrue();
        assertThat(options.windowScale()).isZero();
    }

    @Test
    void paddingIsZeroFilledUpToTheNextWord() {
        out.fill((byte) 0x77);
        int n = TcpOptions.putSackPermitted(out, 0) + TcpOptions.putNop(out, 2);

        assertThat(TcpOptions.padToWord(out, 0, n)).isEqualTo(4);
        assertThat(TcpOptions.padToWord(out, 0, 4)).isEqualTo(4);
        assertThat(hexOf(out.asSlice(0, 5))).isEqualTo("0402010077");
    }

    @Test
    void staticSackWriterChecksItsArguments() {
        assertThat(TcpOptions.putSack(out, 0, new int[] {1, 2}, 1)).isEqualTo(10);
        assertThat(hexOf(out.asSlice(0, 10))).isEqualTo("050a0000000100000002");
        assertThatThrownBy(() -> TcpOptions.putSack(out, 0, new int[] {1, 2}, 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TcpOptions.putSack(out, 0, new int[10], 5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void endOfListStopsParsingAndWhatFollowsIsIgnored() {
        // MSS, EOL, then bytes that would be a malformed option if they were read.
        assertThat(parse("02040578 00 0200 ff")).isEqualTo(DropReason.NONE);
        assertThat(options.mss()).isEqualTo(1400);
    }

    @Test
    void unknownKindsAreSkippedAndNoted() {
        assertThat(parse("1e0412340101 fe02 03030e")).isEqualTo(DropReason.NONE);
        assertThat(options.hasUnknownOption()).isTrue();
        assertThat(options.windowScale()).isEqualTo(14);
    }

    @Test
    void windowScaleAbove14IsUsedAs14() {
        assertThat(parse("01030309")).isEqualTo(DropReason.NONE);
        assertThat(options.windowScale()).isEqualTo(9);

        assertThat(parse("0103030f")).isEqualTo(DropReason.NONE);
        assertThat(options.windowScale()).isEqualTo(TcpOptions.MAX_WINDOW_SCALE);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "020305 0402",          // MSS of length 3
        "0304000e 0402",        // window scale of length 4
        "0403ff 0402",          // SACK-permitted of length 3 (then a good one)
        "080600000001 0402",    // timestamps of length 6
        "0509 00000001000000 0402",  // SACK that is not 2 + 8n
        "0502 0402",            // SACK with no block
    })
    void wrongSizedKnownOptionsAreSkippedAndReported(String bytes) {
        assertThat(parse(bytes)).isEqualTo(DropReason.TCP_BAD_OPTION_SIZE);
        assertThat(options.isSackPermitted()).as("the option after it is still parsed").isTrue();
        assertThat(options.hasMss() || options.hasWindowScale() || options.hasTimestamps()).isFalse();
        assertThat(options.sackBlockCount()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "0402 0800",            // length 0
        "0402 0801",            // length 1
        "0402 080a0000",        // runs past the list
        "01010102",             // kind with no room for its length
    })
    void optionsThatCannotBeWalkedAreRefused(String bytes) {
        byte[] list = hex(bytes);
        MemorySegment segment = MemorySegment.ofArray(list);

        assertThat(TcpOptions.check(segment, 0, list.length)).isEqualTo(DropReason.TCP_BAD_OPTION_LIST);
        assertThat(options.parse(segment, 0, list.length)).isEqualTo(DropReason.TCP_BAD_OPTION_LIST);
    }

    @Test
    void parsingClearsWhatThePreviousSegmentLeft() {
        options.mss(1000).windowScale(3).sackPermitted(true).timestamps(5, 6).addSackBlock(1, 2);

        assertThat(parse("01010101")).isEqualTo(DropReason.NONE);
        assertThat(options.hasMss() || options.hasWindowScale() || options.isSackPermitted()
                || options.hasTimestamps() || options.hasUnknownOption()).isFalse();
        assertThat(options.sackBlockCount()).isZero();
        assertThatThrownBy(() -> options.sackLeft(0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void settersRejectValuesTheWireCannotCarry() {
        assertThatThrownBy(() -> options.mss(65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> options.mss(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> options.windowScale(15)).isInstanceOf(IllegalArgumentException.class);
        assertThat(options.hasMss() || options.hasWindowScale()).isFalse();
    }
}
