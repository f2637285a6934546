package dev.jdemi.wire;

import java.lang.foreign.MemorySegment;

/**
 * A reusable holder for the TCP options jdemi understands, with an allocation-free parser and writer: maximum
 * segment size and the option-list framing (RFC 9293 section 3.2), window scale and timestamps (RFC 7323),
 * SACK-permitted and SACK (RFC 2018).
 *
 * <pre>
 *  kind 0, EOL     +--------+                      kind 1, NOP     +--------+
 *                  |00000000|                                      |00000001|
 *                  +--------+                                      +--------+
 *  kind 2, MSS     +--------+--------+--------+--------+
 *                  |00000010|00000100|   max seg size  |
 *                  +--------+--------+--------+--------+
 *  kind 3, WS      +--------+--------+--------+
 *                  |00000011|00000011|shift.cnt|  (0..14)
 *                  +--------+--------+--------+
 *  kind 4, SACK-   +--------+--------+
 *  permitted       |00000100|00000010|
 *                  +--------+--------+
 *  kind 5, SACK    +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
 *                  |00000101| 2 + 8n |   left edge of block 1 (32)       |  right edge of block 1 (32)       | ...
 *                  +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
 *  kind 8, TS      +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
 *                  |00001000|00001010|       TSval (32 bits)             |       TSecr (32 bits)             |
 *                  +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
 * </pre>
 *
 * <p>Parsed values live in primitive fields and the SACK blocks in one {@code int[8]} allocated with the holder, so a
 * stack keeps one instance per thread and reuses it for every segment. Sequence numbers and timestamps are
 * {@code int}s compared modulo 2^32. Not thread-safe.
 */
public final class TcpOptions {
    /** Kind: end of option list. */
    public static final int KIND_EOL = 0;
    /** Kind: no operation (padding and alignment). */
    public static final int KIND_NOP = 1;
    /** Kind: maximum segment size. */
    public static final int KIND_MSS = 2;
    /** Kind: window scale. */
    public static final int KIND_WINDOW_SCALE = 3;
    /** Kind: SACK-permitted. */
    public static final int KIND_SACK_PERMITTED = 4;
    /** Kind: SACK blocks. */
    public static final int KIND_SACK = 5;
    /** Kind: timestamps. */
    public static final int KIND_TIMESTAMPS = 8;

    /** Length of the MSS option. */
    public static final int LENGTH_MSS = 4;
    /** Length of the window-scale option. */
    public static final int LENGTH_WINDOW_SCALE = 3;
    /** Length of the SACK-permitted option. */
    public static final int LENGTH_SACK_PERMITTED = 2;
    /** Length of the timestamps option. */
    public static final int LENGTH_TIMESTAMPS = 10;
    /** Length of the SACK option's kind and length octets. */
    public static final int LENGTH_SACK_BASE = 2;
    /** Length of one SACK block (two 32-bit edges). */
    public static final int LENGTH_SACK_BLOCK = 8;
    /** The most SACK blocks that fit in 40 option bytes. */
    public static final int MAX_SACK_BLOCKS = 4;
    /** The most option bytes a header can carry (data offset 15). */
    public static final int MAX_LENGTH = 40;
    /** The largest usable window shift (RFC 7323 section 2.3). */
    public static final int MAX_WINDOW_SCALE = 14;

    private boolean hasMss;
    private int mss;
    private boolean hasWindowScale;
    private int windowScale;
    private boolean sackPermitted;
    private boolean hasTimestamps;
    private int tsVal;
    private int tsEcr;
    private final int[] sackBlocks = new int[2 * MAX_SACK_BLOCKS];
    private int sackBlockCount;
    private boolean hasUnknownOption;

    /** Creates an empty holder. */
    public TcpOptions() {
    }

    /**
     * Forgets every option.
     *
     * @return this
     */
    public TcpOptions clear() {
        hasMss = false;
        mss = 0;
        hasWindowScale = false;
        windowScale = 0;
        sackPermitted = false;
        hasTimestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlockCount = 0;
        hasUnknownOption = false;
        return this;
    }

