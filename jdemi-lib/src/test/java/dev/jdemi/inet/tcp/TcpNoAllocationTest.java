package dev.jdemi.inet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * A smoke check of the architecture's promise: once connected, sending, receiving, acknowledging and reading allocate
 * nothing per segment. The harness itself is allocation-free: segments are written into preallocated slots and
 * delivered from an int ring.
 */
class TcpNoAllocationTest {
    private static final int SLOTS = 1024;
    private static final int SLOT_BYTES = 1600;

    private final MemorySegment slots = Arena.ofAuto().allocate((long) SLOTS * SLOT_BYTES);
    private final int[] length = new int[SLOTS];
    private final int[] from = new int[SLOTS];
    private int head;
    private int count;

    private void capture(int src, OutboundSegment s) {
        int slot = (head + count) % SLOTS;
        length[slot] = s.write(slots, (long) slot * SLOT_BYTES);
        from[slot] = src;
        count++;
    }

    private void deliver(TcpStack alice, TcpStack bob, long nowNs) {
        while (count > 0) {
            int slot = head;
            head = (head + 1) % SLOTS;
            count--;
            TcpStack to = from[slot] == TestNet.ALICE ? bob : alice;
            int dst = from[slot] == TestNet.ALICE ? TestNet.BOB : TestNet.ALICE;
            to.receive(from[slot], dst, slots, (long) slot * SLOT_BYTES, length[slot], true, nowNs);
        }
    }

    @Test
    void steadyStateTransferAllocatesNothingPerSegment() {
        TcpConfig cfg = new TcpConfig().deterministic(true);
        TcpStack alice = new TcpStack(cfg, s -> capture(TestNet.ALICE, s), 1, 2);
        TcpStack bob = new TcpStack(cfg, s -> capture(TestNet.BOB, s), 3, 4);
        TcpListener l = bob.listen(TestNet.BOB, 80, 4);
        long now = 0;
        TcpConnection a = alice.connect(TestNet.ALICE, 0, TestNet.BOB, 80, now);
        deliver(alice, bob, now);
        TcpConnection b = l.accept();
        assertThat(b).isNotNull();
        MemorySegment src = Arena.ofAuto().allocate(65_535);
        MemorySegment dst = Arena.ofAuto().allocate(65_535);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        long moved = 0;
        long pushed = 0;
        long before = 0;
        for (int round = 0; round < 3000; round++) {
            if (round == 1000) {
                before = threads.getCurrentThreadAllocatedBytes();
            }
            now += 1_000_000;
            int sent = a.send(src, 0, 16 * 1024, now);
            int back = b.send(src, 0, 4 * 1024, now);
            for (int i = 0; i < 8; i++) {
                deliver(alice, bob, now);
                moved += b.read(dst, 0, 65_535, now);
                moved += a.read(dst, 0, 65_535, now);
                alice.poll(now);
                bob.poll(now);
            }
            pushed += sent + back;
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        System.out.printf("TCP steady state: %d bytes moved, %d bytes allocated over 2000 rounds%n", moved,
                allocated);
        assertThat(pushed).isPositive();
        assertThat(moved).isGreaterThan(2000L * 20 * 1024 / 2);
        assertThat(allocated).as("bytes allocated over 2000 rounds").isLessThan(16 * 1024);
    }
}
