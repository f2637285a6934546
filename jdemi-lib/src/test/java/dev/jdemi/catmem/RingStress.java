package dev.jdemi.catmem;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * The message stream of the ring stress test, which both processes derive from one seed: message {@code k} has a
 * size drawn from the seeded generator and bytes that depend on {@code k}, and its first 8 bytes (when it has that
 * many) are {@code k} itself, so a lost, duplicated or reordered message fails the check at once.
 */
final class RingStress {
    /** Sizes are mostly small; one message in {@code LARGE_EVERY} is up to the largest SGA, 65,535 bytes. */
    static final int LARGE_EVERY = 1000;
    static final int SMALL_MAX = 256;
    static final int LARGE_MAX = 65_535;

    private final SplittableRandom sizes;

    RingStress(long seed) {
        this.sizes = new SplittableRandom(seed);
    }

    /** {@return the size of the next message} */
    int nextSize() {
        int draw = sizes.nextInt(LARGE_EVERY);
        return draw == 0 ? 1 + sizes.nextInt(LARGE_MAX) : 1 + sizes.nextInt(SMALL_MAX);
    }

    private static long base(long k) {
        long z = k * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 31);
    }

    /** Writes message {@code k} of {@code size} bytes into {@code out}. */
    static void fill(byte[] out, long k, int size) {
        byte b = (byte) base(k);
        for (int j = 0; j < size; j++) {
            out[j] = (byte) (b + j);
        }
        if (size >= 8) {
            MemorySegment.ofArray(out).set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, k);
        }
    }

    /**
     * Checks message {@code k}.
     *
     * @return -1 when every byte is right, else the index of the first wrong byte
     */
    static int check(byte[] in, long k, int size) {
        int from = 0;
        if (size >= 8) {
            if (MemorySegment.ofArray(in).get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0) != k) {
                return 0;
            }
            from = 8;
        }
        byte b = (byte) base(k);
        for (int j = from; j < size; j++) {
            if (in[j] != (byte) (b + j)) {
                return j;
            }
        }
        return -1;
    }
}
