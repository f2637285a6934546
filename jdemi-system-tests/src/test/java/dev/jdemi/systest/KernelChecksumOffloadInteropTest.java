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

import java.util.List;

import static dev.jdemi.systest.KernelChecks.ECHO_PORT;
import static dev.jdemi.systest.KernelChecks.random;
import static dev.jdemi.systest.KernelChecks.sha256;
import static dev.jdemi.systest.Veth.JDEMI_IP;
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
            KernelChecks.udpEchoesFromSocatAndNc(KernelLink.of(veth), jdemi);
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
                Veth.Result echo = KernelChecks.tcpEchoFromSocat(KernelLink.of(veth), 40, payload);
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
        KernelChecks.jdemiGetsItsBytesBackFromTheKernelsSocat(KernelLink.of(veth), RING, size);
    }

    @Test
    @Order(100)
    void theKernelsChecksumsWerePartialAndJdemisAllValid() throws Exception {
        capture.stop();
        List<String> prefs = KernelChecks.CHECKSUM_PREFS;
        String partial = capture.tshark(prefs, "eth.src != " + veth.jdemiMac + " && (udp.checksum.status == 0"
                + " || tcp.checksum.status == 0)", "-T", "fields", "-e", "frame.number").stdout();
        String bad = capture.tshark(prefs, "eth.src == " + veth.jdemiMac + " && (" + KernelChecks.FAULTY + ")")
                .stdout();
        String resets = capture.tshark(prefs, "_ws.malformed || tcp.flags.reset == 1").stdout();
        System.out.println("KernelChecksumOffloadInteropTest: " + partial.lines().count() + " kernel frames with"
                + " partial checksums, " + bad.lines().count() + " bad frames from jdemi, " + resets.lines().count()
                + " malformed or resets");
        assertThat(partial.lines().count()).as("kernel frames whose checksum was left to the device")
                .isGreaterThan(1000);
        assertThat(bad).as("jdemi's frames tshark flags").isEmpty();
        assertThat(resets).as("malformed frames or resets").isEmpty();
    }
}
