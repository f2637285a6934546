package dev.jdemi.runtime;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.WaitPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The wait engine over a virtual clock: operations completed by timer-driven tasks, so every timing is exact and no
 * test sleeps.
 */
class RuntimeTest {
    private final VirtualClock clock = new VirtualClock();
    private final Runtime runtime = new Runtime(clock, new BufferPool(0), WaitPolicy.SPIN);
    private final Operations ops = runtime.operations();
    private final QResult out = new QResult();

    @AfterEach
    void close() {
        runtime.close();
    }

    /** Starts an operation that a task completes at {@code atNs} of virtual time. */
    private long completeAt(long atNs, Opcode kind) {
        Operation op = ops.start(kind, 500);
        int[] id = new int[1];
        id[0] = runtime.scheduler().spawn(nowNs -> {
            if (nowNs >= atNs) {
                op.complete();
                return Scheduler.Task.DONE;
            }
            runtime.timers().schedule(atNs, id[0]);
            return Scheduler.Task.PENDING;
        });
        return op.qt();
    }

    private static void assertErrno(int errno, Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(DemiException.class,
                e -> assertThat(e.errno()).isEqualTo(errno));
    }

    @Test
    void waitReturnsWhenTheOperationCompletesAndTimeHasMovedExactlyThatFar() {
        long qt = completeAt(5_000_000, Opcode.PUSH);
        assertThat(runtime.wait(qt, out, -1)).isTrue();
        assertThat(out.opcode()).isEqualTo(Opcode.PUSH);
        assertThat(out.qt()).isEqualTo(qt);
        assertThat(out.qd()).isEqualTo(500);
        assertThat(clock.nowNs()).isEqualTo(5_000_000);
    }

    @Test
    void waitTimesOutAtTheDeadlineAndTheOperationStaysWaitable() {
        long qt = completeAt(10_000_000, Opcode.PUSH);
        assertThat(runtime.wait(qt, out, 3_000_000)).isFalse();
        assertThat(clock.nowNs()).isEqualTo(3_000_000);
        assertThat(runtime.wait(qt, out, -1)).isTrue();
        assertThat(clock.nowNs()).isEqualTo(10_000_000);
    }

    @Test
    void aZeroTimeoutPollsOnce() {
        long qt = completeAt(1, Opcode.PUSH);
        assertThat(runtime.wait(qt, out, 0)).isFalse();
        assertThat(clock.nowNs()).isZero();
    }

    @Test
    void aCompletedOperationReturnsAtOnceEvenWithZeroTimeout() {
        Operation op = ops.start(Opcode.POP, 501);
        op.fail(Errno.ECONNRESET);
        assertThat(runtime.wait(op.qt(), out, 0)).isTrue();
        assertThat(out.opcode()).isEqualTo(Opcode.FAILED);
        assertThat(out.ret()).isEqualTo(Errno.ECONNRESET);
    }

    @Test
    void aConsumedTokenIsInvalid() {
        Operation op = ops.start(Opcode.PUSH, 500);
        long qt = op.qt();
        op.complete();
        runtime.wait(qt, out, 0);
        assertErrno(Errno.EINVAL, () -> runtime.wait(qt, out, 0));
    }

    @Test
    void madeUpTokensAreInvalid() {
        assertErrno(Errno.EINVAL, () -> runtime.wait(0, out, 0));
        assertErrno(Errno.EINVAL, () -> runtime.wait(-1, out, 0));
        assertErrno(Errno.EINVAL, () -> runtime.wait(12345, out, 0));
    }

