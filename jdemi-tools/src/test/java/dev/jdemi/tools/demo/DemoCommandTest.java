package dev.jdemi.tools.demo;

import dev.jdemi.tools.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest {
    @Test
    void shortDemoPrintsATableWithOneCatnapRow() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));

        int status = cmd.execute("demo", "--seconds", "0.5");

        assertThat(status).as(out + "\n" + err).isZero();
        List<String> lines = Arrays.asList(out.toString().split("\n"));
        assertThat(lines.getFirst()).startsWith("jdemi demo: TCP echo over loopback").contains("catnap");
        String header = lines.stream().filter(line -> line.contains("requests")).findFirst().orElseThrow();
        assertThat(header).contains("LibOS", "message", "rps", "p50 (µs)", "p99 (µs)", "p99.9 (µs)");
        String row = lines.getLast().trim();
        String[] cells = row.split("\\s+");
        assertThat(cells[0]).isEqualTo("catnap");
        assertThat(cells[1] + " " + cells[2]).isEqualTo("64 B");
        assertThat(Long.parseLong(cells[3])).as("requests").isPositive();
        assertThat(Long.parseLong(cells[4])).as("rps").isPositive();
        double p50 = Double.parseDouble(cells[5]);
        double p99 = Double.parseDouble(cells[6]);
        double p999 = Double.parseDouble(cells[7]);
        assertThat(p50).isPositive().isLessThanOrEqualTo(p99);
        assertThat(p99).isLessThanOrEqualTo(p999);
    }
}
