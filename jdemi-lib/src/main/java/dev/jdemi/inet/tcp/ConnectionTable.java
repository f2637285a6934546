package dev.jdemi.inet.tcp;

import java.util.Arrays;

/**
 * The connections of a stack by four-tuple: open addressing with linear probing and backward-shift deletion, so a
 * lookup allocates nothing and costs one hash and a short probe. It grows (allocating) only when connections are
 * added. Iteration for timers goes through the dense {@link #get(int)} view. Not thread-safe.
 */
final class ConnectionTable {
    private TcpConnection[] slots = new TcpConnection[64];
    private TcpConnection[] dense = new TcpConnection[32];
    private int size;

    int size() {
        return size;
    }

    /** The i-th connection in no particular order, {@code 0 <= i < size()}. */
    TcpConnection get(int i) {
        return dense[i];
    }

    private static int hash(int localAddr, int localPort, int remoteAddr, int remotePort) {
        long k = ((long) localAddr << 32) ^ (remoteAddr & 0xFFFFFFFFL) ^ ((long) localPort << 48)
                ^ ((long) remotePort << 16);
        k *= 0x9E3779B97F4A7C15L;
        return (int) (k ^ (k >>> 32));
    }

    private static int hash(TcpConnection c) {
        return hash(c.localAddr, c.localPort, c.remoteAddr, c.remotePort);
    }

    TcpConnection find(int localAddr, int localPort, int remoteAddr, int remotePort) {
        int mask = slots.length - 1;
        for (int i = hash(localAddr, localPort, remoteAddr, remotePort) & mask; ; i = (i + 1) & mask) {
            TcpConnection c = slots[i];
            if (c == null) {
                return null;
            }
            if (c.localPort == localPort && c.remotePort == remotePort && c.remoteAddr == remoteAddr
                    && c.localAddr == localAddr) {
                return c;
            }
        }
    }

    void add(TcpConnection c) {
        if ((size + 1) * 2 > slots.length) {
            TcpConnection[] old = slots;
            slots = new TcpConnection[old.length * 2];
            for (TcpConnection x : old) {
                if (x != null) {
                    place(x);
                }
            }
        }
        place(c);
        if (size == dense.length) {
            dense = Arrays.copyOf(dense, size * 2);
        }
        c.denseIndex = size;
        dense[size++] = c;
    }

    private void place(TcpConnection c) {
        int mask = slots.length - 1;
        int i = hash(c) & mask;
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = c;
    }

    void remove(TcpConnection c) {
        int mask = slots.length - 1;
        int i = hash(c) & mask;
        while (slots[i] != c) {
            if (slots[i] == null) {
                return;
            }
            i = (i + 1) & mask;
        }
        // Backward-shift deletion: move later entries of the probe run into the hole when their home allows it.
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            TcpConnection x = slots[j];
            if (x == null) {
                break;
            }
            int home = hash(x) & mask;
            boolean between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!between) {
                slots[hole] = x;
                hole = j;
            }
        }
        slots[hole] = null;
        int at = c.denseIndex;
        TcpConnection last = dense[--size];
        dense[at] = last;
        last.denseIndex = at;
        dense[size] = null;
    }
}
