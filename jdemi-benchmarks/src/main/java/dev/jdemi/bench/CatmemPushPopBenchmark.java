package dev.jdemi.bench;

import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
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
 * An echo round trip over a catmem pipe, both ends (two catmem LibOSes) driven by the benchmark thread: the creator
 * pushes a message (freeing its SGA at once), the opener pops it and pushes the same SGA back, the creator pops the
 * echo; every token is waited for. The push, pop and wait path of catmem, without a second thread's scheduling.
 *
 * <p>Run with {@code -prof gc}: {@code gc.alloc.rate.norm} must be 0 B/op in steady state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CatmemPushPopBenchmark {
    @Param({"64", "1024"})
    public int size;

    private LibOS creator;
    private LibOS opener;
    private int creatorQd;
    private int openerQd;
    private final QResult result = new QResult();

    /** Creates the pipe and opens its other end. */
    @Setup(Level.Trial)
    public void open() {
        String name = "jmh-" + ProcessHandle.current().pid() + "-" + size;
        creator = LibOS.open(LibOSName.CATMEM);
        opener = LibOS.open(LibOSName.CATMEM);
        creatorQd = creator.createPipe(name);
        openerQd = opener.openPipe(name);
    }

    /**
     * One echo round trip.
     *
     * @return the echoed length, so the JIT keeps the work
     */
    @Benchmark
    public int roundTrip() {
        Sga request = creator.sgaAlloc(size);
        creator.wait(creator.push(creatorQd, request), result, LibOS.WAIT_FOREVER);
        creator.sgaFree(request);
        opener.wait(opener.pop(openerQd, size), result, LibOS.WAIT_FOREVER);
        Sga data = result.sga();
        opener.wait(opener.push(openerQd, data), result, LibOS.WAIT_FOREVER);
        opener.sgaFree(data);
        creator.wait(creator.pop(creatorQd, size), result, LibOS.WAIT_FOREVER);
        int echoed = result.sga().length();
        creator.sgaFree(result.sga());
        return echoed;
    }

    /** Closes both LibOSes; the creator's removes the pipe. */
    @TearDown(Level.Trial)
    public void close() {
        opener.close();
        creator.close();
    }
}
