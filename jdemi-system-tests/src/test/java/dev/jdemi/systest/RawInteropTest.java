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

import static dev.jdemi.systest.Veth.JDEMI_IP;
import static dev.jdemi.systest.Veth.KERNEL_IP;
import static dev.jdemi.systest.Veth.in;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * catpowder over a raw device against the Linux kernel: jdemi ({@link JdemiPeer}, opened through
 * {@code LibOS.open(CATPOWDER, ...)}) on one end of a veth pair, the kernel's ping, socat and nc on the other, every
 * frame captured on the kernel's end and checked by tshark at the end; once per device: AF_PACKET with each receive
 * ring ({@link AfPacketV3InteropTest}, {@link AfPacketV2InteropTest}) and AF_XDP ({@link XdpInteropTest}).
 * Needs root; skipped with the reason printed otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RawInteropTest {
    private static final int ECHO_PORT = 7;
    @RegisterExtension
    final CheckTable checks = new CheckTable();
    private Veth veth;
    private ChildJvm jdemi;
    private KernelCapture capture;

    /** {@return the device word of {@link PeerDevice}: v3 or v2 (AF_PACKET with that ring) or xdp (AF_XDP)} */
    abstract String device();

    /** {@return the device in words, for titles} */
    private String deviceName() {
        return device().equals("xdp") ? "AF_XDP, copy mode"
                : "AF_PACKET, TPACKET_" + device().toUpperCase(java.util.Locale.ROOT) + " ring";
    }

    @BeforeAll
    void setUp() throws Exception {
        String reason = Veth.cannotRun();
        if (reason == null && device().equals("xdp")) {
            reason = dev.jdemi.sys.Xsk.unavailable();
        }
        if (reason != null) {
            System.out.println("SKIPPED " + getClass().getSimpleName() + ": " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
        veth = Veth.create("a" + device());
        capture = KernelCapture.start(veth);
        jdemi = ChildJvm.start(veth.jdemiNs, JdemiPeer.class, veth.jdemiIf, JDEMI_IP, veth.jdemiMac,
                String.valueOf(ECHO_PORT), device());
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
            if (veth != null) {
                veth.close();
            }
            checks.print("catpowder (" + deviceName() + ") against the Linux kernel over veth: checks");
        }
    }

    @Test
    @Order(1)
    void theKernelPingsJdemiWith56ByteEchoes() {
        Veth.Result ping = Veth.runAny(20, null, in(veth.kernelNs, "ping", "-c", "3", "-i", "0.2", "-W", "2", "-s",
                "56", JDEMI_IP));
        assertThat(ping.stdout()).contains("3 packets transmitted, 3 received");
        assertThat(ping.exit()).isZero();
    }

    @Test
    @Order(2)
    void theKernelPingsJdemiWith1472ByteEchoesUnfragmented() {
        Veth.Result ping = Veth.runAny(20, null, in(veth.kernelNs, "ping", "-c", "3", "-i", "0.2", "-W", "2", "-s",
                "1472", "-M", "do", JDEMI_IP));
        assertThat(ping.stdout()).contains("3 packets transmitted, 3 received").contains("1480 bytes from");
        assertThat(ping.exit()).isZero();
    }

    @Test
    @Order(3)
    void jdemiAnswersTheKernelsArpRequest() {
        Veth.run("ip", "-n", veth.kernelNs, "neigh", "flush", "dev", veth.kernelIf);
        assertThat(Veth.run("ip", "-n", veth.kernelNs, "neigh", "show", JDEMI_IP).stdout()).doesNotContain("lladdr");
        Veth.Result ping = Veth.runAny(20, null, in(veth.kernelNs, "ping", "-c", "1", "-W", "2", JDEMI_IP));
        assertThat(ping.exit()).isZero();
        assertThat(Veth.run("ip", "-n", veth.kernelNs, "neigh", "show", JDEMI_IP).stdout())
                .contains("lladdr " + veth.jdemiMac);
    }

    @Test
    @Order(4)
    void theKernelSendsUdpToJdemiWithSocatAndGetsTheSameBytesBack() {
        for (int size : new int[] {1, 1000, 1472, 4000}) {
            byte[] payload = random(size);
            Veth.Result echo = runBytes(in(veth.kernelNs, "socat", "-t", "1", "-",
                    "UDP4:" + JDEMI_IP + ":" + ECHO_PORT), payload);
            assertThat(echo.exit()).as("socat exit, %d bytes", size).isZero();
            assertThat(echo.stdoutBytes()).as("echo of %d bytes", size).isEqualTo(payload);
            jdemi.expect("ECHO " + size, 5);
        }
    }

    @Test
    @Order(5)
    void theKernelSendsUdpToJdemiWithNcAndGetsTheSameBytesBack() {
        byte[] payload = random(512);
        Veth.Result echo = runBytes(in(veth.kernelNs, "nc", "-u", "-w", "1", JDEMI_IP, String.valueOf(ECHO_PORT)),
                payload);
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
            Process receiver = new ProcessBuilder(in(veth.kernelNs, receivers[i])).start();
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
        Veth.Result arpFromJdemi = capture.tshark(prefs, "arp.opcode == 1 && arp.src.hw_mac == " + veth.jdemiMac);
        Veth.Result arpToJdemi = capture.tshark(prefs, "arp.opcode == 2 && eth.dst == " + veth.jdemiMac);
        long frames = all.stdout().lines().count();
        System.out.println(getClass().getSimpleName() + ": " + frames + " frames captured on the kernel's end, "
                + bad.stdout().lines().count() + " malformed or with bad checksums");
        assertThat(frames).isGreaterThan(25);
        assertThat(bad.stdout()).as("frames tshark flags").isEmpty();
        assertThat(arpFromJdemi.stdout()).as("jdemi's ARP requests").isNotEmpty();
        assertThat(arpToJdemi.stdout()).as("the kernel's ARP replies to jdemi").isNotEmpty();
    }

    /** Waits until a kernel UDP socket is bound to the port in the kernel's namespace (ss lists it). */
    private void awaitUdpListener(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String sockets = Veth.run(in(veth.kernelNs, "ss", "-Hunl", "sport = :" + port)).stdout();
            if (!sockets.isBlank()) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no UDP socket on port " + port + " after 10 s");
    }

    private static Veth.Result runBytes(String[] command, byte[] input) {
        return Veth.runAny(20, input, command);
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
