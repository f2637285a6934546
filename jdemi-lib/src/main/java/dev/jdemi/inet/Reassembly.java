package dev.jdemi.inet;

import dev.jdemi.DemiException;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.wire.DropReason;
import dev.jdemi.wire.Ipv4Header;

import java.lang.foreign.MemorySegment;

/**
 * IPv4 reassembly (RFC 791 §3.2, RFC 815's hole accounting in its simplest form): fragments are held, whole frames,
 * per (source, destination, protocol, identification) until they cover the datagram, then copied into one buffer.
 *
 * <p>Limits, each a drop counted by reason: {@value #MAX_DATAGRAMS} datagrams in reassembly at once,
 * {@value #MAX_FRAGMENTS} fragments per datagram and a cap on the bytes held
 * ({@link InetDrop#IPV4_REASSEMBLY_OVERFLOW}); a timer per datagram that starts with its first fragment
 * ({@link InetDrop#IPV4_REASSEMBLY_TIMEOUT}); overlapping or duplicate fragments are refused
 * ({@link InetDrop#IPV4_FRAGMENT_OVERLAP}; RFC 5722 makes overlaps an attack sign for IPv6, and nothing legitimate
 * sends them), as are fragments that contradict the datagram's end ({@link InetDrop#IPV4_BAD_FRAGMENT}).
 *
 * <p>Thread: the stack's. All tables are fixed arrays; nothing is allocated on the heap per fragment.
 */
final class Reassembly {
    /** Datagrams under reassembly at once. */
    static final int MAX_DATAGRAMS = 16;
    /** Fragments per datagram: 46 carry a 65,535-byte datagram over a 1,500-byte MTU. */
    static final int MAX_FRAGMENTS = 64;
    /** {@link #add} result: the fragment is held. */
    static final int HELD = 0;
    /** {@link #add} result: the datagram is complete and in the output holder. */
    static final int COMPLETE = -1;

    private final BufferPool pool;
    private final InetStats stats;
    private final long timeoutNs;
    private final int memoryCap;
    private final Ipv4Header ip = new Ipv4Header();
    private int heldBytes;

    private final boolean[] used = new boolean[MAX_DATAGRAMS];
    private final int[] src = new int[MAX_DATAGRAMS];
    private final int[] dst = new int[MAX_DATAGRAMS];
    private final int[] protocol = new int[MAX_DATAGRAMS];
    private final int[] id = new int[MAX_DATAGRAMS];
    private final long[] deadlineNs = new long[MAX_DATAGRAMS];
    private final int[] totalLength = new int[MAX_DATAGRAMS];
    private final int[] count = new int[MAX_DATAGRAMS];
    private final DemiBuffer[][] frames = new DemiBuffer[MAX_DATAGRAMS][MAX_FRAGMENTS];
    /** Per fragment: first payload byte in the datagram, payload length, where the IPv4 header is in the frame. */
    private final int[][] start = new int[MAX_DATAGRAMS][MAX_FRAGMENTS];
    private final int[][] length = new int[MAX_DATAGRAMS][MAX_FRAGMENTS];
    private final int[][] ipOffset = new int[MAX_DATAGRAMS][MAX_FRAGMENTS];

    Reassembly(BufferPool pool, InetStats stats, long timeoutNs, int memoryCap) {
        this.pool = pool;
        this.stats = stats;
        this.timeoutNs = timeoutNs;
        this.memoryCap = memoryCap;
    }

    /**
     * Adds a validated fragment addressed to this host.
     *
     * @param frame the frame; held on {@link #HELD}, freed on {@link #COMPLETE}, left to the caller on a drop
     * @param header the fragment's header, wrapped over the frame
     * @param frameIpOffset where the header is in the frame
     * @param out filled on {@link #COMPLETE}
     * @return {@link #HELD}, {@link #COMPLETE} or a drop code
     */
    int add(DemiBuffer frame, Ipv4Header header, int frameIpOffset, long nowNs, Datagram out) {
        int headerLength = header.headerLength();
        int first = header.fragmentOffset() * 8;
        int bytes = header.totalLength() - headerLength;
        boolean more = header.hasMoreFragments();
        // RFC 791: every fragment but the last carries a multiple of 8 octets, and no datagram exceeds 65,535.
        if ((more && (bytes == 0 || (bytes & 7) != 0)) || first + bytes + headerLength > 65_535) {
            return InetDrop.IPV4_BAD_FRAGMENT;
        }
        int slot = find(header.srcAddr(), header.dstAddr(), header.protocol(), header.identification());
        if (slot >= 0) {
            int total = totalLength[slot];
            if (total >= 0 && (first + bytes > total || (!more && first + bytes != total))) {
                return InetDrop.IPV4_BAD_FRAGMENT;
            }
            if (!more) {
                for (int i = 0; i < count[slot]; i++) {
                    if (start[slot][i] + length[slot][i] > first + bytes) {
                        return InetDrop.IPV4_BAD_FRAGMENT;
                    }
                }
            }
            for (int i = 0; i < count[slot]; i++) {
                if (first < start[slot][i] + length[slot][i] && start[slot][i] < first + bytes) {
                    return InetDrop.IPV4_FRAGMENT_OVERLAP;
                }
            }
            if (count[slot] == MAX_FRAGMENTS) {
                return InetDrop.IPV4_REASSEMBLY_OVERFLOW;
            }
        }
        if (heldBytes + frame.length() > memoryCap) {
            return InetDrop.IPV4_REASSEMBLY_OVERFLOW;
        }
        if (slot < 0) {
            slot = freeSlot();
            if (slot < 0) {
                return InetDrop.IPV4_REASSEMBLY_OVERFLOW;
            }
            used[slot] = true;
            src[slot] = header.srcAddr();
            dst[slot] = header.dstAddr();
            protocol[slot] = header.protocol();
            id[slot] = header.identification();
            deadlineNs[slot] = nowNs + timeoutNs;
            totalLength[slot] = -1;
            count[slot] = 0;
        }
        int n = count[slot]++;
        frames[slot][n] = frame;
        start[slot][n] = first;
        length[slot][n] = bytes;
        ipOffset[slot][n] = frameIpOffset;
        heldBytes += frame.length();
        if (!more) {
            totalLength[slot] = first + bytes;
        }
        return isComplete(slot) ? build(slot, out) : HELD;
    }

