package dev.jdemi.phy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Reads back a little-endian nanosecond pcap file written by {@link PcapWriter}, checking its structure. */
final class PcapFile {
    record Packet(long timestampNs, int originalLength, byte[] bytes) {
    }

    private PcapFile() {
    }

    static List<Packet> read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < PcapWriter.GLOBAL_HEADER_BYTES || in.getInt() != PcapWriter.MAGIC_NANOS) {
            throw new IOException(file + " is not a nanosecond pcap file");
        }
        in.position(PcapWriter.GLOBAL_HEADER_BYTES);
        List<Packet> packets = new ArrayList<>();
        while (in.hasRemaining()) {
            long seconds = Integer.toUnsignedLong(in.getInt());
            long nanos = Integer.toUnsignedLong(in.getInt());
            int captured = in.getInt();
            int original = in.getInt();
            byte[] bytes = new byte[captured];
            in.get(bytes);
            packets.add(new Packet(seconds * 1_000_000_000L + nanos, original, bytes));
        }
        return packets;
    }

    /** {@return the path of tshark, if it is installed} */
    static Optional<Path> tshark() {
        String pathVariable = System.getenv("PATH");
        if (pathVariable == null) {
            return Optional.empty();
        }
        return Arrays.stream(pathVariable.split(java.io.File.pathSeparator))
                .map(dir -> Path.of(dir, "tshark"))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
