package dev.jdemi.nativeabi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdemi.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * A process that already runs a JVM (this test's) loads {@code libdemikernel.so} and calls it: {@code demi_init}
 * joins the running JVM instead of starting one, finds {@link NativeAbi} through the thread's context class loader,
 * and the calls then come back into this JVM through the upcall stubs.
 *
 * <p>Runs with the C tests (integration-test phase), with {@code LIBOS=catnap} in its environment.
 */
class EmbeddedJvmTest {
    @Test
    void demiInitJoinsTheJvmAlreadyInTheProcess() throws Throwable {
        assumeTrue("catnap".equals(System.getenv("LIBOS")), "LIBOS=catnap is set only for the C test run");
        Path library = Path.of(System.getProperty("jdemi.native.dist"), "lib", "libdemikernel.so");
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(library, Arena.global());
        MethodHandle init = linker.downcallHandle(lib.find("demi_init").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle socket = linker.downcallHandle(lib.find("demi_socket").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        MethodHandle close = linker.downcallHandle(lib.find("demi_close").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));

        assertThat((int) init.invokeExact(MemorySegment.NULL)).isZero();
        assertThat(NativeAbi.isInstalled()).as("installed in this JVM, by this class loader").isTrue();
        assertThat((int) init.invokeExact(MemorySegment.NULL)).isEqualTo(Errno.EEXIST);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment qd = arena.allocate(JAVA_INT);
            assertThat((int) socket.invokeExact(qd, 2, 2, 0)).isZero();
            assertThat(qd.get(JAVA_INT, 0)).isEqualTo(500);
            assertThat((int) close.invokeExact(qd.get(JAVA_INT, 0))).isZero();
            assertThat((int) close.invokeExact(500)).isEqualTo(Errno.EBADF);
        }
    }
}
