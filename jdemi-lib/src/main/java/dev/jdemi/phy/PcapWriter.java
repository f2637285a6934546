package dev.jdemi.phy;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.runtime.DemiBuffer;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes Ethernet frames to a classic libpcap file that Wireshark and tshark open.
 *
 * <p>The file has the 24-byte global header (the nanosecond magic {@code 0xA1B23C4D}, version 2.4, snaplen 65,535,
 * link type 1 = Ethernet) and one 16-byte record header per frame (seconds, nanoseconds, captured length, original
 * length), all little-endian; readers detect the byte order from the magic. Frames are written whole. Timestamps are
 * the {@code nowNs} handed in, so a capture made on a virtual clock is the same on every run (it starts at the Unix
 * epoch); on the system clock the origin is arbitrary but intervals are right.
 *
 * <p>Output goes through one off-heap buffer, written to the file when full, on {@link #flush()} and on
 * {@link #close()}; nothing is allocated per frame.
 *
 * <p>A capture must never break the datapath: after an I/O error the writer reports once (a warning on the
 * {@code dev.jdemi.phy} logger), stops writing and counts the frames it could not keep in {@link #framesLost()}.
 *
 * <p>Thread: confined to one thread.
 */
public final class PcapWriter implements AutoCloseable {
    /** The magic of a nanosecond-resolution capture. */
    public static final int MAGIC_NANOS = 0xA1B23C4D;
    /** The largest frame part written per record; longer frames are cut (never the case for a 65,535-byte SGA). */
    public static final int SNAPLEN = 65_535;
    /** LINKTYPE_ETHERNET. */
    public static final int LINKTYPE_ETHERNET = 1;
    /** Bytes of the global header. */
    public static final int GLOBAL_HEADER_BYTES = 24;
    /** Bytes of a record header. */
    public static final int RECORD_HEADER_BYTES = 16;

    private static final int BUFFER_BYTES = 256 * 1024;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private final MemorySegment bufferSegment;
    private long framesCaptured;
    private long framesBuffered;
    private long framesLost;
    private long ioErrors;
    private boolean failed;
    private boolean closed;

    private PcapWriter(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
        this.buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        this.bufferSegment = MemorySegment.ofBuffer(buffer);
        buffer.putInt(MAGIC_NANOS);
        buffer.putShort((short) 2);
        buffer.putShort((short) 4);
        buffer.putInt(0);
        buffer.putInt(0);
        buffer.putInt(SNAPLEN);
        buffer.putInt(LINKTYPE_ETHERNET);
    }

    /**
     * Creates (or truncates) a capture file, creating its directory if needed. The global header is written with the
     * first flush.
     *
     * @param file the file
     * @return the writer, owned by the caller, who closes it
     * @throws DemiException EIO when the file cannot be opened
     */
    public static PcapWriter open(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            return new PcapWriter(file, channel);
        } catch (IOException | UnsupportedOperationException e) {
            throw new DemiException(Errno.EIO, "cannot open the pcap file " + file + ": " + e, e);
        }
    }

    /** {@return the file} */
    public Path path() {
        return path;
    }

    /**
     * Records a frame. The frame stays the caller's.
     *
     * @param frame the frame, live
     * @param nowNs its timestamp
     */
    public void write(DemiBuffer frame, long nowNs) {
        write(frame.memory(), frame.dataOffset(), frame.length(), nowNs);
    }

    /**
     * Records the bytes of a frame.
     *
     * @param memory the memory holding the frame
     * @param offset where the frame starts in {@code memory}
     * @param length the frame's length, 0..65,535
     * @param nowNs its timestamp
     */
    public void write(MemorySegment memory, long offset, int length, long nowNs) {
        if (closed || failed) {
            framesLost++;
            return;
        }
        int captured = Math.min(length, SNAPLEN);
        if (buffer.remaining() < RECORD_HEADER_BYTES + captured && !flushBuffer()) {
            framesLost++;
            return;
        }
        // The 32-bit seconds field wraps after 2106; a negative clock reading still lands on a valid instant.
        buffer.putInt((int) Math.floorDiv(nowNs, NANOS_PER_SECOND));
        buffer.putInt((int) Math.floorMod(nowNs, NANOS_PER_SECOND));
        buffer.putInt(captured);
        buffer.putInt(length);
        int position = buffer.position();
        MemorySegment.copy(memory, offset, bufferSegment, position, captured);
        buffer.position(position + captured);
        framesCaptured++;
        framesBuffered++;
    }

    /** Writes the buffered records to the file. */
    public void flush() {
        if (!closed && !failed) {
            flushBuffer();
        }
    }

    private boolean flushBuffer() {
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            framesBuffered = 0;
            return true;
        } catch (IOException | RuntimeException e) {
            fail(e);
            return false;
        } finally {
            buffer.clear();
        }
    }

    private void fail(Exception e) {
        ioErrors++;
        failed = true;
        framesLost += framesBuffered;
        framesCaptured -= framesBuffered;
        framesBuffered = 0;
        System.getLogger("dev.jdemi.phy").log(System.Logger.Level.WARNING,
                "pcap capture to " + path + " stopped: " + e);
    }

    /** {@return frames written or buffered for writing} */
    public long framesCaptured() {
        return framesCaptured;
    }

    /** {@return frames that are not in the file because of an I/O error or because the writer was closed} */
    public long framesLost() {
        return framesLost;
    }

    /** {@return I/O errors met (at most 1: the first one stops the capture)} */
    public long ioErrors() {
        return ioErrors;
    }

    /** {@return whether an I/O error stopped the capture} */
    public boolean hasFailed() {
        return failed;
    }

    /** Flushes and closes the file. Closing twice does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        flush();
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            if (!failed) {
                fail(e);
            }
        }
    }
}
