package dev.jdemi.inet.tcp;

import dev.jdemi.wire.TcpHeader;
import dev.jdemi.wire.TcpOptions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Two TCP stacks, alice and bob, wired back to back through an in-memory segment channel with a virtual clock. Every
 * segment is serialized to bytes (checksum included) and parsed again on arrival, so the wire format is exercised.
 * Optional faults from a seeded {@link Random}: loss, reordering, duplication, corruption. No sleeps.
 */
final class TestNet {
    static final int ALICE = 0x0A000001;
    static final int BOB = 0x0A000002;
    static final long MS = 1_000_000L;

    /** One captured segment, as sent. */
    record Seg(int from, int srcPort, int dstPort, int seq, int ack, int flags, int window, int len,
            TcpOptions options, long timeNs, byte[] bytes) {
        boolean has(int flag) {
            return (flags & flag) == flag;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            sb.append(from == ALICE ? "A>B " : "B>A ");
            OutboundSegment.appendFlags(sb, flags);
            sb.append(" seq=").append(Integer.toUnsignedString(seq)).append(" ack=")
                    .append(Integer.toUnsignedString(ack)).append(" win=").append(window).append(" len=").append(len);
            return sb.toString();
        }
    }

    private record Packet(long atNs, long order, int from, byte[] bytes) {
    }

    final TcpStack alice;
    final TcpStack bob;
    long nowNs;
    long oneWayNs = MS;
    double loss;
    double reorder;
    double duplicate;
    double corrupt;
    Random random = new Random(1);
    /** When set, segments from this address are dropped (a dead link one way or both). */
    boolean dropFromAlice;
    boolean dropFromBob;
    /** When set, a segment it matches is dropped. */
    java.util.function.Predicate<Seg> dropIf;
    /** When set, extra delay in ns for a segment (reordering on purpose). */
    java.util.function.ToLongFunction<Seg> delayIf;
    final List<Seg> log = new ArrayList<>();
    private final PriorityQueue<Packet> queue = new PriorityQueue<>((a, b) -> a.atNs != b.atNs
            ? Long.compare(a.atNs, b.atNs) : Long.compare(a.order, b.order));
    private long order;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment rx = arena.allocate(70_000);
    long delivered;
    long dropped;

    TestNet(TcpConfig aliceConfig, TcpConfig bobConfig) {
        alice = new TcpStack(aliceConfig, s -> capture(ALICE, s), 11, 12);
        bob = new TcpStack(bobConfig, s -> capture(BOB, s), 21, 22);
    }

    TestNet(TcpConfig config) {
        this(config, config);
    }

    static TcpConfig deterministic() {
        return new TcpConfig().deterministic(true);
    }

    private void capture(int from, OutboundSegment s) {
        byte[] bytes = new byte[s.length()];
        s.write(MemorySegment.ofArray(bytes), 0);
        TcpOptions copy = new TcpOptions();
        TcpHeader h = new TcpHeader().wrap(MemorySegment.ofArray(bytes), 0, bytes.length);
        h.parseOptions(copy);
        Seg seg = new Seg(from, s.srcPort(), s.dstPort(), s.seqNumber(), s.ackNumber(), s.flags(), s.window(),
                s.payloadLength(), copy, nowNs, bytes);
        log.add(seg);
        if ((from == ALICE ? dropFromAlice : dropFromBob) || (dropIf != null && dropIf.test(seg))) {
            dropped++;
            return;
        }
        if (loss > 0 && random.nextDouble() < loss) {
            dropped++;
            return;
        }
        long at = nowNs + oneWayNs + (delayIf == null ? 0 : delayIf.applyAsLong(seg));
        if (reorder > 0 && random.nextDouble() < reorder) {
            at += oneWayNs + random.nextInt(3) * oneWayNs;
        }
        if (corrupt > 0 && random.nextDouble() < corrupt) {
            bytes = bytes.clone();
            int i = random.nextInt(bytes.length);
            bytes[i] ^= (byte) (1 + random.nextInt(255));
        }
        queue.add(new Packet(at, order++, from, bytes));
        if (duplicate > 0 && random.nextDouble() < duplicate) {
            queue.add(new Packet(at + random.nextInt(2) * oneWayNs, order++, from, bytes));
        }
    }

