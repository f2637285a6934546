package dev.jdemi.tools.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * JDK NIO, as a user would write it without a framework: either non-blocking channels polled in a loop on one thread
 * (spin), or blocking channels with a thread per connection (blocking).
 */
final class NioEcho implements EchoTransport {
    private final boolean spin;

    /**
     * Creates the transport.
     *
     * @param spin true for non-blocking channels polled without pause; false for blocking channels
     */
    NioEcho(boolean spin) {
        this.spin = spin;
    }

    @Override
    public void serve(InetSocketAddress address, Runnable ready) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(address, 1024);
        if (spin) {
            server.configureBlocking(false);
            ready.run();
            serveSpinning(server);
        } else {
            ready.run();
            while (true) {
                SocketChannel channel = server.accept();
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Thread.ofPlatform().daemon().start(() -> echoBlocking(channel));
            }
        }
    }

    private static void serveSpinning(ServerSocketChannel server) throws IOException {
        List<SocketChannel> channels = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocateDirect(EchoScenario.MAX_SIZE);
        while (true) {
            SocketChannel accepted = server.accept();
            if (accepted != null) {
                accepted.configureBlocking(false);
                accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channels.add(accepted);
            }
            for (int i = channels.size() - 1; i >= 0; i--) {
                SocketChannel channel = channels.get(i);
                int n;
                try {
                    buffer.clear();
                    n = channel.read(buffer);
                    if (n > 0) {
                        buffer.flip();
                        while (buffer.hasRemaining()) {
                            channel.write(buffer);
                        }
                    }
                } catch (IOException e) {
                    n = -1;
                }
                if (n < 0) {
                    channel.close();
                    channels.remove(i);
                }
            }
        }
    }

    private static void echoBlocking(SocketChannel channel) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(EchoScenario.MAX_SIZE);
        try (channel) {
            while (true) {
                buffer.clear();
                if (channel.read(buffer) < 0) {
                    return;
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        } catch (IOException e) {
            // The client left mid-request: nothing to echo to.
        }
    }

    @Override
    public void run(InetSocketAddress address, EchoScenario scenario, Recorder recorder, long warmupNs,
            long measureNs) throws Exception {
        SocketChannel[] channels = new SocketChannel[scenario.conns()];
        try {
            for (int i = 0; i < channels.length; i++) {
                channels[i] = SocketChannel.open(address);
                channels[i].setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            recorder.begin(warmupNs, measureNs);
            if (spin) {
                runSpinning(channels, scenario.size(), recorder);
            } else if (channels.length == 1) {
                runBlocking(channels[0], scenario.size(), recorder);
            } else {
                runThreaded(channels, scenario.size(), recorder);
            }
        } finally {
            for (SocketChannel channel : channels) {
                if (channel != null) {
                    channel.close();
                }
            }
        }
    }

    private static ByteBuffer request(int size) {
        ByteBuffer request = ByteBuffer.allocateDirect(size);
        while (request.hasRemaining()) {
            request.put((byte) 'j');
        }
        return request.flip();
    }

    private static void runSpinning(SocketChannel[] channels, int size, Recorder recorder) throws IOException {
        ByteBuffer request = request(size);
        ByteBuffer reply = ByteBuffer.allocateDirect(EchoScenario.MAX_SIZE);
        long[] sentNs = new long[channels.length];
        int[] received = new int[channels.length];
        for (int i = 0; i < channels.length; i++) {
            channels[i].configureBlocking(false);
            sentNs[i] = System.nanoTime();
            send(channels[i], request);
        }
        while (true) {
            for (int i = 0; i < channels.length; i++) {
                reply.clear();
                int n = channels[i].read(reply);
                if (n < 0) {
                    throw new EOFException("the server closed the connection");
                }
                received[i] += n;
                if (received[i] >= size) {
                    long now = System.nanoTime();
                    if (!recorder.complete(sentNs[i], now)) {
                        return;
                    }
                    received[i] = 0;
                    sentNs[i] = System.nanoTime();
                    send(channels[i], request);
                } else if (recorder.over()) {
                    return;
                }
            }
        }
    }

    private static void send(SocketChannel channel, ByteBuffer request) throws IOException {
        request.rewind();
        while (request.hasRemaining()) {
            channel.write(request);
        }
    }

    private static void runBlocking(SocketChannel channel, int size, Recorder recorder) throws IOException {
        ByteBuffer request = request(size);
        ByteBuffer reply = ByteBuffer.allocateDirect(size);
        while (true) {
            long sent = System.nanoTime();
            send(channel, request);
            reply.clear();
            while (reply.hasRemaining()) {
                if (channel.read(reply) < 0) {
                    throw new EOFException("the server closed the connection");
                }
            }
            if (!recorder.complete(sent, System.nanoTime())) {
                return;
            }
        }
    }

    private static void runThreaded(SocketChannel[] channels, int size, Recorder recorder) throws Exception {
        Recorder[] recorders = new Recorder[channels.length];
        Thread[] threads = new Thread[channels.length];
        Exception[] failures = new Exception[channels.length];
        for (int i = 0; i < channels.length; i++) {
            int index = i;
            recorders[i] = new Recorder(Recorder.DEFAULT_CAPACITY / channels.length);
            recorders[i].beginLike(recorder);
            threads[i] = Thread.ofPlatform().name("nio-client-" + i).start(() -> {
                try {
                    runBlocking(channels[index], size, recorders[index]);
                } catch (IOException e) {
                    failures[index] = e;
                }
            });
        }
        for (int i = 0; i < channels.length; i++) {
            threads[i].join();
            if (failures[i] != null) {
                throw failures[i];
            }
            recorder.addAll(recorders[i]);
        }
    }
}
