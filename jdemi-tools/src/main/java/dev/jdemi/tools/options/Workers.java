package dev.jdemi.tools.options;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Runs a command's work on one or more threads, each of which opens its own LibOS (a LibOS is confined to the thread
 * that opened it).
 */
public final class Workers {
    private Workers() {
    }

    /**
     * Runs {@code n} tasks, the first on the calling thread and the others on new threads, and waits for all.
     *
     * @param name the name prefix of the threads
     * @param n how many tasks, at least 1
     * @param task the task, given its index
     * @param <T> what a task returns
     * @return the tasks' results, by index
     * @throws RuntimeException the first failure of a task, by index, with the others' failures suppressed
     */
    public static <T> List<T> run(String name, int n, IntFunction<T> task) {
        List<T> results = new ArrayList<>(n);
        List<Throwable> failures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            results.add(null);
            failures.add(null);
        }
        List<Thread> threads = new ArrayList<>(n);
        for (int i = 1; i < n; i++) {
            int index = i;
            threads.add(Thread.ofPlatform().name(name + "-" + i).start(() -> {
                try {
                    results.set(index, task.apply(index));
                } catch (Throwable t) {
                    failures.set(index, t);
                }
            }));
        }
        try {
            results.set(0, task.apply(0));
        } catch (Throwable t) {
            failures.set(0, t);
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + thread.getName(), e);
            }
        }
        Throwable first = null;
        for (Throwable failure : failures) {
            if (failure == null) {
                continue;
            }
            if (first == null) {
                first = failure;
            } else {
                first.addSuppressed(failure);
            }
        }
        if (first instanceof RuntimeException e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
        return results;
    }
}
