package dev.jdemi.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Network-byte-order access to unaligned fields of a segment; the one place that defines the layouts. */
final class Bytes {
    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The 48 bits of an Ethernet address. */
    static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    private Bytes() {
    }

    static int u8(MemorySegment segment, long at) {
        return segment.get(U8, at) & 0xFF;
    }

    static int u16(MemorySegment segment, long at) {
        return segment.get(U16, at) & 0xFFFF;
    }

    static int i32(MemorySegment segment, long at) {
        return segment.get(U32, at);
    }

    static long u48(MemorySegment segment, long at) {
        return ((long) u16(segment, at) << 32) | (segment.get(U32, at + 2) & 0xFFFF_FFFFL);
    }

    static void put8(MemorySegment segment, long at, int value) {
        segment.set(U8, at, (byte) value);
    }

    static void put16(MemorySegment segment, long at, int value) {
        segment.set(U16, at, (short) value);
    }

    static void put32(MemorySegment segment, long at, int value) {
        segment.set(U32, at, value);
    }

    static void put48(MemorySegment segment, long at, long value) {
        segment.set(U16, at, (short) (value >>> 32));
        segment.set(U32, at + 2, (int) value);
    }
}
