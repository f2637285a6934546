package dev.jdemi.nativeabi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jdemi.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;

/**
 * The entry point that {@code libdemikernel.so} calls (through JNI, once per process) to connect the C ABI to
 * jdemi: it makes one FFM upcall stub per {@code demi_*} function and writes their addresses into the library's
 * entry table ({@code struct jdemi_entries} in {@code jdemi_abi.h}).
 *
 * <p>Why upcalls rather than a JNI call per function: the C side then calls a plain function pointer, with no JNI
 * environment lookup and no method-id dispatch, and the stub itself attaches a C thread the JVM has never seen (and
 * detaches it when the thread ends). JNI is used only for the one bootstrap call.
 */
public final class NativeAbi {
    /** The version of the entry table; {@code JDEMI_ABI_VERSION} in {@code jdemi_abi.h} must match. */
    public static final int ABI_VERSION = 1;

    private record Entry(String method, FunctionDescriptor descriptor) {
    }

    /** In the order of {@code struct jdemi_entries}. */
    private static final Entry[] ENTRIES = {
        entry("init", JAVA_INT),
        entry("createPipe", JAVA_INT, JAVA_INT, JAVA_LONG),
        entry("openPipe", JAVA_INT, JAVA_INT, JAVA_LONG),
        entry("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
        entry("listen", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
        entry("bind", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
        entry("accept", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT),
        entry("connect", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG),
        entry("close", JAVA_INT, JAVA_INT, JAVA_INT),
        entry("push", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG),
        entry("pushTo", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG),
        entry("pop", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT),
        entry("waitFor", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG),
        entry("waitAny", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG),
        entry("waitNextN", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG),
        entry("sgaAlloc", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
        entry("sgaFree", JAVA_INT, JAVA_INT, JAVA_LONG),
        entry("setSockOpt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
        entry("getSockOpt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
        entry("getPeerName", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
        entry("getSockName", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
    };

    private static volatile boolean installed;

    private NativeAbi() {
    }

    /**
     * Fills the C library's entry table with upcall stubs. The stubs live as long as the process.
     *
     * @param table the address of {@code struct jdemi_entries}
     * @param count how many function pointers the table holds
     * @param version the C side's {@code JDEMI_ABI_VERSION}
     * @return 0, or EIO (with a message on stderr) when the table does not match this class
     */
    public static synchronized int install(long table, int count, int version) {
        try {
            if (version != ABI_VERSION || count != ENTRIES.length) {
                System.err.println("jdemi: demi_init: libdemikernel.so (ABI " + version + ", " + count
                        + " entries) does not match jdemi-native's jar (ABI " + ABI_VERSION + ", " + ENTRIES.length
                        + " entries); use the jar built with the library");
                return Errno.EIO;
            }
            Linker linker = Linker.nativeLinker();
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MemorySegment slots = MemorySegment.ofAddress(table).reinterpret(ValueLayout.ADDRESS.byteSize() * count);
            for (int i = 0; i < ENTRIES.length; i++) {
                Entry entry = ENTRIES[i];
                MethodHandle target = lookup.findStatic(CApi.class, entry.method(),
                        entry.descriptor().toMethodType());
                slots.setAtIndex(ValueLayout.ADDRESS, i,
                        linker.upcallStub(target, entry.descriptor(), Arena.global()));
            }
            installed = true;
            return 0;
        } catch (Throwable t) {
            System.err.println("jdemi: demi_init: cannot install the C entry points:");
            t.printStackTrace();
            return Errno.EIO;
        }
    }

    /** {@return whether a C library has installed its entry points in this JVM} */
    public static boolean isInstalled() {
        return installed;
    }

    private static Entry entry(String method, MemoryLayout result, MemoryLayout... arguments) {
        return new Entry(method, FunctionDescriptor.of(result, arguments));
    }
}
