package dev.jdemi.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdemi.tools.Main;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code jdemi demo --libos catmem}: the echo over a pipe, with the server in a second process. */
class PipeEchoDemoTest {
    @Test
    void catmemDemoEchoesOverAPipeWithTheServerInAnotherProcess() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));

        int status = cmd.execute("demo", "--libos", "catmem", "--seconds", "0.5", "--verbose");

        assertThat(status).as(out + "\n" + err).isZero();
        List<String> lines = Arrays.asList(out.toString().split("\n"));
        assertThat(lines.getFirst()).startsWith("jdemi demo: echo over a catmem pipe");
        String[] cells = lines.getLast().trim().split("\\s+");
        assertThat(cells[0]).isEqualTo("catmem");
        long requests = Long.parseLong(cells[3]);
        assertThat(requests).as("requests").isPositive();
        assertThat(out.toString()).as("the server process echoed every request")
                .contains("pipe-echo server: echoed " + requests + " messages");
    }
}