    /**
     * Checks that an option list can be walked, without storing anything: every option other than EOL and NOP has a
     * length of at least 2 that stays inside the list. Octets after EOL are padding and are not read.
     *
     * @param segment the memory segment holding the options
     * @param offset the offset of the first option octet
     * @param length the number of option bytes (data offset * 4 - 20)
     * @return {@link DropReason#NONE} or {@link DropReason#TCP_BAD_OPTION_LIST}
     */
    public static int check(MemorySegment segment, long offset, int length) {
        int i = 0;
        while (i < length) {
            int kind = Bytes.u8(segment, offset + i);
            if (kind == KIND_EOL) {
                break;
            }
            if (kind == KIND_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= length) {
                return DropReason.TCP_BAD_OPTION_LIST;
            }
            int optionLength = Bytes.u8(segment, offset + i + 1);
            if (optionLength < 2 || i + optionLength > length) {
                return DropReason.TCP_BAD_OPTION_LIST;
            }
            i += optionLength;
        }
        return DropReason.NONE;
    }

    /**
     * Clears this holder, then parses an option list into it. Unknown kinds are skipped by their length, as RFC 9293
     * requires ("MUST ignore without error any TCP option it does not implement", MUST-6), and noted in
     * {@link #hasUnknownOption()}. A known option whose length is wrong for its kind is skipped, the rest is still
     * parsed, and {@link DropReason#TCP_BAD_OPTION_SIZE} is returned. When an option's length is 0 or 1 or runs past
     * the list, parsing stops there (the options before it stay parsed) and {@link DropReason#TCP_BAD_OPTION_LIST} is
     * returned. A later duplicate of an option replaces the earlier one.
     *
     * @param segment the memory segment holding the options
     * @param offset the offset of the first option octet
     * @param length the number of option bytes (data offset * 4 - 20)
     * @return {@link DropReason#NONE}, {@link DropReason#TCP_BAD_OPTION_SIZE} or
     *     {@link DropReason#TCP_BAD_OPTION_LIST}
     */
    public int parse(MemorySegment segment, long offset, int length) {
        clear();
        int result = DropReason.NONE;
        int i = 0;
        while (i < length) {
            long at = offset + i;
            int kind = Bytes.u8(segment, at);
            if (kind == KIND_EOL) {
                break;
            }
            if (kind == KIND_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= length) {
                return DropReason.TCP_BAD_OPTION_LIST;
            }
            int optionLength = Bytes.u8(segment, at + 1);
            if (optionLength < 2 || i + optionLength > length) {
                return DropReason.TCP_BAD_OPTION_LIST;
            }
            if (!parseOne(segment, at, kind, optionLength)) {
                result = DropReason.TCP_BAD_OPTION_SIZE;
            }
            i += optionLength;
        }
        return result;
    }

    /** Stores one option; returns false when a known kind has the wrong length. */
    private boolean parseOne(MemorySegment segment, long at, int kind, int optionLength) {
        switch (kind) {
            case KIND_MSS -> {
                if (optionLength != LENGTH_MSS) {
                    return false;
                }
                hasMss = true;
                mss = Bytes.u16(segment, at + 2);
            }
            case KIND_WINDOW_SCALE -> {
                if (optionLength != LENGTH_WINDOW_SCALE) {
                    return false;
                }
                hasWindowScale = true;
                // RFC 7323 section 2.3: a shift.cnt above 14 "SHOULD log the error but MUST use 14 instead".
                windowScale = Math.min(Bytes.u8(segment, at + 2), MAX_WINDOW_SCALE);
            }
            case KIND_SACK_PERMITTED -> {
                if (optionLength != LENGTH_SACK_PERMITTED) {
                    return false;
                }
                sackPermitted = true;
            }
            case KIND_TIMESTAMPS -> {
                if (optionLength != LENGTH_TIMESTAMPS) {
                    return false;
                }
                hasTimestamps = true;
                tsVal = Bytes.i32(segment, at + 2);
                tsEcr = Bytes.i32(segment, at + 6);
            }
            case KIND_SACK -> {
                int blocks = (optionLength - LENGTH_SACK_BASE) / LENGTH_SACK_BLOCK;
                if ((optionLength - LENGTH_SACK_BASE) % LENGTH_SACK_BLOCK != 0 || blocks < 1
                        || blocks > MAX_SACK_BLOCKS) {
                    return false;
                }
                for (int e = 0; e < 2 * blocks; e++) {
                    sackBlocks[e] = Bytes.i32(segment, at + LENGTH_SACK_BASE + 4L * e);
                }
                sackBlockCount = blocks;
            }
            default -> hasUnknownOption = true;
        }
        return true;
    }