    /** Injects raw bytes as if sent by {@code from}, delivered now. */
    int inject(int from, byte[] bytes) {
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, rx, 0, bytes.length);
        TcpStack to = from == ALICE ? bob : alice;
        return to.receive(from, from == ALICE ? BOB : ALICE, rx, 0, bytes.length, true, nowNs);
    }

    /** Advances virtual time to the next event (delivery or timer) not after {@code limitNs}; false when none. */
    boolean step(long limitNs) {
        long next = Math.min(alice.nextDeadlineNs(), bob.nextDeadlineNs());
        if (!queue.isEmpty()) {
            next = Math.min(next, queue.peek().atNs);
        }
        if (next > limitNs || next == Long.MAX_VALUE) {
            return false;
        }
        nowNs = Math.max(nowNs, next);
        while (!queue.isEmpty() && queue.peek().atNs <= nowNs) {
            Packet p = queue.poll();
            delivered++;
            inject(p.from, p.bytes);
        }
        alice.poll(nowNs);
        bob.poll(nowNs);
        return true;
    }

    /** Runs events until {@code done} holds; fails after {@code maxNs} of virtual time. */
    void runUntil(BooleanSupplier done, long maxNs) {
        long limit = nowNs + maxNs;
        while (!done.getAsBoolean()) {
            if (!step(limit)) {
                if (done.getAsBoolean()) {
                    return;
                }
                throw new AssertionError("condition not reached by t=" + nowNs / MS + " ms; last segments "
                        + log.subList(Math.max(0, log.size() - 12), log.size()));
            }
        }
    }

    /** Runs every event up to {@code nowNs + ns}, then sets the clock there. */
    void runFor(long ns) {
        long limit = nowNs + ns;
        while (step(limit)) {
            // keep going
        }
        nowNs = limit;
        alice.poll(nowNs);
        bob.poll(nowNs);
    }

    /** Delivers what is in flight without letting timers fire beyond the last delivery. */
    void deliverAll() {
        while (!queue.isEmpty()) {
            step(queue.peek().atNs);
        }
    }

    int inFlight() {
        return queue.size();
    }

    /** A connected pair: alice connects to bob's listener on port 80. */
    TcpConnection[] connect() {
        TcpListener l = bob.listen(BOB, 80, 16);
        TcpConnection a = alice.connect(ALICE, 0, BOB, 80, nowNs);
        runUntil(() -> l.acceptable() > 0 && a.state() == TcpState.ESTABLISHED, 10_000 * MS);
        TcpConnection b = l.accept();
        return new TcpConnection[] {a, b};
    }

    Seg last() {
        return log.get(log.size() - 1);
    }

    List<Seg> since(int index) {
        return new ArrayList<>(log.subList(index, log.size()));
    }

    static int send(TcpConnection c, byte[] data, long nowNs) {
        return c.send(MemorySegment.ofArray(data), 0, data.length, nowNs);
    }

    static byte[] readAll(TcpConnection c, long nowNs) {
        byte[] buf = new byte[c.readable()];
        int n = c.read(MemorySegment.ofArray(buf), 0, buf.length, nowNs);
        if (n != buf.length) {
            throw new AssertionError("read " + n + " of " + buf.length);
        }
        return buf;
    }

    /** A raw segment as sent by {@code from}. */
    static byte[] raw(int from, int srcPort, int dstPort, int seq, int ack, int flags, int window, int payload,
            TcpOptions options) {
        TcpOptions opts = options == null ? new TcpOptions() : options;
        int hl = TcpHeader.MIN_HEADER_LENGTH + opts.length();
        byte[] bytes = new byte[hl + payload];
        TcpHeader h = new TcpHeader().wrap(MemorySegment.ofArray(bytes), 0, bytes.length);
        h.srcPort(srcPort).dstPort(dstPort).seqNumber(seq).ackNumber(ack).flags(flags).window(window)
                .writeOptions(opts);
        h.computeChecksum(from, from == ALICE ? BOB : ALICE);
        return bytes;
    }
}
