package dev.jdemi.runtime;

/**
 * An intrusive FIFO of pending operations: no allocation to add or remove, and O(1) removal from the middle (a
 * close cancels operations wherever they are).
 *
 * <p>Each operation has two sets of links, so it can be in one transport list (added with {@link #add}) and one
 * pending list (added with {@link #addPending}) at the same time.
 */
public final class OpList {
    private Operation head;
    private Operation tail;
    private int size;

    /**
     * Appends an operation to this transport list.
     *
     * @param op an operation in no transport list
     */
    public void add(Operation op) {
        if (op.transportList != null) {
            throw new IllegalStateException(op + " is already in a transport list");
        }
        op.transportList = this;
        op.transportPrev = tail;
        op.transportNext = null;
        if (tail == null) {
            head = op;
        } else {
            tail.transportNext = op;
        }
        tail = op;
        size++;
    }

    /**
     * Puts an operation back at the front of this transport list.
     *
     * @param op an operation in no transport list
     */
    public void addFirst(Operation op) {
        if (op.transportList != null) {
            throw new IllegalStateException(op + " is already in a transport list");
        }
        op.transportList = this;
        op.transportPrev = null;
        op.transportNext = head;
        if (head == null) {
            tail = op;
        } else {
            head.transportPrev = op;
        }
        head = op;
        size++;
    }

    /** {@return the first operation, or null} */
    public Operation peek() {
        return head;
    }

    /** {@return the first operation, removed from this list, or null} */
    public Operation poll() {
        Operation op = head;
        if (op != null) {
            remove(op);
        }
        return op;
    }

    /** {@return whether the list is empty} */
    public boolean isEmpty() {
        return head == null;
    }

    /** {@return how many operations the list holds} */
    public int size() {
        return size;
    }

    void remove(Operation op) {
        Operation prev = op.transportPrev;
        Operation next = op.transportNext;
        if (prev == null) {
            head = next;
        } else {
            prev.transportNext = next;
        }
        if (next == null) {
            tail = prev;
        } else {
            next.transportPrev = prev;
        }
        op.transportList = null;
        op.transportPrev = null;
        op.transportNext = null;
        size--;
    }

    /**
     * Appends an operation to this pending list (the list of a queue).
     *
     * @param op an operation in no pending list
     */
    public void addPending(Operation op) {
        op.pendingList = this;
        op.pendingPrev = tail;
        op.pendingNext = null;
        if (tail == null) {
            head = op;
        } else {
            tail.pendingNext = op;
        }
        tail = op;
        size++;
    }

    /** {@return the first operation of this pending list, or null} */
    public Operation peekPending() {
        return head;
    }

    void removePending(Operation op) {
        Operation prev = op.pendingPrev;
        Operation next = op.pendingNext;
        if (prev == null) {
            head = next;
        } else {
            prev.pendingNext = next;
        }
        if (next == null) {
            tail = prev;
        } else {
            next.pendingPrev = prev;
        }
        op.pendingList = null;
        op.pendingPrev = null;
        op.pendingNext = null;
        size--;
    }
}
