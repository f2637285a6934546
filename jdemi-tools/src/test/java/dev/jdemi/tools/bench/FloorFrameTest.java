package dev.jdemi.tools.bench;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bare-device floor's frame: its bytes on the wire, the reply made in place, and what is not a floor frame. */
class FloorFrameTest {
    private static final long SERVER = 0x02_00_00_00_00_01L;
    private static final long CLIENT = 0x0a_bb_cc_dd_ee_ffL;

    @Test
    void aFrameIsAsLongAsTheTcpSegmentsFrameWithTheSameMessage() {
        assertThat(FloorFrame.frameBytes(64)).isEqualTo(14 + 20 + 20 + 64);
        assertThat(FloorFrame.frameBytes(1)).isEqualTo(55);
    }

    @Test
    void aPingHasTheDocumentedLayout() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(200);
            FloorFrame.writePing(memory, 10, 40, SERVER, CLIENT, 0x0102030405060708L);

            byte[] bytes = memory.asSlice(10, 40).toArray(ValueLayout.JAVA_BYTE);
            assertThat(HexFormat.of().formatHex(bytes, 0, 28)).isEqualTo(
                    "020000000001" + "0abbccddeeff" + "88b5" + "6a644646" + "50" + "00" + "0102030405060708");
            for (int i = 28; i < 40; i++) {
                assertThat(bytes[i]).isEqualTo((byte) 'j');
            }
            assertThat(memory.get(ValueLayout.JAVA_BYTE, 50)).as("nothing written past the frame").isZero();
            assertThat(FloorFrame.kind(memory, 10, 40)).isEqualTo(FloorFrame.PING);
            assertThat(FloorFrame.sequence(memory, 10)).isEqualTo(0x0102030405060708L);
        }
    }

    @Test
    void theReplySwapsTheAddressesAndKeepsTheNumber() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(118);
            FloorFrame.writePing(memory, 0, 118, SERVER, CLIENT, 42);

            FloorFrame.turnIntoReply(memory, 0);

            assertThat(FloorFrame.mac(memory, 0)).isEqualTo(CLIENT);
            assertThat(FloorFrame.mac(memory, 6)).isEqualTo(SERVER);
            assertThat(FloorFrame.kind(memory, 0, 118)).isEqualTo(FloorFrame.REPLY);
            assertThat(FloorFrame.sequence(memory, 0)).isEqualTo(42);
        }
    }

    @Test
    void otherFramesAreNotFloorFrames() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(118);
            FloorFrame.writePing(memory, 0, 118, SERVER, CLIENT, 1);
            assertThat(FloorFrame.kind(memory, 0, 27)).as("too short").isZero();

            memory.set(ValueLayout.JAVA_BYTE, 12, (byte) 0x08);
            memory.set(ValueLayout.JAVA_BYTE, 13, (byte) 0x00);
            assertThat(FloorFrame.kind(memory, 0, 118)).as("IPv4").isZero();

            FloorFrame.writePing(memory, 0, 118, SERVER, CLIENT, 1);
            memory.set(ValueLayout.JAVA_BYTE, 14, (byte) 'x');
            assertThat(FloorFrame.kind(memory, 0, 118)).as("bad magic").isZero();

            FloorFrame.writePing(memory, 0, 118, SERVER, CLIENT, 1);
            memory.set(ValueLayout.JAVA_BYTE, 18, (byte) 'Q');
            assertThat(FloorFrame.kind(memory, 0, 118)).as("unknown kind").isZero();
        }
    }

    @Test
    void aFrameTooShortForTheHeaderIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(64);
            assertThatThrownBy(() -> FloorFrame.writePing(memory, 0, 27, SERVER, CLIENT, 1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