    @Test
    void tokensAreUniqueAndNonZeroEvenWhenSlotsAreReused() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            Operation op = ops.start(Opcode.PUSH, 500);
            assertThat(op.qt()).isNotZero();
            assertThat(seen.add(op.qt())).isTrue();
            op.complete();
            runtime.wait(op.qt(), out, 0);
        }
    }

    @Test
    void aStaleTokenOfAReusedSlotIsInvalid() {
        Operation first = ops.start(Opcode.PUSH, 500);
        long stale = first.qt();
        first.complete();
        runtime.wait(stale, out, 0);
        Operation second = ops.start(Opcode.POP, 500);
        assertThat(second.qt() & 0xFFFF_FFFFL).isEqualTo(stale & 0xFFFF_FFFFL);
        assertErrno(Errno.EINVAL, () -> runtime.wait(stale, out, 0));
    }

    @Test
    void waitAnyReturnsTheFirstToComplete() {
        long slow = completeAt(9_000, Opcode.PUSH);
        long fast = completeAt(2_000, Opcode.POP);
        long[] qts = {slow, fast};
        assertThat(runtime.waitAny(qts, 2, out, -1)).isEqualTo(1);
        assertThat(out.opcode()).isEqualTo(Opcode.POP);
        assertThat(clock.nowNs()).isEqualTo(2_000);
        assertThat(runtime.waitAny(qts, 1, out, -1)).isZero();
    }

    @Test
    void waitAnyPrefersAnAlreadyCompletedToken() {
        long pending = completeAt(1_000, Opcode.PUSH);
        Operation done = ops.start(Opcode.POP, 500);
        done.complete();
        assertThat(runtime.waitAny(new long[] {pending, done.qt()}, 2, out, -1)).isEqualTo(1);
        assertThat(clock.nowNs()).isZero();
    }

    @Test
    void waitAnyChecksItsArguments() {
        long qt = completeAt(1_000, Opcode.PUSH);
        assertErrno(Errno.EINVAL, () -> runtime.waitAny(new long[] {qt}, -1, out, 0));
        assertErrno(Errno.EINVAL, () -> runtime.waitAny(new long[] {qt}, 2, out, 0));
        assertErrno(Errno.EINVAL, () -> runtime.waitAny(null, 0, out, 0));
        assertErrno(Errno.EINVAL, () -> runtime.waitAny(new long[] {qt, 42}, 2, out, 0));
    }

    @Test
    void waitAnyOverNoTokensWaitsForTheTimeout() {
        assertThat(runtime.waitAny(new long[0], 0, out, 7_000)).isEqualTo(-1);
        assertThat(clock.nowNs()).isEqualTo(7_000);
    }

    @Test
    void waitNextNCollectsInCompletionOrder() {
        long c = completeAt(3_000, Opcode.CONNECT);
        long a = completeAt(1_000, Opcode.PUSH);
        long b = completeAt(2_000, Opcode.POP);
        QResult[] results = {new QResult(), new QResult(), new QResult()};
        assertThat(runtime.waitNextN(results, 3, -1)).isEqualTo(3);
        assertThat(results).extracting(QResult::qt).containsExactly(a, b, c);
    }

    @Test
    void waitNextNReturnsWhatItHasAtTheTimeout() {
        completeAt(1_000, Opcode.PUSH);
        completeAt(50_000, Opcode.PUSH);
        QResult[] results = {new QResult(), new QResult()};
        assertThat(runtime.waitNextN(results, 2, 10_000)).isEqualTo(1);
        assertThat(clock.nowNs()).isEqualTo(10_000);
    }

    @Test
    void waitNextNSkipsResultsAlreadyConsumedByWait() {
        Operation first = ops.start(Opcode.PUSH, 500);
        Operation second = ops.start(Opcode.POP, 500);
        first.complete();
        second.complete();
        runtime.wait(first.qt(), out, 0);
        QResult[] results = {new QResult()};
        assertThat(runtime.waitNextN(results, 1, 0)).isEqualTo(1);
        assertThat(results[0].qt()).isEqualTo(second.qt());
    }

    @Test
    void waitNextNChecksItsArguments() {
        assertErrno(Errno.EINVAL, () -> runtime.waitNextN(new QResult[1], 0, 0));
        assertErrno(Errno.EINVAL, () -> runtime.waitNextN(new QResult[1], 2, 0));
        assertErrno(Errno.EINVAL, () -> runtime.waitNextN(null, 1, 0));
    }

    @Test
    void completionsConsumedOneByOneDoNotAccumulate() {
        for (int i = 0; i < 100_000; i++) {
            Operation op = ops.start(Opcode.PUSH, 500);
            op.complete();
            runtime.wait(op.qt(), out, 0);
        }
        QResult[] results = {new QResult()};
        assertThat(runtime.waitNextN(results, 1, 0)).isZero();
        assertThat(ops.pendingCount()).isZero();
    }

    @Test
    void aVirtualWaitWithNothingToWaitForIsReportedNotHung() {
        Operation never = ops.start(Opcode.POP, 500);
        assertErrno(Errno.EDEADLK, () -> runtime.wait(never.qt(), out, -1));
    }

    @Test
    void completingTwiceIsABug() {
        Operation op = ops.start(Opcode.PUSH, 500);
        op.complete();
        assertThatThrownBy(op::complete).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void completionFreesTheOperationsBuffer() {
        Operation op = ops.start(Opcode.PUSH, 500);
        op.buffer = runtime.pool().allocate(10);
        assertThat(runtime.pool().liveBuffers()).isEqualTo(1);
        op.fail(Errno.EBADF);
        assertThat(runtime.pool().liveBuffers()).isZero();
    }
}
