package dev.jdemi.runtime;

import dev.jdemi.Opcode;
import dev.jdemi.SockAddr;

/**
 * One asynchronous operation (accept, connect, push, pop, close) and, once it completes, its result.
 *
 * <p>Operations are pooled by {@link Operations}: the object is reused after its result has been consumed, and its
 * queue token carries a generation so a stale token is recognised. While pending, an operation sits in at most two
 * intrusive lists: the pending list of its queue (kept by the LibOS, so a close can fail every pending operation)
 * and one list of the transport (a send queue, a receive queue). Completing the operation removes it from both.
 *
 * <p>Ownership: {@link #buffer} is the operation's own reference (a push's clone); completing or failing the
 * operation frees it. {@link #resultBuffer} (a pop's data) passes to the application with the result.
 */
public final class Operation {
    /** Not in use. */
    static final int FREE = 0;
    /** Started and not yet complete. */
    static final int PENDING = 1;
    /** Complete; the result waits to be consumed. */
    static final int COMPLETED = 2;

    final Operations owner;
    final int slot;
    int generation;
    int state = FREE;
    long qt;

    /** What was asked for. */
    public Opcode kind;
    /** The queue the operation runs on. */
    public int qd;
    /** The operation's own buffer (a push's data); freed when it completes. */
    public DemiBuffer buffer;
    /** The destination (pushTo) or remote (connect) address, packed. */
    public long address = SockAddr.NONE;
    /** The most bytes a pop may return. */
    public int maxBytes;
    /** A transport's scratch value (for example bytes already sent). */
    public long scratch;

    Opcode resultOpcode = Opcode.INVALID;
    int resultErrno;
    DemiBuffer resultBuffer;
    int resultQd = -1;
    long resultAddress = SockAddr.NONE;

    OpList transportList;
    Operation transportPrev;
    Operation transportNext;
    OpList pendingList;
    Operation pendingPrev;
    Operation pendingNext;

    Operation(Operations owner, int slot) {
        this.owner = owner;
        this.slot = slot;
    }

    /** {@return the operation's queue token} */
    public long qt() {
        return qt;
    }

    /** {@return whether the operation is still running} */
    public boolean isPending() {
        return state == PENDING;
    }

    /** Completes a push or connect or close successfully. */
    public void complete() {
        finish(kind, 0, null, -1, SockAddr.NONE);
    }

    /**
     * Completes a pop.
     *
     * @param data the received data (zero length at end of stream), now owned by the application
     * @param from the sender (UDP) or {@link SockAddr#NONE}
     */
    public void completePop(DemiBuffer data, long from) {
        finish(Opcode.POP, 0, data, -1, from);
    }

    /**
     * Completes an accept.
     *
     * @param newQd the accepted queue
     * @param peer the peer's packed address
     */
    public void completeAccept(int newQd, long peer) {
        finish(Opcode.ACCEPT, 0, null, newQd, peer);
    }

    /**
     * Fails the operation.
     *
     * @param errno the positive errno
     */
    public void fail(int errno) {
        finish(Opcode.FAILED, errno, null, -1, SockAddr.NONE);
    }

    private void finish(Opcode opcode, int errno, DemiBuffer data, int newQd, long addr) {
        if (state != PENDING) {
            throw new IllegalStateException("operation " + qt + " completed twice");
        }
        if (transportList != null) {
            transportList.remove(this);
        }
        if (pendingList != null) {
            pendingList.removePending(this);
        }
        if (buffer != null) {
            buffer.free();
            buffer = null;
        }
        resultOpcode = opcode;
        resultErrno = errno;
        resultBuffer = data;
        resultQd = newQd;
        resultAddress = addr;
        state = COMPLETED;
        owner.completed(this);
    }

    @Override
    public String toString() {
        return "Operation[" + kind + " qd=" + qd + " qt=" + qt + " state=" + state + "]";
    }
}
