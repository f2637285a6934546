package dev.jdemi.inet;

import dev.jdemi.Config;
import dev.jdemi.LibOS;
import dev.jdemi.Linger;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.bootstrap.MemoryNetwork;
import dev.jdemi.libos.NetworkLibOS;
import dev.jdemi.phy.FaultInjector;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Integrity under faults, end to end: two catpowder LibOSes (the whole user-space stack and its TCP) on the memory
 * wire, each behind the phy layer's seeded {@link FaultInjector} (on the frames it receives, so both directions are
 * damaged), push a pseudo-random stream each way at once through the public API. Over the matrix loss {0, 1, 5,
 * 20 %} × reordering {0, 25 %} × duplication {0, 1 %} × corruption {0, 0.1 %}, every cell must deliver both streams
 * byte-identical (SHA-256 equal) within a bound of virtual time. Prints the table (cell, virtual time,
 * retransmissions). 16 MiB each way per cell (about 15 s of wall time for the 32 cells);
 * {@code -Djdemi.inet.integrityBytes=N} for another size.
 */
class InetTcpIntegrityTest {
    private static final int BYTES_EACH_WAY = Integer.getInteger("jdemi.inet.integrityBytes", 16 << 20);
    private static final long MS = 1_000_000L;
    /** Far above what any cell needs; only turns a stall into a failure. */
    private static final long VIRTUAL_BOUND_NS = 7_200_000 * MS;
    private static final int CHUNK = Sga.MAX_SIZE;

    private record Row(String cell, long connectMs, long virtualMs, long retransmissions, long timeouts, long lost,
            long corrupted) {
    }

    @Test
    void everyFaultCellDeliversByteIdenticalStreamsBothWays() throws Exception {
        double[] losses = {0, 0.01, 0.05, 0.20};
        double[] reorders = {0, 0.25};
        double[] duplicates = {0, 0.01};
        double[] corrupts = {0, 0.001};
        List<Row> rows = new ArrayList<>();
        long seed = 1;
        for (double loss : losses) {
            for (double reorder : reorders) {
                for (double dup : duplicates) {
                    for (double corrupt : corrupts) {
                        rows.add(cell(loss, reorder, dup, corrupt, seed++));
                    }
                }
            }
        }
        StringBuilder table = new StringBuilder(String.format("%nTCP integrity over the stack and the memory wire, "
                + "%d bytes each way per cell, one-way delay 1 ms%n", BYTES_EACH_WAY));
        table.append(String.format("%-40s %10s %11s %8s %6s %7s %9s%n", "cell", "connect ms", "virtual ms", "retrans",
                "RTOs", "lost", "corrupted"));
        for (Row r : rows) {
            table.append(String.format("%-40s %10d %11d %8d %6d %7d %9d%n", r.cell, r.connectMs, r.virtualMs,
                    r.retransmissions, r.timeouts, r.lost, r.corrupted));
        }
        System.out.print(table);
        assertThat(rows).hasSize(32);
    }

    private static Config noLinger(Config c) {
        Config.TcpSocketOptions o = c.tcpSocketOptions();
        return new Config(c.localIpv4Addr(), c.localLinkAddr(), c.linuxInterfaceName(), c.xdpInterfaceIndex(),
                c.dpdkEalInit(), new Config.TcpSocketOptions(o.keepalive(), o.keepaliveTimeMillis(),
                        o.keepaliveInterval(), Linger.OFF, o.nodelay()), c.inetstack(), c.jdemi());
    }

