package dev.jdemi.catmem;

import dev.jdemi.Errno;
import dev.jdemi.sys.SharedMemory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One end of a pipe: the mapped object of {@link PipeDescriptor} and the two rings seen from this end, {@link #tx()}
 * to produce into and {@link #rx()} to consume from.
 *
 * <p>The creator removes the object's name when it closes; the memory lives until both ends unmapped it. Thread:
 * one thread at a time.
 */
public final class PipeEnd implements AutoCloseable {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    /** How long an open waits for a creator that made the object but has not initialised it. */
    private static final int OPEN_ATTEMPTS = 10_000;

    private final String name;
    private final SharedMemory memory;
    private final boolean creator;
    private final Ring tx;
    private final Ring rx;
    private boolean closed;

    private PipeEnd(String name, SharedMemory memory, boolean creator, int capacity) {
        this.name = name;
        this.memory = memory;
        this.creator = creator;
        MemorySegment segment = memory.segment();
        Ring ring0 = new Ring(segment.asSlice(PipeDescriptor.ringOffset(0, capacity),
                RingDescriptor.totalLength(capacity)), capacity);
        Ring ring1 = new Ring(segment.asSlice(PipeDescriptor.ringOffset(1, capacity),
                RingDescriptor.totalLength(capacity)), capacity);
        this.tx = creator ? ring0 : ring1;
        this.rx = creator ? ring1 : ring0;
    }

    /** The outcome of {@link #create} or {@link #open}: the end, or a positive errno. */
    public record Result(PipeEnd end, int errno) {
    }

    /**
     * Returns the object name for a pipe name, or null when the name is unusable.
     *
     * @param name the pipe's name
     * @return {@code /jdemi-catmem-<name>}, or null for null, empty, or a name with '/' or NUL, or too long
     */
    public static String objectName(String name) {
        if (name == null || name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            return null;
        }
        String object = PipeDescriptor.OBJECT_PREFIX + name;
        if (object.length() - 1 > SharedMemory.NAME_MAX) {
            return null;
        }
        return object;
    }

    /**
     * Creates a pipe.
     *
     * @param name the pipe's name
     * @param capacity the capacity of each ring
     * @param role the owner's role ({@link PipeDescriptor#ROLE_PIPE} for catmem)
     * @return the creator's end, or EINVAL (bad name), EEXIST (taken), or the errno of the failed step
     */
    public static Result create(String name, int capacity, int role) {
        String object = objectName(name);
        if (object == null) {
            return new Result(null, Errno.EINVAL);
        }
        SharedMemory.Result created = SharedMemory.create(object, PipeDescriptor.totalLength(capacity));
        if (created.memory() == null) {
            return new Result(null, created.errno());
        }
        MemorySegment segment = created.memory().segment();
        segment.set(ValueLayout.JAVA_INT, PipeDescriptor.VERSION_OFFSET, PipeDescriptor.VERSION);
        segment.set(ValueLayout.JAVA_INT, PipeDescriptor.CAPACITY_OFFSET, capacity);
        segment.set(ValueLayout.JAVA_INT, PipeDescriptor.ROLE_OFFSET, role);
        // The object is zero-filled by ftruncate, so both rings start empty and open; the magic publishes them.
        INT.setRelease(segment, (long) PipeDescriptor.MAGIC_OFFSET, PipeDescriptor.MAGIC);
        return new Result(new PipeEnd(name, created.memory(), true, capacity), 0);
    }

    /**
     * Opens a pipe another end created.
     *
     * @param name the pipe's name
     * @return the opener's end, or EINVAL (bad name or not a pipe), ENOENT (no such pipe), or another errno
     */
    public static Result open(String name) {
        String object = objectName(name);
        if (object == null) {
            return new Result(null, Errno.EINVAL);
        }
        for (int attempt = 0; ; attempt++) {
            SharedMemory.Result opened = SharedMemory.open(object);
            if (opened.memory() == null) {
                // EAGAIN: the creator has not sized the object yet; it does so right after creating it.
                if (opened.errno() == Errno.EAGAIN && attempt < OPEN_ATTEMPTS) {
                    Thread.onSpinWait();
                    continue;
                }
                return new Result(null, opened.errno());
            }
            SharedMemory memory = opened.memory();
            MemorySegment segment = memory.segment();
            if (memory.size() < PipeDescriptor.HEADER_LENGTH) {
                memory.close();
                return new Result(null, Errno.EINVAL);
            }
            int magic = (int) INT.getAcquire(segment, (long) PipeDescriptor.MAGIC_OFFSET);
            if (magic == 0 && attempt < OPEN_ATTEMPTS) {
                memory.close();
                Thread.onSpinWait();
                continue;
            }
            int capacity = segment.get(ValueLayout.JAVA_INT, PipeDescriptor.CAPACITY_OFFSET);
            if (magic != PipeDescriptor.MAGIC
                    || segment.get(ValueLayout.JAVA_INT, PipeDescriptor.VERSION_OFFSET) != PipeDescriptor.VERSION
                    || capacity < 1024 || Integer.bitCount(capacity) != 1
                    || memory.size() < PipeDescriptor.totalLength(capacity)) {
                memory.close();
                return new Result(null, Errno.EINVAL);
            }
            return new Result(new PipeEnd(name, memory, false, capacity), 0);
        }
    }

    /** {@return the pipe's name} */
    public String name() {
        return name;
    }

    /** {@return whether this end created the pipe} */
    public boolean isCreator() {
        return creator;
    }

    /** {@return the ring this end produces into} */
    public Ring tx() {
        return tx;
    }

    /** {@return the ring this end consumes from} */
    public Ring rx() {
        return rx;
    }

    /** {@return the owner's role, loaded with acquire} */
    public int lvRole() {
        return (int) INT.getAcquire(memory.segment(), (long) PipeDescriptor.ROLE_OFFSET);
    }

    /**
     * Publishes the owner's role.
     *
     * @param role the role
     */
    public void soRole(int role) {
        INT.setRelease(memory.segment(), (long) PipeDescriptor.ROLE_OFFSET, role);
    }

    /**
     * Unmaps this end without marking anything in the rings: for a process that only dropped a request into another
     * end's ring (catloop's connect). Idempotent, and {@link #close()} after it does nothing.
     */
    public void detach() {
        if (closed) {
            return;
        }
        closed = true;
        memory.close();
    }

    /**
     * Closes this end: marks the end of this end's stream and that it reads no more, unmaps, and, for the creator,
     * removes the name. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tx.soProducerClosed();
        rx.soConsumerClosed();
        memory.close();
        if (creator) {
            SharedMemory.unlink(PipeDescriptor.OBJECT_PREFIX + name);
        }
    }
}
