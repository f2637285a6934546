package dev.jdemi.wire;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The common part of every header flyweight: the segment it is wrapped over, the offset of the header in it, and
 * the number of bytes the caller vouches for from that offset (the header plus whatever follows it).
 *
 * <p>A flyweight holds no packet data of its own; re-wrapping it costs three field stores and allocates nothing.
 * Accessors read the segment at the wrapped offset without checking the length given to {@code wrap}; the segment
 * itself still refuses any access outside its bounds.
 */
public abstract sealed class HeaderFlyweight
        permits EthernetHeader, ArpPacket, Ipv4Header, IcmpHeader, UdpHeader, TcpHeader {
    MemorySegment segment = MemorySegment.NULL;
    long offset;
    int capacity;

    HeaderFlyweight() {
    }

    /**
     * Points this flyweight at {@code length} bytes of {@code segment} starting at {@code offset}.
     *
     * @throws IndexOutOfBoundsException when the region is not inside the segment
     */
    final void point(MemorySegment segment, long offset, int length) {
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        this.segment = segment;
        this.offset = offset;
        this.capacity = length;
    }

    /**
     * The segment this flyweight is wrapped over.
     *
     * @return the segment, {@link MemorySegment#NULL} before the first {@code wrap}
     */
    public final MemorySegment segment() {
        return segment;
    }

    /**
     * The offset of the first header byte in {@link #segment()}.
     *
     * @return the offset
     */
    public final long offset() {
        return offset;
    }

    /**
     * The length given to {@code wrap}: the bytes from {@link #offset()} that belong to this header and what follows
     * it.
     *
     * @return the length in bytes
     */
    public final int capacity() {
        return capacity;
    }

    final int u8(int field) {
        return Bytes.u8(segment, offset + field);
    }

    final int u16(int field) {
        return Bytes.u16(segment, offset + field);
    }

    final int i32(int field) {
        return Bytes.i32(segment, offset + field);
    }

    final long u48(int field) {
        return Bytes.u48(segment, offset + field);
    }

    final void put8(int field, int value) {
        Bytes.put8(segment, offset + field, value);
    }

    final void put16(int field, int value) {
        Bytes.put16(segment, offset + field, value);
    }

    final void put32(int field, int value) {
        Bytes.put32(segment, offset + field, value);
    }

    final void put48(int field, long value) {
        Bytes.put48(segment, offset + field, value);
    }
}
