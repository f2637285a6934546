package dev.jdemi.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A POSIX shared-memory object mapped into this process: {@code shm_open(3)}, {@code ftruncate(2)},
 * {@code mmap(2)} with {@code MAP_SHARED}, {@code munmap(2)}, {@code shm_unlink(3)}.
 *
 * <p>The mapping's segment belongs to a shared arena, so an access after {@link #close()} throws
 * {@link IllegalStateException} instead of touching unmapped memory. Creating and opening are not hot: they allocate.
 * Errors are codes, never exceptions: the factories return a {@link Result} with the errno of the step that failed.
 */
@SuppressWarnings("restricted")
public final class SharedMemory implements AutoCloseable {
    /** {@code O_RDWR}. */
    public static final int O_RDWR = 0x2;
    /** {@code O_CREAT}. */
    public static final int O_CREAT = 0x40;
    /** {@code O_EXCL}. */
    public static final int O_EXCL = 0x80;
    /** {@code PROT_READ | PROT_WRITE}. */
    private static final int PROT_RW = 0x1 | 0x2;
    /** {@code MAP_SHARED}. */
    private static final int MAP_SHARED = 0x1;
    /** {@code SEEK_END}. */
    private static final int SEEK_END = 2;
    /** The longest object name Linux takes (NAME_MAX of the tmpfs under /dev/shm), without the leading slash. */
    public static final int NAME_MAX = 255;
    /** Where Linux keeps the objects. */
    public static final String DIRECTORY = "/dev/shm";
    private static final long MAP_FAILED = -1L;

    private static final MethodHandle SHM_OPEN = Downcalls.libc("shm_open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle SHM_UNLINK = Downcalls.libc("shm_unlink",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FTRUNCATE = Downcalls.libc("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle LSEEK = Downcalls.libc("lseek",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MMAP = Downcalls.libc("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Downcalls.libc("munmap",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle CLOSE = Downcalls.libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final String name;
    private final Arena arena;
    private final long address;
    private final long size;
    private final MemorySegment segment;
    private boolean closed;

    private SharedMemory(String name, long address, long size) {
        this.name = name;
        this.address = address;
        this.size = size;
        this.arena = Arena.ofShared();
        this.segment = MemorySegment.ofAddress(address).reinterpret(size, arena, null);
    }

    /** The outcome of {@link #create} and {@link #open}: the mapping, or the errno of the step that failed. */
    public record Result(SharedMemory memory, int errno) {
    }

    /**
     * Creates an object of {@code size} bytes that must not exist yet ({@code O_CREAT|O_EXCL}, mode 0600), zeroed,
     * and maps it.
     *
     * @param name the object's name, starting with '/', no other '/'
     * @param size its size in bytes
     * @return the mapping, or errno EEXIST when the name is taken, or another errno
     */
    public static Result create(String name, long size) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment state = Downcalls.newState(scratch);
            MemorySegment cName = scratch.allocateFrom(name);
            int fd = (int) SHM_OPEN.invokeExact(state, cName, O_RDWR | O_CREAT | O_EXCL, 0600);
            if (fd < 0) {
                return new Result(null, Downcalls.errno(state));
            }
            int rc = (int) FTRUNCATE.invokeExact(state, fd, size);
            if (rc < 0) {
                int e = Downcalls.errno(state);
                int ignored = (int) CLOSE.invokeExact(state, fd);
                ignored = (int) SHM_UNLINK.invokeExact(state, cName);
                return new Result(null, e);
            }
            return map(state, cName, name, fd, size, true);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /**
     * Opens and maps an existing object, whole.
     *
     * @param name the object's name
     * @return the mapping, or errno ENOENT when no such object exists, or another errno; size 0 (an object whose
     *     creator has not sized it yet) gives EAGAIN
     */
    public static Result open(String name) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment state = Downcalls.newState(scratch);
            MemorySegment cName = scratch.allocateFrom(name);
            int fd = (int) SHM_OPEN.invokeExact(state, cName, O_RDWR, 0);
            if (fd < 0) {
                return new Result(null, Downcalls.errno(state));
            }
            long size = (long) LSEEK.invokeExact(state, fd, 0L, SEEK_END);
            if (size <= 0) {
                int e = size < 0 ? Downcalls.errno(state) : 11; // EAGAIN: created, not yet sized
                int ignored = (int) CLOSE.invokeExact(state, fd);
                return new Result(null, e);
            }
            return map(state, cName, name, fd, size, false);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    private static Result map(MemorySegment state, MemorySegment cName, String name, int fd, long size,
            boolean created) throws Throwable {
        long address = (long) MMAP.invokeExact(state, 0L, size, PROT_RW, MAP_SHARED, fd, 0L);
        int e = address == MAP_FAILED ? Downcalls.errno(state) : 0;
        // The mapping keeps the object alive; the descriptor is no longer needed.
        int ignored = (int) CLOSE.invokeExact(state, fd);
        if (address == MAP_FAILED) {
            if (created) {
                ignored = (int) SHM_UNLINK.invokeExact(state, cName);
            }
            return new Result(null, e);
        }
        return new Result(new SharedMemory(name, address, size), 0);
    }

    /**
     * Removes a name; the memory lives on while mappings exist.
     *
     * @param name the object's name
     * @return 0, or the errno (ENOENT when there is no such name)
     */
    public static int unlink(String name) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment state = Downcalls.newState(scratch);
            int rc = (int) SHM_UNLINK.invokeExact(state, scratch.allocateFrom(name));
            return rc < 0 ? Downcalls.errno(state) : 0;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    private static RuntimeException fatal(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }

    /** {@return the object's name} */
    public String name() {
        return name;
    }

    /** {@return the mapped memory; valid until {@link #close()}} */
    public MemorySegment segment() {
        return segment;
    }

    /** {@return the mapping's size in bytes} */
    public long size() {
        return size;
    }

    /** Unmaps the memory (the name stays; see {@link #unlink}). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        arena.close();
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment state = Downcalls.newState(scratch);
            int ignored = (int) MUNMAP.invokeExact(state, address, size);
        } catch (Throwable t) {
            throw fatal(t);
        }
    }
}
