package dev.jdemi.runtime;

import java.util.Arrays;

/**
 * A single-threaded cooperative scheduler: tasks are polled only when their waker bit is set, and ready tasks run
 * in the order they were woken (FIFO).
 *
 * <p>Waking a task sets its bit and, if the bit was clear, appends the task to the ready queue, so a task is queued
 * at most once however often it is woken. Spurious wakes are harmless: a task polled with nothing to do returns
 * {@link Task#PENDING}. One {@link #runReady} pass runs the tasks that were ready when it began; tasks woken during
 * the pass run in the next pass, which bounds a pass.
 *
 * <p>Allocation: the task table and ready queue grow by doubling; steady state allocates nothing.
 */
public final class Scheduler {
    /**
     * A task the scheduler polls.
     */
    public interface Task {
        /** {@link #poll} result: the task is not finished; it runs again when woken. */
        int PENDING = 0;
        /** {@link #poll} result: the task is finished and leaves the scheduler. */
        int DONE = 1;

        /**
         * Does the task's work.
         *
         * @param nowNs the time of this loop iteration
         * @return {@link #PENDING} or {@link #DONE}
         */
        int poll(long nowNs);
    }

    private Task[] tasks = new Task[64];
    private long[] wakerBits = new long[1];
    private int[] freeIds = new int[64];
    private int freeCount;
    private int nextId;
    private int[] ready = new int[64];
    private int readyHead;
    private int readySize;
    private int taskCount;

    /**
     * Adds a task; it starts woken, so the next pass polls it.
     *
     * @param task the task
     * @return the task's id, for {@link #wake} and {@link #remove}
     */
    public int spawn(Task task) {
        int id;
        if (freeCount > 0) {
            id = freeIds[--freeCount];
        } else {
            id = nextId++;
            if (id == tasks.length) {
                tasks = Arrays.copyOf(tasks, id * 2);
            }
            if ((id >>> 6) == wakerBits.length) {
                wakerBits = Arrays.copyOf(wakerBits, wakerBits.length * 2);
            }
        }
        tasks[id] = task;
        taskCount++;
        wake(id);
        return id;
    }

    /**
     * Wakes a task: it runs in a coming pass. Waking a removed id does nothing.
     *
     * @param id the task's id
     */
    public void wake(int id) {
        if (id < 0 || id >= nextId || tasks[id] == null) {
            return;
        }
        long bit = 1L << id;
        int word = id >>> 6;
        if ((wakerBits[word] & bit) != 0) {
            return;
        }
        wakerBits[word] |= bit;
        if (readySize == ready.length) {
            growReady();
        }
        ready[(readyHead + readySize) & (ready.length - 1)] = id;
        readySize++;
    }

    /**
     * Removes a task; it is never polled again and its id may be reused.
     *
     * @param id the task's id
     */
    public void remove(int id) {
        if (id < 0 || id >= nextId || tasks[id] == null) {
            return;
        }
        tasks[id] = null;
        wakerBits[id >>> 6] &= ~(1L << id);
        taskCount--;
        if (freeCount == freeIds.length) {
            freeIds = Arrays.copyOf(freeIds, freeIds.length * 2);
        }
        freeIds[freeCount++] = id;
    }

    /**
     * Runs every task that is ready now, in the order they were woken.
     *
     * @param nowNs the time of this loop iteration
     * @return how many tasks ran
     */
    public int runReady(long nowNs) {
        int n = readySize;
        int ran = 0;
        for (int i = 0; i < n; i++) {
            int id = ready[readyHead];
            readyHead = (readyHead + 1) & (ready.length - 1);
            readySize--;
            Task task = tasks[id];
            if (task == null) {
                continue;
            }
            long bit = 1L << id;
            if ((wakerBits[id >>> 6] & bit) == 0) {
                continue;
            }
            wakerBits[id >>> 6] &= ~bit;
            ran++;
            if (task.poll(nowNs) == Task.DONE && tasks[id] == task) {
                remove(id);
            }
        }
        return ran;
    }

    /** {@return whether any task is waiting to run} */
    public boolean hasReady() {
        return readySize > 0;
    }

    /** {@return how many tasks the scheduler holds} */
    public int taskCount() {
        return taskCount;
    }

    private void growReady() {
        int[] bigger = new int[ready.length * 2];
        for (int i = 0; i < readySize; i++) {
            bigger[i] = ready[(readyHead + i) & (ready.length - 1)];
        }
        ready = bigger;
        readyHead = 0;
    }
}
