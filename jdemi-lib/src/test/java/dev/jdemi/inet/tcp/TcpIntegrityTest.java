package dev.jdemi.inet.tcp;

import static dev.jdemi.inet.tcp.TestNet.MS;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Integrity under faults: two stacks over the seeded lossy, reordering, duplicating and corrupting channel transfer
 * a pseudo-random stream each way at once; both streams must arrive byte-identical (SHA-256 equal) and both sides
 * must close cleanly, within a bound of virtual time. Prints one row per cell.
 */
class TcpIntegrityTest {
    private static final int BYTES_EACH_WAY = Integer.getInteger("jdemi.tcp.integrityBytes", 1 << 20);
    private static final long VIRTUAL_BOUND_NS = 3_600_000 * MS;

    private record Row(String cell, long virtualMs, long retransmissions, long timeouts, long fastRetransmits,
            long spurious, long wireSegments) {
    }

    @Test
    void everyFaultCellDeliversByteIdenticalStreamsBothWays() throws Exception {
        double[] losses = {0, 0.01, 0.05, 0.20};
        double[] reorders = {0, 0.25};
        double[] duplicates = {0, 0.01};
        double[] corrupts = {0, 0.001};
        List<Row> rows = new ArrayList<>();
        long seed = 42;
        for (double loss : losses) {
            for (double reorder : reorders) {
                for (double dup : duplicates) {
                    for (double corrupt : corrupts) {
                        TcpConfig.Congestion cc = (seed & 1) == 0 ? TcpConfig.Congestion.CUBIC
                                : TcpConfig.Congestion.NEW_RENO;
                        rows.add(cell(loss, reorder, dup, corrupt, cc, seed++));
                    }
                }
            }
        }
        StringBuilder table = new StringBuilder();
        table.append(String.format("%nTCP integrity, %d bytes each way per cell, one-way delay 1 ms%n",
                BYTES_EACH_WAY));
        table.append(String.format("%-46s %12s %8s %8s %6s %6s %9s%n", "cell", "virtual ms", "retrans", "RTOs",
                "fastRT", "undone", "segments"));
        for (Row r : rows) {
            table.append(String.format("%-46s %12d %8d %8d %6d %6d %9d%n", r.cell, r.virtualMs, r.retransmissions,
                    r.timeouts, r.fastRetransmits, r.spurious, r.wireSegments));
        }
        System.out.print(table);
        assertThat(rows).hasSize(32);
    }

    private static Row cell(double loss, double reorder, double dup, double corrupt, TcpConfig.Congestion cc,
            long seed) throws Exception {
        String name = String.format("loss %4.1f%% reord %2.0f%% dup %1.0f%% corr %3.1f%% %s", loss * 100,
                reorder * 100, dup * 100, corrupt * 100, cc == TcpConfig.Congestion.CUBIC ? "cubic" : "reno");
        TcpConfig cfg = new TcpConfig().congestion(cc).maxRetries(30)
                .maxDupThresh(Integer.getInteger("jdemi.tcp.maxDupThresh", 3));
        TestNet net = new TestNet(cfg);
        net.random = new Random(seed);
        TcpConnection[] c = net.connect();
        net.loss = loss;
        net.reorder = reorder;
        net.duplicate = dup;
        net.corrupt = corrupt;
        byte[] aliceData = new byte[BYTES_EACH_WAY];
        byte[] bobData = new byte[BYTES_EACH_WAY];
        new Random(seed * 7 + 1).nextBytes(aliceData);
        new Random(seed * 7 + 2).nextBytes(bobData);
        Side a = new Side(c[0], aliceData);
        Side b = new Side(c[1], bobData);
        long start = net.nowNs;
        net.runUntil(() -> {
            a.pump(net.nowNs);
            b.pump(net.nowNs);
            return a.isDone() && b.isDone();
        }, VIRTUAL_BOUND_NS);
        long elapsed = net.nowNs - start;
        assertThat(a.received).as(name).isEqualTo(BYTES_EACH_WAY);
        assertThat(b.received).as(name).isEqualTo(BYTES_EACH_WAY);
        assertThat(a.digest.digest()).as(name).isEqualTo(MessageDigest.getInstance("SHA-256").digest(bobData));
        assertThat(b.digest.digest()).as(name).isEqualTo(MessageDigest.getInstance("SHA-256").digest(aliceData));
        assertThat(c[0].error()).as(name).isZero();
        assertThat(c[1].error()).as(name).isZero();
        return new Row(name, elapsed / MS, c[0].retransmissions() + c[1].retransmissions(),
                c[0].timeouts() + c[1].timeouts(), c[0].fastRetransmits() + c[1].fastRetransmits(),
                c[0].spuriousRetransmits() + c[1].spuriousRetransmits(), net.log.size());
    }

    /** One end: pushes its stream in chunks of at most 65,535 bytes, reads and hashes the other, then closes. */
    private static final class Side {
        final TcpConnection conn;
        final byte[] data;
        final MemorySegment src;
        final MessageDigest digest;
        final byte[] buf = new byte[64 * 1024];
        final MemorySegment dst = MemorySegment.ofArray(buf);
        int sent;
        long received;
        boolean closed;

        Side(TcpConnection conn, byte[] data) throws Exception {
            this.conn = conn;
            this.data = data;
            this.src = MemorySegment.ofArray(data);
            this.digest = MessageDigest.getInstance("SHA-256");
        }

        void pump(long nowNs) {
            while (sent < data.length) {
                int n = conn.send(src, sent, Math.min(65_535, data.length - sent), nowNs);
                if (n <= 0) {
                    break;
                }
                sent += n;
            }
            if (sent == data.length && !closed) {
                closed = conn.close(nowNs);
            }
            int n;
            while ((n = conn.read(dst, 0, buf.length, nowNs)) > 0) {
                digest.update(buf, 0, n);
                received += n;
            }
        }

        boolean isDone() {
            return closed && conn.isEof() && (conn.state() == TcpState.CLOSED || conn.state() == TcpState.TIME_WAIT)
                    && conn.unacknowledged() == 0;
        }
    }
}
