package dev.jdemi.tools.echo;

import java.util.Arrays;

/**
 * The outstanding queue tokens of a program that waits with {@code waitAny}, each with the owner it belongs to.
 *
 * <p>The owner is whatever the program uses to find its state (a qd, a client index); {@link #ORPHAN} marks a token
 * whose owner is gone, whose completion must be consumed and ignored. Removal swaps the last token into the hole, so
 * adding and removing allocate nothing once the arrays are large enough.
 */
final class Tokens {
    /** The owner of a token that nobody waits for any more. */
    static final int ORPHAN = -1;

    private long[] qts;
    private int[] owners;
    private int count;

    Tokens(int capacity) {
        qts = new long[Math.max(capacity, 4)];
        owners = new int[qts.length];
    }

    /** {@return the token array, valid from index 0 to {@link #count()} - 1, to pass to {@code waitAny}} */
    long[] qts() {
        return qts;
    }

    /** {@return the number of outstanding tokens} */
    int count() {
        return count;
    }

    /** {@return the owner of the token at an index} */
    int ownerAt(int index) {
        return owners[index];
    }

    void add(long qt, int owner) {
        if (count == qts.length) {
            qts = Arrays.copyOf(qts, count * 2);
            owners = Arrays.copyOf(owners, count * 2);
        }
        qts[count] = qt;
        owners[count] = owner;
        count++;
    }

    /**
     * Removes the token at an index (the one {@code waitAny} returned) and returns its owner.
     *
     * @param index the index
     * @return the owner
     */
    int removeAt(int index) {
        int owner = owners[index];
        count--;
        qts[index] = qts[count];
        owners[index] = owners[count];
        return owner;
    }

    /** Marks every token of an owner as {@link #ORPHAN}: their completions are still consumed, then ignored. */
    void orphan(int owner) {
        for (int i = 0; i < count; i++) {
            if (owners[i] == owner) {
                owners[i] = ORPHAN;
            }
        }
    }
}
