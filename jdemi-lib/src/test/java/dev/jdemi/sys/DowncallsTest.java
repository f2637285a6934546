package dev.jdemi.sys;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared libc linking of {@link Downcalls}: every class that uses it gets errno back from a failing call. */
class DowncallsTest {
    private static final int EBADF = 9;
    private static final int EINVAL = 22;
    private static final int ENOENT = 2;
    private static final int EAFNOSUPPORT = 97;

    @Test
    void libcReturnsMinusErrnoFromTheCaptureSegment() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newErrnoState(arena);
            assertThat(Libc.close(state, -1)).isEqualTo(-EBADF);
            assertThat(Downcalls.errno(state)).isEqualTo(EBADF);
            assertThat(Libc.socket(state, 12_345, Libc.SOCK_DGRAM, 0)).isEqualTo(-EAFNOSUPPORT);
        }
    }

    @Test
    void sharedMemoryAndAffinityReturnTheErrno() {
        String name = "/jdemi-downcalls-" + ProcessHandle.current().pid();
        assertThat(SharedMemory.unlink(name)).isEqualTo(ENOENT);
        assertThat(SharedMemory.open(name).errno()).isEqualTo(ENOENT);
        // CPU 1023 passes the range check but is not online here: the kernel answers EINVAL.
        assertThat(Affinity.pinCurrentThread(1023)).isEqualTo(EINVAL);
    }

    @Test
    void pollOnANegativeDescriptorWaitsOutItsTimeout() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.newState(arena);
            MemorySegment pollFd = arena.allocate(8, 8);
            pollFd.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, -1);
            // poll(2) ignores a negative fd: nothing is ever ready, so it returns 0 when the timeout passes.
            assertThat(Downcalls.pollOne(state, pollFd, 0)).isZero();
        }
    }

    @Test
    void aMissingSymbolIsALinkError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Downcalls.libc("jdemi_no_such_function",
                java.lang.foreign.FunctionDescriptor.ofVoid())).isInstanceOf(UnsatisfiedLinkError.class)
                .hasMessageContaining("jdemi_no_such_function");
    }
}
