package dev.jdemi.systest;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.jdemi.systest.TapNamespace.JDEMI_IP;
import static dev.jdemi.systest.TapNamespace.JDEMI_MAC;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * UDP round trips of 64-byte datagrams from a kernel client ({@link KernelUdp}, Java on kernel sockets) to a jdemi
 * echo server on a TAP device ({@link JdemiPeer} with device {@code tap}) in the same namespace, with the spin and the
 * block wait policies. Every reply is checked byte for byte; the p50/p99 are printed, not asserted (a shared 2-vCPU
 * machine is too noisy for bounds). {@link UdpRoundTripTest} measures the same over veth.
 */
class TapRoundTripTest {
    private static final int PORT = 7;
    private static final String SIZE = "64";
    private static final String COUNT = "5000";
    private static final String WARMUP = "3000";
    private static TapNamespace tap;

    @BeforeAll
    static void setUp() {
        String reason = Veth.cannotRun();
        if (reason != null) {
            System.out.println("SKIPPED TapRoundTripTest: " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
        tap = TapNamespace.create("r");
    }

    @AfterAll
    static void tearDown() {
        if (tap != null) {
            tap.close();
        }
    }

    @Test
    void udpRoundTripsToJdemiOnATapDevice() {
        Map<String, long[]> results = new LinkedHashMap<>();
        for (String policy : new String[] {"spin", "block"}) {
            try (ChildJvm jdemi = ChildJvm.start(tap.ns, JdemiPeer.class, tap.tapIf, JDEMI_IP, JDEMI_MAC,
                    String.valueOf(PORT), "tap", "quiet", policy)) {
                jdemi.expect("READY", 30);
                results.put("jdemi catpowder TAP (" + policy + ")", measure());
                assertThat(jdemi.stop()).as("jdemi exit status").isZero();
            }
        }
        System.out.println("UDP " + SIZE + " B round trip from a kernel client through a TAP device, " + COUNT
                + " samples after " + WARMUP + " warm-up:");
        System.out.printf("  %-52s %9s %9s %9s%n", "echo server", "p50 us", "p99 us", "min us");
        results.forEach((name, rtt) -> System.out.printf("  %-52s %9.1f %9.1f %9.1f%n", name, rtt[0] / 1e3,
                rtt[1] / 1e3, rtt[2] / 1e3));
        assertThat(results).hasSize(2);
    }

    /** Runs the kernel client against the jdemi echo server; returns p50, p99 and min in ns. */
    private static long[] measure() {
        try (ChildJvm client = ChildJvm.start(tap.ns, KernelUdp.class, "rtt", JDEMI_IP, String.valueOf(PORT), SIZE,
                COUNT, WARMUP)) {
            String[] line = client.expect("RTT ", 60).split(" ");
            assertThat(client.stop()).as("client exit status").isZero();
            return new long[] {Long.parseLong(line[1]), Long.parseLong(line[2]), Long.parseLong(line[3])};
        }
    }
}