    /**
     * Whether an MSS option is present.
     *
     * @return {@code true} when parsed or set
     */
    public boolean hasMss() {
        return hasMss;
    }

    /**
     * The maximum segment size.
     *
     * @return the MSS in bytes, meaningful when {@link #hasMss()}
     */
    public int mss() {
        return mss;
    }

    /**
     * Sets the MSS option to send.
     *
     * @param mss the MSS in bytes, {@code 0..0xFFFF}
     * @return this
     * @throws IllegalArgumentException when out of range
     */
    public TcpOptions mss(int mss) {
        if (mss < 0 || mss > 0xFFFF) {
            throw new IllegalArgumentException("mss must be in [0, 65535], got " + mss);
        }
        this.hasMss = true;
        this.mss = mss;
        return this;
    }

    /**
     * Whether a window-scale option is present.
     *
     * @return {@code true} when parsed or set
     */
    public boolean hasWindowScale() {
        return hasWindowScale;
    }

    /**
     * The window shift count; a received value above 14 reads as 14.
     *
     * @return the shift, {@code 0..14}, meaningful when {@link #hasWindowScale()}
     */
    public int windowScale() {
        return windowScale;
    }

    /**
     * Sets the window-scale option to send.
     *
     * @param shift the shift count, {@code 0..14}
     * @return this
     * @throws IllegalArgumentException when out of range
     */
    public TcpOptions windowScale(int shift) {
        if (shift < 0 || shift > MAX_WINDOW_SCALE) {
            throw new IllegalArgumentException("window scale must be in [0, 14], got " + shift);
        }
        this.hasWindowScale = true;
        this.windowScale = shift;
        return this;
    }

    /**
     * Whether the SACK-permitted option is present.
     *
     * @return {@code true} when parsed or set
     */
    public boolean isSackPermitted() {
        return sackPermitted;
    }

    /**
     * Sets whether to send the SACK-permitted option.
     *
     * @param sackPermitted whether to send it
     * @return this
     */
    public TcpOptions sackPermitted(boolean sackPermitted) {
        this.sackPermitted = sackPermitted;
        return this;
    }

    /**
     * Whether a timestamps option is present.
     *
     * @return {@code true} when parsed or set
     */
    public boolean hasTimestamps() {
        return hasTimestamps;
    }

    /**
     * The timestamp value (TSval).
     *
     * @return the 32-bit value, meaningful when {@link #hasTimestamps()}
     */
    public int tsVal() {
        return tsVal;
    }

    /**
     * The timestamp echo reply (TSecr).
     *
     * @return the 32-bit value, meaningful when {@link #hasTimestamps()}
     */
    public int tsEcr() {
        return tsEcr;
    }

    /**
     * Sets the timestamps option to send.
     *
     * @param tsVal the sender's timestamp clock
     * @param tsEcr the most recent TSval received, or zero when there is none to echo (RFC 7323 section 3.2)
     * @return this
     */
    public TcpOptions timestamps(int tsVal, int tsEcr) {
        this.hasTimestamps = true;
        this.tsVal = tsVal;
        this.tsEcr = tsEcr;
        return this;
    }

    /**
     * The number of SACK blocks.
     *
     * @return {@code 0..4}
     */
    public int sackBlockCount() {
        return sackBlockCount;
    }

    /**
     * The left edge of a SACK block: the first sequence number of the block.
     *
     * @param index the block, {@code 0 <= index < sackBlockCount()}
     * @return the edge
     * @throws IndexOutOfBoundsException when there is no such block
     */
    public int sackLeft(int index) {
        return sackBlocks[2 * checkBlock(index)];
    }

