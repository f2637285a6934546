package dev.jdemi.tools.demo;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

class ResultTableTest {
    @Test
    void printsMicrosecondsWithTwoDecimalsAndTheRate() {
        Histogram latency = new Histogram(60_000_000_000L, 3);
        for (int i = 0; i < 990; i++) {
            latency.recordValue(5_000);
        }
        for (int i = 0; i < 10; i++) {
            latency.recordValue(250_000);
        }
        ResultTable table = new ResultTable();
        table.add("catnap", 64, 1000, 2_000_000_000L, latency);
        StringWriter out = new StringWriter();
        table.print(new PrintWriter(out));

        String[] lines = out.toString().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[1].trim().split("\\s+")).containsExactly("catnap", "64", "B", "1000", "500",
                micros(latency.getValueAtPercentile(50)), micros(latency.getValueAtPercentile(99)),
                micros(latency.getValueAtPercentile(99.9)));
        assertThat(micros(latency.getValueAtPercentile(99.9))).startsWith("250.");
        // Columns line up: each number ends where its header ends.
        assertThat(lines[0].length()).isEqualTo(lines[1].length());
    }

    private static String micros(long ns) {
        return String.format(Locale.ROOT, "%.2f", ns / 1000.0);
    }

    @Test
    void anEmptyRunShowsDashes() {
        assertThat(ResultTable.micros(new Histogram(1_000_000L, 3), 50.0)).isEqualTo("-");
    }
}
