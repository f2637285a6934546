package dev.jdemi.tools;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The examples as {@code ./jdemi} runs them: a server and a client in two child JVMs, each with its own catnap LibOS.
 * The client starts once the server printed its "listening on" line.
 */
class TwoProcessesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern PROGRESS =
            Pattern.compile("INFO: (\\d+) requests, \\d+ rps, p50 \\d+ ns, p99 \\d+ ns");

    private static String freeAddress() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + socket.getLocalPort();
        }
    }

    private static ChildProcess startServer(String... args) throws InterruptedException {
        ChildProcess server = ChildProcess.jdemi(args);
        server.awaitLine(line -> line.startsWith("INFO: listening on "), TIMEOUT);
        return server;
    }

    private static long count(List<String> lines, String line) {
        return lines.stream().filter(line::equals).count();
    }

    @Test
    void tcpEchoServerAndClient() throws Exception {
        String address = freeAddress();
        try (ChildProcess server = startServer("tcp-echo", "--peer", "server", "--address", address);
             ChildProcess client = ChildProcess.jdemi("tcp-echo", "--peer", "client", "--address", address,
                     "--nclients", "2", "--nrequests", "500", "--bufsize", "64")) {
            assertThat(client.awaitExit(TIMEOUT)).as(String.join("\n", client.lines())).isZero();
            List<String> lines = client.lines();
            assertThat(count(lines, "INFO: 1 clients connected")).isEqualTo(1);
            assertThat(count(lines, "INFO: 2 clients connected")).isEqualTo(1);
            assertThat(lines).filteredOn(line -> PROGRESS.matcher(line).matches()).last()
                    .asString().startsWith("INFO: 1000 requests, ");
            assertThat(lines).last().isEqualTo("INFO: stopping, " + 2 * 500 * 64 + " bytes transferred");
            assertThat(lines).noneMatch(line -> line.startsWith("ERROR") || line.startsWith("WARN"));

            // The server stops by itself once both clients have gone.
            assertThat(server.awaitExit(TIMEOUT)).isZero();
            assertThat(count(server.lines(), "INFO: stopping, 64000 bytes transferred")).isEqualTo(1);
            assertThat(server.lines()).filteredOn(line -> line.startsWith("INFO: client closed connection"))
                    .hasSize(2);
        }
    }

    @Test
    void tcpEchoClientAgainstSocat() throws Exception {
        String socat = KernelTools.which("socat");
        assumeTrue(socat != null, "socat is not installed (./jdemi test installs it when run as root)");
        String address = freeAddress();
        String port = address.substring(address.indexOf(':') + 1);
        try (ChildProcess server = ChildProcess.start(List.of(socat, "-d", "-d",
                "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork", "EXEC:cat"))) {
            server.awaitLine(line -> line.contains("listening on"), TIMEOUT);
            try (ChildProcess client = ChildProcess.jdemi("tcp-echo", "--peer", "client", "--address", address,
                    "--nrequests", "300", "--bufsize", "256", "--run-mode", "concurrent", "--nclients", "2")) {
                assertThat(client.awaitExit(TIMEOUT)).as(String.join("\n", client.lines())).isZero();
                assertThat(client.lines()).last().isEqualTo("INFO: stopping, " + 2 * 300 * 256
                        + " bytes transferred");
            }
        }
    }

    @Test
    void tcpPushPop() throws Exception {
        String address = freeAddress();
        try (ChildProcess server = startServer("tcp-push-pop", "--peer", "server", "--address", address);
             ChildProcess client = ChildProcess.jdemi("tcp-push-pop", "--peer", "client", "--address", address)) {
            assertThat(client.awaitExit(TIMEOUT)).as(String.join("\n", client.lines())).isZero();
            assertThat(server.awaitExit(TIMEOUT)).as(String.join("\n", server.lines())).isZero();
            assertThat(client.lines()).filteredOn(line -> line.matches("push \\d+")).hasSize(10).last()
                    .isEqualTo("push 10");
            assertThat(server.lines()).filteredOn(line -> line.matches("pop \\d+")).hasSize(10).last()
                    .isEqualTo("pop 10");
        }
    }

    @Test
    void tcpPingPong() throws Exception {
        String address = freeAddress();
        try (ChildProcess server = startServer("tcp-ping-pong", "--peer", "server", "--address", address,
                "--iterations", "200", "--bufsize", "1000");
             ChildProcess client = ChildProcess.jdemi("tcp-ping-pong", "--peer", "client", "--address", address,
                     "--iterations", "200", "--bufsize", "1000")) {
            assertThat(client.awaitExit(TIMEOUT)).as(String.join("\n", client.lines())).isZero();
            assertThat(server.awaitExit(TIMEOUT)).as(String.join("\n", server.lines())).isZero();
            assertThat(client.lines()).filteredOn(line -> line.matches("ping \\d+")).hasSize(200).last()
                    .isEqualTo("ping 200");
            assertThat(server.lines()).filteredOn(line -> line.matches("pong \\d+")).hasSize(200);
        }
    }

    @Test
    void udpPingPong() throws Exception {
        String address = freeAddress();
        try (ChildProcess server = startServer("udp-ping-pong", "--peer", "server", "--address", address);
             ChildProcess client = ChildProcess.jdemi("udp-ping-pong", "--peer", "client", "--address", address)) {
            assertThat(client.awaitExit(TIMEOUT)).as(String.join("\n", client.lines())).isZero();
            assertThat(server.awaitExit(TIMEOUT)).as(String.join("\n", server.lines())).isZero();
            assertThat(client.lines()).filteredOn(line -> line.matches("ping \\d+")).hasSize(64).last()
                    .isEqualTo("ping 64");
            assertThat(server.lines()).filteredOn(line -> line.matches("pong \\d+")).hasSize(64);
        }
    }

    @Test
    void udpPushPop() throws Exception {
        String address = freeAddress();
        // 100 small datagrams fit in the server's receive buffer, so none is dropped however late the server reads.
        try (ChildProcess server = startServer("udp-push-pop", "--peer", "server", "--address", address,
                "--iterations", "100");
             ChildProcess client = ChildProcess.jdemi("udp-push-pop", "--peer", "client", "--address", address,
                     "--iterations", "100")) {
            assertThat(client.awaitExit(TIMEOUT)).as(String.join("\n", client.lines())).isZero();
            assertThat(server.awaitExit(TIMEOUT)).as(String.join("\n", server.lines())).isZero();
            assertThat(client.lines()).filteredOn(line -> line.matches("push \\(\\d+\\)")).hasSize(100).last()
                    .isEqualTo("push (100)");
            assertThat(server.lines()).filteredOn(line -> line.matches("pop \\(\\d+\\)")).hasSize(100).last()
                    .isEqualTo("pop (100)");
        }
    }

    @Test
    void udpEcho() throws Exception {
        String address = freeAddress();
        try (ChildProcess server = startServer("udp-echo", "--peer", "server", "--address", address,
                "--nrequests", "300");
             // The server stops after 300 datagrams, so the client must not send any request twice: a resend after
             // the default 1 s (a loaded machine can delay a reply that long) would end the server one reply early.
             ChildProcess client = ChildProcess.jdemi("udp-echo", "--peer", "client", "--address", address,
                     "--nrequests", "300", "--bufsize", "128", "--timeout", "50000")) {
            assertThat(client.awaitExit(TIMEOUT)).as(String.join("\n", client.lines())).isZero();
            assertThat(server.awaitExit(TIMEOUT)).as(String.join("\n", server.lines())).isZero();
            assertThat(client.lines()).filteredOn(line -> PROGRESS.matcher(line).matches()).last()
                    .asString().startsWith("INFO: 300 requests, ");
            assertThat(client.lines()).last().isEqualTo("INFO: stopping, " + 300 * 128 + " bytes transferred");
            assertThat(server.lines()).last().isEqualTo("INFO: stopping, " + 300 * 128 + " bytes transferred");
        }
    }
}
