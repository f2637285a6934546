package dev.jdemi.systest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * The deterministic byte stream of the bulk transfers: a seeded {@link SplittableRandom} drawn in fixed chunks, so
 * that both ends can produce (or check) gigabytes without holding them, and a SHA-256 of what passes.
 */
final class BulkStream {
    /** The chunk the generator is drawn in; every chunk but the last is full. */
    static final int CHUNK = 65_535;
    private final SplittableRandom random;
    private final MessageDigest digest;
    private final byte[] chunk = new byte[CHUNK];
    private final long total;
    private long produced;

    /**
     * Creates a generator of a stream.
     *
     * @param seed the stream's seed
     * @param total its length in bytes
     */
    BulkStream(long seed, long total) {
        this.random = new SplittableRandom(seed);
        this.total = total;
        this.digest = sha256();
    }

    /** {@return a new SHA-256 digest} */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@return the digest as lowercase hex} */
    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** {@return the bytes not produced yet} */
    long remaining() {
        return total - produced;
    }

    /**
     * Produces the next chunk (hashed as it goes).
     *
     * @return its length, at most {@link #CHUNK}; 0 at the end
     */
    int next() {
        int length = (int) Math.min(CHUNK, total - produced);
        if (length == 0) {
            return 0;
        }
        random.nextBytes(chunk);
        digest.update(chunk, 0, length);
        produced += length;
        return length;
    }

    /** {@return the buffer {@link #next} filled} */
    byte[] chunk() {
        return chunk;
    }

    /** {@return the SHA-256 of everything produced, as hex; call once, at the end} */
    String sha256Hex() {
        return hex(digest);
    }
}
