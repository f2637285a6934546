package dev.jdemi.runtime;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.QResult;
import dev.jdemi.WaitPolicy;

/**
 * The engine under every LibOS: the clock, the scheduler and timers, the operation table, the buffer pool, and the
 * loops behind {@code wait}, {@code waitAny} and {@code waitNextN}.
 *
 * <p>One loop iteration reads the clock once, polls the backend's I/O ({@link Poller}), fires due timers and runs the
 * ready tasks. When an iteration does nothing, the {@link WaitPolicy} decides: spin, or (after a short spin) sleep in
 * the backend until I/O or the next deadline. A virtual clock instead jumps to the next timer or the wait's deadline,
 * so tests of timeouts take no real time.
 *
 * <p>Thread: confined to the LibOS's thread.
 */
public final class Runtime implements AutoCloseable {
    /** How long the block policy spins before it sleeps. */
    static final long SPIN_BEFORE_BLOCK_NS = 50_000;

    /**
     * The backend's I/O: polled once per loop iteration.
     */
    public interface Poller {
        /**
         * Collects I/O readiness without blocking and wakes the tasks it concerns.
         *
         * @param nowNs the time of this iteration
         * @return how much work was found (0 when nothing happened)
         */
        int poll(long nowNs);

        /**
         * Sleeps until I/O is ready or the timeout passes.
         *
         * @param timeoutNs the longest sleep, {@code > 0}
         */
        void block(long timeoutNs);

        /**
         * Tells when the backend next has something to do by itself (a delayed frame of a simulated link, the timers
         * of other hosts sharing a virtual clock), so a virtual-clock wait can jump there.
         *
         * @return the instant, or {@link Long#MAX_VALUE} for none
         */
        default long nextEventNs() {
            return Long.MAX_VALUE;
        }
    }

    private final Clock clock;
    private final Scheduler scheduler = new Scheduler();
    private final Timers timers = new Timers();
    private final Operations operations = new Operations();
    private final BufferPool pool;
    private final WaitPolicy waitPolicy;
    private Poller poller = new Poller() {
        @Override
        public int poll(long nowNs) {
            return 0;
        }

        @Override
        public void block(long timeoutNs) {
        }
    };

    /**
     * Creates a runtime.
     *
     * @param clock the time source
     * @param pool the buffers
     * @param waitPolicy what to do when idle
     */
    public Runtime(Clock clock, BufferPool pool, WaitPolicy waitPolicy) {
        this.clock = clock;
        this.pool = pool;
        this.waitPolicy = waitPolicy;
    }

    /**
     * Sets the backend's I/O poller.
     *
     * @param poller the poller
     */
    public void setPoller(Poller poller) {
        this.poller = poller;
    }

    /** {@return the clock} */
    public Clock clock() {
        return clock;
    }

    /** {@return the scheduler} */
    public Scheduler scheduler() {
        return scheduler;
    }

    /** {@return the timers} */
    public Timers timers() {
        return timers;
    }

    /** {@return the operation table} */
    public Operations operations() {
        return operations;
    }

    /** {@return the buffer pool} */
    public BufferPool pool() {
        return pool;
    }

    /** {@return the wait policy} */
    public WaitPolicy waitPolicy() {
        return waitPolicy;
    }

    /**
     * Runs one non-blocking iteration: read the clock, poll I/O, fire timers, run ready tasks.
     *
     * @return how much work was done
     */
    public int pollOnce() {
        long nowNs = clock.refresh();
        int work = poller.poll(nowNs);
        work += timers.expire(nowNs, scheduler);
        work += scheduler.runReady(nowNs);
        return work;
    }

    /**
     * Waits for one operation.
     *
     * @param qt the token
     * @param out the result to fill
     * @param timeoutNs negative for no limit
     * @return true when it completed (the token is consumed), false on timeout
     */
    public boolean wait(long qt, QResult out, long timeoutNs) {
        Operation op = operations.lookup(qt);
        if (Operations.isCompleted(op)) {
            operations.consume(op, out);
            return true;
        }
        long deadlineNs = deadline(timeoutNs);
        long idleSinceNs = -1;
        while (true) {
            int work = pollOnce();
            if (Operations.isCompleted(op)) {
                operations.consume(op, out);
                return true;
            }
            long nowNs = clock.nowNs();
            if (nowNs >= deadlineNs) {
                return false;
            }
            idleSinceNs = idle(work, nowNs, deadlineNs, idleSinceNs);
        }
    }

