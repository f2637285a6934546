package dev.jdemi.catmem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The ring on its own, one producer view and one consumer view over the same memory, in one thread.
 */
@DisplayName("ring")
class RingTest {
    private static final int CAPACITY = 1024;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment memory = arena.allocate(RingDescriptor.totalLength(CAPACITY), 128);
    private final Ring producer = new Ring(memory, CAPACITY);
    private final Ring consumer = new Ring(memory, CAPACITY);
    private final MemorySegment in = arena.allocate(CAPACITY, 8);
    private final MemorySegment out = arena.allocate(CAPACITY, 8);

    @AfterEach
    void free() {
        arena.close();
    }

    private boolean offer(int seed, int length) {
        for (int i = 0; i < length; i++) {
            in.set(ValueLayout.JAVA_BYTE, i, (byte) (seed + i));
        }
        return producer.offer(in, 0, length);
    }

    private void assertPolled(int seed, int length) {
        assertThat(consumer.poll(out, 0, CAPACITY)).isEqualTo(length);
        for (int i = 0; i < length; i++) {
            assertThat(out.get(ValueLayout.JAVA_BYTE, i)).as("byte %d", i).isEqualTo((byte) (seed + i));
        }
    }

    @Test
    @DisplayName("an empty ring polls 0 and is not readable")
    void empty() {
        assertThat(consumer.poll(out, 0, CAPACITY)).isZero();
        assertThat(consumer.isReadable()).isFalse();
    }

    @Test
    @DisplayName("records come out one per poll, in order, with their lengths")
    void fifo() {
        assertThat(offer(1, 10)).isTrue();
        assertThat(offer(2, 1)).isTrue();
        assertThat(offer(3, 100)).isTrue();
        assertThat(consumer.isReadable()).isTrue();
        assertPolled(1, 10);
        assertPolled(2, 1);
        assertPolled(3, 100);
        assertThat(consumer.poll(out, 0, CAPACITY)).isZero();
    }

    @Test
    @DisplayName("a full ring refuses a record until the consumer frees room")
    void full() {
        int accepted = 0;
        while (offer(accepted, 56)) {
            accepted++;
        }
        // 64-byte records, and one header's room kept for clearing the next slot: 15 of them in 1024 bytes.
        assertThat(accepted).isEqualTo(15);
        assertPolled(0, 56);
        assertThat(offer(99, 56)).isTrue();
        for (int i = 1; i < accepted; i++) {
            assertPolled(i, 56);
        }
        assertPolled(99, 56);
    }

    @Test
    @DisplayName("records that do not fit before the end wrap behind a padding record, lap after lap")
    void wrapAround() {
        for (int i = 0; i < 1000; i++) {
            int length = 1 + (i * 37) % 300;
            assertThat(offer(i, length)).as("offer %d", i).isTrue();
            if (i % 2 == 1) {
                assertPolled(i - 1, 1 + ((i - 1) * 37) % 300);
                assertPolled(i, length);
            }
        }
        assertThat(consumer.poll(out, 0, CAPACITY)).isZero();
    }

    @Test
    @DisplayName("a poll smaller than the record hands it out in parts; a poll never spans two records")
    void partial() {
        offer(5, 100);
        offer(6, 10);
        assertThat(consumer.poll(out, 0, 30)).isEqualTo(30);
        assertThat(consumer.poll(out, 30, 30)).isEqualTo(30);
        assertThat(consumer.poll(out, 60, 100)).isEqualTo(40);
        for (int i = 0; i < 100; i++) {
            assertThat(out.get(ValueLayout.JAVA_BYTE, i)).isEqualTo((byte) (5 + i));
        }
        assertPolled(6, 10);
    }

    @Test
    @DisplayName("after the producer closed: the records still in the ring, then the end of the stream, again and "
            + "again")
    void endOfStream() {
        offer(7, 20);
        producer.soProducerClosed();
        assertThat(consumer.isReadable()).isTrue();
        assertPolled(7, 20);
        assertThat(consumer.poll(out, 0, CAPACITY)).isEqualTo(Ring.END_OF_STREAM);
        assertThat(consumer.poll(out, 0, CAPACITY)).isEqualTo(Ring.END_OF_STREAM);
    }

    @Test
    @DisplayName("the consumer's close is visible to the producer")
    void consumerClosed() {
        assertThat(producer.lvConsumerClosed()).isFalse();
        consumer.soConsumerClosed();
        assertThat(producer.lvConsumerClosed()).isTrue();
    }

    @Test
    @DisplayName("payloads of 1..maxPayload bytes are accepted, others are a programming error")
    void payloadLimits() {
        assertThat(producer.maxPayload()).isEqualTo(CAPACITY / 2 - RingDescriptor.RECORD_HEADER_LENGTH);
        MemorySegment big = arena.allocate(CAPACITY);
        assertThatThrownBy(() -> producer.offer(big, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> producer.offer(big, 0, producer.maxPayload() + 1))
                .isInstanceOf(IllegalArgumentException.class);
        // The largest record fits whatever the position: move it to just past the middle first.
        offer(1, 300);
        assertPolled(1, 300);
        assertThat(producer.offer(big, 0, producer.maxPayload())).isTrue();
        assertThat(consumer.poll(big, 0, CAPACITY)).isEqualTo(producer.maxPayload());
    }

    @Test
    @DisplayName("a shared producer backs off while another process holds the ring's producer lock")
    void sharedProducerLock() {
        memory.set(ValueLayout.JAVA_INT, RingDescriptor.PRODUCER_LOCK_OFFSET, 1);
        assertThat(producer.offerShared(in, 0, 8)).isFalse();
        memory.set(ValueLayout.JAVA_INT, RingDescriptor.PRODUCER_LOCK_OFFSET, 0);
        assertThat(offerSharedPattern()).isTrue();
        assertThat(memory.get(ValueLayout.JAVA_INT, RingDescriptor.PRODUCER_LOCK_OFFSET)).as("lock released").isZero();
        assertPolled(4, 8);
    }

    private boolean offerSharedPattern() {
        for (int i = 0; i < 8; i++) {
            in.set(ValueLayout.JAVA_BYTE, i, (byte) (4 + i));
        }
        return producer.offerShared(in, 0, 8);
    }

    @Test
    @DisplayName("a capacity that is not a power of two of at least 1 KiB is refused")
    void badCapacity() {
        assertThatThrownBy(() -> new Ring(memory, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Ring(memory, 512)).isInstanceOf(IllegalArgumentException.class);
    }
}
