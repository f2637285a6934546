package dev.jdemi.sys;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Ethtool} reads what {@code ethtool -k} shows, on the loopback interface every namespace has (reading needs no
 * privilege); an unknown interface is ENODEV.
 */
class EthtoolTest {
    @Test
    void theLoopbackOffloadsAreWhatEthtoolShows() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ethtool")) || Files.isExecutable(
                Path.of("/sbin/ethtool")), "ethtool is not installed");
        Process process = new ProcessBuilder("ethtool", "-k", "lo").redirectErrorStream(true).start();
        String shown = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Ethtool.Offloads offloads = Ethtool.read("lo");
        assertThat(offloads.rxChecksumming()).isEqualTo(on(shown, "rx-checksumming"));
        assertThat(offloads.txChecksumming()).isEqualTo(on(shown, "tx-checksumming"));
        assertThat(offloads.scatterGather()).isEqualTo(on(shown, "scatter-gather"));
        assertThat(offloads.tcpSegmentation()).isEqualTo(on(shown, "tcp-segmentation-offload"));
        assertThat(offloads.genericSegmentation()).isEqualTo(on(shown, "generic-segmentation-offload"));
        assertThat(offloads.genericReceive()).isEqualTo(on(shown, "generic-receive-offload"));
        assertThat(offloads.largeReceive()).isEqualTo(on(shown, "large-receive-offload"));
        assertThat(offloads.toString()).contains("rx-checksumming " + (offloads.rxChecksumming() ? "on" : "off"));
    }

    private static boolean on(String shown, String feature) {
        return shown.lines().anyMatch(line -> line.startsWith(feature + ": on"));
    }

    @Test
    void anUnknownInterfaceIsEnodev() {
        assertThatThrownBy(() -> Ethtool.read("jdemi-nope0"))
                .isInstanceOfSatisfying(PacketSocket.SysException.class, e -> assertThat(e.errno()).isEqualTo(19))
                .hasMessageContaining("jdemi-nope0");
        assertThatThrownBy(() -> Ethtool.read("a-name-far-too-long")).isInstanceOf(PacketSocket.SysException.class);
    }

    @Test
    void mergingAndLateSegmentationAreNamed() {
        assertThat(new Ethtool.Offloads(false, false, false, false, false, true, false).mergesReceived()).isTrue();
        assertThat(new Ethtool.Offloads(false, false, false, false, false, false, true).mergesReceived()).isTrue();
        assertThat(new Ethtool.Offloads(false, false, false, true, false, false, false).segmentsLate()).isTrue();
        assertThat(Ethtool.Offloads.NONE.mergesReceived()).isFalse();
        assertThat(Ethtool.Offloads.NONE.segmentsLate()).isFalse();
    }
}
