package dev.jdemi.runtime;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.ValueLayout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BufferPoolTest {
    private final BufferPool pool = new BufferPool(BufferPool.STACK_HEADROOM);

    @AfterEach
    void close() {
        pool.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 64, 448, 449, 2048, 8192, 9217, 16385, 65535})
    void allocatesTheRequestedSizeWithHeadroom(int size) {
        DemiBuffer buffer = pool.allocate(size);
        assertThat(buffer.length()).isEqualTo(size);
        assertThat(buffer.headroom()).isEqualTo(BufferPool.STACK_HEADROOM);
        assertThat(buffer.segment().byteSize()).isEqualTo(size);
        if (size > 0) {
            buffer.segment().set(ValueLayout.JAVA_BYTE, size - 1, (byte) 9);
        }
        buffer.free();
        assertThat(pool.liveBuffers()).isZero();
    }

    @Test
    void aCappedPoolFailsWithEnomemOnceItsChunksAreTakenAndRecoversWhenBuffersComeBack() {
        try (BufferPool capped = new BufferPool(0, 300_000)) {
            java.util.List<DemiBuffer> taken = new java.util.ArrayList<>();
            DemiException full = null;
            while (full == null && taken.size() < 10_000) {
                try {
                    taken.add(capped.allocate(64));
                } catch (DemiException e) {
                    full = e;
                }
            }
            assertThat(full).as("the pool stopped growing").isNotNull();
            assertThat(full.errno()).isEqualTo(Errno.ENOMEM);
            assertThat(full).hasMessageContaining("limit of 300000 bytes");
            assertThat(capped.allocatedBytes()).isLessThanOrEqualTo(300_000);
            assertThatThrownBy(() -> capped.allocate(1500)).as("another size class needs a chunk of its own")
                    .isInstanceOfSatisfying(DemiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOMEM));

            taken.remove(taken.size() - 1).free();
            assertThat(capped.allocate(64).length()).as("a freed slot is reused").isEqualTo(64);
        }
    }

    @Test
    void rejectsSizesOutsideTheSgaLimit() {
        assertThatThrownBy(() -> pool.allocate(65_536)).isInstanceOfSatisfying(DemiException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        assertThatThrownBy(() -> pool.allocate(-1)).isInstanceOf(DemiException.class);
    }

    @Test
    void aFreedSlotIsReused() {
        DemiBuffer first = pool.allocate(100);
        long address = first.address();
        first.free();
        DemiBuffer second = pool.allocate(100);
        assertThat(second.address()).isEqualTo(address);
        second.free();
    }

    @Test
    void doubleFreeIsDetected() {
        DemiBuffer buffer = pool.allocate(10);
        buffer.free();
        assertThatThrownBy(buffer::free).isInstanceOfSatisfying(DemiException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
    }

    @Test
    void aBufferOfAnotherPoolIsRejected() {
        try (BufferPool other = new BufferPool(0)) {
            DemiBuffer foreign = other.allocate(10);
            assertThatThrownBy(() -> pool.free(foreign)).isInstanceOf(DemiException.class)
                    .hasMessageContaining("another LibOS");
        }
    }

    @Test
    void aCloneKeepsTheDataAliveAfterTheOriginalIsFreed() {
        DemiBuffer original = pool.allocate(32);
        original.segment().fill((byte) 5);
        DemiBuffer clone = original.cloneView();
        original.free();
        assertThat(clone.segment().get(ValueLayout.JAVA_BYTE, 31)).isEqualTo((byte) 5);
        DemiBuffer other = pool.allocate(32);
        assertThat(other.address()).as("the slot is still in use by the clone").isNotEqualTo(clone.address());
        long sharedAddress = clone.address();
        clone.free();
        other.free();
        assertThat(pool.liveBuffers()).isZero();
        DemiBuffer a = pool.allocate(32);
        DemiBuffer b = pool.allocate(32);
        assertThat(new long[] {a.address(), b.address()}).as("the shared slot came back with the last reference")
                .contains(sharedAddress);
        a.free();
        b.free();
    }

    @Test
    void aCloneHasItsOwnView() {
        DemiBuffer original = pool.allocate(100);
        DemiBuffer clone = original.cloneView();
        clone.adjust(10);
        clone.setLength(20);
        assertThat(original.length()).isEqualTo(100);
        assertThat(clone.address()).isEqualTo(original.address() + 10);
        clone.free();
        original.free();
        assertThat(pool.liveBuffers()).isZero();
    }

    @Test
    void narrowChecksBounds() {
        DemiBuffer buffer = pool.allocate(100);
        buffer.narrow(10, 50);
        assertThat(buffer.length()).isEqualTo(50);
        assertThatThrownBy(() -> buffer.narrow(10, 41)).isInstanceOfSatisfying(DemiException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        assertThatThrownBy(() -> buffer.narrow(-1, 1)).isInstanceOf(DemiException.class);
        buffer.free();
    }

    @Test
    void prependUsesTheHeadroom() {
        DemiBuffer buffer = pool.allocate(10);
        assertThat(buffer.prepend(14)).isTrue();
        assertThat(buffer.length()).isEqualTo(24);
        assertThat(buffer.prepend(BufferPool.STACK_HEADROOM)).isFalse();
        buffer.free();
    }

    @Test
    void aFreedBufferRefusesAccess() {
        DemiBuffer buffer = pool.allocate(10);
        buffer.free();
        assertThatThrownBy(buffer::segment).isInstanceOf(DemiException.class);
    }

    @Test
    void manyAllocationsGrowThePoolAndAllComeBack() {
        DemiBuffer[] buffers = new DemiBuffer[5000];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = pool.allocate(i % 3000 + 1);
        }
        assertThat(pool.liveBuffers()).isEqualTo(5000);
        long reserved = pool.allocatedBytes();
        for (DemiBuffer buffer : buffers) {
            buffer.free();
        }
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = pool.allocate(i % 3000 + 1);
        }
        assertThat(pool.allocatedBytes()).as("no new memory for the same workload").isEqualTo(reserved);
        for (DemiBuffer buffer : buffers) {
            buffer.free();
        }
        assertThat(pool.liveBuffers()).isZero();
    }
}
