package dev.jdemi.phy.afxdp;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ring index arithmetic, with the test playing the kernel's side on plain memory: indexes wrap at 2^32, entries
 * sit at {@code index & mask}, and the other side's word is read only when the cache says full or empty.
 */
class XskRingTest {
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment producer = arena.allocate(4, 4);
    private final MemorySegment consumer = arena.allocate(4, 4);
    private final MemorySegment flags = arena.allocate(4, 4);
    private final MemorySegment entries = arena.allocate(8 * 8, 8);

    @Test
    void aProducerRingWrapsPastTwoToTheThirtyTwo() {
        int start = 0xffff_fffa;
        producer.set(JAVA_INT, 0, start);
        consumer.set(JAVA_INT, 0, start);
        XskRing ring = XskRing.producer(producer, consumer, flags, entries, 8, 8);
        long expected = 0;
        for (int round = 0; round < 5; round++) {
            assertThat(ring.free(8)).as("all free after the kernel took everything").isEqualTo(8);
            int index = ring.next();
            for (int i = 0; i < 8; i++) {
                ring.setAddress(index + i, expected + i);
            }
            ring.submit(8);
            assertThat(producer.get(JAVA_INT, 0)).isEqualTo(index + 8);
            assertThat(ring.free(1)).as("full until the kernel consumes").isZero();
            assertThat(ring.outstanding()).isEqualTo(8);
            // The kernel's side: reads the entries at index & mask, then moves its consumer word.
            int cons = consumer.get(JAVA_INT, 0);
            for (int i = 0; i < 8; i++) {
                assertThat(entries.getAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, (cons + i) & 7))
                        .isEqualTo(expected + i);
            }
            consumer.set(JAVA_INT, 0, cons + 8);
            expected += 8;
        }
        assertThat(producer.get(JAVA_INT, 0)).as("wrapped").isEqualTo(start + 40).isPositive();
    }

    @Test
    void aProducerReadsTheConsumerWordOnlyWhenItsCacheIsShort() {
        XskRing ring = XskRing.producer(producer, consumer, flags, entries, 8, 8);
        ring.submit(8);
        consumer.set(JAVA_INT, 0, 3);
        assertThat(ring.free(0)).as("the cache is enough for 0: the word is not read").isZero();
        assertThat(ring.free(1)).as("short: the word is read").isEqualTo(3);
    }

    @Test
    void aConsumerRingWrapsAndPublishesWhatItTook() {
        int start = -3;
        producer.set(JAVA_INT, 0, start);
        consumer.set(JAVA_INT, 0, start);
        XskRing ring = XskRing.consumer(producer, consumer, flags, entries, 4, 16);
        assertThat(ring.ready(10)).isZero();
        assertThat(ring.hasReady()).isFalse();
        for (int i = 0; i < 3; i++) {
            int at = ((start + i) & 3) * 16;
            entries.set(java.lang.foreign.ValueLayout.JAVA_LONG, at, 4096L * i + 256);
            entries.set(JAVA_INT, at + 8, 60 + i);
        }
        producer.set(JAVA_INT, 0, start + 3);
        assertThat(ring.hasReady()).isTrue();
        assertThat(ring.ready(2)).isEqualTo(2);
        int index = ring.peek();
        assertThat(ring.address(index + 1)).isEqualTo(4096 + 256);
        assertThat(ring.length(index + 1)).isEqualTo(61);
        ring.release(2);
        assertThat(consumer.get(JAVA_INT, 0)).isEqualTo(start + 2);
        assertThat(ring.ready(10)).as("from the cache").isEqualTo(1);
        assertThat(ring.length(ring.peek())).isEqualTo(62);
        ring.release(1);
        assertThat(consumer.get(JAVA_INT, 0)).as("past the wrap").isEqualTo(0);
        assertThat(ring.ready(10)).isZero();
    }

    @Test
    void theNeedWakeupFlagIsRead() {
        XskRing ring = XskRing.producer(producer, consumer, flags, entries, 8, 8);
        assertThat(ring.needsWakeup()).isFalse();
        flags.set(JAVA_INT, 0, 1);
        assertThat(ring.needsWakeup()).isTrue();
    }

    @Test
    void theSizeMustBeAPowerOfTwo() {
        assertThatThrownBy(() -> XskRing.producer(producer, consumer, flags, entries, 6, 8))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
