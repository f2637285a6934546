package dev.jdemi.tools.echo;

import dev.jdemi.tools.ChildProcess;
import dev.jdemi.tools.KernelTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * jdemi's tcp-echo against the Linux kernel's TCP: a jdemi client against a kernel echo server, and kernel clients
 * against the jdemi server, with every byte checked.
 */
class KernelInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void jdemiClientAgainstSocat() throws Exception {
        String socat = KernelTools.which("socat");
        assumeTrue(socat != null, "socat is not installed (./jdemi test installs it when run as root)");
        InetSocketAddress address = EchoThreads.freeLoopbackAddress();
        try (AutoCloseable _ = socatEchoServer(socat, address)) {
            assertEveryRequestEchoed(address);
        }
    }

    @Test
    void jdemiClientAgainstAJavaNetEchoServer() throws Exception {
        InetSocketAddress address = EchoThreads.freeLoopbackAddress();
        try (AutoCloseable _ = javaEchoServer(address, -1)) {
            assertEveryRequestEchoed(address);
        }
    }

    private static void assertEveryRequestEchoed(InetSocketAddress address) throws Exception {
        StringWriter log = new StringWriter();
        EchoClient.Report report = EchoThreads.runClient(
                new EchoClient.Settings(address, 100, 3, 200, 0, RunMode.CONCURRENT, 0), log);

        // The client checks every echoed byte against the request it sent; a difference is an error.
        assertThat(report.errors()).as(log.toString()).isZero();
        assertThat(report.stats().requests()).isEqualTo(600);
        assertThat(report.stats().bytes()).isEqualTo(600 * 100);
    }

    @Test
    void jdemiClientReportsACorruptEcho() throws Exception {
        InetSocketAddress address = EchoThreads.freeLoopbackAddress();
        int corruptAt = 64 * 3 + 20;
        try (AutoCloseable _ = javaEchoServer(address, corruptAt)) {
            StringWriter log = new StringWriter();
            EchoClient.Report report = EchoThreads.runClient(
                    new EchoClient.Settings(address, 64, 1, 10, 0, RunMode.SEQUENTIAL, 0), log);

            assertThat(report.failed()).isTrue();
            assertThat(report.errors()).isEqualTo(1);
            assertThat(report.stats().requests()).as("requests before the corrupt one").isEqualTo(3);
            assertThat(log.toString()).contains("ERROR: corrupt reply on connection").contains("at byte 20 ");
        }
    }

    /** socat forks one {@code cat} per connection; it says "listening on" (with -d -d) once it accepts. */
    private static AutoCloseable socatEchoServer(String socat, InetSocketAddress address) throws Exception {
        ChildProcess child = ChildProcess.start(List.of(socat, "-d", "-d",
                "TCP-LISTEN:" + address.getPort() + ",bind=127.0.0.1,reuseaddr,fork", "EXEC:cat"));
        child.awaitLine(line -> line.contains("listening on"), TIMEOUT);
        return child;
    }

    /**
     * A kernel echo server on a thread, through java.net (which uses the kernel's TCP).
     *
     * @param corruptAt the offset in each connection's stream of a byte to flip, or -1 for a faithful echo
     */
    private static AutoCloseable javaEchoServer(InetSocketAddress address, long corruptAt) throws IOException {
        ServerSocket listener = new ServerSocket(address.getPort(), 50, address.getAddress());
        Thread.ofPlatform().daemon().name("kernel-echo-accept").start(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    Thread.ofPlatform().daemon().name("kernel-echo").start(() -> echo(socket, corruptAt));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return listener;
    }

    private static void echo(Socket socket, long corruptAt) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            byte[] buffer = new byte[4096];
            long offset = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (corruptAt >= offset && corruptAt < offset + n) {
                    buffer[(int) (corruptAt - offset)] ^= 0x01;
                }
                out.write(buffer, 0, n);
                offset += n;
            }
        } catch (IOException e) {
            // The client went away; nothing to echo any more.
        }
    }

    @Test
    void kernelSocketClientAgainstTheJdemiServer() throws Exception {
        InetSocketAddress address = EchoThreads.freeLoopbackAddress();
        EchoThreads.Server server = new EchoThreads.Server(address);
        try {
            server.awaitListening();
            byte[] sent = new byte[300_000];
            new Random(42).nextBytes(sent);
            byte[] received;
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                // Write on another thread: the echo comes back while the rest is still being sent.
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        OutputStream out = socket.getOutputStream();
                        for (int off = 0; off < sent.length; off += 7_000) {
                            out.write(sent, off, Math.min(7_000, sent.length - off));
                        }
                        socket.shutdownOutput();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                socket.setSoTimeout((int) TIMEOUT.toMillis());
                received = socket.getInputStream().readAllBytes();
                writer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            // readAllBytes returns at the end of stream: the server closed after echoing everything, no more.
            assertThat(received).isEqualTo(sent);
            assertThat(server.awaitDone()).isEqualTo(sent.length);
            assertThat(server.log.toString()).contains("INFO: client closed connection");
        } finally {
            server.stop();
        }
    }

    @Test
    void socatClientAgainstTheJdemiServer(@TempDir Path dir) throws Exception {
        String socat = KernelTools.which("socat");
        assumeTrue(socat != null, "socat is not installed (./jdemi test installs it when run as root)");
        InetSocketAddress address = EchoThreads.freeLoopbackAddress();
        EchoThreads.Server server = new EchoThreads.Server(address);
        try {
            server.awaitListening();
            byte[] sent = new byte[100_000];
            new Random(7).nextBytes(sent);
            Path input = Files.write(dir.resolve("sent"), sent);
            Path output = dir.resolve("received");
            Process process = new ProcessBuilder(socat, "-t", "30", "-", "TCP:127.0.0.1:" + address.getPort())
                    .redirectInput(input.toFile())
                    .redirectOutput(output.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                assertThat(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("socat exited").isTrue();
            } finally {
                process.destroyForcibly();
            }
            assertThat(process.exitValue()).isZero();
            assertThat(Files.readAllBytes(output)).isEqualTo(sent);
            assertThat(server.awaitDone()).isEqualTo(sent.length);
        } finally {
            server.stop();
        }
    }
}
