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

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.jdemi.systest.Veth.JDEMI_IP;
import static dev.jdemi.systest.Veth.KERNEL_IP;
import static dev.jdemi.systest.Veth.in;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bulk transfers between jdemi's user-space TCP (catpowder on one device) and the Linux kernel's TCP over veth: a
 * gibibyte each way on a clean link, then 256 MiB each way with 5 % random loss in each direction; every stream
 * SHA-256 equal at both ends, no reset from either side, and tshark finds no malformed frame nor bad checksum in a
 * sample of each run. Prints the throughput, the retransmissions of both sides and the drop counters.
 *
 * <p>The kernel's end of the pair is a port of a bridge that holds the kernel's address, so that the loss is
 * silent for both senders: a netdev ingress rule on that port drops jdemi's frames after jdemi sent them (jdemi's
 * own packet socket would see frames before an ingress rule on its own interface), and a netdev egress rule on it
 * drops the kernel's frames after the bridge took them. An egress rule on an interface the kernel's TCP sends
 * through directly is not silent: the TCP sees the drop as a local congestion signal (NET_XMIT_DROP) and sends the
 * segment again without the receiver ever missing it; measured, 105 drops of 37,000 segments instead of 5 %.
 *
 * <p>Captures: a full capture of a gibibyte is 1.1 GB, so each run keeps a sample, its first {@value #SAMPLE}
 * frames at full length (the handshake, slow start and, in the lossy runs, hundreds of drops and retransmissions:
 * enough for checksums and dissection to mean something), and one capture over all runs keeps only segments with
 * RST set (a capture filter, so it stays small however long the runs are). Sizes:
 * {@code -Djdemi.bulk.bytes} (default 1 GiB) and {@code -Djdemi.bulk.lossyBytes} (default 256 MiB). The device is
 * the subclass's word ({@link PeerDevice}). Needs root; skipped with the reason printed otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BulkTransferTest {
    private static final long CLEAN_BYTES = Long.getLong("jdemi.bulk.bytes", 1L << 30);
    private static final long LOSSY_BYTES = Long.getLong("jdemi.bulk.lossyBytes", 256L << 20);
    private static final int LOSS_PERCENT = 5;
    private static final int SAMPLE = 20_000;
    private static final int RUN_TIMEOUT_S = 300;
    private static final String TABLE = "jdemi_loss";
    private static final Pattern PACKETS = Pattern.compile("counter packets (\\d+)");
    @RegisterExtension
    final CheckTable checks = new CheckTable();
    private final List<KernelCapture> samples = new ArrayList<>();
    private Veth veth;
    private KernelCapture resets;
    private int port = 9200;

    /** {@return the device word of the jdemi peer: v3, v2, xdp, tap} */
    abstract String device();

    @BeforeAll
    void setUp() throws Exception {
        String reason = Veth.cannotRun();
        if (reason == null && !hasNft()) {
            reason = "nft is not installed (./jdemi test installs it as root)";
        }
        if (reason == null && device().equals("xdp")) {
            reason = dev.jdemi.sys.Xsk.unavailable();
        }
        if (reason != null) {
            System.out.println("SKIPPED " + getClass().getSimpleName() + ": " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
        veth = Veth.create("b" + device());
        // The kernel's address moves to a bridge with the kernel's end as its only port (see the class comment).
        String bridge = "jdbr";
        Veth.run(in(veth.kernelNs, "ip", "link", "add", bridge, "type", "bridge"));
        Veth.run(in(veth.kernelNs, "ethtool", "-K", bridge, "tx", "off", "tso", "off", "gso", "off", "sg", "off"));
        Veth.run(in(veth.kernelNs, "ip", "addr", "flush", "dev", veth.kernelIf));
        Veth.run(in(veth.kernelNs, "ip", "link", "set", veth.kernelIf, "master", bridge));
        Veth.run(in(veth.kernelNs, "ip", "addr", "add", KERNEL_IP + "/24", "dev", bridge));
        Veth.run(in(veth.kernelNs, "ip", "link", "set", bridge, "up"));
        resets = KernelCapture.start(veth, "-f", "tcp[tcpflags] & tcp-rst != 0");
    }

    @AfterAll
    void tearDown() {
        try {
            for (KernelCapture sample : samples) {
                sample.close();
            }
            if (resets != null) {
                resets.close();
            }
        } finally {
            if (veth != null) {
                veth.close();
            }
            checks.print("Bulk transfers, jdemi TCP on catpowder (" + device() + ") against the Linux kernel over "
                    + "veth: checks");
        }
    }

    @Test
    @Order(1)
    void aGibibyteFromJdemiReachesTheKernelWithTheSameSha256() throws Exception {
        transfer(true, CLEAN_BYTES, false);
    }

    @Test
    @Order(2)
    void aGibibyteFromTheKernelReachesJdemiWithTheSameSha256() throws Exception {
        transfer(false, CLEAN_BYTES, false);
    }

    @Test
    @Order(3)
    void aQuarterGibibyteFromJdemiReachesTheKernelThroughFivePercentLossEachWayWithoutReset() throws Exception {
        transfer(true, LOSSY_BYTES, true);
    }

    @Test
    @Order(4)
    void aQuarterGibibyteFromTheKernelReachesJdemiThroughFivePercentLossEachWayWithoutReset() throws Exception {
        transfer(false, LOSSY_BYTES, true);
    }

    @Test
    @Order(100)
    void tsharkFindsNoMalformedFrameNorBadChecksumInTheSamplesNorAnyReset() throws Exception {
        Assumptions.assumeFalse(samples.isEmpty(), "no transfer ran");
        // The payload is random bytes: decoded as plain data, so that no heuristic dissector (Thrift, say) mistakes
        // it for a protocol and flags it as malformed.
        List<String> prefs = List.of("-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-d",
                "tcp.port==9200-9299,data");
        long frames = 0;
        for (KernelCapture sample : samples) {
            sample.stop();
            frames += sample.tshark(prefs, "tcp", "-T", "fields", "-e", "frame.number").stdout().lines().count();
            String bad = sample.tshark(prefs, KernelChecks.FAULTY).stdout();
            assertThat(bad).as("frames tshark flags").isEmpty();
        }
        resets.stop();
        String reset = resets.tshark(List.of(), "tcp").stdout();
        System.out.println("BulkTransferTest " + device() + ": " + frames + " TCP frames in " + samples.size()
                + " samples, none malformed nor with a bad checksum; " + reset.lines().count() + " resets");
        assertThat(frames).isGreaterThan(samples.size() * 1000L);
        assertThat(reset).as("segments with RST").isEmpty();
    }

    /**
     * One transfer: the kernel's {@link KernelBulk} listens, jdemi's {@link JdemiBulkPeer} connects and sends or
     * receives; both digests must equal the stream's, and neither side may reset.
     */
    private void transfer(boolean fromJdemi, long bytes, boolean lossy) throws Exception {
        int p = port++;
        long seed = p * 1_000_003L;
        String what = (fromJdemi ? "jdemi -> kernel " : "kernel -> jdemi ") + (bytes >> 20) + " MiB"
                + (lossy ? ", " + LOSS_PERCENT + " % loss each way" : "");
        if (lossy) {
            addLoss();
        }
        Map<String, Long> before = nstat();
        samples.add(KernelCapture.start(veth, "-c", String.valueOf(SAMPLE)));
        try (ChildJvm kernel = fromJdemi
                ? ChildJvm.start(veth.kernelNs, KernelBulk.class, "sink", KERNEL_IP, String.valueOf(p),
                        String.valueOf(bytes))
                : ChildJvm.start(veth.kernelNs, KernelBulk.class, "source", KERNEL_IP, String.valueOf(p),
                        String.valueOf(bytes), String.valueOf(seed))) {
            kernel.expect("READY", 30);
            try (ChildJvm jdemi = fromJdemi
                    ? ChildJvm.start(veth.jdemiNs, JdemiBulkPeer.class, veth.jdemiIf, JDEMI_IP, veth.jdemiMac,
                            device(), "send", KERNEL_IP, String.valueOf(p), String.valueOf(bytes),
                            String.valueOf(seed))
                    : ChildJvm.start(veth.jdemiNs, JdemiBulkPeer.class, veth.jdemiIf, JDEMI_IP, veth.jdemiMac,
                            device(), "recv", KERNEL_IP, String.valueOf(p))) {
                String[] ours = jdemi.expect("OK " + bytes + " ", RUN_TIMEOUT_S).split(" ");
                String[] stats = jdemi.expect("STATS ", 10).split(" ");
                String[] theirs = kernel.expect("OK " + bytes + " ", 30).split(" ");
                // The sender hashed the bytes as it drew them, the receiver as they arrived.
                assertThat(ours[2]).as("jdemi's SHA-256 against the kernel's").isEqualTo(theirs[2]);
                Map<String, Long> after = nstat();
                long receiverNs = Long.parseLong(fromJdemi ? theirs[3] : ours[3]);
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                        "BulkTransferTest %s: %s in %.2f s, %.1f MB/s (receiver's time; sender's %.2f s); jdemi: %s "
                                + "retransmissions, %s timeouts, %s tail loss probes, %s resets sent; kernel: %d "
                                + "retransmitted segments, %d timeouts, %d loss probes, %d resets sent", device(), what,
                        receiverNs / 1e9,
                        bytes * 1e3 / receiverNs, Long.parseLong(fromJdemi ? ours[3] : theirs[3]) / 1e9, stats[1],
                        stats[2], stats[4], stats[3],
                        delta(before, after, "TcpRetransSegs"), delta(before, after, "TcpExtTCPTimeouts"),
                        delta(before, after, "TcpExtTCPLossProbes"), delta(before, after, "TcpOutRsts")));
                if (lossy) {
                    long[] counters = lossCounters();
                    line.append(String.format(Locale.ROOT, "; nft dropped %d of %d jdemi frames (%.2f %%), %d of %d "
                            + "kernel frames (%.2f %%)", counters[1], counters[0], 100.0 * counters[1] / counters[0],
                            counters[3], counters[2], 100.0 * counters[3] / counters[2]));
                    System.out.println(line);
                    for (int i = 0; i < 4; i += 2) {
                        assertThat(counters[i + 1]).as("drops").isPositive();
                        assertThat(100.0 * counters[i + 1] / counters[i]).as("drop %%").isBetween(
                                LOSS_PERCENT * 0.8, LOSS_PERCENT * 1.2);
                    }
                } else {
                    System.out.println(line);
                }
                assertThat(Long.parseLong(stats[3])).as("resets jdemi sent").isZero();
                assertThat(delta(before, after, "TcpOutRsts")).as("resets the kernel sent").isZero();
                assertThat(delta(before, after, "TcpEstabResets")).as("kernel connections reset").isZero();
            }
        } finally {
            if (lossy) {
                Veth.runAny(10, null, in(veth.kernelNs, "nft", "delete", "table", "netdev", TABLE));
            }
        }
    }

    private static boolean hasNft() {
        try {
            return Veth.runAny(5, null, "nft", "--version").stdout().startsWith("nftables");
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** Drops 5 % of IPv4 frames each way on the kernel's bridge port, counting all and the dropped ones. */
    private void addLoss() {
        String rules = "";
        for (String[] chain : new String[][] {{"from_jdemi", "ingress"}, {"to_jdemi", "egress"}}) {
            rules += "  chain " + chain[0] + " {\n    type filter hook " + chain[1] + " device \"" + veth.kernelIf
                    + "\" priority 0;\n    ether type ip counter\n    ether type ip numgen random mod 100 < "
                    + LOSS_PERCENT + " counter drop\n  }\n";
        }
        String table = "table netdev " + TABLE + " {\n" + rules + "}\n";
        Veth.Result added = Veth.runAny(10, table.getBytes(StandardCharsets.US_ASCII), in(veth.kernelNs, "nft", "-f",
                "-"));
        assertThat(added.exit()).as("nft -f: %s", added.stderr()).isZero();
    }

    /** {@return the four counters: frames from jdemi, of them dropped, frames to jdemi, of them dropped} */
    private long[] lossCounters() {
        String listing = Veth.run(in(veth.kernelNs, "nft", "list", "table", "netdev", TABLE)).stdout();
        Matcher m = PACKETS.matcher(listing);
        long[] counters = new long[4];
        for (int i = 0; i < 4; i++) {
            assertThat(m.find()).as("counter %d in %s", i, listing).isTrue();
            counters[i] = Long.parseLong(m.group(1));
        }
        return counters;
    }

    /** {@return the kernel namespace's SNMP counters, absolute ({@code nstat -as}: the history file untouched)} */
    private Map<String, Long> nstat() {
        Map<String, Long> counters = new HashMap<>();
        for (String row : Veth.run(in(veth.kernelNs, "nstat", "-asz")).stdout().lines().toList()) {
            String[] words = row.strip().split("\\s+");
            if (words.length >= 2 && !words[0].startsWith("#")) {
                counters.put(words[0], Long.parseLong(words[1]));
            }
        }
        return counters;
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String name) {
        return after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L);
    }
}
