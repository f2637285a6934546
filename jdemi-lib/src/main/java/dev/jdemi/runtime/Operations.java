package dev.jdemi.runtime;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.SockAddr;

import java.util.Arrays;

/**
 * The table of operations and their queue tokens, and the order in which operations completed.
 *
 * <p>A queue token is {@code generation << 32 | slot}: the slot finds the pooled {@link Operation} in O(1), and the
 * generation (incremented each time the slot is reused, never 0) makes every token of a runtime unique, so a stale
 * or made-up token is rejected with EINVAL rather than answered with someone else's result. An operation stays in its
 * slot after it completes until its result is consumed by a wait, so tokens stay waitable after their queue closed.
 */
public final class Operations {
    private Operation[] slots = new Operation[64];
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int used;
    private long[] completedQts = new long[64];
    private int completedHead;
    private int completedSize;
    private int pending;

    /**
     * Starts an operation.
     *
     * @param kind what the operation does
     * @param qd the queue it runs on
     * @return the operation, pending, with a fresh token
     */
    public Operation start(Opcode kind, int qd) {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            slot = used++;
            if (slot == slots.length) {
                slots = Arrays.copyOf(slots, slot * 2);
            }
            slots[slot] = new Operation(this, slot);
        }
        Operation op = slots[slot];
        op.generation = op.generation == Integer.MAX_VALUE ? 1 : op.generation + 1;
        op.qt = ((long) op.generation << 32) | slot;
        op.state = Operation.PENDING;
        op.kind = kind;
        op.qd = qd;
        op.buffer = null;
        op.address = SockAddr.NONE;
        op.maxBytes = 0;
        op.scratch = 0;
        op.resultOpcode = Opcode.INVALID;
        op.resultErrno = 0;
        op.resultBuffer = null;
        op.resultQd = -1;
        op.resultAddress = SockAddr.NONE;
        pending++;
        return op;
    }

    /**
     * Finds the operation of a token.
     *
     * @param qt the token
     * @return the operation, pending or completed
     * @throws DemiException EINVAL for a token that is unknown or already consumed
     */
    public Operation lookup(long qt) {
        Operation op = find(qt);
        if (op == null) {
            throw new DemiException(Errno.EINVAL, "queue token " + Long.toUnsignedString(qt)
                    + " is unknown or was already consumed");
        }
        return op;
    }

    /**
     * Finds the operation of a token without throwing.
     *
     * @param qt the token
     * @return the operation, or null for an unknown or consumed token
     */
    public Operation find(long qt) {
        int slot = (int) qt;
        int generation = (int) (qt >>> 32);
        if (slot < 0 || slot >= used || generation == 0) {
            return null;
        }
        Operation op = slots[slot];
        if (op.generation != generation || op.state == Operation.FREE) {
            return null;
        }
        return op;
    }

    /**
     * Copies a completed operation's result out and frees its slot.
     *
     * @param op a completed operation
     * @param out the result to fill
     */
    public void consume(Operation op, QResult out) {
        out.set(op.resultOpcode, op.qd, op.qt, op.resultErrno, op.resultBuffer, op.resultQd, op.resultAddress);
        op.resultBuffer = null;
        op.state = Operation.FREE;
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
        }
        freeSlots[freeCount++] = op.slot;
    }

    /** {@return whether an operation has completed} */
    public static boolean isCompleted(Operation op) {
        return op.state == Operation.COMPLETED;
    }

    /**
     * Takes the oldest completed, unconsumed operation.
     *
     * @return the operation, or null when none is waiting
     */
    public Operation pollCompleted() {
        while (completedSize > 0) {
            long qt = completedQts[completedHead];
            completedHead = (completedHead + 1) & (completedQts.length - 1);
            completedSize--;
            Operation op = find(qt);
            if (op != null && op.state == Operation.COMPLETED) {
                return op;
            }
        }
        return null;
    }

    /** {@return how many operations are pending} */
    public int pendingCount() {
        return pending;
    }

    void completed(Operation op) {
        pending--;
        if (completedSize == completedQts.length) {
            compactCompleted();
        }
        if (completedSize == completedQts.length) {
            long[] bigger = new long[completedQts.length * 2];
            for (int i = 0; i < completedSize; i++) {
                bigger[i] = completedQts[(completedHead + i) & (completedQts.length - 1)];
            }
            completedQts = bigger;
            completedHead = 0;
        }
        completedQts[(completedHead + completedSize) & (completedQts.length - 1)] = op.qt;
        completedSize++;
    }

    /** Drops the tokens that a wait already consumed, so the ring holds only unconsumed completions. */
    private void compactCompleted() {
        int kept = 0;
        int mask = completedQts.length - 1;
        for (int i = 0; i < completedSize; i++) {
            long qt = completedQts[(completedHead + i) & mask];
            Operation op = find(qt);
            if (op != null && op.state == Operation.COMPLETED) {
                completedQts[(completedHead + kept) & mask] = qt;
                kept++;
            }
        }
        completedSize = kept;
    }
}
