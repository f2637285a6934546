package dev.jdemi.inet.tcp.pkt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** One dynamic test per {@code .pkt} script under {@code src/test/resources/pkt}, run by {@link PktRunner}. */
class PktScriptsTest {
    static List<Path> scripts() throws IOException, URISyntaxException {
        Path root = Path.of(PktScriptsTest.class.getResource("/pkt").toURI());
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".pkt")).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> scriptsPass() throws IOException, URISyntaxException {
        Path root = Path.of(PktScriptsTest.class.getResource("/pkt").toURI());
        return scripts().stream().map(p -> DynamicTest.dynamicTest(root.relativize(p).toString(), p.toUri(), () -> {
            String text = Files.readString(p, StandardCharsets.UTF_8);
            new PktRunner(PktScript.parse(text)).run();
        }));
    }

    @Test
    void aWrongExpectationFails() {
        String script = """
                +0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 500
                +0 connect(500, ..., ...) = 0
                +0 TCP > S seq 1(0)
                """;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PktRunner(PktScript.parse(script)).run())
                .isInstanceOf(AssertionError.class).hasMessageContaining("seq");
    }

    @Test
    void anUnexpectedSegmentFails() {
        String script = """
                +0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 500
                +0 connect(500, ..., ...) = 0
                """;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PktRunner(PktScript.parse(script)).run())
                .isInstanceOf(AssertionError.class).hasMessageContaining("unexpected outbound");
    }

    @Test
    void aLateSegmentFails() {
        String script = """
                +0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 500
                +0 connect(500, ..., ...) = 0
                +0 TCP > S seq 0(0) win 65535 <...>
                +0.5 TCP > S seq 0(0) win 65535 <...>
                """;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PktRunner(PktScript.parse(script)).run())
                .isInstanceOf(AssertionError.class).hasMessageContaining("none sent");
    }

    @Test
    void thereAreEnoughScripts() throws IOException, URISyntaxException {
        assertThat(scripts()).hasSizeGreaterThanOrEqualTo(80);
    }

    @Test
    void upstreamSyntaxParses() {
        PktScript s = PktScript.parse("""
                // a comment
                `sysctl -q ignored` `tcp mss=1450 wscale=0`
                +.2 ... 0.5 read(501, ..., 1000) = 1000   // trailing comment
                0.300 TCP < FSPR. seq 7(3) ack 9 win 100 <mss 1450, wscale 0, eol, nop, sackOK, TS val 1 ecr 2>
                +0 TCP:4000 > . seq $c+1(0) <...>
                """);
        assertThat(s.config).containsExactly("mss=1450 wscale=0");
        assertThat(s.events).hasSize(3);
        assertThat(s.events.get(0).timeNs()).isEqualTo(200_000_000L);
        assertThat(s.events.get(0).syscall().name()).isEqualTo("read");
        assertThat(s.events.get(0).syscall().args()).containsExactly("501", "...", "1000");
        PktScript.Packet p = s.events.get(1).packet();
        assertThat(s.events.get(1).timeNs()).isEqualTo(300_000_000L);
        assertThat(p.inbound()).isTrue();
        assertThat(p.flags()).isEqualTo("FSPR.");
        assertThat(p.seq()).isEqualTo("7");
        assertThat(p.len()).isEqualTo(3);
        assertThat(p.ack()).isEqualTo("9");
        assertThat(p.win()).isEqualTo(100);
        assertThat(p.options()).extracting(PktScript.Opt::kind)
                .containsExactly("mss", "wscale", "eol", "nop", "sackOK", "TS");
        PktScript.Packet q = s.events.get(2).packet();
        assertThat(q.remotePort()).isEqualTo(4000);
        assertThat(q.seq()).isEqualTo("$c+1");
        assertThat(q.options()).isNull();
    }

    @Test
    void badLinesAreRejectedWithTheirLineNumber() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PktScript.parse("+0 TCP < S seq 0(0) <bogus 1>"))
                .hasMessageContaining("line 1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PktScript.parse("\nTCP < S seq 0(0)"))
                .hasMessageContaining("line 2");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PktScript.parse("+0 UDP < len 10"))
                .hasMessageContaining("UDP");
    }
}
