package dev.jdemi.phy;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.runtime.VirtualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.jdemi.phy.Frames.ALICE;
import static dev.jdemi.phy.Frames.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pcap writer and tap: the exact file format, readability by tshark, and a capture that never breaks the link. */
class PcapWriterTest {
    private final BufferPool alicePool = new BufferPool(BufferPool.STACK_HEADROOM);
    private final BufferPool bobPool = new BufferPool(BufferPool.STACK_HEADROOM);
    private final DemiBuffer[] frames = new DemiBuffer[16];

    @TempDir
    Path directory;

    @AfterEach
    void closePools() {
        assertThat(alicePool.liveBuffers()).isZero();
        assertThat(bobPool.liveBuffers()).isZero();
        alicePool.close();
        bobPool.close();
    }

    @Test
    void oneFrameGivesTheHandComputedBytes() throws IOException {
        Path file = directory.resolve("one.pcap");
        byte[] content = Frames.bytes(BOB, ALICE, 1, 60);
        DemiBuffer frame = Frames.frame(alicePool, content);
        try (PcapWriter writer = PcapWriter.open(file)) {
            writer.write(frame, 1_700_000_000_123_456_789L);
        }
        frame.free();

        String global = "4d3cb2a1" + "0200" + "0400" + "00000000" + "00000000" + "ffff0000" + "01000000";
        // 1,700,000,000 s = 0x6553F100; 123,456,789 ns = 0x075BCD15; 60 bytes = 0x3C, little-endian.
        String record = "00f15365" + "15cd5b07" + "3c000000" + "3c000000";
        byte[] expected = HexFormat.of().parseHex(global + record + HexFormat.of().formatHex(content));
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
        assertThat(expected).hasSize(PcapWriter.GLOBAL_HEADER_BYTES + PcapWriter.RECORD_HEADER_BYTES + 60);
    }

    @Test
    void anEmptyCaptureIsAValidFile() throws IOException {
        Path file = directory.resolve("empty.pcap");
        PcapWriter.open(file).close();

        assertThat(Files.size(file)).isEqualTo(PcapWriter.GLOBAL_HEADER_BYTES);
        assertThat(PcapFile.read(file)).isEmpty();
    }

    @Test
    void largeFramesAreWrittenWholeAcrossBufferFlushes() throws IOException {
        Path file = directory.resolve("large.pcap");
        try (PcapWriter writer = PcapWriter.open(file)) {
            for (int i = 0; i < 10; i++) {
                DemiBuffer frame = Frames.frame(alicePool, BOB, ALICE, i, 65_535 - i);
                writer.write(frame, i);
                frame.free();
            }
            assertThat(writer.framesCaptured()).isEqualTo(10);
        }

        List<PcapFile.Packet> packets = PcapFile.read(file);
        assertThat(packets).hasSize(10);
        for (int i = 0; i < 10; i++) {
            assertThat(packets.get(i).originalLength()).isEqualTo(65_535 - i);
            assertThat(packets.get(i).bytes()).isEqualTo(Frames.bytes(BOB, ALICE, i, 65_535 - i));
        }
    }

    @Test
    void aClockBeforeTheEpochStillGivesAValidTimestamp() throws IOException {
        Path file = directory.resolve("negative.pcap");
        try (PcapWriter writer = PcapWriter.open(file)) {
            DemiBuffer frame = Frames.frame(alicePool, BOB, ALICE, 1, 60);
            writer.write(frame, -1);
            frame.free();
        }

        byte[] bytes = Files.readAllBytes(file);
        assertThat(HexFormat.of().formatHex(bytes, 24, 32)).as("second -1 = 0xFFFFFFFF, 999,999,999 ns")
                .isEqualTo("ffffffff" + "ffc99a3b");
    }

    @Test
    void theTapRecordsReceivedAndTransmittedFrames() throws IOException {
        Path file = directory.resolve("tap.pcap");
        try (MemoryWire wire = new MemoryWire()) {
            PhysicalLayer alice = wire.attach(alicePool, Capabilities.ethernet(1500, ALICE));
            PcapTap bob = PcapTap.open(wire.attach(bobPool, Capabilities.ethernet(1500, BOB)), file);
            alice.transmit(Frames.frame(alicePool, BOB, ALICE, 1, 70), 10);
            alice.transmit(Frames.frame(alicePool, BOB, ALICE, 2, 71), 20);

            assertThat(bob.receive(frames, 16, 30)).isEqualTo(2);
            frames[0].free();
            frames[1].free();
            assertThat(bob.transmit(Frames.frame(bobPool, ALICE, BOB, 3, 72), 40)).isZero();
            assertThat(bob.capabilities().macAddress()).isEqualTo(BOB);
            assertThat(bob.stats().framesRx()).isEqualTo(2);
            assertThat(bob.stats().framesTx()).isEqualTo(1);
            assertThat(alice.receive(frames, 16, 40)).isEqualTo(1);
            frames[0].free();
            bob.close();
            assertThat(bob.writer().framesCaptured()).isEqualTo(3);
        }

        List<PcapFile.Packet> packets = PcapFile.read(file);
        assertThat(packets).extracting(PcapFile.Packet::timestampNs).containsExactly(30L, 30L, 40L);
        assertThat(packets).extracting(PcapFile.Packet::bytes).containsExactly(Frames.bytes(BOB, ALICE, 1, 70),
                Frames.bytes(BOB, ALICE, 2, 71), Frames.bytes(ALICE, BOB, 3, 72));
    }

