package dev.jdemi.tools.echo;

import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs an {@link EchoServer} or an {@link EchoClient} on its own thread with its own catnap LibOS, as the demo does.
 */
final class EchoThreads {
    private EchoThreads() {
    }

    /** {@return a loopback address with a port that was free a moment ago} */
    static InetSocketAddress freeLoopbackAddress() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server thread: {@link #listening} completes once clients can connect, {@link #done} with the bytes echoed. */
    static final class Server {
        final CompletableFuture<EchoServer> listening = new CompletableFuture<>();
        final CompletableFuture<Long> done = new CompletableFuture<>();
        final StringWriter log = new StringWriter();
        final Thread thread;

        Server(InetSocketAddress address) {
            PrintWriter out = new PrintWriter(log, true);
            thread = Thread.ofPlatform().name("test-echo-server").start(() -> {
                try (LibOS os = LibOS.open(LibOSName.CATNAP); EchoServer server = new EchoServer(os, out)) {
                    server.listen(address, EchoServer.BACKLOG);
                    listening.complete(server);
                    done.complete(server.run(0));
                } catch (Throwable t) {
                    listening.completeExceptionally(t);
                    done.completeExceptionally(t);
                }
            });
        }

        EchoServer awaitListening() throws Exception {
            return listening.get(30, TimeUnit.SECONDS);
        }

        long awaitDone() throws Exception {
            return done.get(30, TimeUnit.SECONDS);
        }

        /** Stops the server if it still runs, and waits for its thread. */
        void stop() throws InterruptedException {
            listening.thenAccept(EchoServer::stop);
            thread.join(10_000);
        }
    }

    /**
     * Runs a client on a new thread with its own LibOS and waits for its report.
     *
     * @param settings what the client does
     * @param log where it prints
     * @return its report
     */
    static EchoClient.Report runClient(EchoClient.Settings settings, StringWriter log) throws Exception {
        CompletableFuture<EchoClient.Report> report = new CompletableFuture<>();
        PrintWriter out = new PrintWriter(log, true);
        Thread.ofPlatform().name("test-echo-client").start(() -> {
            try (LibOS os = LibOS.open(LibOSName.CATNAP)) {
                report.complete(new EchoClient(os, settings, out).run());
            } catch (Throwable t) {
                report.completeExceptionally(t);
            }
        });
        return report.get(60, TimeUnit.SECONDS);
    }
}
