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
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static dev.jdemi.systest.Veth.JDEMI_IP;
import static dev.jdemi.systest.Veth.KERNEL_IP;
import static dev.jdemi.systest.Veth.in;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * catpowder over AF_PACKET (TPACKET_V3) against a kernel peer that keeps tx-checksumming on, the kernel's default
 * ({@link Veth#createWithKernelChecksumOffload}): the kernel's TCP and UDP frames cross the veth pair with only the
 * pseudo-header sum in their checksum fields, flagged {@code TP_STATUS_CSUMNOTREADY}, and jdemi takes them as the
 * kernel does. UDP and TCP both ways must still be equal byte for byte; the capture proves the kernel's checksums were
 * partial and that jdemi's own are all valid. Needs root; skipped with the reason printed otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelChecksumOffloadInteropTest {
    private static final int ECHO_PORT = 7;
    private static final int KERNEL_PORT = 9100;
    private static final String RING = "v3";
    @RegisterExtension
    final CheckTable checks = new CheckTable();
    private Veth veth;
    private KernelCapture capture;

    @BeforeAll
    void setUp() throws Exception {
        String reason = Veth.cannotRun();
        if (reason != null) {
            System.out.println("SKIPPED KernelChecksumOffloadInteropTest: " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
        veth = Veth.createWithKernelChecksumOffload("c");
        String offloads = Veth.run(in(veth.kernelNs, "ethtool", "-k", veth.kernelIf)).stdout();
        assertThat(offloads).contains("tx-checksumming: on");
        capture = KernelCapture.start(veth);
    }

    @AfterAll
    void tearDown() {
        try {
            if (capture != null) {
                capture.close();
            }
        } finally {
            if (veth != null) {
                veth.close();
            }
            checks.print("catpowder (AF_PACKET, TPACKET_V3 ring) against the Linux kernel over veth with the kernel's"
                    + " tx-checksumming on: checks");
        }
    }

    @Test
    @Order(1)
    void udpFromTheKernelWithPartialChecksumsComesBackFromJdemiByteForByte() throws Exception {
        try (ChildJvm jdemi = ChildJvm.start(veth.jdemiNs, JdemiPeer.class, veth.jdemiIf, JDEMI_IP, veth.jdemiMac,
                String.valueOf(ECHO_PORT), RING)) {
            jdemi.expect("READY", 30);
            for (int size : new int[] {1, 1000, 1472, 4000}) {
                byte[] payload = random(size);
                Veth.Result echo = Veth.runAny(20, payload, in(veth.kernelNs, "socat", "-t", "1", "-",
                        "UDP4:" + JDEMI_IP + ":" + ECHO_PORT));
                assertThat(echo.exit()).as("socat exit, %d bytes", size).isZero();
                assertThat(echo.stdoutBytes()).as("echo of %d bytes", size).isEqualTo(payload);
                jdemi.expect("ECHO " + size, 5);
            }
            byte[] payload = random(512);
            Veth.Result echo = Veth.runAny(20, payload, in(veth.kernelNs, "nc", "-u", "-w", "1", JDEMI_IP,
                    String.valueOf(ECHO_PORT)));
            assertThat(echo.stdoutBytes()).isEqualTo(payload);
            jdemi.expect("ECHO 512", 5);
        }
    }

    @Test
    @Order(2)
    void tcpFromTheKernelWithPartialChecksumsComesBackFromJdemiWithTheSameSha256() throws Exception {
        try (ChildJvm server = ChildJvm.start(veth.jdemiNs, JdemiTcpPeer.class, veth.jdemiIf, JDEMI_IP,
                veth.jdemiMac, RING, "server", String.valueOf(ECHO_PORT))) {
            server.expect("READY", 30);
            for (int size : new int[] {1460, 16 << 20}) {
                byte[] payload = random(size);
                Veth.Result echo = streamed(40, payload, in(veth.kernelNs, "socat", "-t", "5", "-",
                        "TCP4:" + JDEMI_IP + ":" + ECHO_PORT));
                assertThat(echo.exit()).as("socat exit: %s", echo.stderr()).isZero();
                assertThat(sha256(echo.stdoutBytes())).as("echo of %d bytes", size).isEqualTo(sha256(payload));
                server.expect("CLOSED " + size, 10);
            }
        }
    }

    @Test
    @Order(3)
    void jdemiGetsSixteenMebibytesBackFromTheKernelsSocatWithTheSameSha256() throws Exception {
        long size = 16L << 20;
        Process kernel = new ProcessBuilder(in(veth.kernelNs, "socat", "-t", "5",
                "TCP4-LISTEN:" + KERNEL_PORT + ",reuseaddr", "SYSTEM:head -c " + size))
                .redirectErrorStream(true).start();
        Veth.drain(kernel.getInputStream());
        try {
            awaitTcpListener(KERNEL_PORT);
            try (ChildJvm client = ChildJvm.start(veth.jdemiNs, JdemiTcpPeer.class, veth.jdemiIf, JDEMI_IP,
                    veth.jdemiMac, RING, "client", KERNEL_IP, String.valueOf(KERNEL_PORT), String.valueOf(size))) {
                String line = client.expect("OK " + size + " ", 60);
                assertThat(line).isEqualTo("OK " + size + " " + expectedSha256(size));
            }
            assertThat(kernel.waitFor(10, TimeUnit.SECONDS)).as("socat ends when jdemi closes").isTrue();
            assertThat(kernel.exitValue()).isZero();
        } finally {
            kernel.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(100)
    void theKernelsChecksumsWerePartialAndJdemisAllValid() throws Exception {
        capture.stop();
        List<String> prefs = List.of("-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o",
                "tcp.check_checksum:TRUE");
        String partial = capture.tshark(prefs, "eth.src != " + veth.jdemiMac + " && (udp.checksum.status == 0"
                + " || tcp.checksum.status == 0)", "-T", "fields", "-e", "frame.number").stdout();
        String bad = capture.tshark(prefs, "eth.src == " + veth.jdemiMac + " && (_ws.malformed"
                + " || ip.checksum.status == 0 || udp.checksum.status == 0 || icmp.checksum.status == 0"
                + " || tcp.checksum.status == 0)").stdout();
        String resets = capture.tshark(prefs, "_ws.malformed || tcp.flags.reset == 1").stdout();
        System.out.println("KernelChecksumOffloadInteropTest: " + partial.lines().count() + " kernel frames with"
                + " partial checksums, " + bad.lines().count() + " bad frames from jdemi, " + resets.lines().count()
                + " malformed or resets");
        assertThat(partial.lines().count()).as("kernel frames whose checksum was left to the device")
                .isGreaterThan(1000);
        assertThat(bad).as("jdemi's frames tshark flags").isEmpty();
        assertThat(resets).as("malformed frames or resets").isEmpty();
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

    private void awaitTcpListener(int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!Veth.run(in(veth.kernelNs, "ss", "-Htln", "sport = :" + port)).stdout().isBlank()) {
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
                System.out.println("KernelChecksumOffloadInteropTest: stdin: " + e);
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
