package dev.jdemi.nativeabi;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.Sga;

import java.util.Arrays;

/**
 * The SGAs that one thread's C code holds, named by opaque handles: what C sees in {@code sga_buf}.
 *
 * <p>A handle packs the owning context (bits 48..63, plus one so a handle is never NULL), a generation (bits
 * 24..47) and a slot (bits 0..23). Freeing a slot bumps its generation, so a stale or double-freed handle, or
 * one of another thread's LibOS, is refused with EINVAL instead of reaching memory that was reused. The table also
 * remembers each SGA's original extent, against which C's narrowed segments are checked.
 *
 * <p>Thread: confined to its context's thread. Allocation-free once it has grown to the program's peak.
 */
final class SgaTable {
    /** The most SGAs one thread may hold at once. */
    static final int MAX_SLOTS = 1 << 24;
    /** The most contexts whose handles can be told apart. */
    static final int MAX_CONTEXTS = (1 << 16) - 1;

    private static final int SLOT_MASK = MAX_SLOTS - 1;
    private static final int GENERATION_MASK = (1 << 24) - 1;
    private static final int GENERATION_SHIFT = 24;
    private static final int CONTEXT_SHIFT = 48;

    private final long contextBits;
    private Sga[] sgas = new Sga[64];
    private long[] baseAddress = new long[64];
    private int[] baseLength = new int[64];
    private int[] generation = new int[64];
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int used;
    private int live;

    /**
     * Creates an empty table.
     *
     * @param context the owning context's number, {@code 0 <= context < MAX_CONTEXTS}
     */
    SgaTable(int context) {
        if (context < 0 || context >= MAX_CONTEXTS) {
            throw new IllegalArgumentException("context " + context);
        }
        this.contextBits = (long) (context + 1) << CONTEXT_SHIFT;
    }

    /**
     * Gives C a handle to an SGA, which C now owns; its current extent becomes the one C may narrow within.
     *
     * @param sga a live SGA of this context's LibOS
     * @return the handle, never 0
     * @throws DemiException ENOMEM when the thread already holds {@link #MAX_SLOTS} SGAs
     */
    long register(Sga sga) {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            if (used == MAX_SLOTS) {
                throw new DemiException(Errno.ENOMEM, "this thread holds " + MAX_SLOTS + " SGAs; free some");
            }
            if (used == sgas.length) {
                grow();
            }
            slot = used++;
        }
        sgas[slot] = sga;
        baseAddress[slot] = sga.address();
        baseLength[slot] = sga.length();
        live++;
        return contextBits | (long) generation[slot] << GENERATION_SHIFT | slot;
    }

    /**
     * Resolves a handle.
     *
     * @param handle what C passed in {@code sga_buf}
     * @return the slot
     * @throws DemiException EINVAL for NULL, a handle of another thread's LibOS, or a freed (stale) handle
     */
    int slot(long handle) {
        if (handle == 0) {
            throw new DemiException(Errno.EINVAL, "sga_buf is NULL");
        }
        if ((handle & -(1L << CONTEXT_SHIFT)) != contextBits) {
            throw new DemiException(Errno.EINVAL, "sga_buf " + Long.toHexString(handle)
                    + " is not an SGA of this thread's LibOS");
        }
        int slot = (int) (handle & SLOT_MASK);
        int gen = (int) (handle >>> GENERATION_SHIFT) & GENERATION_MASK;
        if (slot >= used || sgas[slot] == null || generation[slot] != gen) {
            throw new DemiException(Errno.EINVAL, "sga_buf " + Long.toHexString(handle)
                    + " names an SGA that was freed");
        }
        return slot;
    }

    /** {@return the SGA in a slot that {@link #slot} resolved} */
    Sga sga(int slot) {
        return sgas[slot];
    }

    /**
     * Makes the SGA in a slot show exactly the segment C describes in {@code sga_segs[0]}, which C may have narrowed
     * (start moved forward, length shrunk) inside the SGA's original extent.
     *
     * <p>A segment inside the SGA's current view narrows the SGA in place (zero copy). The Java API cannot widen an
     * SGA again, so a segment that reaches outside the current view (C narrowed one push, then pushes more of the
     * buffer) is not a view of it: this returns null, and the caller sends a copy of those bytes instead.
     *
     * @param slot a resolved slot
     * @param segmentAddress C's {@code sgaseg_buf}
     * @param segmentLength C's {@code sgaseg_len}, unsigned
     * @return the SGA, or null when the caller must copy the segment
     * @throws DemiException EINVAL for an empty segment or one outside the SGA's original extent
     */
    Sga view(int slot, long segmentAddress, long segmentLength) {
        Sga sga = sgas[slot];
        long current = sga.address();
        int currentLength = sga.length();
        if (segmentAddress == current && segmentLength == currentLength && segmentLength > 0) {
            return sga;
        }
        if (segmentLength == 0) {
            throw new DemiException(Errno.EINVAL, "sga_segs[0].sgaseg_len is 0: nothing to push");
        }
        long base = baseAddress[slot];
        if (segmentAddress < base || segmentLength > baseLength[slot]
                || segmentAddress - base > baseLength[slot] - segmentLength) {
            throw new DemiException(Errno.EINVAL, "sga_segs[0] (" + segmentLength + " bytes at offset "
                    + (segmentAddress - base) + ") lies outside the " + baseLength[slot] + " bytes of its SGA");
        }
        if (segmentAddress < current || segmentAddress - current > currentLength - segmentLength) {
            return null;
        }
        sga.narrow((int) (segmentAddress - current), (int) segmentLength);
        return sga;
    }

    /**
     * Forgets a slot: its handle becomes stale.
     *
     * @param slot a resolved slot
     * @return the SGA it held
     */
    Sga release(int slot) {
        Sga sga = sgas[slot];
        sgas[slot] = null;
        generation[slot] = (generation[slot] + 1) & GENERATION_MASK;
        freeSlots[freeCount++] = slot;
        live--;
        return sga;
    }

    /** {@return how many handles are live: a leak check for tests} */
    int live() {
        return live;
    }

    private void grow() {
        int capacity = Math.min(MAX_SLOTS, sgas.length * 2);
        sgas = Arrays.copyOf(sgas, capacity);
        baseAddress = Arrays.copyOf(baseAddress, capacity);
        baseLength = Arrays.copyOf(baseLength, capacity);
        generation = Arrays.copyOf(generation, capacity);
        freeSlots = Arrays.copyOf(freeSlots, capacity);
    }
}
