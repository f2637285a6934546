package dev.jdemi.systest;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static dev.jdemi.systest.TapNamespace.JDEMI_IP;
import static dev.jdemi.systest.TapNamespace.JDEMI_MAC;
import static dev.jdemi.systest.TapNamespace.KERNEL_IP;
import static dev.jdemi.systest.Veth.in;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * jdemi's user-space TCP (catpowder over a TAP device) against the Linux kernel's TCP on the TAP interface's kernel
 * side ({@link TapNamespace}): the kernel's socat and nc as clients of a jdemi echo server ({@link JdemiTcpPeer}
 * {@code server}), curl fetching a page from jdemi, then jdemi as the client of a kernel socat echo server; every echo
 * compared byte for byte, 16 MiB each way by SHA-256, and tshark over the capture. Needs root; skipped with the reason
 * printed otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TapTcpInteropTest {
    private static final int ECHO_PORT = 7;
    private static final int KERNEL_PORT = 9100;
    @RegisterExtension
    final CheckTable checks = new CheckTable();
    private TapNamespace tap;
    private ChildJvm server;
    private KernelCapture capture;

    @BeforeAll
    void setUp() throws Exception {
        String reason = Veth.cannotRun();
        if (reason != null) {
            System.out.println("SKIPPED TapTcpInteropTest: " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
        tap = TapNamespace.create("t");
        capture = KernelCapture.start(tap.ns, tap.tapIf);
        server = ChildJvm.start(tap.ns, JdemiTcpPeer.class, tap.tapIf, JDEMI_IP, JDEMI_MAC, "tap", "server",
                String.valueOf(ECHO_PORT));
        server.expect("READY", 30);
    }

    @AfterAll
    void tearDown() {
        try {
            if (server != null) {
                server.close();
            }
            if (capture != null) {
                capture.close();
            }
        } finally {
            if (tap != null) {
                tap.close();
            }
            checks.print("jdemi TCP on catpowder (TAP device) against the Linux kernel over a TAP interface: checks");
        }
    }

    @Test
    @Order(1)
    void theKernelsSocatSendsToTheJdemiEchoServerAndGetsTheSameBytesBack() throws Exception {
        for (int size : new int[] {1, 1460, 100_000}) {
            byte[] payload = random(size);
            Veth.Result echo = streamed(20, payload, in(tap.ns, "socat", "-t", "5", "-",
                    "TCP4:" + JDEMI_IP + ":" + ECHO_PORT));
            assertThat(echo.exit()).as("socat exit, %d bytes: %s", size, echo.stderr()).isZero();
            assertThat(echo.stdoutBytes()).as("echo of %d bytes", size).isEqualTo(payload);
            server.expect("CLOSED " + size, 10);
        }
    }

    @Test
    @Order(2)
    void theKernelsNcSendsToTheJdemiEchoServerAndGetsTheSameBytesBack() throws Exception {
        byte[] payload = random(50_000);
        Veth.Result echo = streamed(20, payload, in(tap.ns, "nc", "-N", JDEMI_IP, String.valueOf(ECHO_PORT)));
        assertThat(echo.exit()).as("nc exit: %s", echo.stderr()).isZero();
        assertThat(echo.stdoutBytes()).isEqualTo(payload);
        server.expect("CLOSED " + payload.length, 10);
    }

    @Test
    @Order(3)
    void sixteenMebibytesFromTheKernelComeBackFromJdemiWithTheSameSha256() throws Exception {
        byte[] payload = random(16 << 20);
        long start = System.nanoTime();
        Veth.Result echo = streamed(40, payload, in(tap.ns, "socat", "-t", "5", "-",
                "TCP4:" + JDEMI_IP + ":" + ECHO_PORT));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(echo.exit()).as("socat exit: %s", echo.stderr()).isZero();
        assertThat(sha256(echo.stdoutBytes())).isEqualTo(sha256(payload));
        server.expect("CLOSED " + payload.length, 10);
        System.out.println("TapTcpInteropTest: 16 MiB kernel -> jdemi -> kernel echoed in " + ms
                + " ms");
    }

    @Test
    @Order(4)
    void curlFetchesAPageFromTheHttpResponderOnJdemi() {
        boolean curl = java.util.stream.Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(dir -> java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, "curl")));
        Assumptions.assumeTrue(curl, "curl is not installed (./jdemi test installs it as root)");
        Veth.Result page = Veth.runAny(20, null, in(tap.ns, "curl", "-sS", "--max-time", "10",
                "http://" + JDEMI_IP + "/index.html"));
        assertThat(page.exit()).as("curl exit: %s", page.stderr()).isZero();
        assertThat(new String(page.stdoutBytes(), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo(JdemiTcpPeer.page());
        server.expect("SERVED " + JdemiTcpPeer.page().length(), 10);
    }

    @Test
    @Order(10)
    void jdemiConnectsToTheKernelsSocatEchoServerAndGetsItsBytesBack() throws Exception {
        server.stop();
        for (long size : new long[] {1_000, 16L << 20}) {
            // head echoes the bytes and exits, so the kernel closes first (and holds TIME_WAIT, not jdemi).
            Process kernel = new ProcessBuilder(in(tap.ns, "socat", "-t", "5",
                    "TCP4-LISTEN:" + KERNEL_PORT + ",reuseaddr", "SYSTEM:head -c " + size))
                    .redirectErrorStream(true).start();
            Veth.drain(kernel.getInputStream());
            try {
                awaitTcpListener(KERNEL_PORT);
                long start = System.nanoTime();
                ChildJvm client = ChildJvm.start(tap.ns, JdemiTcpPeer.class, tap.tapIf, JDEMI_IP, JDEMI_MAC,
                        "tap", "client", KERNEL_IP, String.valueOf(KERNEL_PORT), String.valueOf(size));
                try {
                    String line = client.expect("OK " + size + " ", 60);
                    assertThat(line).isEqualTo("OK " + size + " " + expectedSha256(size));
                    System.out.println("TapTcpInteropTest: jdemi -> kernel -> jdemi " + size
                            + " bytes in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                            + " ms (with JVM start)");
                } finally {
                    client.close();
                }
                assertThat(kernel.waitFor(10, TimeUnit.SECONDS)).as("socat ends when jdemi closes").isTrue();
                assertThat(kernel.exitValue()).isZero();
            } finally {
                kernel.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Order(100)
    void tsharkFindsNoMalformedSegmentBadChecksumNorResetInTheCapture() throws Exception {
        capture.stop();
        long start = System.nanoTime();
        java.util.List<String> prefs = java.util.List.of("-o", "ip.check_checksum:TRUE", "-o",
                "tcp.check_checksum:TRUE");
        String frames = capture.tshark(prefs, "tcp", "-T", "fields", "-e", "frame.number").stdout();
        String bad = capture.tshark(prefs, "_ws.malformed || _ws.expert.severity == error"
                + " || ip.checksum.status == 0"
                + " || tcp.checksum.status == 0 || tcp.flags.reset == 1").stdout();
        long segments = frames.lines().count();
        System.out.println("TapTcpInteropTest: " + segments + " TCP frames captured on the "
                + "TAP interface, " + bad.lines().count() + " malformed, with bad checksums or resets; tshark took "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
        assertThat(segments).isGreaterThan(1000);
        assertThat(bad).as("segments tshark flags").isEmpty();
    }

    private static String expectedSha256(long size) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[65_536];
        for (long done = 0; done < size; done += chunk.length) {
            int length = (int) Math.min(chunk.length, size - done);
            for (int i = 0; i < length; i++) {
                chunk[i] = JdemiTcpPeer.pattern(done + i);
            }
            digest.update(chunk, 0, length);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Waits until a kernel TCP socket listens on the port in the kernel's namespace (ss lists it). */
    private void awaitTcpListener(int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!Veth.run(in(tap.ns, "ss", "-Htln", "sport = :" + port)).stdout().isBlank()) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no TCP listener on port " + port + " after 10 s");
    }

    /** Like {@link Veth#runAny}, but feeds stdin from its own thread so that a large echo cannot fill the pipes. */
    private static Veth.Result streamed(int timeoutSeconds, byte[] input, String... command) throws Exception {
        Process process = new ProcessBuilder(command).start();
        Thread writer = Thread.ofPlatform().daemon().start(() -> {
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(input);
            } catch (IOException e) {
                System.out.println("TapTcpInteropTest: stdin of " + command[command.length - 2] + ": " + e);
            }
        });
        var out = Veth.drain(process.getInputStream());
        var err = Veth.drain(process.getErrorStream());
        boolean done = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            process.destroyForcibly().waitFor();
        }
        writer.join(5000);
        out.join();
        err.join();
        return new Veth.Result(done ? process.exitValue() : -1, out.bytes(), err.text());
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