    /** Drops the datagrams whose timer ran out. */
    void tick(long nowNs) {
        for (int slot = 0; slot < MAX_DATAGRAMS; slot++) {
            if (used[slot] && deadlineNs[slot] <= nowNs) {
                release(slot, InetDrop.IPV4_REASSEMBLY_TIMEOUT);
            }
        }
    }

    /** {@return the earliest reassembly deadline, or {@link Long#MAX_VALUE}} */
    long nextDeadlineNs() {
        long next = Long.MAX_VALUE;
        for (int slot = 0; slot < MAX_DATAGRAMS; slot++) {
            if (used[slot]) {
                next = Math.min(next, deadlineNs[slot]);
            }
        }
        return next;
    }

    /** {@return the bytes of the frames held} */
    int heldBytes() {
        return heldBytes;
    }

    /** {@return how many datagrams are being put together} */
    int inProgress() {
        int n = 0;
        for (boolean u : used) {
            n += u ? 1 : 0;
        }
        return n;
    }

    /** Frees every held fragment. */
    void close() {
        for (int slot = 0; slot < MAX_DATAGRAMS; slot++) {
            if (used[slot]) {
                release(slot, DropReason.NONE);
            }
        }
    }

    private boolean isComplete(int slot) {
        int total = totalLength[slot];
        if (total < 0) {
            return false;
        }
        long covered = 0;
        for (int i = 0; i < count[slot]; i++) {
            covered += length[slot][i];
        }
        // Fragments never overlap and all lie inside [0, total), so covering total bytes means no hole is left.
        return covered == total;
    }

    private int build(int slot, Datagram out) {
        int firstIndex = -1;
        for (int i = 0; i < count[slot]; i++) {
            if (start[slot][i] == 0) {
                firstIndex = i;
            }
        }
        DemiBuffer firstFrame = frames[slot][firstIndex];
        ip.wrap(firstFrame.memory(), firstFrame.dataOffset() + ipOffset[slot][firstIndex],
                firstFrame.length() - ipOffset[slot][firstIndex]);
        int headerLength = ip.headerLength();
        int total = totalLength[slot];
        if (headerLength + total > 65_535) {
            release(slot, InetDrop.IPV4_BAD_FRAGMENT);
            return HELD;
        }
        DemiBuffer datagram;
        try {
            datagram = pool.allocate(headerLength + total);
        } catch (DemiException e) {
            release(slot, InetDrop.NO_BUFFER);
            return HELD;
        }
        MemorySegment to = datagram.memory();
        MemorySegment.copy(firstFrame.memory(), firstFrame.dataOffset() + ipOffset[slot][firstIndex], to,
                datagram.dataOffset(), headerLength);
        for (int i = 0; i < count[slot]; i++) {
            DemiBuffer fragment = frames[slot][i];
            ip.wrap(fragment.memory(), fragment.dataOffset() + ipOffset[slot][i],
                    fragment.length() - ipOffset[slot][i]);
            MemorySegment.copy(fragment.memory(), ip.payloadOffset(), to,
                    datagram.dataOffset() + headerLength + start[slot][i], length[slot][i]);
        }
        ip.wrap(to, datagram.dataOffset(), headerLength + total).totalLength(headerLength + total).flags(0)
                .fragmentOffset(0).computeHeaderChecksum();
        out.set(datagram, protocol[slot], src[slot], dst[slot], 0, headerLength, total,
                Ipv4Addresses.isBroadcast(dst[slot]), false);
        release(slot, DropReason.NONE);
        stats.reassembled();
        return COMPLETE;
    }

    private void release(int slot, int reason) {
        for (int i = 0; i < count[slot]; i++) {
            DemiBuffer frame = frames[slot][i];
            heldBytes -= frame.length();
            if (reason != DropReason.NONE) {
                stats.drop(reason);
            }
            frame.free();
            frames[slot][i] = null;
        }
        count[slot] = 0;
        used[slot] = false;
    }

    private int find(int source, int destination, int proto, int ident) {
        for (int slot = 0; slot < MAX_DATAGRAMS; slot++) {
            if (used[slot] && src[slot] == source && dst[slot] == destination && protocol[slot] == proto
                    && id[slot] == ident) {
                return slot;
            }
        }
        return -1;
    }

    private int freeSlot() {
        for (int slot = 0; slot < MAX_DATAGRAMS; slot++) {
            if (!used[slot]) {
                return slot;
            }
        }
        return -1;
    }
}
