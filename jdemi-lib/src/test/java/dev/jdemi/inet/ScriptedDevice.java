package dev.jdemi.inet;

import dev.jdemi.MacAddress;
import dev.jdemi.phy.Capabilities;
import dev.jdemi.phy.PhyStats;
import dev.jdemi.phy.PhysicalLayer;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A device for tests that feeds the stack exactly the bytes a test gives it, runts included (a {@code MemoryWire}
 * refuses those), and keeps a copy of every frame the stack transmits.
 */
final class ScriptedDevice implements PhysicalLayer {
    private final BufferPool pool;
    private final Capabilities capabilities;
    private final PhyStats stats = new PhyStats();
    private final ArrayDeque<DemiBuffer> incoming = new ArrayDeque<>();
    private final List<byte[]> transmitted = new ArrayList<>();

    ScriptedDevice(BufferPool pool, MacAddress mac) {
        this.pool = pool;
        this.capabilities = Capabilities.ethernet(1500, mac);
    }

    /** Queues a frame for the stack to receive. */
    void inject(byte[] frame) {
        DemiBuffer buffer = pool.allocate(frame.length);
        if (frame.length > 0) {
            buffer.write(0, frame, 0, frame.length);
        }
        incoming.add(buffer);
    }

    /** Queues a frame for the stack to receive, marked as one whose checksums the kernel trusts. */
    void injectTrusted(byte[] frame) {
        inject(frame);
        incoming.peekLast().markChecksumTrusted();
    }

    /** {@return the frames transmitted so far} */
    List<byte[]> transmitted() {
        return transmitted;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public int receive(DemiBuffer[] frames, int max, long nowNs) {
        int n = 0;
        while (n < Math.min(max, frames.length) && !incoming.isEmpty()) {
            frames[n++] = incoming.poll();
        }
        return n;
    }

    @Override
    public int transmit(DemiBuffer frame, long nowNs) {
        transmitted.add(frame.length() == 0 ? new byte[0] : frame.toArray());
        stats.recordTx(frame.length());
        frame.free();
        return 0;
    }

    @Override
    public long nextEventNs() {
        return incoming.isEmpty() ? Long.MAX_VALUE : 0;
    }

    @Override
    public PhyStats stats() {
        return stats;
    }

    @Override
    public void close() {
        while (!incoming.isEmpty()) {
            incoming.poll().free();
        }
    }
}
