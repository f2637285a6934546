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
}
