package dev.jdemi.runtime;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.Sga;

import java.lang.foreign.MemorySegment;

/**
 * An off-heap buffer from a {@link BufferPool}: a view (offset, length) of a pooled memory slot, with headroom in
 * front so each layer of a stack can write its header in place.
 *
 * <p>A <em>direct</em> buffer owns its slot and counts references to it; an <em>indirect</em> buffer (a
 * {@link #cloneView() clone}) shares the slot of a direct one and holds one reference. The slot returns to the pool
 * when the last reference is released. This is how a push protects the data: it keeps a clone, so the application
 * may free its SGA right after {@code push} returns.
 *
 * <p>Thread: confined to the runtime's thread. Buffers and their header objects are recycled; a buffer must not be
 * used after it was freed.
 */
public final class DemiBuffer implements Sga {
    final BufferPool pool;
    final int sizeClass;
    MemorySegment memory;
    long memoryAddress;
    int capacity;
    int dataOffset;
    int length;
    int refCount;
    DemiBuffer direct;
    boolean live;
    boolean checksumTrusted;
    DemiBuffer nextFree;

    DemiBuffer(BufferPool pool, int sizeClass, MemorySegment memory) {
        this.pool = pool;
        this.sizeClass = sizeClass;
        this.memory = memory;
        this.memoryAddress = memory == null ? 0 : memory.address();
        this.capacity = memory == null ? 0 : (int) memory.byteSize();
    }

    @Override
    public MemorySegment segment() {
        checkLive();
        return memory.asSlice(dataOffset, length);
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public long address() {
        return memoryAddress + dataOffset;
    }

    @Override
    public void narrow(int offset, int newLength) {
        checkLive();
        if (offset < 0 || offset > length || newLength < 0 || newLength > length - offset) {
            throw new DemiException(Errno.EINVAL, "narrow(" + offset + ", " + newLength + ") lies outside the "
                    + length + " bytes of the SGA");
        }
        dataOffset += offset;
        length = newLength;
    }

    /** {@return the memory slot this buffer's data lies in; offsets below are relative to it} */
    public MemorySegment memory() {
        return memory;
    }

    /** {@return the offset of the first data byte in {@link #memory()}} */
    public int dataOffset() {
        return dataOffset;
    }

    /** {@return how many bytes lie in front of the data, free for headers} */
    public int headroom() {
        return dataOffset;
    }

    /** {@return how many bytes may follow the data in the slot} */
    public int tailroom() {
        return capacity - dataOffset - length;
    }

    /**
     * Grows the data into the headroom, for a header.
     *
     * @param bytes how many bytes to add in front
     * @return true, or false when the headroom is too small (nothing changes)
     */
    public boolean prepend(int bytes) {
        if (bytes < 0 || bytes > dataOffset) {
            return false;
        }
        dataOffset -= bytes;
        length += bytes;
        return true;
    }

    /**
     * Removes bytes from the front of the data.
     *
     * @param bytes how many, {@code 0 <= bytes <= length()}
     */
    public void adjust(int bytes) {
        if (bytes < 0 || bytes > length) {
            throw new IllegalArgumentException("adjust " + bytes + " of " + length);
        }
        dataOffset += bytes;
        length -= bytes;
    }

    /**
     * Sets the data length, within the slot.
     *
     * @param newLength the new length, {@code 0 <= newLength <= length() + tailroom()}
     */
    public void setLength(int newLength) {
        if (newLength < 0 || newLength > capacity - dataOffset) {
            throw new IllegalArgumentException("length " + newLength + " exceeds the slot");
        }
        length = newLength;
    }

    /**
     * Makes an indirect buffer over the same data: one more reference to the slot, and its own offset and length.
     *
     * @return the clone, owned by the caller, who frees it with {@link #free()}
     */
    public DemiBuffer cloneView() {
        checkLive();
        return pool.cloneOf(this);
    }

    /**
     * Marks a received frame whose checksums the stack need not verify: the kernel handed it over as trusted, the way
     * it trusts its own (a frame from a local sender whose checksum was left to the device, or one the device already
     * verified). A device sets it before handing the frame up; every allocation and clone starts without it.
     */
    public void markChecksumTrusted() {
        checksumTrusted = true;
    }

    /** {@return whether a device marked this frame's checksums as trusted ({@link #markChecksumTrusted()})} */
    public boolean isChecksumTrusted() {
        return checksumTrusted;
    }

    /** {@return whether the buffer is allocated (not yet freed)} */
    public boolean isLive() {
        return live;
    }

    /** {@return whether this buffer belongs to a pool} */
    public boolean isFrom(BufferPool candidate) {
        return pool == candidate;
    }

    /** Releases this reference; the slot returns to its pool with the last one. */
    public void free() {
        pool.free(this);
    }

    private void checkLive() {
        if (!live) {
            throw new DemiException(Errno.EINVAL, "the SGA was freed");
        }
    }

    @Override
    public String toString() {
        return "DemiBuffer[" + (direct == null ? "direct" : "indirect") + " length=" + length + " headroom="
                + dataOffset + (live ? "" : " freed") + "]";
    }
}
