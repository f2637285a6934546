package dev.jdemi.systest;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static dev.jdemi.systest.KernelChecks.CHECKSUM_PREFS;
import static dev.jdemi.systest.KernelChecks.ECHO_PORT;
import static dev.jdemi.systest.KernelChecks.random;
import static dev.jdemi.systest.KernelChecks.sha256;
import static dev.jdemi.systest.Veth.in;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checks of jdemi's user-space TCP (catpowder) against the Linux kernel's TCP over one link: the kernel's socat
 * and nc as clients of a jdemi echo server ({@link JdemiTcpPeer} {@code server}), curl fetching a page from jdemi,
 * then jdemi as the client of a kernel socat echo server; every echo compared byte for byte, 16 MiB each way by
 * SHA-256, and tshark over the capture. A subclass says only which link and which device: {@link RawTcpInteropTest}
 * (veth, AF_PACKET or AF_XDP) and {@link TapTcpInteropTest} (a TAP interface). Needs root; skipped with the reason
 * printed otherwise.
 */
abstract class TcpInteropChecks extends InteropChecks {
    @Override
    ChildJvm startJdemi() throws Exception {
        return ChildJvm.start(link.jdemiNs(), JdemiTcpPeer.class, link.jdemiIf(), link.jdemiIp(), link.jdemiMac(),
                device(), "server", String.valueOf(ECHO_PORT));
    }

    @Test
    @Order(1)
    void theKernelsSocatSendsToTheJdemiEchoServerAndGetsTheSameBytesBack() throws Exception {
        for (int size : new int[] {1, 1460, 100_000}) {
            byte[] payload = random(size);
            Veth.Result echo = KernelChecks.tcpEchoFromSocat(link, 20, payload);
            assertThat(echo.exit()).as("socat exit, %d bytes: %s", size, echo.stderr()).isZero();
            assertThat(echo.stdoutBytes()).as("echo of %d bytes", size).isEqualTo(payload);
            jdemi.expect("CLOSED " + size, 10);
        }
    }

    @Test
    @Order(2)
    void theKernelsNcSendsToTheJdemiEchoServerAndGetsTheSameBytesBack() throws Exception {
        byte[] payload = random(50_000);
        Veth.Result echo = KernelChecks.streamed(20, payload, in(link.kernelNs(), "nc", "-N", link.jdemiIp(),
                String.valueOf(ECHO_PORT)));
        assertThat(echo.exit()).as("nc exit: %s", echo.stderr()).isZero();
        assertThat(echo.stdoutBytes()).isEqualTo(payload);
        jdemi.expect("CLOSED " + payload.length, 10);
    }

    @Test
    @Order(3)
    void sixteenMebibytesFromTheKernelComeBackFromJdemiWithTheSameSha256() throws Exception {
        byte[] payload = random(16 << 20);
        long start = System.nanoTime();
        Veth.Result echo = KernelChecks.tcpEchoFromSocat(link, 40, payload);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(echo.exit()).as("socat exit: %s", echo.stderr()).isZero();
        assertThat(sha256(echo.stdoutBytes())).isEqualTo(sha256(payload));
        jdemi.expect("CLOSED " + payload.length, 10);
        System.out.println(getClass().getSimpleName() + ": 16 MiB kernel -> jdemi -> kernel echoed in " + ms
                + " ms");
    }

    @Test
    @Order(4)
    void curlFetchesAPageFromTheHttpResponderOnJdemi() {
        boolean curl = java.util.stream.Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(dir -> java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, "curl")));
        Assumptions.assumeTrue(curl, "curl is not installed (./jdemi test installs it as root)");
        Veth.Result page = Veth.runAny(20, null, in(link.kernelNs(), "curl", "-sS", "--max-time", "10",
                "http://" + link.jdemiIp() + "/index.html"));
        assertThat(page.exit()).as("curl exit: %s", page.stderr()).isZero();
        assertThat(new String(page.stdoutBytes(), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo(JdemiTcpPeer.page());
        jdemi.expect("SERVED " + JdemiTcpPeer.page().length(), 10);
    }

    @Test
    @Order(10)
    void jdemiConnectsToTheKernelsSocatEchoServerAndGetsItsBytesBack() throws Exception {
        jdemi.stop();
        for (long size : new long[] {1_000, 16L << 20}) {
            long ms = KernelChecks.jdemiGetsItsBytesBackFromTheKernelsSocat(link, device(), size);
            System.out.println(getClass().getSimpleName() + ": jdemi -> kernel -> jdemi " + size + " bytes in " + ms
                    + " ms (with JVM start)");
        }
    }

    @Test
    @Order(100)
    void tsharkFindsNoMalformedSegmentBadChecksumNorResetInTheCapture() throws Exception {
        capture.stop();
        long start = System.nanoTime();
        String frames = capture.tshark(CHECKSUM_PREFS, "tcp", "-T", "fields", "-e", "frame.number").stdout();
        String bad = capture.tshark(CHECKSUM_PREFS, "(" + KernelChecks.FAULTY + ") || tcp.flags.reset == 1")
                .stdout();
        long segments = frames.lines().count();
        System.out.println(getClass().getSimpleName() + ": " + segments + " TCP frames captured on the "
                + link.where() + ", " + bad.lines().count() + " malformed, with bad checksums or resets; tshark took "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
        assertThat(segments).isGreaterThan(1000);
        assertThat(bad).as("segments tshark flags").isEmpty();
    }
}
