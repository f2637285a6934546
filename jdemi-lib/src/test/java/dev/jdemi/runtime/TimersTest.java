package dev.jdemi.runtime;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TimersTest {
    private final Scheduler scheduler = new Scheduler();
    private final Timers timers = new Timers();
    private final List<Integer> fired = new ArrayList<>();

    private int task(int label) {
        int id = scheduler.spawn(nowNs -> {
            fired.add(label);
            return Scheduler.Task.PENDING;
        });
        scheduler.runReady(0);
        fired.clear();
        return id;
    }

    @Test
    void aTimerWakesItsTaskAtTheDeadlineNotBefore() {
        int id = task(1);
        timers.schedule(100, id);
        assertThat(timers.expire(99, scheduler)).isZero();
        scheduler.runReady(99);
        assertThat(fired).isEmpty();
        assertThat(timers.expire(100, scheduler)).isEqualTo(1);
        scheduler.runReady(100);
        assertThat(fired).containsExactly(1);
        assertThat(timers.size()).isZero();
    }

    @Test
    void nextDeadlineIsTheEarliest() {
        assertThat(timers.nextDeadlineNs()).isEqualTo(Long.MAX_VALUE);
        timers.schedule(300, task(1));
        timers.schedule(100, task(2));
        timers.schedule(200, task(3));
        assertThat(timers.nextDeadlineNs()).isEqualTo(100);
    }

    @Test
    void timersFireInDeadlineOrder() {
        Random random = new Random(7);
        long[] deadlines = new long[500];
        for (int i = 0; i < deadlines.length; i++) {
            deadlines[i] = random.nextInt(10_000);
            timers.schedule(deadlines[i], task(i));
        }
        long previous = -1;
        int count = 0;
        while (timers.size() > 0) {
            long next = timers.nextDeadlineNs();
            assertThat(next).isGreaterThanOrEqualTo(previous);
            count += timers.expire(next, scheduler);
            previous = next;
        }
        assertThat(count).isEqualTo(500);
    }
}
