package dev.jdemi.catmem;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * A table of transport descriptors: small integers handed out lowest-free-first from a free list, each naming one
 * object, the way a kernel hands out file descriptors. Thread: the transport's.
 *
 * @param <T> what a descriptor names
 */
final class SlotTable<T> {
    private Object[] slots = new Object[16];
    private int[] free = new int[16];
    private int freeCount;
    private int limit;

    /**
     * Puts an object in a free slot.
     *
     * @param make makes the object from its descriptor; not null, and must not return null
     * @return the descriptor
     */
    int add(IntFunction<? extends T> make) {
        int sd;
        if (freeCount > 0) {
            sd = free[--freeCount];
        } else {
            sd = limit++;
            if (sd == slots.length) {
                slots = Arrays.copyOf(slots, sd * 2);
            }
        }
        slots[sd] = make.apply(sd);
        return sd;
    }

    /**
     * Looks a descriptor up.
     *
     * @param sd any integer
     * @return its object, or null when {@code sd} names none
     */
    @SuppressWarnings("unchecked")
    T get(int sd) {
        return sd >= 0 && sd < limit ? (T) slots[sd] : null;
    }

    /**
     * Frees a descriptor for reuse.
     *
     * @param sd a descriptor in use
     */
    void remove(int sd) {
        slots[sd] = null;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = sd;
    }

    /** {@return one more than the highest descriptor ever handed out: iterate {@code 0..limit()} with get} */
    int limit() {
        return limit;
    }
}
