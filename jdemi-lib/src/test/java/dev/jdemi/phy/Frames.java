package dev.jdemi.phy;

import dev.jdemi.MacAddress;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/** Builds and reads raw Ethernet frames for the phy tests; no header classes, only offsets. */
final class Frames {
    static final MacAddress ALICE = MacAddress.parse("02:00:00:00:00:0a");
    static final MacAddress BOB = MacAddress.parse("02:00:00:00:00:0b");
    static final MacAddress CARRIE = MacAddress.parse("02:00:00:00:00:0c");
    /** IEEE 802 "local experimental" EtherType: nobody's protocol. */
    static final int ETHERTYPE_EXPERIMENTAL = 0x88B5;

    private Frames() {
    }

    /** A frame of {@code length} bytes (at least 18) carrying {@code sequence} right after the header. */
    static DemiBuffer frame(BufferPool pool, MacAddress dst, MacAddress src, int sequence, int length) {
        return frame(pool, bytes(dst, src, sequence, length));
    }

    /** The bytes of {@link #frame}: header, sequence, then a pattern derived from the sequence. */
    static byte[] bytes(MacAddress dst, MacAddress src, int sequence, int length) {
        ByteBuffer bytes = ByteBuffer.allocate(length);
        putMac(bytes, dst);
        putMac(bytes, src);
        bytes.putShort((short) ETHERTYPE_EXPERIMENTAL);
        if (length >= 18) {
            bytes.putInt(sequence);
        }
        while (bytes.hasRemaining()) {
            bytes.put((byte) (sequence * 31 + bytes.position()));
        }
        return bytes.array();
    }

    static DemiBuffer frame(BufferPool pool, byte[] content) {
        DemiBuffer frame = pool.allocate(content.length);
        frame.write(0, content, 0, content.length);
        return frame;
    }

    static byte[] content(DemiBuffer frame) {
        return frame.segment().toArray(ValueLayout.JAVA_BYTE);
    }

    /** The sequence number of a frame built by {@link #frame}. */
    static int sequence(DemiBuffer frame) {
        return ByteBuffer.wrap(content(frame)).getInt(14);
    }

    private static void putMac(ByteBuffer bytes, MacAddress mac) {
        for (int shift = 40; shift >= 0; shift -= 8) {
            bytes.put((byte) (mac.value() >>> shift));
        }
    }
}
