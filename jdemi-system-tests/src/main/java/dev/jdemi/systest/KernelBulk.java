package dev.jdemi.systest;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;

/**
 * The kernel side of the bulk transfers, run inside the kernel's network namespace: a blocking JDK server socket that
 * accepts one connection and either sinks it or sources a stream into it.
 *
 * <p>Usage: {@code KernelBulk sink IPV4 PORT BYTES} reads BYTES bytes, hashing, then shuts its output down, reads
 * until the peer's FIN (which must come with no more data), closes and prints {@code OK bytes sha256 ns};
 * {@code KernelBulk source IPV4 PORT BYTES SEED} writes {@link BulkStream}{@code (SEED, BYTES)}, shuts its output
 * down, reads until the peer's FIN (which must come with no data), closes and prints {@code OK bytes sha256 ns}.
 * Both print {@code READY} once listening, and {@code FAIL reason} on an error (exit 1).
 * The time is from the accept to the end of the stream.
 */
public final class KernelBulk {
    private KernelBulk() {
    }

    /**
     * Runs the sink or the source.
     *
     * @param args the mode and its arguments
     * @throws Exception on socket errors
     */
    public static void main(String[] args) throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address, 1);
            System.out.println("READY");
            System.out.flush();
            try (SocketChannel channel = server.accept()) {
                String outcome = args[0].equals("sink") ? sink(channel, Long.parseLong(args[3]))
                        : source(channel, Long.parseLong(args[3]), Long.parseLong(args[4]));
                System.out.println(outcome);
                System.out.flush();
                if (!outcome.startsWith("OK")) {
                    System.exit(1);
                }
            }
        }
    }

    private static String sink(SocketChannel channel, long bytes) throws Exception {
        long start = System.nanoTime();
        MessageDigest digest = BulkStream.sha256();
        ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        long total = 0;
        while (total < bytes) {
            int n = channel.read(buffer.clear().limit((int) Math.min(buffer.capacity(), bytes - total)));
            if (n < 0) {
                return "FAIL end of stream after " + total + " bytes";
            }
            digest.update(buffer.array(), 0, n);
            total += n;
        }
        // The sink closes first, once it has the whole stream, so that the peer's close is answered by an ACK (the
        // peer is the last to close and keeps no TIME_WAIT; its LibOS may end as soon as its close completes).
        channel.shutdownOutput();
        if (channel.read(buffer.clear()) >= 0) {
            return "FAIL more than " + bytes + " bytes";
        }
        long ns = System.nanoTime() - start;
        return "OK " + total + " " + BulkStream.hex(digest) + " " + ns;
    }

    private static String source(SocketChannel channel, long bytes, long seed) throws Exception {
        long start = System.nanoTime();
        BulkStream stream = new BulkStream(seed, bytes);
        int length;
        while ((length = stream.next()) > 0) {
            ByteBuffer buffer = ByteBuffer.wrap(stream.chunk(), 0, length);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
        channel.shutdownOutput();
        // The peer closes once it has read everything: the time includes the delivery of the last byte.
        if (channel.read(ByteBuffer.allocate(1)) >= 0) {
            return "FAIL the peer sent data back";
        }
        long ns = System.nanoTime() - start;
        return "OK " + bytes + " " + stream.sha256Hex() + " " + ns;
    }
}
