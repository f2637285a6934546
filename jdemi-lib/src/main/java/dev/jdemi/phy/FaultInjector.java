package dev.jdemi.phy;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * A device that damages the frames another device receives or transmits, reproducibly: loss, duplication,
 * reordering, corruption and delay, drawn from a seeded {@link SplittableRandom}. The same seed and the same calls
 * (frames, {@code nowNs}) give the same frames in the same order at the same times, exactly.
 *
 * <p>The injector works on one {@link Direction}: the frames the wrapped device receives, or those handed to it for
 * transmission. Wrap twice for both. Each frame meets the faults in this order, each with its own probability:
 * <ol>
 *   <li><b>loss</b>: the frame is freed and counted ({@link PhyDrop#FAULT_LOSS} in the device's stats);
 *   <li><b>corruption</b>: one bit of one byte flips. The byte lies past the 14-byte Ethernet header, so the frame
 *       still reaches its station and the IPv4, TCP, UDP or ICMP checksum has to catch the damage; a frame of 14 bytes
 *       or less is corrupted anywhere, an empty frame not at all. The corrupted frame is a copy: the original may share
 *       its bytes with a clone (a retransmission queue) that must stay intact;
 *   <li><b>duplication</b>: a copy follows the frame, with the same bytes and release time;
 *   <li><b>delay</b>: the frame is held until {@code nowNs + delayNs + j}, {@code j} uniform in
 *       {@code 0..jitterNs}. Delay never reorders: a frame is never released before one that came earlier;
 *   <li><b>reordering</b>: the frame waits in a one-frame slot and the next frame overtakes it (the two swap). If no
 *       frame comes within {@code reorderWindowNs} after its release time, it goes on alone (that is not counted as a
 *       reordering). While the slot is taken, frames are not chosen for reordering.
 * </ol>
 * Held frames are released when the device is next used ({@code receive} for both directions, {@code transmit} for
 * {@link Direction#TRANSMIT}) at or after their time; {@link #nextEventNs()} says when.
 *
 * <p>The injector shares the device's {@link PhyStats}, which count what the device itself moved; its own counters
 * ({@link #lost()}, {@link #corrupted()}…) count the faults. At most {@value #HOLD_FRAMES} frames are held; a frame
 * that finds the hold full is dropped ({@link PhyDrop#QUEUE_FULL}).
 *
 * <p>Thread, ownership and allocation as for {@link PhysicalLayer}: copies for corruption and duplication come from
 * the given pool (when it is exhausted, that fault is skipped), nothing is allocated on the heap per frame. The
 * injector owns the device and closes it.
 */
public final class FaultInjector implements PhysicalLayer {
    /** The most frames held (delayed, reordered or waiting to be received) at once. */
    public static final int HOLD_FRAMES = 4096;

    /** Which frames an injector damages. */
    public enum Direction {
        /** Frames the device receives, before the stack sees them. */
        RECEIVE,
        /** Frames the stack transmits, before the device sends them. */
        TRANSMIT
    }

    /**
     * The fault probabilities and delays.
     *
     * @param lossRate probability that a frame is lost, 0..1
     * @param duplicateRate probability that a frame is duplicated, 0..1
     * @param reorderRate probability that a frame is overtaken by the next one, 0..1
     * @param corruptRate probability that a frame has one bit flipped, 0..1
     * @param delayNs fixed delay of every frame, {@code >= 0}
     * @param jitterNs largest random extra delay, {@code >= 0}
     * @param reorderWindowNs how long a frame chosen for reordering waits for the next frame, {@code >= 0}
     */
    public record Faults(double lossRate, double duplicateRate, double reorderRate, double corruptRate, long delayNs,
            long jitterNs, long reorderWindowNs) {
        /** How long a frame waits to be overtaken unless told otherwise: 1 ms. */
        public static final long DEFAULT_REORDER_WINDOW_NS = 1_000_000;
        /** No faults at all. */
        public static final Faults NONE = new Faults(0, 0, 0, 0, 0, 0, DEFAULT_REORDER_WINDOW_NS);

        /**
         * Validates the values.
         *
         * @throws DemiException EINVAL naming the value out of range
         */
        public Faults {
            checkRate("lossRate", lossRate);
            checkRate("duplicateRate", duplicateRate);
            checkRate("reorderRate", reorderRate);
            checkRate("corruptRate", corruptRate);
            checkDuration("delayNs", delayNs);
            checkDuration("jitterNs", jitterNs);
            checkDuration("reorderWindowNs", reorderWindowNs);
        }

        private static void checkRate(String name, double rate) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new DemiException(Errno.EINVAL, name + " " + rate + " is outside 0..1");
            }
        }

        private static void checkDuration(String name, long ns) {
            if (ns < 0) {
                throw new DemiException(Errno.EINVAL, name + " " + ns + " is negative");
            }
        }

        /**
         * {@return these faults with another loss probability}
         *
         * @param rate 0..1
         */
        public Faults withLoss(double rate) {
            return new Faults(rate, duplicateRate, reorderRate, corruptRate, delayNs, jitterNs, reorderWindowNs);
        }

        /**
         * {@return these faults with another duplication probability}
         *
         * @param rate 0..1
         */
        public Faults withDuplication(double rate) {
            return new Faults(lossRate, rate, reorderRate, corruptRate, delayNs, jitterNs, reorderWindowNs);
        }

        /**
         * {@return these faults with another reordering probability}
         *
         * @param rate 0..1
         */
        public Faults withReordering(double rate) {
            return new Faults(lossRate, duplicateRate, rate, corruptRate, delayNs, jitterNs, reorderWindowNs);
        }

        /**
         * {@return these faults with another corruption probability}
         *
         * @param rate 0..1
         */
        public Faults withCorruption(double rate) {
            return new Faults(lossRate, duplicateRate, reorderRate, rate, delayNs, jitterNs, reorderWindowNs);
        }

        /**
         * {@return these faults with another delay}
         *
         * @param fixedNs the delay of every frame
         * @param maxJitterNs the largest random extra delay
         */
        public Faults withDelay(long fixedNs, long maxJitterNs) {
            return new Faults(lossRate, duplicateRate, reorderRate, corruptRate, fixedNs, maxJitterNs,
                    reorderWindowNs);
        }

        /**
         * {@return these faults with another reordering window}
         *
         * @param windowNs how long a frame waits to be overtaken
         */
        public Faults withReorderWindow(long windowNs) {
            return new Faults(lossRate, duplicateRate, reorderRate, corruptRate, delayNs, jitterNs, windowNs);
        }
    }

    private final PhysicalLayer device;
    private final BufferPool pool;
    private final Direction direction;
    private final Faults faults;
    private final SplittableRandom random;
    private final PhyStats stats;
    private final DemiBuffer[] batch;
    private final DemiBuffer[] held = new DemiBuffer[HOLD_FRAMES];
    private final long[] releaseNs = new long[HOLD_FRAMES];
    private int head;
    private int size;
    private long lastReleaseNs = Long.MIN_VALUE;
    private DemiBuffer swapFrame;
    private long swapReleaseNs;
    private long swapDeadlineNs;
    private int deviceResult;
    private long lost;
    private long duplicated;
    private long reordered;
    private long corrupted;
    private long delayed;
    private boolean closed;

    /**
     * Wraps a device.
     *
     * @param device the device, now owned by the injector
     * @param pool the pool of the LibOS using the device: copies (corrupted frames, duplicates) come from it
     * @param direction which frames to damage
     * @param faults what to do to them
     * @param seed the seed of the random choices
     * @throws DemiException EINVAL for a null argument
     */
    public FaultInjector(PhysicalLayer device, BufferPool pool, Direction direction, Faults faults, long seed) {
        if (device == null || pool == null || direction == null || faults == null) {
            throw new DemiException(Errno.EINVAL, "device, pool, direction and faults must not be null");
        }
        this.device = device;
        this.pool = pool;
        this.direction = direction;
        this.faults = faults;
        this.random = new SplittableRandom(seed);
        this.stats = device.stats();
        this.batch = new DemiBuffer[Math.min(device.capabilities().maxBatch(), HOLD_FRAMES / 2)];
    }

    /** {@return the faults applied} */
    public Faults faults() {
        return faults;
    }

    /** {@return which frames are damaged} */
    public Direction direction() {
        return direction;
    }

    /** {@return frames lost on purpose} */
    public long lost() {
        return lost;
    }

    /** {@return duplicates made} */
    public long duplicated() {
        return duplicated;
    }

    /** {@return frames that were overtaken by the next frame} */
    public long reordered() {
        return reordered;
    }

    /** {@return frames with a flipped bit} */
    public long corrupted() {
        return corrupted;
    }

    /** {@return frames held for a delay greater than zero} */
    public long delayed() {
        return delayed;
    }

    /** {@return frames the injector holds (delayed, waiting to be overtaken, or due but not yet taken)} */
    public int heldFrames() {
        return size + (swapFrame == null ? 0 : 1);
    }

    @Override
    public Capabilities capabilities() {
        return device.capabilities();
    }

    @Override
    public int receive(DemiBuffer[] frames, int max, long nowNs) {
        if (closed) {
            return 0;
        }
        if (direction == Direction.TRANSMIT) {
            releaseSwap(nowNs);
            sendDue(nowNs);
            return device.receive(frames, max, nowNs);
        }
        int limit = Math.min(max, frames.length);
        if (limit <= 0) {
            return 0;
        }
        releaseSwap(nowNs);
        int count = 0;
        while (true) {
            while (count < limit && size > 0 && releaseNs[head] <= nowNs) {
                frames[count++] = dequeue();
            }
            // Room for every pulled frame and its possible duplicate, plus the reordering slot.
            int pull = Math.min(Math.min(limit - count, batch.length), (HOLD_FRAMES - size - 1) / 2);
            if (pull <= 0) {
                return count;
            }
            int pulled = device.receive(batch, pull, nowNs);
            if (pulled == 0) {
                return count;
            }
            for (int i = 0; i < pulled; i++) {
                DemiBuffer frame = batch[i];
                batch[i] = null;
                inject(frame, nowNs);
            }
            releaseSwap(nowNs);
        }
    }

    @Override
    public int transmit(DemiBuffer frame, long nowNs) {
        if (closed) {
            stats.recordDrop(PhyDrop.CLOSED);
            frame.free();
            return -Errno.EBADF;
        }
        if (direction == Direction.RECEIVE) {
            return device.transmit(frame, nowNs);
        }
        deviceResult = 0;
        releaseSwap(nowNs);
        inject(frame, nowNs);
        sendDue(nowNs);
        return deviceResult;
    }

    private void sendDue(long nowNs) {
        while (size > 0 && releaseNs[head] <= nowNs) {
            int result = device.transmit(dequeue(), nowNs);
            if (deviceResult == 0) {
                deviceResult = result;
            }
        }
    }

    private void inject(DemiBuffer frame, long nowNs) {
        if (faults.lossRate() > 0 && random.nextDouble() < faults.lossRate()) {
            lost++;
            stats.recordDrop(PhyDrop.FAULT_LOSS);
            frame.free();
            return;
        }
        if (faults.corruptRate() > 0 && random.nextDouble() < faults.corruptRate()) {
            frame = corrupt(frame);
        }
        DemiBuffer duplicate = null;
        if (faults.duplicateRate() > 0 && random.nextDouble() < faults.duplicateRate()) {
            duplicate = copyOf(frame);
            if (duplicate != null) {
                duplicated++;
            }
        }
        long release = nowNs + faults.delayNs();
        if (faults.jitterNs() > 0) {
            release += random.nextLong(faults.jitterNs() + 1);
        }
        if (release > nowNs) {
            delayed++;
        }
        if (swapFrame == null && faults.reorderRate() > 0 && random.nextDouble() < faults.reorderRate()) {
            swapFrame = frame;
            swapReleaseNs = release;
            swapDeadlineNs = release + faults.reorderWindowNs();
        } else {
            pass(frame, release);
        }
        if (duplicate != null) {
            pass(duplicate, release);
        }
    }

    private void pass(DemiBuffer frame, long release) {
        enqueue(frame, release);
        if (swapFrame != null) {
            DemiBuffer overtaken = swapFrame;
            swapFrame = null;
            reordered++;
            enqueue(overtaken, swapReleaseNs);
        }
    }

    private void releaseSwap(long nowNs) {
        if (swapFrame != null && nowNs >= swapDeadlineNs) {
            DemiBuffer alone = swapFrame;
            swapFrame = null;
            enqueue(alone, swapDeadlineNs);
        }
    }

    private void enqueue(DemiBuffer frame, long release) {
        if (size == HOLD_FRAMES) {
            stats.recordDrop(PhyDrop.QUEUE_FULL);
            frame.free();
            return;
        }
        long at = Math.max(release, lastReleaseNs);
        lastReleaseNs = at;
        int tail = head + size;
        if (tail >= HOLD_FRAMES) {
            tail -= HOLD_FRAMES;
        }
        held[tail] = frame;
        releaseNs[tail] = at;
        size++;
    }

    private DemiBuffer dequeue() {
        DemiBuffer frame = held[head];
        held[head] = null;
        head = head + 1 == HOLD_FRAMES ? 0 : head + 1;
        size--;
        return frame;
    }

    private DemiBuffer corrupt(DemiBuffer frame) {
        int length = frame.length();
        if (length == 0) {
            return frame;
        }
        int first = length > Capabilities.ETHERNET_HEADER_BYTES ? Capabilities.ETHERNET_HEADER_BYTES : 0;
        int index = random.nextInt(first, length);
        int bit = random.nextInt(8);
        DemiBuffer copy = copyOf(frame);
        if (copy == null) {
            return frame;
        }
        frame.free();
        MemorySegment memory = copy.memory();
        long offset = copy.dataOffset() + (long) index;
        memory.set(ValueLayout.JAVA_BYTE, offset, (byte) (memory.get(ValueLayout.JAVA_BYTE, offset) ^ (1 << bit)));
        corrupted++;
        return copy;
    }

    private DemiBuffer copyOf(DemiBuffer frame) {
        DemiBuffer copy;
        try {
            copy = pool.allocate(frame.length());
        } catch (DemiException e) {
            return null;
        }
        MemorySegment.copy(frame.memory(), frame.dataOffset(), copy.memory(), copy.dataOffset(), frame.length());
        return copy;
    }

    @Override
    public long nextEventNs() {
        long next = device.nextEventNs();
        if (size > 0) {
            next = Math.min(next, releaseNs[head]);
        }
        if (swapFrame != null) {
            next = Math.min(next, swapDeadlineNs);
        }
        return next;
    }

    @Override
    public void block(long timeoutNs) {
        device.block(timeoutNs);
    }

    @Override
    public PhyStats stats() {
        return stats;
    }

    /** Frees the held frames and closes the device. Closing twice does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (size > 0) {
            dequeue().free();
        }
        if (swapFrame != null) {
            swapFrame.free();
            swapFrame = null;
        }
        device.close();
    }
}
