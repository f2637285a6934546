package dev.jdemi.inet;

import dev.jdemi.LibOS;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SockAddr;
import dev.jdemi.bootstrap.MemoryNetwork;
import dev.jdemi.phy.PcapOnFailure;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * A failing network test leaves its capture under {@code target/pcap}, and tshark reads it: the test runs a network
 * test that fails on purpose ({@link FailingNetwork}, enabled only from here) through the JUnit launcher.
 */
class PcapOnFailureTest {
    private static final String ENABLE = "jdemi.test.failOnPurpose";

    /** A network test that exchanges a datagram and then fails; run only by {@link PcapOnFailureTest}. */
    @EnabledIfSystemProperty(named = ENABLE, matches = "true")
    static class FailingNetwork {
        @RegisterExtension
        final PcapOnFailure pcap = new PcapOnFailure();

        @Test
        void exchangesADatagramThenFails() {
            try (TestNetwork net = new TestNetwork()) {
                pcap.capture(net.wire());
                MemoryNetwork.Host alice = net.add(TestHosts.alice());
                MemoryNetwork.Host bob = net.add(TestHosts.bob());
                int server = alice.libos().socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
                alice.libos().bind(server, SockAddr.pack(RawFrames.ALICE_IP, 7000));
                int client = bob.libos().socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
                long pop = alice.libos().pop(server);
                Sga sga = bob.libos().sgaAlloc(32);
                net.await(bob.libos(), bob.libos().pushTo(client, sga, SockAddr.pack(RawFrames.ALICE_IP, 7000)));
                bob.libos().sgaFree(sga);
                QResult got = net.await(alice.libos(), pop);
                alice.libos().sgaFree(got.sga());
            }
            fail("failing on purpose, to keep the capture");
        }

        @Test
        void passes() {
            try (TestNetwork net = new TestNetwork()) {
                pcap.capture(net.wire());
                net.add(TestHosts.alice());
            }
        }

        @Test
        void isSkipped() {
            try (TestNetwork net = new TestNetwork()) {
                pcap.capture(net.wire());
                net.add(TestHosts.alice());
                Assumptions.abort("skipped on purpose: a skipped test is no failure, its capture goes");
            }
        }
    }

    @Test
    void theFailedTestsCaptureIsKeptAndTsharkReadsIt() throws IOException, InterruptedException {
        Path dir = Path.of("target", "pcap", FailingNetwork.class.getName());
        Path failed = dir.resolve("exchangesADatagramThenFails.pcap");
        Path passed = dir.resolve("passes.pcap");
        Path skipped = dir.resolve("isSkipped.pcap");
        Files.deleteIfExists(failed);
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        System.setProperty(ENABLE, "true");
        try {
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(FailingNetwork.class)).build();
            Launcher launcher = LauncherFactory.create();
            launcher.execute(request, summary);
        } finally {
            System.clearProperty(ENABLE);
        }
        assertThat(summary.getSummary().getTestsFailedCount()).isEqualTo(1);
        assertThat(summary.getSummary().getTestsSucceededCount()).isEqualTo(1);
        assertThat(failed).as("the failed test's capture").exists();
        assertThat(summary.getSummary().getTestsAbortedCount()).isEqualTo(1);
        assertThat(passed).as("a passing test's capture is deleted").doesNotExist();
        assertThat(skipped).as("a skipped test's capture is deleted").doesNotExist();
        assertThat(Files.size(failed)).as("ARP request, reply and the datagram").isEqualTo(24 + 2 * (16 + 60)
                + 16 + 14 + 20 + 8 + 32L);

        Optional<Path> tshark = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(d -> Path.of(d, "tshark")).filter(Files::isExecutable).findFirst();
        if (tshark.isEmpty()) {
            System.out.println("PcapOnFailureTest: tshark is not installed; the tshark check is skipped");
        }
        Assumptions.assumeTrue(tshark.isPresent(), "tshark is not installed");
        Path err = Files.createTempFile("tshark", ".err");
        Process process = new ProcessBuilder(tshark.get().toString(), "-r", failed.toString(), "-T", "fields",
                "-e", "frame.protocols").redirectError(err.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String errors = Files.readString(err).lines().filter(l -> !l.contains("Running as user \"root\""))
                .reduce("", (a, b) -> a + b + "\n");
        Files.delete(err);
        assertThat(process.exitValue()).as("tshark -r; stderr: %s", errors).isZero();
        assertThat(errors).isEmpty();
        assertThat(out.lines().toList()).containsExactly("eth:ethertype:arp", "eth:ethertype:arp",
                "eth:ethertype:ip:udp:data");
    }
}
