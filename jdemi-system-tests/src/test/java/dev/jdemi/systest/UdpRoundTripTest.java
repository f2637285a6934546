package dev.jdemi.systest;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.jdemi.systest.Veth.JDEMI_IP;
import static dev.jdemi.systest.Veth.KERNEL_IP_JDEMI_SIDE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one measurement of this module: UDP round trips of 64-byte datagrams from a kernel client ({@link KernelUdp},
 * Java on kernel sockets) in one namespace to an echo server across the same veth pair: jdemi catpowder over
 * AF_PACKET with each ring layout and over AF_XDP, then the kernel itself ({@link KernelUdp} echo on kernel
 * sockets). Every reply is checked byte for byte; the p50/p99 are printed, not asserted (a shared 2-vCPU machine is
 * too noisy for bounds).
 */
class UdpRoundTripTest {
    private static final int PORT = 7;
    private static final String SIZE = "64";
    private static final String COUNT = "5000";
    private static final String WARMUP = "3000";
    private static Veth veth;

    @BeforeAll
    static void setUp() {
        String reason = Veth.cannotRun();
        if (reason != null) {
            System.out.println("SKIPPED UdpRoundTripTest: " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
        veth = Veth.create("r");
    }

    @AfterAll
    static void tearDown() {
        if (veth != null) {
            veth.close();
        }
    }

    @Test
    void udpRoundTripsToJdemiAndToTheKernelOverTheSameVeth() {
        Map<String, long[]> results = new LinkedHashMap<>();
        String[][] runs = {{"v2", "spin"}, {"v2", "block"}, {"v3", "spin"}, {"xdp", "spin"}, {"xdp", "block"}};
        String noXdp = dev.jdemi.sys.Xsk.unavailable();
        if (noXdp != null) {
            System.out.println("UdpRoundTripTest: no AF_XDP rows: " + noXdp);
            runs = java.util.Arrays.copyOf(runs, 3);
        }
        for (String[] run : runs) {
            try (ChildJvm jdemi = ChildJvm.start(veth.jdemiNs, JdemiPeer.class, veth.jdemiIf, JDEMI_IP,
                    veth.jdemiMac, String.valueOf(PORT), run[0], "quiet", run[1])) {
                jdemi.expect("READY", 30);
                String device = run[0].equals("xdp") ? "AF_XDP (copy mode)"
                        : "AF_PACKET " + run[0].toUpperCase(java.util.Locale.ROOT) + " ring";
                results.put("jdemi catpowder " + device + " (" + run[1] + ")", measure(JDEMI_IP));
                assertThat(jdemi.stop()).as("jdemi exit status").isZero();
            }
        }
        Veth.run("ip", "-n", veth.jdemiNs, "addr", "add", KERNEL_IP_JDEMI_SIDE + "/24", "dev", veth.jdemiIf);
        try (ChildJvm kernel = ChildJvm.start(veth.jdemiNs, KernelUdp.class, "echo", KERNEL_IP_JDEMI_SIDE,
                String.valueOf(PORT))) {
            kernel.expect("READY", 30);
            results.put("kernel UDP socket (blocking Java echo)", measure(KERNEL_IP_JDEMI_SIDE));
            kernel.kill();
        } finally {
            Veth.run("ip", "-n", veth.jdemiNs, "addr", "del", KERNEL_IP_JDEMI_SIDE + "/24", "dev", veth.jdemiIf);
        }
        System.out.println("UDP " + SIZE + " B round trip from a kernel client over veth, " + COUNT + " samples after "
                + WARMUP + " warm-up:");
        System.out.printf("  %-52s %9s %9s %9s%n", "echo server", "p50 us", "p99 us", "min us");
        results.forEach((name, rtt) -> System.out.printf("  %-52s %9.1f %9.1f %9.1f%n", name, rtt[0] / 1e3,
                rtt[1] / 1e3, rtt[2] / 1e3));
        assertThat(results).hasSize(runs.length + 1);
    }

    /** Runs the kernel client against an echo server; returns p50, p99 and min in ns. */
    private static long[] measure(String server) {
        try (ChildJvm client = ChildJvm.start(veth.kernelNs, KernelUdp.class, "rtt", server, String.valueOf(PORT),
                SIZE, COUNT, WARMUP)) {
            String[] line = client.expect("RTT ", 60).split(" ");
            assertThat(client.stop()).as("client exit status").isZero();
            return new long[] {Long.parseLong(line[1]), Long.parseLong(line[2]), Long.parseLong(line[3])};
        }
    }
}
