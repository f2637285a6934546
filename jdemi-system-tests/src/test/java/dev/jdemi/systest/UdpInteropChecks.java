package dev.jdemi.systest;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import static dev.jdemi.systest.KernelChecks.CHECKSUM_PREFS;
import static dev.jdemi.systest.KernelChecks.ECHO_PORT;
import static dev.jdemi.systest.KernelChecks.random;
import static dev.jdemi.systest.Veth.in;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checks of catpowder against the Linux kernel over one link: jdemi ({@link JdemiPeer}) on one end, the kernel's
 * ping, socat and nc on the other, every frame captured on the kernel's interface and checked by tshark at the end.
 * A subclass says only which link and which device: {@link RawInteropTest} (veth, AF_PACKET or AF_XDP) and
 * {@link TapInteropTest} (a TAP interface). Needs root; skipped with the reason printed otherwise.
 */
abstract class UdpInteropChecks extends InteropChecks {
    @Override
    ChildJvm startJdemi() throws Exception {
        return ChildJvm.start(link.jdemiNs(), JdemiPeer.class, link.jdemiIf(), link.jdemiIp(), link.jdemiMac(),
                String.valueOf(ECHO_PORT), device());
    }

    @Test
    @Order(1)
    void theKernelPingsJdemiWith56ByteEchoes() {
        Veth.Result ping = Veth.runAny(20, null, in(link.kernelNs(), "ping", "-c", "3", "-i", "0.2", "-W", "2", "-s",
                "56", link.jdemiIp()));
        assertThat(ping.stdout()).contains("3 packets transmitted, 3 received");
        assertThat(ping.exit()).isZero();
    }

    @Test
    @Order(2)
    void theKernelPingsJdemiWith1472ByteEchoesUnfragmented() {
        Veth.Result ping = Veth.runAny(20, null, in(link.kernelNs(), "ping", "-c", "3", "-i", "0.2", "-W", "2", "-s",
                "1472", "-M", "do", link.jdemiIp()));
        assertThat(ping.stdout()).contains("3 packets transmitted, 3 received").contains("1480 bytes from");
        assertThat(ping.exit()).isZero();
    }

    @Test
    @Order(3)
    void jdemiAnswersTheKernelsArpRequest() {
        Veth.run("ip", "-n", link.kernelNs(), "neigh", "flush", "dev", link.kernelIf());
        assertThat(Veth.run("ip", "-n", link.kernelNs(), "neigh", "show", link.jdemiIp()).stdout())
                .doesNotContain("lladdr");
        Veth.Result ping = Veth.runAny(20, null, in(link.kernelNs(), "ping", "-c", "1", "-W", "2", link.jdemiIp()));
        assertThat(ping.exit()).isZero();
        assertThat(Veth.run("ip", "-n", link.kernelNs(), "neigh", "show", link.jdemiIp()).stdout())
                .contains("lladdr " + link.jdemiMac());
    }

    @Test
    @Order(4)
    void theKernelSendsUdpToJdemiWithSocatAndGetsTheSameBytesBack() {
        KernelChecks.udpEchoesFromSocat(link, jdemi);
    }

    @Test
    @Order(5)
    void theKernelSendsUdpToJdemiWithNcAndGetsTheSameBytesBack() {
        KernelChecks.udpEchoFromNc(link, jdemi);
    }

    /** First: jdemi has heard nothing from the kernel yet, so it must resolve the kernel's MAC with ARP. */
    @Test
    @Order(0)
    void jdemiResolvesTheKernelsMacAndSendsUdpToSocatAndNc() throws Exception {
        String[][] receivers = {
            {"socat", "-u", "UDP4-RECV:9000", "STDOUT"},
            {"nc", "-u", "-l", link.kernelIp(), "9001"},
        };
        for (int i = 0; i < receivers.length; i++) {
            int port = 9000 + i;
            Process receiver = new ProcessBuilder(in(link.kernelNs(), receivers[i])).start();
            try {
                KernelChecks.awaitListener(link, "-Hunl", port, "UDP socket");
                byte[] payload = random(300 + i);
                jdemi.send("send " + link.kernelIp() + " " + port + " " + HexFormat.of().formatHex(payload));
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
        Veth.Result all = capture.tshark(CHECKSUM_PREFS, "frame");
        Veth.Result bad = capture.tshark(CHECKSUM_PREFS, KernelChecks.FAULTY);
        Veth.Result arpFromJdemi = capture.tshark(CHECKSUM_PREFS,
                "arp.opcode == 1 && arp.src.hw_mac == " + link.jdemiMac());
        Veth.Result arpToJdemi = capture.tshark(CHECKSUM_PREFS, "arp.opcode == 2 && eth.dst == " + link.jdemiMac());
        long frames = all.stdout().lines().count();
        System.out.println(getClass().getSimpleName() + ": " + frames + " frames captured on the " + link.where()
                + ", " + bad.stdout().lines().count() + " malformed or with bad checksums");
        assertThat(frames).isGreaterThan(25);
        assertThat(bad.stdout()).as("frames tshark flags").isEmpty();
        assertThat(arpFromJdemi.stdout()).as("jdemi's ARP requests").isNotEmpty();
        assertThat(arpToJdemi.stdout()).as("the kernel's ARP replies to jdemi").isNotEmpty();
    }
}