    private static Row cell(double loss, double reorder, double dup, double corrupt, long seed) throws Exception {
        String name = String.format("loss %4.1f%% reord %2.0f%% dup %1.0f%% corr %3.1f%%", loss * 100,
                reorder * 100, dup * 100, corrupt * 100);
        FaultInjector.Faults faults = FaultInjector.Faults.NONE.withLoss(loss).withReordering(reorder)
                .withDuplication(dup).withCorruption(corrupt).withDelay(MS, 0);
        FaultInjector[] injectors = new FaultInjector[2];
        try (TestNetwork net = new TestNetwork()) {
            MemoryNetwork.Host alice = net.add(noLinger(TestHosts.alice()), (port, pool) -> injectors[0] =
                    new FaultInjector(port, pool, FaultInjector.Direction.RECEIVE, faults, seed * 2));
            MemoryNetwork.Host bob = net.add(noLinger(TestHosts.bob()), (port, pool) -> injectors[1] =
                    new FaultInjector(port, pool, FaultInjector.Direction.RECEIVE, faults, seed * 2 + 1));
            NetworkLibOS a = alice.libos();
            NetworkLibOS b = bob.libos();
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(TestHosts.ALICE_IP), 8000);
            int listen = a.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
            a.bind(listen, address);
            a.listen(listen, 4);
            long acceptQt = a.accept(listen);
            int bobQd = b.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
            long start = net.clock().nowNs();
            QResult connected = net.await(b, b.connect(bobQd, address));
            assertThat(connected).as("%s: connect", name).isNotNull();
            assertThat(connected.opcode()).as("%s: connect", name).isEqualTo(Opcode.CONNECT);
            QResult accepted = net.await(a, acceptQt);
            assertThat(accepted.opcode()).as("%s: accept", name).isEqualTo(Opcode.ACCEPT);
            long connectMs = (net.clock().nowNs() - start) / MS;
            Side sa = new Side(a, accepted.acceptedQd(), seed * 7 + 1);
            Side sb = new Side(b, bobQd, seed * 7 + 2);
            while (!(sa.done() && sb.done())) {
                assertThat(net.clock().nowNs() - start).as("%s: virtual time", name).isLessThan(VIRTUAL_BOUND_NS);
                // Each wait may jump the shared virtual clock by up to 1 ms when nothing happens before.
                sa.step(MS);
                sb.step(MS);
            }
            assertThat(sa.receivedDigest()).as("%s: bob to alice", name).isEqualTo(sb.sentDigest());
            assertThat(sb.receivedDigest()).as("%s: alice to bob", name).isEqualTo(sa.sentDigest());
            // Options and data stay within the MSS: no segment, SACK blocks included, is ever fragmented.
            assertThat(alice.transport().stats().fragmentsSent() + bob.transport().stats().fragmentsSent())
                    .as("%s: IPv4 fragments sent", name).isZero();
            long virtualMs = (net.clock().nowNs() - start) / MS;
            long retrans = alice.transport().tcp().retransmissions() + bob.transport().tcp().retransmissions();
            long rtos = alice.transport().tcp().timeouts() + bob.transport().tcp().timeouts();
            return new Row(name, connectMs, virtualMs, retrans, rtos, injectors[0].lost() + injectors[1].lost(),
                    injectors[0].corrupted() + injectors[1].corrupted());
        }
    }

    /** One end: keeps one push and one pop outstanding until its stream is sent and the peer's received. */
    private static final class Side {
        private final NetworkLibOS libos;
        private final int qd;
        private final SplittableRandom data;
        private final MessageDigest sent = MessageDigest.getInstance("SHA-256");
        private final MessageDigest received = MessageDigest.getInstance("SHA-256");
        private final long[] tokens = new long[2];
        private final QResult result = new QResult();
        private final byte[] chunk = new byte[CHUNK];
        private long pushQt;
        private long popQt;
        private long toSend = BYTES_EACH_WAY;
        private long toReceive = BYTES_EACH_WAY;
        private byte[] sentDigest;
        private byte[] receivedDigest;

        Side(NetworkLibOS libos, int qd, long seed) throws Exception {
            this.libos = libos;
            this.qd = qd;
            this.data = new SplittableRandom(seed);
        }

        boolean done() {
            return toSend == 0 && pushQt == 0 && toReceive == 0;
        }

        void step(long timeoutNs) {
            if (pushQt == 0 && toSend > 0) {
                int n = (int) Math.min(CHUNK, toSend);
                data.nextBytes(chunk);
                sent.update(chunk, 0, n);
                Sga sga = libos.sgaAlloc(n);
                sga.write(0, chunk, 0, n);
                pushQt = libos.push(qd, sga);
                libos.sgaFree(sga);
                toSend -= n;
                if (toSend == 0) {
                    sentDigest = sent.digest();
                }
            }
            if (popQt == 0 && toReceive > 0) {
                popQt = libos.pop(qd);
            }
            int count = 0;
            if (pushQt != 0) {
                tokens[count++] = pushQt;
            }
            if (popQt != 0) {
                tokens[count++] = popQt;
            }
            if (count == 0) {
                return;
            }
            int index = libos.waitAny(tokens, count, result, timeoutNs);
            if (index < 0) {
                return;
            }
            long qt = tokens[index];
            if (qt == pushQt) {
                assertThat(result.opcode()).as("push %s", result).isEqualTo(Opcode.PUSH);
                pushQt = 0;
            } else {
                assertThat(result.opcode()).as("pop %s", result).isEqualTo(Opcode.POP);
                Sga sga = result.sga();
                int length = sga.length();
                assertThat(length).as("bytes before the stream's end").isPositive();
                assertThat((long) length).isLessThanOrEqualTo(toReceive);
                received.update(sga.toArray());
                libos.sgaFree(sga);
                toReceive -= length;
                popQt = 0;
                if (toReceive == 0) {
                    receivedDigest = received.digest();
                }
            }
        }

        byte[] sentDigest() {
            return sentDigest;
        }

        byte[] receivedDigest() {
            return receivedDigest;
        }
    }
}