    /**
     * The right edge of a SACK block: the sequence number just after the block.
     *
     * @param index the block, {@code 0 <= index < sackBlockCount()}
     * @return the edge
     * @throws IndexOutOfBoundsException when there is no such block
     */
    public int sackRight(int index) {
        return sackBlocks[2 * checkBlock(index) + 1];
    }

    private int checkBlock(int index) {
        if (index < 0 || index >= sackBlockCount) {
            throw new IndexOutOfBoundsException(index);
        }
        return index;
    }

    /**
     * Appends a SACK block to send. RFC 2018 section 4 has the first block report the most recently received data.
     *
     * @param left the first sequence number of the block
     * @param right the sequence number just after the block
     * @return {@code false}, storing nothing, when four blocks are already held
     */
    public boolean addSackBlock(int left, int right) {
        if (sackBlockCount == MAX_SACK_BLOCKS) {
            return false;
        }
        sackBlocks[2 * sackBlockCount] = left;
        sackBlocks[2 * sackBlockCount + 1] = right;
        sackBlockCount++;
        return true;
    }

    /**
     * Forgets the SACK blocks.
     *
     * @return this
     */
    public TcpOptions clearSackBlocks() {
        sackBlockCount = 0;
        return this;
    }

    /**
     * Whether the last {@link #parse} skipped an option of a kind this class does not know.
     *
     * @return {@code true} when an unknown kind was seen
     */
    public boolean hasUnknownOption() {
        return hasUnknownOption;
    }

    /**
     * The number of bytes {@link #write} will produce.
     *
     * @return a multiple of 4, at most 40
     */
    public int length() {
        int n = fixedLength();
        int blocks = sackBlocksThatFit(n);
        return blocks == 0 ? n : n + 4 + blocks * LENGTH_SACK_BLOCK;
    }

    private int fixedLength() {
        int n = hasMss ? 4 : 0;
        if (hasTimestamps) {
            n += 12;
        } else if (sackPermitted) {
            n += 4;
        }
        return hasWindowScale ? n + 4 : n;
    }

    private int sackBlocksThatFit(int used) {
        int room = (MAX_LENGTH - used - 4) / LENGTH_SACK_BLOCK;
        return Math.max(0, Math.min(sackBlockCount, room));
    }

    /**
     * Writes the options held, 32-bit aligned and NOP-padded, in the order and packing Linux uses so that a segment
     * built here matches a kernel one byte for byte: MSS; then SACK-permitted folded with timestamps into
     * {@code <SACK-permitted, TS>}, or {@code <NOP, NOP, TS>}, or {@code <NOP, NOP, SACK-permitted>}; then
     * {@code <NOP, WS>}; then {@code <NOP, NOP, SACK>} with as many blocks as still fit in 40 bytes. For another
     * layout (such as upstream Demikernel's {@code <MSS, WS, EOL>}) use the static {@code put*} methods.
     *
     * @param segment the memory segment to write into
     * @param offset the offset of the first option octet
     * @return the number of bytes written, {@link #length()}
     */
    public int write(MemorySegment segment, long offset) {
        int n = 0;
        if (hasMss) {
            n += putMss(segment, offset, mss);
        }
        if (hasTimestamps) {
            if (sackPermitted) {
                n += putSackPermitted(segment, offset + n);
            } else {
                n += putNop(segment, offset + n);
                n += putNop(segment, offset + n);
            }
            n += putTimestamps(segment, offset + n, tsVal, tsEcr);
        } else if (sackPermitted) {
            n += putNop(segment, offset + n);
            n += putNop(segment, offset + n);
            n += putSackPermitted(segment, offset + n);
        }
        if (hasWindowScale) {
            n += putNop(segment, offset + n);
            n += putWindowScale(segment, offset + n, windowScale);
        }
        int blocks = sackBlocksThatFit(n);
        if (blocks > 0) {
            n += putNop(segment, offset + n);
            n += putNop(segment, offset + n);
            n += putSack(segment, offset + n, sackBlocks, blocks);
        }
        return n;
    }

    /**
     * Writes an end-of-option-list octet.
     *
     * @param segment the memory segment
     * @param offset where to write
     * @return 1
     */
    public static int putEol(MemorySegment segment, long offset) {
        Bytes.put8(segment, offset, KIND_EOL);
        return 1;
    }

