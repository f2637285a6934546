package dev.jdemi.inet.tcp;

/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4): every comparison of sequence numbers, acknowledgment
 * numbers and timestamps in this package goes through here. {@code lt(a, b)} is {@code (a - b) < 0}, which is right
 * while the two values are less than 2^31 apart. Pure and allocation-free.
 */
public final class Seq {
    private Seq() {
    }

    /**
     * Whether {@code a} comes before {@code b}.
     *
     * @param a a sequence number
     * @param b a sequence number
     * @return {@code a < b} modulo 2^32
     */
    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    /**
     * Whether {@code a} comes before or equals {@code b}.
     *
     * @param a a sequence number
     * @param b a sequence number
     * @return {@code a <= b} modulo 2^32
     */
    public static boolean leq(int a, int b) {
        return a - b <= 0;
    }

    /**
     * Whether {@code a} comes after {@code b}.
     *
     * @param a a sequence number
     * @param b a sequence number
     * @return {@code a > b} modulo 2^32
     */
    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    /**
     * Whether {@code a} comes after or equals {@code b}.
     *
     * @param a a sequence number
     * @param b a sequence number
     * @return {@code a >= b} modulo 2^32
     */
    public static boolean geq(int a, int b) {
        return a - b >= 0;
    }

    /**
     * The later of two sequence numbers.
     *
     * @param a a sequence number
     * @param b a sequence number
     * @return {@code a} when {@code a >= b}, else {@code b}
     */
    public static int max(int a, int b) {
        return geq(a, b) ? a : b;
    }

    /**
     * The earlier of two sequence numbers.
     *
     * @param a a sequence number
     * @param b a sequence number
     * @return {@code a} when {@code a <= b}, else {@code b}
     */
    public static int min(int a, int b) {
        return leq(a, b) ? a : b;
    }

    /**
     * Whether {@code x} lies in the half-open range {@code [lo, hi)}.
     *
     * @param x the sequence number to test
     * @param lo the first number of the range
     * @param hi the first number after the range
     * @return {@code lo <= x < hi} modulo 2^32
     */
    public static boolean inRange(int x, int lo, int hi) {
        return Integer.compareUnsigned(x - lo, hi - lo) < 0;
    }
}
