package dev.jdemi.phy;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.MacAddress;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An Ethernet hub in memory: joins the stacks of several LibOSes running in one thread, for deterministic tests.
 *
 * <p>Each stack gets a {@link Port} from {@link #attach}. A frame transmitted on a port is copied into the buffer pool
 * of every <em>other</em> port and queued there, so every LibOS keeps its own pool and the sender's buffer is free at
 * once. Delivery is immediate (the frame is receivable at the transmit's {@code nowNs}), in transmit order on every
 * port, and involves no randomness: the same calls give the same frames. For loss, delay and the like, wrap ports in
 * a {@link FaultInjector}.
 *
 * <p>Drops, each counted in the {@link PhyStats} of the port concerned: on the sending port, a frame shorter than
 * the Ethernet header ({@link PhyDrop#RUNT}) or longer than its MTU plus 14 ({@link PhyDrop#OVERSIZE}); on a receiving
 * port, a frame longer than its MTU plus 14, a full receive queue ({@link PhyDrop#QUEUE_FULL}), an exhausted pool
 * ({@link PhyDrop#NO_BUFFER}), and, when the wire filters by destination, a frame addressed to another station
 * ({@link PhyDrop#FILTERED}).
 *
 * <p>{@link #capture(Path)} records every frame that enters the wire once, with the transmit's timestamp.
 *
 * <p>Thread: the wire and all its ports are confined to one thread. Transmitting allocates nothing on the heap.
 */
public final class MemoryWire implements AutoCloseable {
    /** The receive queue of a port, in frames, unless told otherwise. */
    public static final int DEFAULT_QUEUE_FRAMES = 4096;

    private static final ValueLayout.OfInt DST_HIGH = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort DST_LOW =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final int queueFrames;
    private final boolean filterByDestination;
    private Port[] ports = new Port[4];
    private int portCount;
    private PcapWriter capture;
    private boolean closed;

    /** Creates a hub with {@value #DEFAULT_QUEUE_FRAMES}-frame receive queues that delivers every frame everywhere. */
    public MemoryWire() {
        this(DEFAULT_QUEUE_FRAMES, false);
    }

    /**
     * Creates a wire.
     *
     * @param queueFrames the receive queue of each port, in frames, at least 1
     * @param filterByDestination whether a port with a MAC address receives only frames sent to that address or to a
     *         group (broadcast, multicast) address, like a network card that is not promiscuous; when false, every
     *         port receives every frame, like on a hub
     * @throws DemiException EINVAL when {@code queueFrames < 1}
     */
    public MemoryWire(int queueFrames, boolean filterByDestination) {
        if (queueFrames < 1) {
            throw new DemiException(Errno.EINVAL, "queueFrames " + queueFrames + " is below 1");
        }
        this.queueFrames = queueFrames;
        this.filterByDestination = filterByDestination;
    }

    /**
     * Plugs a new port into the wire.
     *
     * @param pool the receiving LibOS's pool: frames for this port are copied into it
     * @param capabilities the port's MTU, address (for filtering) and batch size
     * @return the port, owned by the caller; closing it unplugs it
     * @throws DemiException EINVAL for a null argument, EBADF when the wire is closed
     */
    public Port attach(BufferPool pool, Capabilities capabilities) {
        if (pool == null || capabilities == null) {
            throw new DemiException(Errno.EINVAL, pool == null ? "pool is null" : "capabilities is null");
        }
        if (closed) {
            throw new DemiException(Errno.EBADF, "the memory wire is closed");
        }
        Port port = new Port(pool, capabilities, queueFrames);
        if (portCount == ports.length) {
            ports = Arrays.copyOf(ports, portCount * 2);
        }
        ports[portCount++] = port;
        return port;
    }

    /** {@return how many ports are plugged in} */
    public int portCount() {
        return portCount;
    }

    /**
     * Records every frame that enters the wire to a new pcap file. A capture already running is closed first.
     *
     * @param file the file, created or truncated
     * @return the writer (to flush it or read its counters); the wire closes it
     * @throws DemiException EIO when the file cannot be opened
     */
    public PcapWriter capture(Path file) {
        PcapWriter writer = PcapWriter.open(file);
        capture(writer);
        return writer;
    }

    /**
     * Records every frame that enters the wire to a writer. A capture already running is closed first.
     *
     * @param writer the writer, now owned by the wire; null stops capturing
     */
    public void capture(PcapWriter writer) {
        if (capture != null && capture != writer) {
            capture.close();
        }
        capture = writer;
    }

    private void carry(Port sender, DemiBuffer frame, long nowNs) {
        MemorySegment memory = frame.memory();
        long offset = frame.dataOffset();
        int length = frame.length();
        if (capture != null) {
            capture.write(memory, offset, length, nowNs);
        }
        long destination = ((memory.get(DST_HIGH, offset) & 0xFFFF_FFFFL) << 16)
                | (memory.get(DST_LOW, offset + 4) & 0xFFFF);
        for (int i = 0; i < portCount; i++) {
            Port port = ports[i];
            if (port != sender) {
                port.deliver(memory, offset, length, destination, nowNs);
            }
        }
    }

    private void detach(Port port) {
        for (int i = 0; i < portCount; i++) {
            if (ports[i] == port) {
                System.arraycopy(ports, i + 1, ports, i, portCount - i - 1);
                ports[--portCount] = null;
                return;
            }
        }
    }

    /** Closes every port (freeing the frames they hold) and the capture. Closing twice does nothing. */
    @Override
    public void close() {
        closed = true;
        while (portCount > 0) {
            ports[portCount - 1].close();
        }
        if (capture != null) {
            capture.close();
            capture = null;
        }
    }

    /**
     * One station on a {@link MemoryWire}.
     *
     * <p>Frames wait in a bounded FIFO queue until received; each is owned by the port until {@link #receive} hands
     * it over. {@link #nextEventNs()} is the time the oldest waiting frame arrived, so a virtual-clock runtime never
     * sleeps past it.
     */
    public final class Port implements PhysicalLayer {
        private final BufferPool pool;
        private final Capabilities capabilities;
        private final long macAddress;
        private final PhyStats stats = new PhyStats();
        private final DemiBuffer[] queue;
        private final long[] arrivalNs;
        private int head;
        private int size;
        private boolean portClosed;

        private Port(BufferPool pool, Capabilities capabilities, int queueFrames) {
            this.pool = pool;
            this.capabilities = capabilities;
            MacAddress mac = capabilities.macAddress();
            this.macAddress = mac == null ? -1 : mac.value();
            this.queue = new DemiBuffer[queueFrames];
            this.arrivalNs = new long[queueFrames];
        }

        @Override
        public Capabilities capabilities() {
            return capabilities;
        }

        /** {@return how many frames wait to be received} */
        public int queuedFrames() {
            return size;
        }

        @Override
        public int receive(DemiBuffer[] frames, int max, long nowNs) {
            int count = Math.min(Math.min(max, frames.length), size);
            if (count <= 0) {
                return 0;
            }
            for (int i = 0; i < count; i++) {
                DemiBuffer frame = queue[head];
                queue[head] = null;
                head = head + 1 == queue.length ? 0 : head + 1;
                frames[i] = frame;
                stats.recordRx(frame.length());
            }
            size -= count;
            return count;
        }

        @Override
        public int transmit(DemiBuffer frame, long nowNs) {
            int length = frame.length();
            int result;
            if (portClosed) {
                stats.recordDrop(PhyDrop.CLOSED);
                result = -Errno.EBADF;
            } else if (length < Capabilities.ETHERNET_HEADER_BYTES) {
                stats.recordDrop(PhyDrop.RUNT);
                result = -Errno.EINVAL;
            } else if (length > capabilities.maxFrameBytes()) {
                stats.recordDrop(PhyDrop.OVERSIZE);
                result = -Errno.EMSGSIZE;
            } else {
                carry(this, frame, nowNs);
                stats.recordTx(length);
                result = 0;
            }
            frame.free();
            return result;
        }

        private void deliver(MemorySegment memory, long offset, int length, long destination, long nowNs) {
            if (length > capabilities.maxFrameBytes()) {
                stats.recordDrop(PhyDrop.OVERSIZE);
                return;
            }
            // Bit 0 of the first octet marks a group address (IEEE 802-2014 section 8.2): every station takes those.
            if (filterByDestination && macAddress >= 0 && (destination & (1L << 40)) == 0
                    && destination != macAddress) {
                stats.recordDrop(PhyDrop.FILTERED);
                return;
            }
            if (size == queue.length) {
                stats.recordDrop(PhyDrop.QUEUE_FULL);
                return;
            }
            DemiBuffer copy;
            try {
                copy = pool.allocate(length);
            } catch (DemiException e) {
                stats.recordDrop(PhyDrop.NO_BUFFER);
                return;
            }
            MemorySegment.copy(memory, offset, copy.memory(), copy.dataOffset(), length);
            int tail = head + size;
            if (tail >= queue.length) {
                tail -= queue.length;
            }
            queue[tail] = copy;
            arrivalNs[tail] = nowNs;
            size++;
        }

        @Override
        public long nextEventNs() {
            return size == 0 ? Long.MAX_VALUE : arrivalNs[head];
        }

        @Override
        public PhyStats stats() {
            return stats;
        }

        /** Unplugs the port and frees the frames waiting in its queue. Closing twice does nothing. */
        @Override
        public void close() {
            if (portClosed) {
                return;
            }
            portClosed = true;
            detach(this);
            while (size > 0) {
                queue[head].free();
                queue[head] = null;
                head = head + 1 == queue.length ? 0 : head + 1;
                size--;
            }
        }

        @Override
        public String toString() {
            return "MemoryWire.Port[" + capabilities.macAddress() + " queued=" + size + " " + stats + "]";
        }
    }
}