    /**
     * Writes a no-operation octet.
     *
     * @param segment the memory segment
     * @param offset where to write
     * @return 1
     */
    public static int putNop(MemorySegment segment, long offset) {
        Bytes.put8(segment, offset, KIND_NOP);
        return 1;
    }

    /**
     * Writes an MSS option.
     *
     * @param segment the memory segment
     * @param offset where to write
     * @param mss the MSS; only the low 16 bits are written
     * @return 4
     */
    public static int putMss(MemorySegment segment, long offset, int mss) {
        Bytes.put8(segment, offset, KIND_MSS);
        Bytes.put8(segment, offset + 1, LENGTH_MSS);
        Bytes.put16(segment, offset + 2, mss);
        return LENGTH_MSS;
    }

    /**
     * Writes a window-scale option.
     *
     * @param segment the memory segment
     * @param offset where to write
     * @param shift the shift count; only the low 8 bits are written
     * @return 3
     */
    public static int putWindowScale(MemorySegment segment, long offset, int shift) {
        Bytes.put8(segment, offset, KIND_WINDOW_SCALE);
        Bytes.put8(segment, offset + 1, LENGTH_WINDOW_SCALE);
        Bytes.put8(segment, offset + 2, shift);
        return LENGTH_WINDOW_SCALE;
    }

    /**
     * Writes a SACK-permitted option.
     *
     * @param segment the memory segment
     * @param offset where to write
     * @return 2
     */
    public static int putSackPermitted(MemorySegment segment, long offset) {
        Bytes.put8(segment, offset, KIND_SACK_PERMITTED);
        Bytes.put8(segment, offset + 1, LENGTH_SACK_PERMITTED);
        return LENGTH_SACK_PERMITTED;
    }

    /**
     * Writes a timestamps option.
     *
     * @param segment the memory segment
     * @param offset where to write
     * @param tsVal the timestamp value
     * @param tsEcr the timestamp echo reply
     * @return 10
     */
    public static int putTimestamps(MemorySegment segment, long offset, int tsVal, int tsEcr) {
        Bytes.put8(segment, offset, KIND_TIMESTAMPS);
        Bytes.put8(segment, offset + 1, LENGTH_TIMESTAMPS);
        Bytes.put32(segment, offset + 2, tsVal);
        Bytes.put32(segment, offset + 6, tsEcr);
        return LENGTH_TIMESTAMPS;
    }

    /**
     * Writes a SACK option.
     *
     * @param segment the memory segment
     * @param offset where to write
     * @param edges the blocks as pairs {@code left0, right0, left1, right1, ...}
     * @param count the number of blocks to write, {@code 1..4}
     * @return {@code 2 + 8 * count}
     * @throws IllegalArgumentException when {@code count} is out of range or {@code edges} is too short
     */
    public static int putSack(MemorySegment segment, long offset, int[] edges, int count) {
        if (count < 1 || count > MAX_SACK_BLOCKS || edges.length < 2 * count) {
            throw new IllegalArgumentException("need 1..4 SACK blocks and 2 edges each, got " + count);
        }
        int length = LENGTH_SACK_BASE + count * LENGTH_SACK_BLOCK;
        Bytes.put8(segment, offset, KIND_SACK);
        Bytes.put8(segment, offset + 1, length);
        for (int i = 0; i < 2 * count; i++) {
            Bytes.put32(segment, offset + LENGTH_SACK_BASE + 4L * i, edges[i]);
        }
        return length;
    }

    /**
     * Zero-fills after {@code written} option bytes up to the next multiple of 4, as the header padding must be
     * (RFC 9293 section 3.1: "The TCP header padding is composed of zeros").
     *
     * @param segment the memory segment
     * @param offset the offset of the first option octet
     * @param written the option bytes written so far
     * @return the padded length
     */
    public static int padToWord(MemorySegment segment, long offset, int written) {
        int padded = (written + 3) & ~3;
        for (int i = written; i < padded; i++) {
            Bytes.put8(segment, offset + i, 0);
        }
        return padded;
    }
}