    /**
     * Waits for the first of several operations.
     *
     * @param qts the tokens
     * @param count how many of them
     * @param out the result to fill
     * @param timeoutNs negative for no limit
     * @return the index of the completed token, or -1 on timeout
     */
    public int waitAny(long[] qts, int count, QResult out, long timeoutNs) {
        if (qts == null) {
            throw new DemiException(Errno.EINVAL, "the token array is null");
        }
        if (count < 0 || count > qts.length) {
            throw new DemiException(Errno.EINVAL, "count " + count + " is outside 0.." + qts.length);
        }
        int ready = scanCompleted(qts, count, true);
        if (ready >= 0) {
            operations.consume(operations.find(qts[ready]), out);
            return ready;
        }
        long deadlineNs = deadline(timeoutNs);
        long idleSinceNs = -1;
        while (true) {
            int work = pollOnce();
            if (work > 0) {
                ready = scanCompleted(qts, count, false);
                if (ready >= 0) {
                    operations.consume(operations.find(qts[ready]), out);
                    return ready;
                }
            }
            long nowNs = clock.nowNs();
            if (nowNs >= deadlineNs) {
                return -1;
            }
            idleSinceNs = idle(work, nowNs, deadlineNs, idleSinceNs);
        }
    }

    /**
     * Collects the results of whichever operations complete first.
     *
     * @param out where to put the results
     * @param n how many to collect
     * @param timeoutNs negative for no limit
     * @return how many results were written
     */
    public int waitNextN(QResult[] out, int n, long timeoutNs) {
        if (out == null || n < 1 || out.length < n) {
            throw new DemiException(Errno.EINVAL, "waitNextN needs n >= 1 and an output array of at least n "
                    + "results; n = " + n + ", array length = " + (out == null ? "null" : out.length));
        }
        int collected = drainCompleted(out, 0, n);
        if (collected == n) {
            return n;
        }
        long deadlineNs = deadline(timeoutNs);
        long idleSinceNs = -1;
        while (true) {
            int work = pollOnce();
            collected = drainCompleted(out, collected, n);
            if (collected == n) {
                return n;
            }
            long nowNs = clock.nowNs();
            if (nowNs >= deadlineNs) {
                return collected;
            }
            idleSinceNs = idle(work, nowNs, deadlineNs, idleSinceNs);
        }
    }

    private int drainCompleted(QResult[] out, int from, int n) {
        int collected = from;
        while (collected < n) {
            Operation op = operations.pollCompleted();
            if (op == null) {
                break;
            }
            if (out[collected] == null) {
                throw new DemiException(Errno.EINVAL, "result " + collected + " of the output array is null");
            }
            operations.consume(op, out[collected++]);
        }
        return collected;
    }

    private int scanCompleted(long[] qts, int count, boolean validate) {
        for (int i = 0; i < count; i++) {
            Operation op = validate ? operations.lookup(qts[i]) : operations.find(qts[i]);
            if (op != null && Operations.isCompleted(op)) {
                return i;
            }
        }
        return -1;
    }

    private long deadline(long timeoutNs) {
        if (timeoutNs < 0) {
            return Long.MAX_VALUE;
        }
        long start = clock.refresh();
        long deadline = start + timeoutNs;
        return deadline < start ? Long.MAX_VALUE : deadline;
    }

    /**
     * Decides what an iteration without progress does.
     *
     * @return the time idling began, or -1 after progress
     */
    private long idle(int work, long nowNs, long deadlineNs, long idleSinceNs) {
        if (work > 0 || scheduler.hasReady()) {
            return -1;
        }
        // On the real clock, spinning needs no wake-up time: the deadlines are asked for only before a sleep (or a
        // jump of the virtual clock), so that a spinning loop's idle iterations stay short.
        boolean virtualClock = clock instanceof VirtualClock;
        if (!virtualClock) {
            if (waitPolicy == WaitPolicy.SPIN) {
                Thread.onSpinWait();
                return idleSinceNs;
            }
            if (idleSinceNs < 0) {
                return nowNs;
            }
            if (nowNs - idleSinceNs < SPIN_BEFORE_BLOCK_NS) {
                Thread.onSpinWait();
                return idleSinceNs;
            }
        }
        long wakeNs = Math.min(deadlineNs, Math.min(timers.nextDeadlineNs(), poller.nextEventNs()));
        if (virtualClock) {
            if (wakeNs == Long.MAX_VALUE) {
                throw new DemiException(Errno.EDEADLK, "nothing can complete: the clock is virtual and no "
                        + "timer or deadline is set");
            }
            ((VirtualClock) clock).advanceTo(wakeNs);
            return -1;
        }
        poller.block(Math.max(1, wakeNs - nowNs));
        return idleSinceNs;
    }

    /** Releases the buffer pool. */
    @Override
    public void close() {
        pool.close();
    }
}