    @Test
    void aVirtualClockCaptureIsTheSameOnEveryRun() throws IOException {
        byte[] first = Files.readAllBytes(runConversation(directory.resolve("first.pcap")));
        byte[] second = Files.readAllBytes(runConversation(directory.resolve("second.pcap")));

        assertThat(first).isEqualTo(second);
        assertThat(PcapFile.read(directory.resolve("first.pcap"))).hasSize(20);
    }

    private Path runConversation(Path file) {
        VirtualClock clock = new VirtualClock();
        try (MemoryWire wire = new MemoryWire()) {
            wire.capture(file);
            PhysicalLayer alice = wire.attach(alicePool, Capabilities.ethernet(1500, ALICE));
            PhysicalLayer bob = wire.attach(bobPool, Capabilities.ethernet(1500, BOB));
            for (int i = 0; i < 10; i++) {
                alice.transmit(Frames.frame(alicePool, BOB, ALICE, i, 100 + i), clock.nowNs());
                clock.advance(12_345);
                assertThat(bob.receive(frames, 1, clock.nowNs())).isEqualTo(1);
                frames[0].free();
                bob.transmit(Frames.frame(bobPool, ALICE, BOB, i, 60), clock.nowNs());
                clock.advance(1_000_000_007);
                assertThat(alice.receive(frames, 1, clock.nowNs())).isEqualTo(1);
                frames[0].free();
            }
        }
        return file;
    }

    @Test
    void tsharkReadsTheCapture() throws IOException, InterruptedException {
        Optional<Path> tshark = PcapFile.tshark();
        if (tshark.isEmpty()) {
            System.out.println("PcapWriterTest.tsharkReadsTheCapture skipped: tshark is not on the PATH");
        }
        Assumptions.assumeTrue(tshark.isPresent(), "tshark is not installed (apt-get install tshark)");
        Path file = directory.resolve("tshark.pcap");
        try (PcapWriter writer = PcapWriter.open(file)) {
            for (int i = 0; i < 5; i++) {
                DemiBuffer frame = Frames.frame(alicePool, BOB, ALICE, i, 60 + 300 * i);
                writer.write(frame, 1_000_000_000L * i + i);
                frame.free();
            }
        }

        Process process = new ProcessBuilder(tshark.get().toString(), "-r", file.toString(), "-T", "fields",
                "-e", "frame.len", "-e", "eth.dst")
                .redirectError(directory.resolve("tshark.err").toFile())
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("tshark finished").isTrue();
        String errors = Files.readString(directory.resolve("tshark.err"));

        assertThat(process.exitValue()).as("tshark exit status; stderr: %s", errors).isZero();
        assertThat(errors).doesNotContain("cut short", "damaged", "isn't a capture file", "unknown");
        assertThat(output.lines().toList()).containsExactly("60\t02:00:00:00:00:0b", "360\t02:00:00:00:00:0b",
                "660\t02:00:00:00:00:0b", "960\t02:00:00:00:00:0b", "1260\t02:00:00:00:00:0b");
    }

    @Test
    void anIoErrorIsCountedOnceAndTheLinkGoesOn() {
        Path full = Path.of("/dev/full");
        Assumptions.assumeTrue(Files.isWritable(full), "/dev/full is not available");
        try (MemoryWire wire = new MemoryWire()) {
            PcapTap alice = new PcapTap(wire.attach(alicePool, Capabilities.ethernet(1500, ALICE)),
                    PcapWriter.open(full));
            PhysicalLayer bob = wire.attach(bobPool, Capabilities.ethernet(1500, BOB));

            alice.transmit(Frames.frame(alicePool, BOB, ALICE, 1, 100), 0);
            alice.writer().flush();
            assertThat(alice.transmit(Frames.frame(alicePool, BOB, ALICE, 2, 100), 0)).isZero();
            alice.writer().flush();
            alice.close();

            assertThat(alice.writer().hasFailed()).isTrue();
            assertThat(alice.writer().ioErrors()).isEqualTo(1);
            assertThat(alice.writer().framesLost()).isEqualTo(2);
            assertThat(bob.receive(frames, 16, 0)).isEqualTo(2);
            frames[0].free();
            frames[1].free();
        }
    }

    @Test
    void anUnopenableFileIsAnEio() {
        assertThatThrownBy(() -> PcapWriter.open(directory))
                .isInstanceOfSatisfying(DemiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO))
                .hasMessageContaining(directory.toString());
    }

    @Test
    void framesWrittenAfterCloseAreCountedAsLost() {
        PcapWriter writer = PcapWriter.open(directory.resolve("closed.pcap"));
        writer.close();
        DemiBuffer frame = Frames.frame(alicePool, BOB, ALICE, 1, 60);
        writer.write(frame, 0);
        frame.free();

        assertThat(writer.framesLost()).isEqualTo(1);
        assertThat(writer.framesCaptured()).isZero();
        assertThat(writer.ioErrors()).isZero();
    }
}
