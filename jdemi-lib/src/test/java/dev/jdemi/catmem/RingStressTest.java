package dev.jdemi.catmem;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.UUID;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The ring between two processes under load: this JVM produces {@link #MESSAGES} messages of random sizes (1-256
 * bytes, and one in a thousand up to 65,535) as fast as the ring takes them, a child JVM consumes them and checks
 * every byte, the order, and that nothing follows the last one but the end of the stream.
 *
 * <p>The count is the system property {@code jdemi.catmem.stress.messages}: 10<sup>7</sup> by default (the issue's
 * figure); CI machines that cannot afford it may pass a smaller one.
 */
@DisplayName("ring stress between two processes")
class RingStressTest {
    /** How many messages; see the class comment. */
    static final long MESSAGES = Long.getLong("jdemi.catmem.stress.messages", 10_000_000L);

    @Test
    @DisplayName("every message arrives once, in order, byte for byte, then the end of the stream")
    void twoProcesses() {
        String name = "stress-" + UUID.randomUUID();
        long seed = System.nanoTime();
        PipeEnd.Result created = PipeEnd.create(name, PipeDescriptor.DEFAULT_RING_CAPACITY, PipeDescriptor.ROLE_PIPE);
        assertThat(created.errno()).isZero();
        PipeEnd end = created.end();
        ChildJvm child = ChildJvm.start(RingStressConsumer.class, name, Long.toString(MESSAGES),
                Long.toString(seed));
        long startNs = System.nanoTime();
        long bytes = 0;
        try {
            Ring tx = end.tx();
            RingStress stream = new RingStress(seed);
            byte[] buffer = new byte[RingStress.LARGE_MAX];
            MemorySegment segment = MemorySegment.ofArray(buffer);
            long full = 0;
            for (long k = 0; k < MESSAGES; k++) {
                int size = stream.nextSize();
                RingStress.fill(buffer, k, size);
                while (!tx.offer(segment, 0, size)) {
                    if ((++full & 0xfff) == 0) {
                        if (!child.isAlive()) {
                            ChildJvm.Outcome outcome = child.await(1);
                            throw new AssertionError("the consumer quit at message " + k + " (seed " + seed
                                    + "): " + outcome.output().strip());
                        }
                        Thread.yield();
                    } else {
                        Thread.onSpinWait();
                    }
                }
                bytes += size;
            }
            end.close();
            ChildJvm.Outcome outcome = child.await(600);
            long elapsedNs = System.nanoTime() - startNs;
            System.out.printf("ring stress: %d messages, %d bytes in %.1f s (seed %d)%n", MESSAGES, bytes,
                    elapsedNs / 1e9, seed);
            assertThat(outcome.output().strip()).as("seed %d", seed).isEqualTo("ok " + MESSAGES + " " + bytes);
            assertThat(outcome.exitCode()).isZero();
        } finally {
            end.close();
            child.kill();
        }
    }
}
