package dev.jdemi.phy.afxdp;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.MacAddress;
import dev.jdemi.phy.Capabilities;
import dev.jdemi.phy.PhyDrop;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The AF_XDP device's bookkeeping without a kernel: a {@link FakeKernel} plays the kernel's side of the four rings on
 * plain memory. Received frames are handed up in their chunk and the chunk is lent again once freed; sent frames go
 * from their own bytes and return to the pool on completion (a clone's chunk with the last reference); foreign frames
 * are copied and counted; every drop path (full transmit ring, no chunk to copy into, runts and oversized frames both
 * ways, the kernel's counters, a closed device) is counted.
 */
class XdpDeviceTest {
    private static final int CHUNKS = 64;
    private final BufferPool pool = BufferPool.withUmem(BufferPool.STACK_HEADROOM, 4096, CHUNKS);
    private final BufferPool plain = new BufferPool(BufferPool.STACK_HEADROOM);
    private final DemiBuffer[] received = new DemiBuffer[64];
    private FakeKernel kernel;
    private XdpDevice device;

    private XdpDevice open(int ringSize) {
        kernel = new FakeKernel(pool, ringSize);
        device = kernel.device();
        return device;
    }

    @AfterEach
    void closeAll() {
        if (device != null) {
            device.close();
        }
        assertThat(pool.liveBuffers()).as("buffers leaked").isZero();
        assertThat(plain.liveBuffers()).as("plain buffers leaked").isZero();
        assertThat(pool.umemFreeChunks()).as("chunks lost").isEqualTo(CHUNKS);
        pool.close();
        plain.close();
    }

    private static DemiBuffer frame(BufferPool from, int length, int seed) {
        DemiBuffer frame = from.allocate(length);
        for (int i = 0; i < length; i++) {
            frame.memory().set(ValueLayout.JAVA_BYTE, frame.dataOffset() + i, (byte) (seed + i));
        }
        return frame;
    }

    private static byte[] bytes(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + i);
        }
        return bytes;
    }

    @Test
    void theFillRingIsStockedButAQuarterOfTheUmemIsKeptForFramesToSend() {
        open(64);
        assertThat(kernel.fillLent()).isEqualTo(CHUNKS - CHUNKS / 4);
        assertThat(pool.umemFreeChunks()).isEqualTo(CHUNKS / 4);
    }

    @Test
    void aReceivedFrameIsHandedUpInItsChunkWhichIsLentAgainOnceFreed() {
        open(16);
        assertThat(kernel.fillLent()).isEqualTo(16);
        long chunk = kernel.deliver(bytes(60, 7));
        assertThat(device.receive(received, received.length, 0)).isEqualTo(1);
        DemiBuffer frame = received[0];
        assertThat(frame.segment().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(bytes(60, 7));
        assertThat(pool.umemOffset(frame)).as("no copy: the frame is where the kernel wrote it")
                .isEqualTo(chunk + FakeKernel.HEADROOM);
        assertThat(frame.headroom()).isGreaterThanOrEqualTo(BufferPool.STACK_HEADROOM);
        assertThat(kernel.fillLent()).as("another chunk took its place").isEqualTo(16);
        int free = pool.umemFreeChunks();
        frame.free();
        assertThat(pool.umemFreeChunks()).isEqualTo(free + 1);
        assertThat(device.stats().framesRx()).isEqualTo(1);
        assertThat(device.stats().bytesRx()).isEqualTo(60);
    }

    @Test
    void framesOfTheWrongSizeFromTheKernelAreDroppedAndTheirChunksReturned() {
        open(16);
        kernel.deliver(bytes(10, 1));
        kernel.deliverDescriptor(kernel.takeFill(), 1515);
        kernel.deliver(bytes(1514, 2));
        assertThat(device.receive(received, received.length, 0)).isEqualTo(1);
        assertThat(received[0].length()).isEqualTo(1514);
        received[0].free();
        assertThat(device.stats().drops(PhyDrop.RUNT)).isEqualTo(1);
        assertThat(device.stats().drops(PhyDrop.OVERSIZE)).isEqualTo(1);
    }

    @Test
    void aUmemFrameIsSentFromItsOwnBytesAndFreedOnCompletion() {
        open(16);
        kernel.completeOnKick = false;
        DemiBuffer frame = frame(pool, 100, 3);
        long offset = pool.umemOffset(frame);
        assertThat(device.transmit(frame, 0)).isZero();
        assertThat(kernel.kicks).as("copy mode sends in sendto").isPositive();
        assertThat(kernel.sentOffsets).containsExactly(offset);
        assertThat(frame.isLive()).as("kept until the kernel completes it").isTrue();
        kernel.completeAll();
        device.receive(received, received.length, 0);
        assertThat(frame.isLive()).isFalse();
        assertThat(kernel.sent.getFirst()).isEqualTo(bytes(100, 3));
        assertThat(device.stats().framesTx()).isEqualTo(1);
        assertThat(device.foreignCopies()).isZero();
    }

    @Test
    void aClonedFrameKeepsItsChunkUntilTheLastReferenceIsGone() {
        open(16);
        DemiBuffer original = frame(pool, 80, 4);
        int free = pool.umemFreeChunks();
        assertThat(device.transmit(original.cloneView(), 0)).isZero();
        assertThat(device.transmit(original.cloneView(), 0)).as("the same bytes twice").isZero();
        device.receive(received, received.length, 0);
        assertThat(kernel.sentOffsets).hasSize(2).allMatch(o -> o == pool.umemOffset(original));
        assertThat(pool.liveBuffers()).as("the clones came back, the original stays").isEqualTo(1);
        assertThat(pool.umemFreeChunks()).isEqualTo(free);
        original.free();
        assertThat(pool.umemFreeChunks()).isEqualTo(free + 1);
    }

    @Test
    void completionsOutOfOrderFreeTheRightFrames() {
        open(16);
        kernel.completeOnKick = false;
        DemiBuffer first = frame(pool, 60, 1);
        DemiBuffer second = frame(pool, 60, 2);
        device.transmit(first.cloneView(), 0);
        device.transmit(second.cloneView(), 0);
        kernel.complete(pool.umemOffset(second));
        device.receive(received, received.length, 0);
        assertThat(pool.liveBuffers()).as("the second clone went back").isEqualTo(3);
        second.free();
        assertThat(pool.umemFreeChunks()).as("its chunk with it").isEqualTo(CHUNKS - 16 - 1);
        kernel.complete(pool.umemOffset(first));
        device.receive(received, received.length, 0);
        first.free();
    }

    @Test
    void aForeignFrameIsCopiedIntoTheUmemAndCounted() {
        open(16);
        assertThat(device.transmit(frame(plain, 200, 5), 0)).isZero();
        assertThat(plain.liveBuffers()).as("the foreign frame was freed at once").isZero();
        assertThat(device.foreignCopies()).isEqualTo(1);
        assertThat(kernel.sent).hasSize(1);
        assertThat(kernel.sent.getFirst()).isEqualTo(bytes(200, 5));
        device.receive(received, received.length, 0);
    }

    @Test
    void aForeignFrameWithNoChunkToCopyIntoIsDroppedAsNoBuffer() {
        open(16);
        List<DemiBuffer> taken = new ArrayList<>();
        while (pool.umemFreeChunks() > 0) {
            taken.add(pool.allocate(60));
        }
        DemiBuffer fallback = pool.allocate(60);
        assertThat(pool.umemFallbacks()).isEqualTo(1);
        assertThat(device.transmit(fallback, 0)).as("ordinary memory must be copied too").isEqualTo(-Errno.ENOBUFS);
        assertThat(device.transmit(frame(plain, 60, 6), 0)).isEqualTo(-Errno.ENOBUFS);
        assertThat(device.stats().drops(PhyDrop.NO_BUFFER)).isEqualTo(2);
        assertThat(device.foreignCopies()).isZero();
        taken.forEach(DemiBuffer::free);
    }

    @Test
    void aFullTransmitRingDropsFramesAsQueueFull() {
        open(16);
        kernel.consumeOnKick = false;
        DemiBuffer[] batch = new DemiBuffer[17];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = frame(pool, 60, i);
        }
        assertThat(device.transmit(batch, batch.length, 0)).isEqualTo(-Errno.EAGAIN);
        assertThat(device.stats().drops(PhyDrop.QUEUE_FULL)).isEqualTo(1);
        assertThat(device.stats().framesTx()).isEqualTo(16);
        kernel.consumeOnKick = true;
        device.receive(received, received.length, 0);
        assertThat(kernel.sent).as("the next receive has the kernel send what waited").hasSize(16);
        device.receive(received, received.length, 0);
        assertThat(pool.liveBuffers()).isZero();
    }

    @Test
    void aBatchIsPublishedOnceAndWhatTheKernelLeavesIsKickedAgainAtTheNextReceive() {
        open(32);
        kernel.perKick = 4;
        DemiBuffer[] batch = new DemiBuffer[30];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = frame(pool, 60 + i, i);
        }
        assertThat(device.transmit(batch, batch.length, 0)).isZero();
        assertThat(kernel.kicks).as("a budget of calls: the kernel sends up to 32 a call").isEqualTo(2);
        assertThat(kernel.sent).hasSize(8);
        for (int i = 0; i < 4 && kernel.sent.size() < 30; i++) {
            device.receive(received, received.length, 0);
        }
        assertThat(kernel.sent).hasSize(30);
        for (int i = 0; i < 30; i++) {
            assertThat(kernel.sent.get(i)).isEqualTo(bytes(60 + i, i));
        }
        device.receive(received, received.length, 0);
    }

    @Test
    void runtsAndOversizedFramesAreNotSent() {
        open(16);
        assertThat(device.transmit(frame(pool, 13, 0), 0)).isEqualTo(-Errno.EINVAL);
        assertThat(device.transmit(frame(pool, 1515, 0), 0)).isEqualTo(-Errno.EMSGSIZE);
        assertThat(device.stats().drops(PhyDrop.RUNT)).isEqualTo(1);
        assertThat(device.stats().drops(PhyDrop.OVERSIZE)).isEqualTo(1);
        assertThat(kernel.sent).isEmpty();
    }

    @Test
    void theKernelsCountersBecomeDrops() {
        open(16);
        kernel.statistics = new long[] {5, 0, 1, 2, 3, 9};
        assertThat(device.collectKernelDrops()).isEqualTo(8);
        assertThat(device.stats().drops(PhyDrop.NO_BUFFER)).as("rx_fill_ring_empty_descs").isEqualTo(3);
        assertThat(device.stats().drops(PhyDrop.OVERSIZE)).as("the rest of rx_dropped").isEqualTo(2);
        assertThat(device.stats().drops(PhyDrop.QUEUE_FULL)).as("rx_ring_full").isEqualTo(2);
        assertThat(device.stats().drops(PhyDrop.SEND_FAILED)).as("tx_invalid_descs").isEqualTo(1);
        assertThat(device.collectKernelDrops()).as("only what grew").isZero();
        kernel.statistics = new long[] {6, 0, 1, 3, 4, 9};
        assertThat(device.collectKernelDrops()).isEqualTo(2);
        assertThat(device.kernelStatistics()).containsExactly(6, 0, 1, 3, 4, 9);
        kernel.statistics = new long[] {6, 0, 1, 4, 4, 9};
        for (int i = 1; i < XdpDevice.STATS_EVERY_BLOCK; i++) {
            device.block(1_000_000L);
        }
        assertThat(kernel.polls).as("block sleeps in poll when nothing is ready").isEqualTo(63);
        assertThat(device.stats().drops(PhyDrop.QUEUE_FULL)).as("not read at every sleep").isEqualTo(3);
        device.block(1_000_000L);
        assertThat(device.stats().drops(PhyDrop.QUEUE_FULL)).as("but every 64th").isEqualTo(4);
    }

    @Test
    void closingFreesFramesInFlightAndTakesBackLentChunks() {
        open(16);
        kernel.completeOnKick = false;
        device.transmit(frame(pool, 60, 1), 0);
        kernel.deliver(bytes(60, 2));
        device.close();
        device.close();
        assertThat(kernel.closed).isEqualTo(1);
        assertThat(device.transmit(frame(pool, 60, 3), 0)).isEqualTo(-Errno.EBADF);
        assertThat(device.stats().drops(PhyDrop.CLOSED)).isEqualTo(1);
        assertThat(device.receive(received, received.length, 0)).isZero();
        device.block(1_000_000L);
        assertThat(kernel.polls).isZero();
    }

    @Test
    void failuresToCreateTheSocketSayWhatTheyMean() {
        assertThat(XdpDevice.meaning(Errno.EPERM)).contains("CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_BPF", "root");
        assertThat(XdpDevice.meaning(Errno.EOPNOTSUPP)).contains("XDP mode");
        assertThat(XdpDevice.meaning(Errno.EBUSY)).contains("another XDP program");
        assertThat(XdpDevice.meaning(1234)).isEqualTo("errno 1234");
    }

    @Test
    void aPoolWithoutUmemIsRefused() {
        try (BufferPool ordinary = new BufferPool(0)) {
            assertThatThrownBy(() -> XdpDevice.open("lo", ordinary))
                    .isInstanceOfSatisfying(DemiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                    .hasMessageContaining("XdpDevice.newPool()");
        }
    }

    /** The kernel's side of the four rings, on plain memory, copying frames as copy mode does. */
    static final class FakeKernel implements XskPort {
        static final int HEADROOM = 256;
        private final Arena arena = Arena.ofAuto();
        private final BufferPool pool;
        private final MemorySegment umem;
        private final int size;
        private final MemorySegment[] words = new MemorySegment[4];
        private final MemorySegment[] entries = new MemorySegment[4];
        private static final int FILL = 0;
        private static final int COMPLETION = 1;
        private static final int RX = 2;
        private static final int TX = 3;
        final List<byte[]> sent = new ArrayList<>();
        final List<Long> sentOffsets = new ArrayList<>();
        boolean consumeOnKick = true;
        boolean completeOnKick = true;
        int perKick = Integer.MAX_VALUE;
        int kicks;
        int polls;
        int closed;
        long[] statistics = new long[6];
        private final List<Long> toComplete = new ArrayList<>();

        FakeKernel(BufferPool pool, int size) {
            this.pool = pool;
            this.umem = pool.umemRegion();
            this.size = size;
            for (int i = 0; i < 4; i++) {
                words[i] = arena.allocate(12, 8);
                entries[i] = arena.allocate((long) size * (i < 2 ? 8 : 16), 8);
            }
        }

        XdpDevice device() {
            Capabilities capabilities = new Capabilities(1500, false, false, new MacAddress(0x020000000001L), 32);
            return new XdpDevice("fake0", XdpDevice.Attach.GENERIC, this, ring(FILL, true), ring(COMPLETION, false),
                    ring(RX, false), ring(TX, true), pool, capabilities);
        }

        private XskRing ring(int which, boolean userProduces) {
            MemorySegment w = words[which];
            int entryBytes = which < 2 ? 8 : 16;
            return userProduces
                    ? XskRing.producer(w.asSlice(0, 4), w.asSlice(4, 4), w.asSlice(8, 4), entries[which], size,
                            entryBytes)
                    : XskRing.consumer(w.asSlice(0, 4), w.asSlice(4, 4), w.asSlice(8, 4), entries[which], size,
                            entryBytes);
        }

        private int prod(int which) {
            return words[which].get(JAVA_INT, 0);
        }

        private int cons(int which) {
            return words[which].get(JAVA_INT, 4);
        }

        int fillLent() {
            return prod(FILL) - cons(FILL);
        }

        long takeFill() {
            int index = cons(FILL);
            assertThat(prod(FILL) - index).as("the fill ring has a chunk").isPositive();
            long chunk = entries[FILL].get(JAVA_LONG, (long) (index & (size - 1)) * 8);
            words[FILL].set(JAVA_INT, 4, index + 1);
            return chunk;
        }

        long deliver(byte[] frame) {
            long chunk = takeFill();
            MemorySegment.copy(MemorySegment.ofArray(frame), 0, umem, chunk + HEADROOM, frame.length);
            deliverDescriptor(chunk, frame.length);
            return chunk;
        }

        void deliverDescriptor(long chunk, int length) {
            int index = prod(RX);
            long at = (long) (index & (size - 1)) * 16;
            entries[RX].set(JAVA_LONG, at, chunk + HEADROOM);
            entries[RX].set(JAVA_INT, at + 8, length);
            words[RX].set(JAVA_INT, 0, index + 1);
        }

        void complete(long offset) {
            int index = prod(COMPLETION);
            entries[COMPLETION].set(JAVA_LONG, (long) (index & (size - 1)) * 8, offset);
            words[COMPLETION].set(JAVA_INT, 0, index + 1);
            toComplete.remove(offset);
        }

        void completeAll() {
            for (Long offset : List.copyOf(toComplete)) {
                complete(offset);
            }
        }

        @Override
        public int kick() {
            kicks++;
            if (!consumeOnKick) {
                return -Errno.EAGAIN;
            }
            int index = cons(TX);
            int end = prod(TX);
            int taken = 0;
            for (; index != end && taken < perKick; index++, taken++) {
                long at = (long) (index & (size - 1)) * 16;
                long offset = entries[TX].get(JAVA_LONG, at);
                int length = entries[TX].get(JAVA_INT, at + 8);
                sent.add(umem.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
                sentOffsets.add(offset);
                toComplete.add(offset);
                if (completeOnKick) {
                    complete(offset);
                }
            }
            words[TX].set(JAVA_INT, 4, index);
            return index != end ? -Errno.EAGAIN : 0;
        }

        @Override
        public int wakeRx() {
            return 0;
        }

        @Override
        public int poll(int timeoutMs) {
            polls++;
            return 0;
        }

        @Override
        public int statistics(long[] into) {
            System.arraycopy(statistics, 0, into, 0, into.length);
            return 0;
        }

        @Override
        public void close() {
            closed++;
        }
    }
}
