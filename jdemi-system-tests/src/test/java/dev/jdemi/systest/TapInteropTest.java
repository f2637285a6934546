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

import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static dev.jdemi.systest.TapNamespace.JDEMI_IP;
import static dev.jdemi.systest.TapNamespace.JDEMI_MAC;
import static dev.jdemi.systest.TapNamespace.KERNEL_IP;
import static dev.jdemi.systest.Veth.in;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * catpowder over a TAP device against the Linux kernel: jdemi ({@link JdemiPeer} with device {@code tap}) attached to
 * a TAP interface whose kernel side carries the kernel's address ({@link TapNamespace}), the kernel's ping, socat and
 * nc in the same namespace, every frame captured on the TAP interface and checked by tshark at the end. Needs root;
 * skipped with the reason printed otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TapInteropTest {
    private static final int ECHO_PORT = 7;
    @RegisterExtension
    final CheckTable checks = new CheckTable();
    private TapNamespace tap;
    private ChildJvm jdemi;
    private KernelCapture capture;

    @BeforeAll
    void setUp() throws Exception {
        String reason = Veth.cannotRun();
        if (reason != null) {
            System.out.println("SKIPPED TapInteropTest: " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
        tap = TapNamespace.create("u");
        capture = KernelCapture.start(tap.ns, tap.tapIf);
        jdemi = ChildJvm.start(tap.ns, JdemiPeer.class, tap.tapIf, JDEMI_IP, JDEMI_MAC, String.valueOf(ECHO_PORT),
                "tap");
        jdemi.expect("READY", 30);
    }

    @AfterAll
    void tearDown() {
        try {
            if (jdemi != null) {
                jdemi.close();
            }
            if (capture != null) {
                capture.close();
            }
        } finally {
            if (tap != null) {
                tap.close();
            }
            checks.print("catpowder (TAP device) against the Linux kernel over a TAP interface: checks");
        }
    }

    @Test
    @Order(1)
    void theKernelPingsJdemiWith56ByteEchoes() {
        Veth.Result ping = Veth.runAny(20, null, in(tap.ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", "-s", "56",
                JDEMI_IP));
        assertThat(ping.stdout()).contains("3 packets transmitted, 3 received");
        assertThat(ping.exit()).isZero();
    }

    @Test
    @Order(2)
    void theKernelPingsJdemiWith1472ByteEchoesUnfragmented() {
        Veth.Result ping = Veth.runAny(20, null, in(tap.ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", "-s", "1472",
                "-M", "do", JDEMI_IP));
        assertThat(ping.stdout()).contains("3 packets transmitted, 3 received").contains("1480 bytes from");
        assertThat(ping.exit()).isZero();
    }

    @Test
    @Order(3)
    void jdemiAnswersTheKernelsArpRequest() {
        Veth.run("ip", "-n", tap.ns, "neigh", "flush", "dev", tap.tapIf);
        assertThat(Veth.run("ip", "-n", tap.ns, "neigh", "show", JDEMI_IP).stdout()).doesNotContain("lladdr");
        Veth.Result ping = Veth.runAny(20, null, in(tap.ns, "ping", "-c", "1", "-W", "2", JDEMI_IP));
        assertThat(ping.exit()).isZero();
        assertThat(Veth.run("ip", "-n", tap.ns, "neigh", "show", JDEMI_IP).stdout()).contains("lladdr " + JDEMI_MAC);
    }

    @Test
    @Order(4)
    void theKernelSendsUdpToJdemiWithSocatAndGetsTheSameBytesBack() {
        for (int size : new int[] {1, 1000, 1472, 4000}) {
            byte[] payload = random(size);
            Veth.Result echo = Veth.runAny(20, payload, in(tap.ns, "socat", "-t", "1", "-",
                    "UDP4:" + JDEMI_IP + ":" + ECHO_PORT));
            assertThat(echo.exit()).as("socat exit, %d bytes", size).isZero();
            assertThat(echo.stdoutBytes()).as("echo of %d bytes", size).isEqualTo(payload);
            jdemi.expect("ECHO " + size, 5);
        }
    }

    @Test
    @Order(5)
    void theKernelSendsUdpToJdemiWithNcAndGetsTheSameBytesBack() {
        byte[] payload = random(512);
        Veth.Result echo = Veth.runAny(20, payload, in(tap.ns, "nc", "-u", "-w", "1", JDEMI_IP,
                String.valueOf(ECHO_PORT)));
        assertThat(echo.stdoutBytes()).isEqualTo(payload);
        jdemi.expect("ECHO 512", 5);
    }

    /** First: jdemi has heard nothing from the kernel yet, so it must resolve the kernel's MAC with ARP. */
    @Test
    @Order(0)
    void jdemiResolvesTheKernelsMacAndSendsUdpToSocatAndNc() throws Exception {
        String[][] receivers = {
            {"socat", "-u", "UDP4-RECV:9000", "STDOUT"},
            {"nc", "-u", "-l", KERNEL_IP, "9001"},
        };
        for (int i = 0; i < receivers.length; i++) {
            int port = 9000 + i;
            Process receiver = new ProcessBuilder(in(tap.ns, receivers[i])).start();
            try {
                awaitUdpListener(port);
                byte[] payload = random(300 + i);
                jdemi.send("send " + KERNEL_IP + " " + port + " " + HexFormat.of().formatHex(payload));
                jdemi.expect("SENT " + payload.length, 10);
                byte[] got = receiver.getInputStream().readNBytes(payload.length);
                assertThat(got).as("bytes %s received", receivers[i][0]).isEqualTo(payload);
            } finally {
                receiver.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Order(100)
    void tsharkFindsNoMalformedFrameNorBadChecksumInTheCapture() throws Exception {
        capture.stop();
        List<String> prefs = List.of("-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o",
                "tcp.check_checksum:TRUE");
        Veth.Result all = capture.tshark(prefs, "frame");
        Veth.Result bad = capture.tshark(prefs, "_ws.malformed || _ws.expert.severity == error"
                + " || ip.checksum.status == 0"
                + " || udp.checksum.status == 0 || icmp.checksum.status == 0 || tcp.checksum.status == 0");
        Veth.Result arpFromJdemi = capture.tshark(prefs, "arp.opcode == 1 && arp.src.hw_mac == " + JDEMI_MAC);
        Veth.Result arpToJdemi = capture.tshark(prefs, "arp.opcode == 2 && eth.dst == " + JDEMI_MAC);
        long frames = all.stdout().lines().count();
        System.out.println("TapInteropTest: " + frames + " frames captured on the TAP interface, "
                + bad.stdout().lines().count() + " malformed or with bad checksums");
        assertThat(frames).isGreaterThan(25);
        assertThat(bad.stdout()).as("frames tshark flags").isEmpty();
        assertThat(arpFromJdemi.stdout()).as("jdemi's ARP requests").isNotEmpty();
        assertThat(arpToJdemi.stdout()).as("the kernel's ARP replies to jdemi").isNotEmpty();
    }

    /** Waits until a kernel UDP socket is bound to the port in the namespace (ss lists it). */
    private void awaitUdpListener(int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!Veth.run(in(tap.ns, "ss", "-Hunl", "sport = :" + port)).stdout().isBlank()) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no UDP socket on port " + port + " after 10 s");
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
