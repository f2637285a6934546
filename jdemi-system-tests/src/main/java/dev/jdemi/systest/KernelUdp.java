package dev.jdemi.systest;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;

/**
 * The kernel side of the UDP round-trip measurement, run inside a network namespace: a blocking UDP echo server on
 * kernel sockets, or a client that measures round trips against an echo server.
 *
 * <p>Usage: {@code KernelUdp echo IPV4 PORT} (prints {@code READY} once bound, runs until killed) or
 * {@code KernelUdp rtt IPV4 PORT SIZE COUNT WARMUP} (prints {@code RTT p50_ns p99_ns min_ns} after
 * {@code COUNT} measured round trips, blocking: the caller bounds it with a timeout; a reply that does not match its
 * request byte for byte exits 1).
 */
public final class KernelUdp {
    private KernelUdp() {
    }

    /**
     * Runs the echo server or the client.
     *
     * @param args the mode and its arguments
     * @throws Exception on socket errors
     */
    public static void main(String[] args) throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        if (args[0].equals("echo")) {
            echo(address);
        } else {
            rtt(address, Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        }
    }

    private static void echo(InetSocketAddress address) throws Exception {
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.bind(address);
            System.out.println("READY");
            System.out.flush();
            ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);
            while (true) {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                buffer.flip();
                channel.send(buffer, from);
            }
        }
    }

    private static void rtt(InetSocketAddress server, int size, int count, int warmup) throws Exception {
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.connect(server);
            ByteBuffer request = ByteBuffer.allocateDirect(size);
            ByteBuffer reply = ByteBuffer.allocateDirect(size + 1);
            byte[] sent = new byte[size];
            byte[] got = new byte[size];
            long[] samples = new long[count];
            for (int i = -warmup; i < count; i++) {
                for (int b = 0; b < size; b++) {
                    sent[b] = (byte) (i * 31 + b);
                }
                request.clear();
                request.put(sent).flip();
                reply.clear();
                long start = System.nanoTime();
                channel.write(request);
                int n = channel.read(reply);
                long rtt = System.nanoTime() - start;
                reply.flip();
                if (n != size) {
                    System.out.println("ERROR reply of " + n + " bytes for " + size);
                    System.exit(1);
                }
                reply.get(got);
                if (!Arrays.equals(sent, got)) {
                    System.out.println("ERROR reply differs from request " + i);
                    System.exit(1);
                }
                if (i >= 0) {
                    samples[i] = rtt;
                }
            }
            Arrays.sort(samples);
            System.out.println("RTT " + samples[count / 2] + " " + samples[(int) (count * 0.99)] + " " + samples[0]);
        }
    }
}
