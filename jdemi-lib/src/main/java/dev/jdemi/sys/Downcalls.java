package dev.jdemi.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What every class of this package needs to call libc: the native linker, downcall handles that capture errno, the
 * capture segment they write it to, and reading errno back. Callers keep each handle in a {@code static final} field
 * and call it with {@code invokeExact}, the capture segment first.
 */
@SuppressWarnings("restricted")
final class Downcalls {
    /** The native linker. */
    static final Linker LINKER = Linker.nativeLinker();
    /** The layout of the segment an errno-capturing handle writes to. */
    static final MemoryLayout STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final long ERRNO_OFFSET = STATE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle POLL = libc("poll", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG,
            JAVA_INT));

    private Downcalls() {
    }

    /**
     * Links a libc function whose handle captures errno: the handle takes the capture segment first, then the
     * function's arguments.
     *
     * @param name the symbol
     * @param descriptor the function's signature
     * @param extra more linker options, such as {@link Linker.Option#firstVariadicArg}
     * @return the handle
     * @throws UnsatisfiedLinkError when libc has no such symbol
     */
    static MethodHandle libc(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /**
     * Allocates a segment that receives errno from the calls it is passed to.
     *
     * @param allocator where to allocate it
     * @return the capture segment
     */
    static MemorySegment newState(SegmentAllocator allocator) {
        return allocator.allocate(STATE_LAYOUT);
    }

    /**
     * {@code poll(2)} on one {@code struct pollfd}: waits until its descriptor is ready or the timeout passes.
     *
     * @param state the capture segment
     * @param pollFd the {@code struct pollfd} (descriptor and events set by the caller)
     * @param timeoutMs the longest wait, {@code >= 0}
     * @return {@code > 0} when ready, {@code 0} on timeout, or {@code -errno} ({@code -EINTR} included)
     */
    static int pollOne(MemorySegment state, MemorySegment pollFd, int timeoutMs) {
        try {
            int ready = (int) POLL.invokeExact(state, pollFd.address(), 1L, timeoutMs);
            return ready >= 0 ? ready : -errno(state);
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed to link", t);
        }
    }

    /**
     * {@return the errno the last call given this capture segment left in it}
     *
     * @param state the capture segment
     */
    static int errno(MemorySegment state) {
        return state.get(JAVA_INT, ERRNO_OFFSET);
    }
}
