package dev.jdemi.tools.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The frame of the bare-device floor of {@code ./jdemi bench veth}: an Ethernet frame of the local experimental
 * EtherType 0x88B5 (IEEE 802 local experimental, which no stack on the link answers), as long as the frame that
 * carries a TCP segment with the same message and no options, so that the floor moves the bytes the echo moves.
 *
 * <pre>
 *  0  destination MAC (6)   6  source MAC (6)   12  EtherType 0x88B5 (2)
 * 14  magic "jdFF" (4)     18  kind: 'P' ping, 'R' reply (1)   19  zero (1)
 * 20  sequence number, big endian (8)   28  filler 'j' up to the frame's length
 * </pre>
 *
 * <p>The methods work on a frame's bytes in place ({@code memory} from {@code offset}), allocate nothing, and read no
 * byte past {@code length}.
 */
public final class FloorFrame {
    /** IEEE Std 802 local experimental EtherType 1. */
    public static final int ETHER_TYPE = 0x88B5;
    /** The Ethernet header. */
    public static final int ETHERNET_BYTES = 14;
    /** An IPv4 header and a TCP header, both without options: what a TCP echo's frame carries besides the data. */
    public static final int IPV4_TCP_BYTES = 40;
    /** The shortest floor frame: the header and the sequence number. */
    public static final int MIN_BYTES = 28;
    /** The kind of a request. */
    public static final byte PING = 'P';
    /** The kind of a reply. */
    public static final byte REPLY = 'R';

    private static final int MAGIC = 0x6A644646;
    private static final int OFFSET_TYPE = 12;
    private static final int OFFSET_MAGIC = 14;
    private static final int OFFSET_KIND = 18;
    private static final int OFFSET_SEQUENCE = 20;
    private static final ValueLayout.OfShort SHORT_BE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private FloorFrame() {
    }

    /**
     * {@return the length of the floor frame for a message, the same as the frame of a TCP segment carrying it}
     *
     * @param messageBytes the echo's message size
     */
    public static int frameBytes(int messageBytes) {
        return Math.max(MIN_BYTES, ETHERNET_BYTES + IPV4_TCP_BYTES + messageBytes);
    }

    /**
     * Writes a request.
     *
     * @param memory the frame's memory
     * @param offset where the frame starts
     * @param length the frame's length, at least {@link #MIN_BYTES}
     * @param destination the peer's MAC address, in its low 48 bits
     * @param source this end's MAC address
     * @param sequence the request's number
     */
    public static void writePing(MemorySegment memory, long offset, int length, long destination, long source,
            long sequence) {
        if (length < MIN_BYTES) {
            throw new IllegalArgumentException("a floor frame has at least " + MIN_BYTES + " bytes, not " + length);
        }
        putMac(memory, offset, destination);
        putMac(memory, offset + 6, source);
        memory.set(SHORT_BE, offset + OFFSET_TYPE, (short) ETHER_TYPE);
        memory.set(INT_BE, offset + OFFSET_MAGIC, MAGIC);
        memory.set(ValueLayout.JAVA_BYTE, offset + OFFSET_KIND, PING);
        memory.set(ValueLayout.JAVA_BYTE, offset + OFFSET_KIND + 1, (byte) 0);
        memory.set(LONG_BE, offset + OFFSET_SEQUENCE, sequence);
        for (long at = offset + MIN_BYTES; at < offset + length; at++) {
            memory.set(ValueLayout.JAVA_BYTE, at, (byte) 'j');
        }
    }

    /**
     * {@return the kind of a floor frame ({@link #PING} or {@link #REPLY}), or 0 for any other frame}
     *
     * @param memory the frame's memory
     * @param offset where the frame starts
     * @param length the frame's length
     */
    public static byte kind(MemorySegment memory, long offset, int length) {
        if (length < MIN_BYTES || Short.toUnsignedInt(memory.get(SHORT_BE, offset + OFFSET_TYPE)) != ETHER_TYPE
                || memory.get(INT_BE, offset + OFFSET_MAGIC) != MAGIC) {
            return 0;
        }
        byte kind = memory.get(ValueLayout.JAVA_BYTE, offset + OFFSET_KIND);
        return kind == PING || kind == REPLY ? kind : 0;
    }

    /**
     * {@return a frame's sequence number; only for a floor frame}
     *
     * @param memory the frame's memory
     * @param offset where the frame starts
     */
    public static long sequence(MemorySegment memory, long offset) {
        return memory.get(LONG_BE, offset + OFFSET_SEQUENCE);
    }

    /**
     * Turns a received request into its reply in place: the addresses swapped, the kind set to {@link #REPLY}; the
     * sequence number and the filler stay.
     *
     * @param memory the frame's memory
     * @param offset where the frame starts
     */
    public static void turnIntoReply(MemorySegment memory, long offset) {
        long destination = mac(memory, offset);
        long source = mac(memory, offset + 6);
        putMac(memory, offset, source);
        putMac(memory, offset + 6, destination);
        memory.set(ValueLayout.JAVA_BYTE, offset + OFFSET_KIND, REPLY);
    }

    /**
     * {@return the MAC address at a position, in the low 48 bits}
     *
     * @param memory the memory
     * @param offset where the six bytes start
     */
    public static long mac(MemorySegment memory, long offset) {
        long high = Short.toUnsignedLong(memory.get(SHORT_BE, offset));
        long low = Integer.toUnsignedLong(memory.get(INT_BE, offset + 2));
        return high << 32 | low;
    }

    private static void putMac(MemorySegment memory, long offset, long mac) {
        memory.set(SHORT_BE, offset, (short) (mac >>> 32));
        memory.set(INT_BE, offset + 2, (int) mac);
    }
}
