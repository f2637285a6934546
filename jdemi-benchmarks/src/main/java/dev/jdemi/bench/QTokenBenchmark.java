package dev.jdemi.bench;

import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.WaitPolicy;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.Operation;
import dev.jdemi.runtime.Operations;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.runtime.SystemClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The queue-token table without any I/O: a token inserted, completed and consumed; and {@code waitAny} over 1 and
 * 1024 tokens of which only the last one has completed (the scan's worst case).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class QTokenBenchmark {
    @Param({"1", "1024"})
    public int tokens;

    private final Operations operations = new Operations();
    private final QResult result = new QResult();
    private Runtime runtime;
    private long[] qts;

    /** Starts {@code tokens - 1} operations that never complete, in the runtime that {@code waitAny} scans. */
    @Setup(Level.Trial)
    public void setUp() {
        runtime = new Runtime(new SystemClock(), new BufferPool(0), WaitPolicy.SPIN);
        qts = new long[tokens];
        for (int i = 0; i < tokens - 1; i++) {
            qts[i] = runtime.operations().start(Opcode.POP, 500 + i).qt();
        }
    }

    /**
     * Inserts a token, completes its operation and consumes the result: the table's work for one push.
     *
     * @return the token, so the JIT keeps the work
     */
    @Benchmark
    public long insertComplete() {
        Operation op = operations.start(Opcode.PUSH, 500);
        op.complete();
        operations.consume(op, result);
        return result.qt();
    }

    /**
     * Completes one operation, puts its token last, and waits for any of the {@code tokens}.
     *
     * @return the index {@code waitAny} returned ({@code tokens - 1})
     */
    @Benchmark
    public int waitAny() {
        Operation op = runtime.operations().start(Opcode.PUSH, 499);
        op.complete();
        qts[tokens - 1] = op.qt();
        return runtime.waitAny(qts, tokens, result, 0);
    }

    /** Closes the runtime. */
    @TearDown(Level.Trial)
    public void tearDown() {
        runtime.close();
    }
}
