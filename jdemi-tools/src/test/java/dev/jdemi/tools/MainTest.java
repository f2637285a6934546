package dev.jdemi.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line's parsing: bad arguments are usage errors (status 2) that name the option, before any LibOS is
 * opened.
 */
class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing command").contains("Usage: jdemi");
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertThat(run("tcp-ecko")).isEqualTo(2);
        assertThat(err.toString()).contains("tcp-ecko");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:80", "127.0.0.1", "127.0.0.1:", ":80", "127.0.0.1:65536", "127.0.0.1:-1",
        "256.0.0.1:80", "1.2.3:80", "[::1]:80", "127.0.0.1:8o"})
    void badAddressIsAUsageError(String address) {
        assertThat(run("tcp-echo", "--peer", "server", "--address", address)).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '--address'").contains(address);
    }

    @Test
    void badPeerIsAUsageError() {
        assertThat(run("tcp-echo", "--peer", "master", "--address", "127.0.0.1:12345")).isEqualTo(2);
        assertThat(err.toString()).contains("--peer").contains("'master' is not a peer");
    }

    @Test
    void missingPeerIsAUsageError() {
        assertThat(run("tcp-ping-pong", "--address", "127.0.0.1:12345")).isEqualTo(2);
        assertThat(err.toString()).contains("--peer");
    }

    @Test
    void badLibOSIsAUsageError() {
        assertThat(run("tcp-echo", "--libos", "catnop", "--peer", "client", "--address", "127.0.0.1:1"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("'catnop' is not a LibOS");
    }

    @Test
    void badRunModeIsAUsageError() {
        assertThat(run("tcp-echo", "--peer", "client", "--address", "127.0.0.1:1", "--run-mode", "parallel"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("'parallel' is not a run mode");
    }

    @Test
    void bufsizeTooSmallForTheStampIsAUsageError() {
        assertThat(run("tcp-echo", "--peer", "client", "--address", "127.0.0.1:1", "--bufsize", "7"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--bufsize must be from 8");
    }

    @Test
    void udpClientToARemoteServerNeedsLocal() {
        assertThat(run("udp-ping-pong", "--peer", "client", "--address", "10.0.0.1:12345")).isEqualTo(2);
        assertThat(err.toString()).contains("--local");
    }

    @Test
    void demoSecondsMustBePositive() {
        assertThat(run("demo", "--seconds", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--seconds");
    }

    @Test
    void helpListsEveryCommand() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("demo", "tcp-echo", "udp-echo", "tcp-ping-pong", "udp-ping-pong",
                "tcp-push-pop", "udp-push-pop");
    }
}
