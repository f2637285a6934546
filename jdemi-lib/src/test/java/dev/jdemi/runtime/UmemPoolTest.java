package dev.jdemi.runtime;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The UMEM side of {@link BufferPool}: buffers that fit a chunk live in the page-aligned region, chunks lent to a
 * device come back as frames or unused, a chunk returns with the last reference to it, and the pool falls back to
 * ordinary memory (counted) when the chunks run out.
 */
class UmemPoolTest {
    private static final int CHUNKS = 8;
    private final BufferPool pool = BufferPool.withUmem(BufferPool.STACK_HEADROOM, 4096, CHUNKS);

    @AfterEach
    void close() {
        assertThat(pool.liveBuffers()).isZero();
        pool.close();
    }

    @Test
    void theRegionIsPageAlignedAndBuffersThatFitAChunkLiveInIt() {
        assertThat(pool.hasUmem()).isTrue();
        assertThat(pool.umemRegion().address() % 4096).isZero();
        assertThat(pool.umemRegion().byteSize()).isEqualTo(CHUNKS * 4096L);
        DemiBuffer small = pool.allocate(60);
        DemiBuffer largest = pool.allocate(4096 - BufferPool.STACK_HEADROOM);
        DemiBuffer large = pool.allocate(4096 - BufferPool.STACK_HEADROOM + 1);
        assertThat(pool.umemOffset(small) % 4096).isEqualTo(BufferPool.STACK_HEADROOM);
        assertThat(small.headroom()).isEqualTo(BufferPool.STACK_HEADROOM);
        assertThat(pool.umemOffset(largest)).isNotNegative();
        assertThat(largest.tailroom()).isZero();
        assertThat(pool.umemOffset(large)).as("too large for a chunk").isEqualTo(-1);
        assertThat(pool.umemFreeChunks()).isEqualTo(CHUNKS - 2);
        small.free();
        largest.free();
        large.free();
        assertThat(pool.umemFreeChunks()).isEqualTo(CHUNKS);
    }

    @Test
    void aChunkReturnsWithTheLastReferenceAndAClonesOffsetIsItsOwnView() {
        DemiBuffer original = pool.allocate(100);
        DemiBuffer clone = original.cloneView();
        clone.adjust(14);
        assertThat(pool.umemOffset(clone)).isEqualTo(pool.umemOffset(original) + 14);
        original.free();
        assertThat(pool.umemFreeChunks()).isEqualTo(CHUNKS - 1);
        clone.free();
        assertThat(pool.umemFreeChunks()).isEqualTo(CHUNKS);
    }

    @Test
    void lentChunksComeBackAsFramesUnusedOrAllAtOnce() {
        long first = pool.takeUmemChunk();
        long second = pool.takeUmemChunk();
        long third = pool.takeUmemChunk();
        assertThat(List.of(first, second, third)).allMatch(offset -> offset % 4096 == 0).doesNotHaveDuplicates();
        assertThat(pool.umemFreeChunks()).isEqualTo(CHUNKS - 3);

        DemiBuffer frame = pool.adoptUmemFrame(first + 256, 1514);
        assertThat(frame.length()).isEqualTo(1514);
        assertThat(frame.headroom()).isEqualTo(256);
        assertThat(pool.umemOffset(frame)).isEqualTo(first + 256);
        assertThat(pool.adoptUmemFrame(first + 256, 60)).as("no longer lent").isNull();
        assertThat(pool.adoptUmemFrame(-1, 60)).isNull();
        assertThat(pool.adoptUmemFrame(CHUNKS * 4096L, 60)).isNull();
        assertThat(pool.adoptUmemFrame(second + 256, 4000)).as("overruns its chunk, which comes back").isNull();
        assertThat(pool.umemFreeChunks()).isEqualTo(CHUNKS - 2);

        assertThat(pool.returnUmemChunk(third + 100)).isTrue();
        assertThat(pool.returnUmemChunk(third)).isFalse();
        pool.takeUmemChunk();
        pool.takeUmemChunk();
        assertThat(pool.reclaimLentChunks()).isEqualTo(2);
        frame.free();
        assertThat(pool.umemFreeChunks()).isEqualTo(CHUNKS);
    }

    @Test
    void whenTheChunksRunOutAllocationsFallBackToOrdinaryMemory() {
        List<DemiBuffer> taken = new ArrayList<>();
        for (int i = 0; i < CHUNKS; i++) {
            taken.add(pool.allocate(60));
        }
        assertThat(pool.takeUmemChunk()).isEqualTo(-1);
        assertThat(pool.allocateUmem(60)).isNull();
        DemiBuffer fallback = pool.allocate(60);
        assertThat(pool.umemOffset(fallback)).isEqualTo(-1);
        assertThat(pool.umemFallbacks()).isEqualTo(1);
        fallback.free();
        taken.removeLast().free();
        DemiBuffer again = pool.allocateUmem(60);
        assertThat(pool.umemOffset(again)).isNotNegative();
        again.free();
        taken.forEach(DemiBuffer::free);
        assertThat(pool.allocateUmem(4096)).as("larger than a chunk").isNull();
    }

    @Test
    void theGeometryIsValidated() {
        assertThatThrownBy(() -> BufferPool.withUmem(0, 3000, 8)).isInstanceOfSatisfying(DemiException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        assertThatThrownBy(() -> BufferPool.withUmem(0, 4096, 0)).isInstanceOf(DemiException.class);
        try (BufferPool ordinary = new BufferPool(0)) {
            assertThat(ordinary.hasUmem()).isFalse();
            assertThat(ordinary.takeUmemChunk()).isEqualTo(-1);
            assertThat(ordinary.allocateUmem(1)).isNull();
            assertThat(ordinary.reclaimLentChunks()).isZero();
            DemiBuffer buffer = ordinary.allocate(1);
            assertThat(ordinary.umemOffset(buffer)).isEqualTo(-1);
            assertThat(pool.umemOffset(buffer)).as("another pool's buffer").isEqualTo(-1);
            buffer.free();
        }
    }
}
