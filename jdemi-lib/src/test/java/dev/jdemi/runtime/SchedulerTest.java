package dev.jdemi.runtime;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SchedulerTest {
    private final Scheduler scheduler = new Scheduler();
    private final List<String> log = new ArrayList<>();

    private Scheduler.Task recording(String name, int result) {
        return nowNs -> {
            log.add(name);
            return result;
        };
    }

    @Test
    void newTasksStartWokenAndRunInSpawnOrder() {
        scheduler.spawn(recording("a", Scheduler.Task.PENDING));
        scheduler.spawn(recording("b", Scheduler.Task.PENDING));
        scheduler.spawn(recording("c", Scheduler.Task.PENDING));
        assertThat(scheduler.runReady(0)).isEqualTo(3);
        assertThat(log).containsExactly("a", "b", "c");
    }

    @Test
    void aTaskRunsOnlyWhenWoken() {
        int id = scheduler.spawn(recording("a", Scheduler.Task.PENDING));
        scheduler.runReady(0);
        assertThat(scheduler.runReady(0)).isZero();
        scheduler.wake(id);
        assertThat(scheduler.runReady(0)).isEqualTo(1);
        assertThat(log).containsExactly("a", "a");
    }

    @Test
    void readyTasksRunInTheOrderTheyWereWoken() {
        int a = scheduler.spawn(recording("a", Scheduler.Task.PENDING));
        int b = scheduler.spawn(recording("b", Scheduler.Task.PENDING));
        int c = scheduler.spawn(recording("c", Scheduler.Task.PENDING));
        scheduler.runReady(0);
        log.clear();
        scheduler.wake(c);
        scheduler.wake(a);
        scheduler.wake(b);
        scheduler.runReady(0);
        assertThat(log).containsExactly("c", "a", "b");
    }

    @Test
    void wakingTwiceQueuesOnce() {
        int a = scheduler.spawn(recording("a", Scheduler.Task.PENDING));
        scheduler.runReady(0);
        scheduler.wake(a);
        scheduler.wake(a);
        scheduler.wake(a);
        assertThat(scheduler.runReady(0)).isEqualTo(1);
    }

    @Test
    void aFinishedTaskLeavesAndItsIdIsReused() {
        int a = scheduler.spawn(recording("a", Scheduler.Task.DONE));
        scheduler.runReady(0);
        assertThat(scheduler.taskCount()).isZero();
        scheduler.wake(a);
        assertThat(scheduler.runReady(0)).isZero();
        int b = scheduler.spawn(recording("b", Scheduler.Task.PENDING));
        assertThat(b).isEqualTo(a);
    }

    @Test
    void tasksWokenDuringAPassRunInTheNextPass() {
        int[] second = new int[1];
        int first = scheduler.spawn(nowNs -> {
            log.add("first");
            scheduler.wake(second[0]);
            return Scheduler.Task.PENDING;
        });
        second[0] = scheduler.spawn(recording("second", Scheduler.Task.PENDING));
        scheduler.runReady(0);
        scheduler.runReady(0);
        log.clear();
        scheduler.wake(first);
        assertThat(scheduler.runReady(0)).isEqualTo(1);
        assertThat(log).containsExactly("first");
        assertThat(scheduler.runReady(0)).isEqualTo(1);
        assertThat(log).containsExactly("first", "second");
    }

    @Test
    void aRemovedTaskIsNeverPolled() {
        int a = scheduler.spawn(recording("a", Scheduler.Task.PENDING));
        scheduler.remove(a);
        assertThat(scheduler.runReady(0)).isZero();
        assertThat(log).isEmpty();
    }

    @Test
    void manyTasksGrowTheTables() {
        for (int i = 0; i < 1000; i++) {
            scheduler.spawn(recording("t" + i, Scheduler.Task.PENDING));
        }
        assertThat(scheduler.runReady(0)).isEqualTo(1000);
        assertThat(log).hasSize(1000).startsWith("t0", "t1").endsWith("t999");
    }
}
