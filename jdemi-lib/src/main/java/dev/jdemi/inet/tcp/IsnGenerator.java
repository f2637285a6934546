package dev.jdemi.inet.tcp;

/**
 * Initial sequence numbers per RFC 6528 section 3: {@code ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey)}, where M is a timer ticking every 4 microseconds (from the {@code nowNs} handed in; this class reads no
 * clock) and F is SipHash-2-4 keyed with a secret. Also serves as the keyed hash for SYN cookies and ephemeral ports
 * (RFC 6056 algorithm 3). In deterministic mode every ISN is 0. Allocation-free.
 */
final class IsnGenerator {
    private final long k0;
    private final long k1;
    private final boolean deterministic;

    IsnGenerator(long k0, long k1, boolean deterministic) {
        this.k0 = k0;
        this.k1 = k1;
        this.deterministic = deterministic;
    }

    int isn(int localAddr, int localPort, int remoteAddr, int remotePort, long nowNs) {
        if (deterministic) {
            return 0;
        }
        // RFC 6528 section 3: "M is the 4 microsecond timer".
        int m = (int) (nowNs / 4000);
        return m + (int) hash(localAddr, localPort, remoteAddr, remotePort, 0);
    }

    /** SipHash-2-4 of the connection identifiers and a salt under the secret key (two 8-byte message words). */
    long hash(int localAddr, int localPort, int remoteAddr, int remotePort, long salt) {
        long m0 = ((long) localAddr << 32) | (remoteAddr & 0xFFFFFFFFL);
        long m1 = (((long) (localPort & 0xFFFF) << 48) | ((long) (remotePort & 0xFFFF) << 32)) ^ salt;
        v0 = 0x736f6d6570736575L ^ k0;
        v1 = 0x646f72616e646f6dL ^ k1;
        v2 = 0x6c7967656e657261L ^ k0;
        v3 = 0x7465646279746573L ^ k1;
        compress(m0, 2);
        compress(m1, 2);
        compress(16L << 56, 2);
        v2 ^= 0xff;
        rounds(4);
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private long v0;
    private long v1;
    private long v2;
    private long v3;

    private void compress(long m, int rounds) {
        v3 ^= m;
        rounds(rounds);
        v0 ^= m;
    }

    private void rounds(int n) {
        for (int r = 0; r < n; r++) {
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13) ^ v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16) ^ v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21) ^ v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17) ^ v2;
            v2 = Long.rotateLeft(v2, 32);
        }
    }
}
