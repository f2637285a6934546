package dev.jdemi.runtime;

import java.util.Arrays;

/**
 * Timers that wake scheduler tasks: a binary min-heap of (deadline, task id) in parallel arrays.
 *
 * <p>A task arms a timer with {@link #schedule}; when the deadline passes, {@link #expire} wakes the task, which then
 * checks its own deadlines (a task may keep several and re-arm). Cancelling is not needed: a stale timer only causes
 * a spurious wake.
 */
public final class Timers {
    private long[] deadlines = new long[64];
    private int[] taskIds = new int[64];
    private int size;

    /**
     * Arms a timer.
     *
     * @param deadlineNs when to wake the task
     * @param taskId the scheduler id of the task
     */
    public void schedule(long deadlineNs, int taskId) {
        if (size == deadlines.length) {
            deadlines = Arrays.copyOf(deadlines, size * 2);
            taskIds = Arrays.copyOf(taskIds, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (deadlines[parent] <= deadlineNs) {
                break;
            }
            deadlines[i] = deadlines[parent];
            taskIds[i] = taskIds[parent];
            i = parent;
        }
        deadlines[i] = deadlineNs;
        taskIds[i] = taskId;
    }

    /**
     * Wakes the tasks of every timer whose deadline is at or before {@code nowNs}, and drops those timers.
     *
     * @param nowNs the time of this loop iteration
     * @param scheduler where the tasks live
     * @return how many timers fired
     */
    public int expire(long nowNs, Scheduler scheduler) {
        int fired = 0;
        while (size > 0 && deadlines[0] <= nowNs) {
            scheduler.wake(taskIds[0]);
            removeTop();
            fired++;
        }
        return fired;
    }

    /** {@return the earliest deadline, or {@link Long#MAX_VALUE} when no timer is armed} */
    public long nextDeadlineNs() {
        return size == 0 ? Long.MAX_VALUE : deadlines[0];
    }

    /** {@return how many timers are armed} */
    public int size() {
        return size;
    }

    private void removeTop() {
        size--;
        if (size == 0) {
            return;
        }
        long deadline = deadlines[size];
        int taskId = taskIds[size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && deadlines[child + 1] < deadlines[child]) {
                child++;
            }
            if (deadlines[child] >= deadline) {
                break;
            }
            deadlines[i] = deadlines[child];
            taskIds[i] = taskIds[child];
            i = child;
        }
        deadlines[i] = deadline;
        taskIds[i] = taskId;
    }
}
