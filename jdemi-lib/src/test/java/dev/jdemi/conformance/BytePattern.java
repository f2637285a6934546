package dev.jdemi.conformance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test data whose every byte depends on its position and a seed, so a lost, duplicated, reordered or stale byte
 * shows up at the index where it happened.
 */
public final class BytePattern {
    private BytePattern() {
    }

    /**
     * Returns the byte the pattern has at an index.
     *
     * @param seed distinguishes one message from another
     * @param index the position in the message
     * @return the byte
     */
    public static byte at(int seed, int index) {
        // The (index >>> 8) term stops the pattern repeating every 256 bytes, so a shift by 256 is caught too.
        return (byte) (index * 7 + (index >>> 8) + seed * 131);
    }

    /**
     * Returns a message of the pattern.
     *
     * @param seed the seed
     * @param size the length
     * @return the bytes
     */
    public static byte[] bytes(int seed, int size) {
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = at(seed, i);
        }
        return out;
    }

    /**
     * Asserts that data is exactly the pattern of a seed and size, naming the first wrong byte.
     *
     * @param data the received bytes
     * @param seed the seed they were sent with
     * @param size the length they were sent with
     */
    public static void assertMatches(byte[] data, int seed, int size) {
        assertThat(data.length).as("number of bytes received").isEqualTo(size);
        for (int i = 0; i < size; i++) {
            if (data[i] != at(seed, i)) {
                assertThat(data[i]).as("byte %d of %d (seed %d)", i, size, seed).isEqualTo(at(seed, i));
            }
        }
    }
}
