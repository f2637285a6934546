package dev.jdemi.tools.demo;

import dev.jdemi.tools.Main;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code demo --libos catpowder --link memory} (TCP by default): the table, and tshark's verdict on its traffic. */
class MemoryTcpDemoTest {
    @TempDir
    Path directory;

    private String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int status = cmd.execute(args);
        assertThat(status).as(out + "\n" + err).isZero();
        return out.toString().split("\n");
    }

    @Test
    void printsTheTableOverTcpByDefault() {
        List<String> lines = Arrays.asList(run("demo", "--libos", "catpowder", "--link", "memory", "--seconds",
                "0.5"));
        assertThat(lines.getFirst()).startsWith("jdemi demo: TCP echo over the memory wire").contains("catpowder");
        assertThat(lines.get(1)).contains("1 connection");
        String header = lines.stream().filter(line -> line.contains("requests")).findFirst().orElseThrow();
        assertThat(header).contains("LibOS", "message", "rps", "p50 (µs)", "p99 (µs)", "p99.9 (µs)");
        String[] cells = lines.getLast().trim().split("\\s+");
        assertThat(cells[0]).isEqualTo("catpowder");
        assertThat(cells[1] + " " + cells[2]).isEqualTo("64 B");
        assertThat(Long.parseLong(cells[3])).as("requests").isPositive();
        assertThat(Long.parseLong(cells[4])).as("rps").isPositive();
        assertThat(Double.parseDouble(cells[5])).isPositive().isLessThanOrEqualTo(Double.parseDouble(cells[6]));
    }

    @Test
    void largeMessagesComeBackIntact() {
        // 65,535 bytes: 45 segments of the 1,460-byte MSS each way per round trip; the demo compares every echo.
        String[] lines = run("demo", "--libos", "catpowder", "--link", "memory", "--seconds", "0.3", "--bufsize",
                "65535");
        String[] cells = lines[lines.length - 1].trim().split("\\s+");
        assertThat(Long.parseLong(cells[3])).as("requests").isPositive();
    }

    @Test
    void tsharkFindsNoMalformedSegmentOrBadChecksumInTheDemosTraffic() throws IOException, InterruptedException {
        Optional<Path> tshark = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "tshark")).filter(Files::isExecutable).findFirst();
        if (tshark.isEmpty()) {
            System.out.println("MemoryTcpDemoTest: tshark is not installed (./jdemi test installs it as root); "
                    + "skipped");
        }
        Assumptions.assumeTrue(tshark.isPresent(), "tshark is not installed");
        Path pcap = directory.resolve("demo.pcap");
        // 3000-byte messages: every one is cut into MSS-sized segments and reassembled by the receiver.
        run("demo", "--libos", "catpowder", "--link", "memory", "--seconds", "0.2", "--pcap", pcap.toString(),
                "--bufsize", "3000");

        String all = tshark(tshark.get(), pcap, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                "-T", "fields", "-e", "frame.protocols", "-e", "tcp.flags.str");
        List<String> frames = all.lines().toList();
        assertThat(frames).as("frames captured").hasSizeGreaterThan(10);
        assertThat(frames).as("ARP, the handshake, data, the FINs").anyMatch(p -> p.startsWith("eth:ethertype:arp"))
                .anyMatch(p -> p.contains("ip:tcp") && p.contains("S"))
                .anyMatch(p -> p.contains("ip:tcp:")) // data: tshark names port 7's payload "echo"
                .anyMatch(p -> p.contains("ip:tcp") && p.contains("F"));
        // tshark's expert warnings would include zero windows, out-of-order segments or lost segments; a clean run
        // over a lossless wire has none of them, nor resets. Retransmissions are not counted against it: the demo runs
        // on the real clock, and a thread held off its CPU for longer than the probe timeout (RFC 8985 section 7.2,
        // at least 10 ms) makes a legitimate tail loss probe, which tshark shows as a retransmission (a note).
        String problems = tshark(tshark.get(), pcap, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                "-Y", "_ws.malformed || _ws.expert.severity >= warning || ip.checksum.status == 0 "
                        + "|| tcp.checksum.status == 0 || tcp.flags.reset == 1");
        assertThat(problems).as("frames tshark flags").isEmpty();
    }

    private String tshark(Path tshark, Path pcap, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(tshark.toString(), "-r", pcap.toString()));
        command.addAll(List.of(args));
        Path err = directory.resolve("tshark.err");
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("tshark finished").isTrue();
        String errors = Files.readString(err).lines().filter(line -> !line.contains("Running as user \"root\""))
                .reduce("", (a, b) -> a + b + "\n");
        assertThat(process.exitValue()).as("tshark's exit status; stderr: %s", errors).isZero();
        assertThat(errors).as("tshark's complaints").isEmpty();
        return output;
    }
}
