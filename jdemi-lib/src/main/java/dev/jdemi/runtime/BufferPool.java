package dev.jdemi.runtime;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Pools of off-heap buffers in a few size classes, carved from large chunks that live as long as the pool.
 *
 * <p>Closing an arena costs tens of microseconds, so memory is never freed per buffer: a freed slot goes back on its
 * class's free list and the chunk stays. A class grows by one chunk when its list is empty. Each slot is 64-byte
 * aligned and has {@link #headroom()} bytes in front of the data.
 *
 * <p>Thread: confined to the runtime's thread; the memory is shared-arena memory, so native code may read it from
 * any thread.
 */
public final class BufferPool implements AutoCloseable {
    /** Headroom for the user-space stack: Ethernet (14) + IPv4 with options (60) + TCP with options (60) = 134. */
    public static final int STACK_HEADROOM = 134;

    private static final int[] DATA_SIZES = {448, 2048, 9216, 16384, 65536};
    private static final int CHUNK_BYTES = 256 * 1024;

    private final Arena arena = Arena.ofShared();
    private final int headroom;
    private final long maxBytes;
    private final int[] slotSizes = new int[DATA_SIZES.length];
    private final DemiBuffer[] freeLists = new DemiBuffer[DATA_SIZES.length];
    private DemiBuffer freeHeaders;
    private long allocatedBytes;
    private int liveBuffers;
    private boolean closed;

    /**
     * Creates an empty pool that may grow as long as the process has memory.
     *
     * @param headroom bytes reserved in front of every buffer's data, 0..256
     */
    public BufferPool(int headroom) {
        this(headroom, Long.MAX_VALUE);
    }

    /**
     * Creates an empty pool that reserves at most {@code maxBytes} of off-heap memory: past that, an allocation that
     * would need a new chunk fails with ENOMEM, so a flood of packets cannot take the process's memory.
     *
     * @param headroom bytes reserved in front of every buffer's data, 0..256
     * @param maxBytes the most off-heap bytes the pool reserves, > 0
     */
    public BufferPool(int headroom, long maxBytes) {
        if (headroom < 0 || headroom > 256) {
            throw new IllegalArgumentException("headroom " + headroom);
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes " + maxBytes);
        }
        this.headroom = headroom;
        this.maxBytes = maxBytes;
        for (int i = 0; i < DATA_SIZES.length; i++) {
            slotSizes[i] = align64(DATA_SIZES[i] + headroom);
        }
    }

    /** {@return the headroom in front of every buffer} */
    public int headroom() {
        return headroom;
    }

    /**
     * Allocates a buffer of {@code size} data bytes with the pool's headroom. The bytes are not initialised.
     *
     * @param size 0..65,535
     * @return the buffer, live, owned by the caller
     * @throws DemiException ENOMEM when memory is exhausted
     */
    public DemiBuffer allocate(int size) {
        int sizeClass = classOf(size);
        DemiBuffer buffer = freeLists[sizeClass];
        if (buffer == null) {
            grow(sizeClass);
            buffer = freeLists[sizeClass];
        }
        freeLists[sizeClass] = buffer.nextFree;
        buffer.nextFree = null;
        buffer.dataOffset = headroom;
        buffer.length = size;
        buffer.refCount = 1;
        buffer.checksumTrusted = false;
        buffer.live = true;
        liveBuffers++;
        return buffer;
    }

    /** {@return how many buffers (direct and clones) are live: a leak check for tests} */
    public int liveBuffers() {
        return liveBuffers;
    }

    /** {@return the off-heap bytes the pool has reserved} */
    public long allocatedBytes() {
        return allocatedBytes;
    }

    DemiBuffer cloneOf(DemiBuffer source) {
        DemiBuffer owner = source.direct == null ? source : source.direct;
        DemiBuffer clone = freeHeaders;
        if (clone == null) {
            clone = new DemiBuffer(this, -1, null);
        } else {
            freeHeaders = clone.nextFree;
            clone.nextFree = null;
        }
        owner.refCount++;
        clone.direct = owner;
        clone.memory = owner.memory;
        clone.memoryAddress = owner.memoryAddress;
        clone.capacity = owner.capacity;
        clone.dataOffset = source.dataOffset;
        clone.length = source.length;
        clone.checksumTrusted = false;
        clone.live = true;
        liveBuffers++;
        return clone;
    }

    /**
     * Frees one reference held through {@code buffer}.
     *
     * @param buffer a live buffer of this pool
     * @throws DemiException EINVAL for a buffer already freed or from another pool
     */
    public void free(DemiBuffer buffer) {
        if (buffer == null) {
            throw new DemiException(Errno.EINVAL, "the SGA is null");
        }
        if (buffer.pool != this) {
            throw new DemiException(Errno.EINVAL, "the SGA belongs to another LibOS");
        }
        if (!buffer.live) {
            throw new DemiException(Errno.EINVAL, "the SGA was already freed");
        }
        buffer.live = false;
        liveBuffers--;
        if (buffer.direct != null) {
            DemiBuffer owner = buffer.direct;
            buffer.direct = null;
            buffer.memory = null;
            buffer.memoryAddress = 0;
            buffer.nextFree = freeHeaders;
            freeHeaders = buffer;
            release(owner);
        } else {
            release(buffer);
        }
    }

    private void release(DemiBuffer owner) {
        if (--owner.refCount == 0) {
            owner.nextFree = freeLists[owner.sizeClass];
            freeLists[owner.sizeClass] = owner;
        }
    }

    private int classOf(int size) {
        if (size < 0 || size > 65_535) {
            throw new DemiException(Errno.EINVAL, "buffer size " + size + " is outside 0..65535");
        }
        for (int i = 0; i < DATA_SIZES.length; i++) {
            if (size <= DATA_SIZES[i]) {
                return i;
            }
        }
        return DATA_SIZES.length - 1;
    }

    private void grow(int sizeClass) {
        if (closed) {
            throw new DemiException(Errno.EBADF, "the LibOS is closed");
        }
        int slot = slotSizes[sizeClass];
        int count = Math.max(4, CHUNK_BYTES / slot);
        if ((long) slot * count > maxBytes - allocatedBytes) {
            throw new DemiException(Errno.ENOMEM, "the buffer pool is at its limit of " + maxBytes + " bytes ("
                    + allocatedBytes + " reserved, a new chunk needs " + (long) slot * count + ")");
        }
        MemorySegment chunk;
        try {
            chunk = arena.allocate((long) slot * count, 64);
        } catch (OutOfMemoryError e) {
            throw new DemiException(Errno.ENOMEM, "cannot reserve " + (long) slot * count + " bytes of buffers", e);
        }
        allocatedBytes += chunk.byteSize();
        for (int i = count - 1; i >= 0; i--) {
            DemiBuffer buffer = new DemiBuffer(this, sizeClass, chunk.asSlice((long) i * slot, slot));
            buffer.nextFree = freeLists[sizeClass];
            freeLists[sizeClass] = buffer;
        }
    }

    private static int align64(int n) {
        return (n + 63) & ~63;
    }

    /** Releases all memory; every buffer of the pool becomes invalid. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }
}
