package dev.jdemi.tools.bench;

import dev.jdemi.tools.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jdemi bench echo} end to end on a tiny configuration: real processes for the C floor, JDK NIO and catnap,
 * one round of two short scenarios. It checks that the table and the plots come out with sane values, never how fast
 * anything is.
 */
class EchoBenchCommandTest {
    private static final List<String> PEERS = List.of("c-floor", "nio-spin", "catnap-spin");

    @Test
    void tinyRunWritesTheTableAndTheCdf(@TempDir Path out) throws IOException {
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(stdout, true));
        cmd.setErr(new PrintWriter(stderr, true));

        int status = cmd.execute("bench", "echo", "--rounds", "1", "--warmup-ms", "50", "--measure-ms", "150",
                "--peers", String.join(",", PEERS), "--scenarios", "64:1,64:8", "--out", out.toString(),
                "--note", "unit test");

        assertThat(status).as(stdout + "\n" + stderr).isZero();
        Path report;
        try (Stream<Path> files = Files.list(out)) {
            report = files.filter(p -> p.getFileName().toString().matches("\\d{4}-\\d{2}-\\d{2}-\\d{4}-echo\\.md"))
                    .findFirst().orElseThrow();
        }
        String text = Files.readString(report);
        assertThat(text).contains("Kernel: Linux " + System.getProperty("os.version"), "CPU: ", "Note: unit test",
                "## Goals", "catnap-spin: ");
        assertThat(Files.readString(out.resolve("echo-latest.md"))).contains("echo-latest-64B-1c.png");
        for (String scenario : List.of("64 B × 1 conn (latency)", "64 B × 8 conns (throughput)")) {
            List<String[]> rows = rows(text, scenario);
            assertThat(rows).extracting(cells -> cells[0].replace(" ¹", "").replace(" ²", ""))
                    .containsExactlyElementsOf(PEERS);
            for (String[] cells : rows) {
                double p50 = Double.parseDouble(cells[1]);
                double p99 = Double.parseDouble(cells[2]);
                double p999 = Double.parseDouble(cells[3]);
                double rps = Double.parseDouble(cells[4].replace(",", ""));
                assertThat(p50).as(cells[0]).isPositive().isLessThanOrEqualTo(p99);
                assertThat(p99).as(cells[0]).isLessThanOrEqualTo(p999);
                assertThat(rps).as(cells[0]).isPositive();
            }
            assertThat(rows.getFirst()[5]).as("the floor's ratio to itself").isEqualTo("1.00×");
            assertThat(rows.get(1)[6]).as("the only Java peer is the best one").isEqualTo("1.00×");
        }
        // Throughput scenarios get no plot; each latency scenario gets one, dated and as the latest.
        String base = report.getFileName().toString().replace(".md", "");
        assertThat(out.resolve(base + "-64B-8c.png")).doesNotExist();
        for (Path png : List.of(out.resolve(base + "-64B-1c.png"), out.resolve("echo-latest-64B-1c.png"))) {
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image).as(png.toString()).isNotNull();
            assertThat(image.getWidth()).isEqualTo(CdfChart.WIDTH);
            assertThat(image.getHeight()).isEqualTo(CdfChart.HEIGHT);
        }
        assertThat(stdout.toString()).contains("### 64 B × 1 conn (latency)", "Written: ");
    }

    @Test
    void unknownPeerIsAUsageError(@TempDir Path out) {
        StringWriter stderr = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        cmd.setErr(new PrintWriter(stderr, true));

        int status = cmd.execute("bench", "echo", "--peers", "no-such-peer", "--out", out.toString());

        assertThat(status).isEqualTo(2);
        assertThat(stderr.toString()).contains("unknown peer no-such-peer", "c-floor", "catnap-spin");
    }

    @Test
    void peersFromAProviderAreSkippedWithTheirReasonOrReportedAsFailed(@TempDir Path out) throws IOException {
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(stdout, true));
        cmd.setErr(new PrintWriter(stderr, true));

        int status = cmd.execute("bench", "echo", "--rounds", "1", "--warmup-ms", "0", "--measure-ms", "50",
                "--peers", "c-floor," + TestPeers.UNAVAILABLE + "," + TestPeers.FAILING, "--scenarios", "64:1",
                "--out", out.toString());

        assertThat(status).as("a failed peer fails the run").isEqualTo(1);
        assertThat(stderr.toString()).contains("SKIP " + TestPeers.UNAVAILABLE + ": " + TestPeers.REASON);
        String text = Files.readString(out.resolve("echo-latest.md"));
        assertThat(text).contains("`" + TestPeers.UNAVAILABLE + "`: SKIPPED, " + TestPeers.REASON);
        assertThat(text).contains("`" + TestPeers.FAILING + "` FAILED in round 1: the client exited with 3",
                "client gives up");
        List<String[]> rows = rows(text, "64 B × 1 conn (latency)");
        assertThat(rows).extracting(cells -> cells[0]).containsExactly("c-floor", TestPeers.FAILING);
        assertThat(Double.parseDouble(rows.getFirst()[1])).as("the floor still measured").isPositive();
        assertThat(rows.get(1)[1]).as("no figures for the failed peer").isEqualTo("–");
    }

    /** The cells of each table row of a scenario's section, without the leading and trailing bars. */
    private static List<String[]> rows(String text, String scenario) {
        int start = text.indexOf("### " + scenario);
        assertThat(start).as("section " + scenario).isNotNegative();
        List<String[]> rows = new ArrayList<>();
        String[] lines = text.substring(start).split("\n");
        for (int i = 1; i < lines.length && !lines[i].startsWith("###"); i++) {
            String line = lines[i];
            if (line.startsWith("| ") && !line.startsWith("| peer")) {
                String[] cells = line.substring(2, line.length() - 2).split(" \\| ");
                rows.add(cells);
            }
        }
        return rows;
    }
}
