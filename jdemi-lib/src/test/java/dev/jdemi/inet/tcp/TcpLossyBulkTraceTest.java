package dev.jdemi.inet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One-way bulk transfer through 5 % random loss each way on a path of tiny round-trip time (20 µs), as over a
 * lossy veth: prints virtual time, timeouts, probes, and the distribution of the congestion window sampled at each
 * event, for CUBIC and NewReno. A figure, not a timing assertion: it asserts only delivery.
 */
class TcpLossyBulkTraceTest {
    private static final int BYTES = Integer.getInteger("jdemi.tcp.traceBytes", 4 << 20);

    @Test
    void lossyBulkOnATinyRttPath() {
        StringBuilder out = new StringBuilder(String.format("%nLossy bulk, %d bytes one way, 5 %% loss each way, "
                + "one-way delay 10 us%n", BYTES));
        for (TcpConfig.Congestion cc : TcpConfig.Congestion.values()) {
            for (long seed = 1; seed <= 3; seed++) {
                out.append(run(cc, seed)).append('\n');
            }
        }
        System.out.print(out);
    }

    private static String run(TcpConfig.Congestion cc, long seed) {
        TcpConfig cfg = new TcpConfig().congestion(cc).maxRetries(30);
        TestNet net = new TestNet(cfg);
        net.oneWayNs = 10_000;
        net.random = new Random(seed);
        TcpConnection[] c = net.connect();
        net.loss = 0.05;
        byte[] data = new byte[BYTES];
        new Random(seed).nextBytes(data);
        MemorySegment src = MemorySegment.ofArray(data);
        byte[] buf = new byte[64 * 1024];
        MemorySegment dst = MemorySegment.ofArray(buf);
        long[] hist = new long[8];
        long[] sent = {0};
        long[] received = {0};
        long start = net.nowNs;
        net.runUntil(() -> {
            while (sent[0] < BYTES) {
                int n = c[0].send(src, sent[0], (int) Math.min(65_535, BYTES - sent[0]), net.nowNs);
                if (n <= 0) {
                    break;
                }
                sent[0] += n;
            }
            int n;
            while ((n = c[1].read(dst, 0, buf.length, net.nowNs)) > 0) {
                received[0] += n;
            }
            long w = c[0].cwnd() / c[0].effectiveMss();
            hist[w < 2 ? 0 : w < 4 ? 1 : w < 8 ? 2 : w < 16 ? 3 : w < 32 ? 4 : w < 64 ? 5 : w < 128 ? 6 : 7]++;
            return received[0] == BYTES;
        }, 3_600_000L * TestNet.MS);
        assertThat(received[0]).isEqualTo(BYTES);
        long total = 0;
        for (long h : hist) {
            total += h;
        }
        StringBuilder sb = new StringBuilder(String.format("%-9s seed %d: %8.1f ms  retx %6d  RTOs %4d  TLPs %5d  "
                + "fastRT %5d  undone %4d  cwnd%% <2,<4,<8,<16,<32,<64,<128,more:", cc, seed,
                (net.nowNs - start) / 1e6, c[0].retransmissions(), c[0].timeouts(), c[0].tailLossProbes(),
                c[0].fastRetransmits(), c[0].spuriousRetransmits()));
        for (long h : hist) {
            sb.append(String.format(" %3d", h * 100 / Math.max(1, total)));
        }
        return sb.toString();
    }
}
