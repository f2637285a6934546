package dev.jdemi.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Pins the calling thread to one CPU: {@code sched_setaffinity(2)} with pid 0, which on Linux means the calling
 * thread. For benchmarks that want two threads on two cores; not used by the library itself.
 */
@SuppressWarnings("restricted")
public final class Affinity {
    /** The size of the CPU mask passed: 1024 CPUs, glibc's {@code cpu_set_t}. */
    private static final long MASK_BYTES = 128;
    private static final MethodHandle SCHED_SETAFFINITY = Downcalls.libc("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));

    private Affinity() {
    }

    /**
     * Pins the calling thread to a CPU.
     *
     * @param cpu the CPU number, 0..1023
     * @return 0, or the errno (EINVAL for a CPU that is not online or not allowed)
     */
    public static int pinCurrentThread(int cpu) {
        if (cpu < 0 || cpu >= MASK_BYTES * 8) {
            return 22;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.newState(arena);
            MemorySegment mask = arena.allocate(MASK_BYTES, 8);
            mask.set(java.lang.foreign.ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            int rc = (int) SCHED_SETAFFINITY.invokeExact(state, 0, MASK_BYTES, mask);
            return rc < 0 ? Downcalls.errno(state) : 0;
        } catch (Throwable t) {
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException("sched_setaffinity failed to link", t);
        }
    }
}
