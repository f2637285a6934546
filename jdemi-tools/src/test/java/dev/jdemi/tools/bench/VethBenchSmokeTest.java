package dev.jdemi.tools.bench;

import dev.jdemi.tools.Main;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jdemi bench veth} end to end with tiny windows, as root: the namespaces come and go, the AF_PACKET V2 rows
 * have figures, a device that does not open keeps its rows as "n/a", and the report and plot are written. It checks
 * that figures come out, never how fast anything is. Skipped without root.
 */
class VethBenchSmokeTest {
    @Test
    void tinyRunWritesTheTable(@TempDir Path out) throws IOException {
        String cannot = VethPair.cannotRun();
        Assumptions.assumeTrue(cannot == null, () -> "skipped: " + cannot);
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(stdout, true));
        cmd.setErr(new PrintWriter(stderr, true));

        int status = cmd.execute("bench", "veth", "--rounds", "1", "--warmup-ms", "20", "--measure-ms", "50",
                "--devices", "v2,xdp", "--no-kernel", "--out", out.toString());

        assertThat(status).as(stdout + "\n" + stderr).isZero();
        String text = Files.readString(out.resolve("veth-latest.md"));
        assertThat(text).contains("## Goals", "- AF_PACKET V2: stack cost per side ", "veth-latest.png");
        assertThat(text).containsPattern("\\| floor-v2 \\| AF_PACKET V2 \\| [0-9.]+ \\| [0-9.]+ \\|");
        assertThat(text).containsPattern("\\| catpowder-v2 \\| AF_PACKET V2 \\| [0-9.]+ \\| [0-9.]+ \\|");
        assertThat(text).containsPattern("\\| (floor|catpowder)-xdp \\| AF_XDP \\| (n/a: .+|[0-9.]+ \\| [0-9.]+) \\|");
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(name -> name.matches("\\d{4}-\\d{2}-\\d{2}-\\d{4}-veth\\.md"))
                    .anyMatch(name -> name.matches("\\d{4}-\\d{2}-\\d{2}-\\d{4}-veth\\.png"));
        }
        String namespaces = new String(new ProcessBuilder("ip", "netns", "list").start().getInputStream()
                .readAllBytes());
        assertThat(namespaces).as("the namespaces are gone").doesNotContain("jvbS" + ProcessHandle.current().pid()
                % 100_000);
    }
}
