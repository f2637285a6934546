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
 * <p>A <em>UMEM pool</em> ({@link #withUmem}) adds one page-aligned region of equal chunks that a kernel device
 * shares with user space (an AF_XDP socket's UMEM): buffers small enough for a chunk come from it, so a frame built
 * there is sent without a copy, and a device can lend free chunks to the kernel for frames to arrive in
 * ({@link #takeUmemChunk}), then hand the filled chunk up as a buffer ({@link #adoptUmemFrame}). A freed UMEM buffer
 * (its last reference) returns its chunk to the pool, from where the device lends it again. When every chunk is in
 * use, allocations fall back to the ordinary size classes (counted in {@link #umemFallbacks()}).
 *
 * <p>Thread: confined to the runtime's thread; the memory is shared-arena memory, so native code may read it from
 * any thread.
 */
public final class BufferPool implements AutoCloseable {
    /** Headroom for the user-space stack: Ethernet (14) + IPv4 with options (60) + TCP with options (60) = 134. */
    public static final int STACK_HEADROOM = 134;

    private static final int[] DATA_SIZES = {448, 2048, 9216, 16384, 65536};
    private static final int CHUNK_BYTES = 256 * 1024;
    /** The size class of UMEM chunks, after the ordinary ones. */
    private static final int UMEM_CLASS = DATA_SIZES.length;
    private static final int PAGE_BYTES = 4096;

    private final Arena arena = Arena.ofShared();
    private final int headroom;
    private final long maxBytes;
    private final int[] slotSizes = new int[DATA_SIZES.length];
    private final DemiBuffer[] freeLists = new DemiBuffer[DATA_SIZES.length + 1];
    private DemiBuffer freeHeaders;
    private long allocatedBytes;
    private int liveBuffers;
    private boolean closed;

    // The UMEM region (NULL in an ordinary pool), its chunks by index, and which are lent to a device.
    private final MemorySegment umem;
    private final int umemChunkBytes;
    private final int umemChunkShift;
    private final DemiBuffer[] umemChunks;
    private final boolean[] umemLent;
    private int umemFree;
    private long umemFallbacks;

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
        this(headroom, maxBytes, 0, 0);
    }

    private BufferPool(int headroom, long maxBytes, int chunkBytes, int chunks) {
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
        if (chunks == 0) {
            umem = MemorySegment.NULL;
            umemChunkBytes = 0;
            umemChunkShift = 0;
            umemChunks = null;
            umemLent = null;
            return;
        }
        umemChunkBytes = chunkBytes;
        umemChunkShift = Integer.numberOfTrailingZeros(chunkBytes);
        try {
            umem = arena.allocate((long) chunkBytes * chunks, PAGE_BYTES);
        } catch (OutOfMemoryError e) {
            arena.close();
            throw new DemiException(Errno.ENOMEM, "cannot reserve a UMEM of " + chunks + " x " + chunkBytes
                    + " bytes", e);
        }
        allocatedBytes = umem.byteSize();
        umemChunks = new DemiBuffer[chunks];
        umemLent = new boolean[chunks];
        for (int i = chunks - 1; i >= 0; i--) {
            DemiBuffer chunk = new DemiBuffer(this, UMEM_CLASS, umem.asSlice((long) i << umemChunkShift,
                    chunkBytes));
            umemChunks[i] = chunk;
            chunk.nextFree = freeLists[UMEM_CLASS];
            freeLists[UMEM_CLASS] = chunk;
        }
        umemFree = chunks;
    }

    /**
     * Creates a pool with a UMEM: one page-aligned region of {@code chunks} chunks of {@code chunkBytes}, reserved at
     * once, from which every buffer of up to {@code chunkBytes - headroom} bytes comes while chunks are free; larger
     * buffers (and smaller ones once the chunks run out) come from ordinary size classes that grow without limit.
     *
     * @param headroom bytes reserved in front of every buffer's data, 0..256
     * @param chunkBytes the chunk size: 2048 or 4096 (what AF_XDP's aligned mode accepts)
     * @param chunks how many chunks, 1..1,048,576
     * @return the pool
     * @throws DemiException EINVAL for a size out of range, ENOMEM when the region cannot be reserved
     */
    public static BufferPool withUmem(int headroom, int chunkBytes, int chunks) {
        if (chunkBytes != 2048 && chunkBytes != 4096) {
            throw new DemiException(Errno.EINVAL, "UMEM chunk size " + chunkBytes + " is neither 2048 nor 4096");
        }
        if (chunks < 1 || chunks > 1 << 20) {
            throw new DemiException(Errno.EINVAL, "UMEM chunk count " + chunks + " is outside 1..1048576");
        }
        if (headroom >= chunkBytes) {
            throw new DemiException(Errno.EINVAL, "headroom " + headroom + " leaves no room in a " + chunkBytes
                    + "-byte chunk");
        }
        return new BufferPool(headroom, Long.MAX_VALUE, chunkBytes, chunks);
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
        if (umemChunks != null && size <= umemChunkBytes - headroom) {
            DemiBuffer chunk = freeLists[UMEM_CLASS];
            if (chunk != null) {
                freeLists[UMEM_CLASS] = chunk.nextFree;
                umemFree--;
                return hand(chunk, headroom, size);
            }
            umemFallbacks++;
        }
        DemiBuffer buffer = freeLists[sizeClass];
        if (buffer == null) {
            grow(sizeClass);
            buffer = freeLists[sizeClass];
        }
        freeLists[sizeClass] = buffer.nextFree;
        return hand(buffer, headroom, size);
    }

    /** Makes a free direct buffer live with one reference and the given view. */
    private DemiBuffer hand(DemiBuffer buffer, int dataOffset, int size) {
        buffer.nextFree = null;
        buffer.dataOffset = dataOffset;
        buffer.length = size;
        buffer.refCount = 1;
        buffer.checksumTrusted = false;
        buffer.live = true;
        liveBuffers++;
        return buffer;
    }

    /** {@return whether the pool has a UMEM} */
    public boolean hasUmem() {
        return umemChunks != null;
    }

    /** {@return the UMEM region to register with the kernel, {@link MemorySegment#NULL} for an ordinary pool} */
    public MemorySegment umemRegion() {
        return umem;
    }

    /** {@return the size of a UMEM chunk, 0 for an ordinary pool} */
    public int umemChunkBytes() {
        return umemChunkBytes;
    }

    /** {@return how many UMEM chunks are neither in use as buffers nor lent to a device} */
    public int umemFreeChunks() {
        return umemFree;
    }

    /** {@return how many allocations small enough for a UMEM chunk found none free and took ordinary memory} */
    public long umemFallbacks() {
        return umemFallbacks;
    }

    /**
     * Allocates a buffer in a UMEM chunk, or returns null when none is free (never ordinary memory): for a device
     * that must copy a frame into the UMEM to send it.
     *
     * @param size 0..{@code umemChunkBytes() - headroom()}
     * @return the buffer, owned by the caller, or null
     */
    public DemiBuffer allocateUmem(int size) {
        if (umemChunks == null || size < 0 || size > umemChunkBytes - headroom) {
            return null;
        }
        DemiBuffer chunk = freeLists[UMEM_CLASS];
        if (chunk == null) {
            return null;
        }
        freeLists[UMEM_CLASS] = chunk.nextFree;
        umemFree--;
        return hand(chunk, headroom, size);
    }

    /**
     * Lends a free UMEM chunk to a device (for an AF_XDP fill ring): the chunk is neither free nor a buffer until the
     * device hands it back with {@link #adoptUmemFrame} or {@link #returnUmemChunk}.
     *
     * @return the chunk's offset in the UMEM, or {@code -1} when none is free
     */
    public long takeUmemChunk() {
        DemiBuffer chunk = umemChunks == null ? null : freeLists[UMEM_CLASS];
        if (chunk == null) {
            return -1;
        }
        freeLists[UMEM_CLASS] = chunk.nextFree;
        chunk.nextFree = null;
        umemFree--;
        int index = (int) ((chunk.memoryAddress - umem.address()) >>> umemChunkShift);
        umemLent[index] = true;
        return (long) index << umemChunkShift;
    }

    /**
     * Turns a lent chunk that the kernel filled into a live buffer whose data is the frame: no copy.
     *
     * @param umemOffset where the frame starts in the UMEM (inside a chunk lent with {@link #takeUmemChunk})
     * @param length the frame's length; the frame must end inside the chunk
     * @return the buffer, owned by the caller, or null when the offset is not in a lent chunk or the frame overruns
     *         it (the chunk, if lent, is then returned to the pool)
     */
    public DemiBuffer adoptUmemFrame(long umemOffset, int length) {
        int index = lentIndex(umemOffset);
        if (index < 0) {
            return null;
        }
        umemLent[index] = false;
        DemiBuffer chunk = umemChunks[index];
        int offset = (int) (umemOffset & (umemChunkBytes - 1));
        if (length < 0 || length > umemChunkBytes - offset) {
            releaseChunk(chunk);
            return null;
        }
        return hand(chunk, offset, length);
    }

    /**
     * Takes back a lent chunk that holds no frame.
     *
     * @param umemOffset an offset inside the chunk
     * @return whether the chunk was lent (and is free now)
     */
    public boolean returnUmemChunk(long umemOffset) {
        int index = lentIndex(umemOffset);
        if (index < 0) {
            return false;
        }
        umemLent[index] = false;
        releaseChunk(umemChunks[index]);
        return true;
    }

    /**
     * Takes back every lent chunk: for a device that closes while the kernel still holds chunks.
     *
     * @return how many came back
     */
    public int reclaimLentChunks() {
        int count = 0;
        if (umemChunks != null) {
            for (int i = 0; i < umemLent.length; i++) {
                if (umemLent[i]) {
                    umemLent[i] = false;
                    releaseChunk(umemChunks[i]);
                    count++;
                }
            }
        }
        return count;
    }

    /**
     * Where a buffer's data lies in the UMEM, for a transmit descriptor.
     *
     * @param buffer a live buffer (direct or clone) of this pool
     * @return the offset of its first data byte in the UMEM, or {@code -1} when its memory is not in the UMEM
     */
    public long umemOffset(DemiBuffer buffer) {
        DemiBuffer owner = buffer.direct == null ? buffer : buffer.direct;
        if (buffer.pool != this || owner.sizeClass != UMEM_CLASS) {
            return -1;
        }
        return owner.memoryAddress - umem.address() + buffer.dataOffset;
    }

    private int lentIndex(long umemOffset) {
        if (umemChunks == null || umemOffset < 0 || umemOffset >= umem.byteSize()) {
            return -1;
        }
        int index = (int) (umemOffset >>> umemChunkShift);
        return umemLent[index] ? index : -1;
    }

    private void releaseChunk(DemiBuffer chunk) {
        chunk.nextFree = freeLists[UMEM_CLASS];
        freeLists[UMEM_CLASS] = chunk;
        umemFree++;
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
            if (owner.sizeClass == UMEM_CLASS) {
                releaseChunk(owner);
                return;
            }
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
