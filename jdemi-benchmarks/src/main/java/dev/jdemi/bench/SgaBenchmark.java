package dev.jdemi.bench;

import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
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
 * {@code sgaAlloc} followed by {@code sgaFree}, as upstream's sga tests (spec §6.1), for a small and a big SGA.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SgaBenchmark {
    @Param({"64", "1280"})
    public int size;

    private LibOS libos;

    /** Opens a catnap LibOS. */
    @Setup(Level.Trial)
    public void open() {
        libos = LibOS.open(LibOSName.CATNAP);
    }

    /**
     * One allocation and free.
     *
     * @return the length, so the JIT keeps the work
     */
    @Benchmark
    public int allocFree() {
        Sga sga = libos.sgaAlloc(size);
        int length = sga.length();
        libos.sgaFree(sga);
        return length;
    }

    /** Closes the LibOS. */
    @TearDown(Level.Trial)
    public void close() {
        libos.close();
    }
}
