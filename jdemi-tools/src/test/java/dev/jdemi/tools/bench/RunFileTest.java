package dev.jdemi.tools.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunFileTest {
    @Test
    void writtenResultsReadBack(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("run.bin");
        RunFile.write(file, List.of(new RunFile.Result(new EchoScenario(64, 1), 1_000_000_000L, 3, new int[] {5, 6, 7}),
                new RunFile.Result(new EchoScenario(16_384, 32), 500_000_000L, 0, new int[0])));

        List<RunFile.Result> results = RunFile.read(file);

        assertThat(results).hasSize(2);
        assertThat(results.get(0).scenario()).isEqualTo(new EchoScenario(64, 1));
        assertThat(results.get(0).rttNs()).containsExactly(5, 6, 7);
        assertThat(results.get(0).rps()).isEqualTo(3.0);
        assertThat(results.get(1).scenario()).isEqualTo(new EchoScenario(16_384, 32));
        assertThat(results.get(1).rps()).isZero();
    }

    @Test
    void theCFloorsLittleEndianLayoutIsRead(@TempDir Path dir) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(28 + 8).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(1024).putInt(8).putLong(2_000_000_000L).putLong(10).putInt(2).putInt(1500).putInt(70_000);
        Path file = dir.resolve("c.bin");
        Files.write(file, bytes.array());

        RunFile.Result result = RunFile.read(file).getFirst();

        assertThat(result.scenario()).isEqualTo(new EchoScenario(1024, 8));
        assertThat(result.requests()).isEqualTo(10);
        assertThat(result.rps()).isEqualTo(5.0);
        assertThat(result.rttNs()).containsExactly(1500, 70_000);
    }

    @Test
    void aFileCutShortIsAnError(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("short.bin");
        RunFile.write(file, List.of(new RunFile.Result(new EchoScenario(64, 1), 1, 3, new int[] {1, 2, 3})));
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length - 2));

        assertThatThrownBy(() -> RunFile.read(file)).isInstanceOf(IOException.class).hasMessageContaining("cut short");
    }
}
