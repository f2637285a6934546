package dev.jdemi.tools.demo;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.tools.echo.EchoClient;
import dev.jdemi.tools.echo.EchoServer;
import dev.jdemi.tools.echo.RunMode;
import dev.jdemi.tools.options.LibOSOption;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The demo's first scenario: a TCP echo server and client on two threads of this process, each with its own LibOS,
 * over 127.0.0.1 and a free port.
 */
public final class LoopbackTcpEcho implements Scenario {
    /** How long the server may take to start listening. */
    private static final long START_TIMEOUT_SECONDS = 30;
    /** How long the server may take to notice that the client left. */
    private static final long STOP_TIMEOUT_MILLIS = 10_000;
    /** How often to try another port when the free one was taken in between. */
    private static final int PORT_ATTEMPTS = 3;

    private final LibOSOption libos;
    private final int bufsize;
    private final long durationNs;

    /**
     * Creates the scenario.
     *
     * @param libos which LibOS both sides open
     * @param bufsize the message size
     * @param durationNs how long the client runs
     */
    public LoopbackTcpEcho(LibOSOption libos, int bufsize, long durationNs) {
        this.libos = libos;
        this.bufsize = bufsize;
        this.durationNs = durationNs;
    }

    @Override
    public String describe() {
        return "TCP echo over loopback: a server and a client on two threads, each with its own " + libos.name().id()
                + " LibOS";
    }

    @Override
    public String libos() {
        return libos.name().id();
    }

    @Override
    public EchoClient.Report run(PrintWriter log) {
        for (int attempt = 1; ; attempt++) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort());
            try {
                return runOn(address, log);
            } catch (DemiException e) {
                if (e.errno() != Errno.EADDRINUSE || attempt == PORT_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private EchoClient.Report runOn(InetSocketAddress address, PrintWriter log) {
        CompletableFuture<EchoServer> listening = new CompletableFuture<>();
        CompletableFuture<Long> served = new CompletableFuture<>();
        Thread serverThread = Thread.ofPlatform().name("demo-echo-server").start(() -> {
            try (LibOS os = libos.open(); EchoServer server = new EchoServer(os, log)) {
                server.listen(address, EchoServer.BACKLOG);
                listening.complete(server);
                served.complete(server.run(0));
            } catch (Throwable t) {
                listening.completeExceptionally(t);
                served.completeExceptionally(t);
            }
        });
        EchoServer server = await(listening, START_TIMEOUT_SECONDS * 1000, "the server to listen");
        EchoClient.Settings settings =
                new EchoClient.Settings(address, bufsize, 1, 0, durationNs, RunMode.SEQUENTIAL, 0);
        CompletableFuture<EchoClient.Report> report = new CompletableFuture<>();
        Thread clientThread = Thread.ofPlatform().name("demo-echo-client").start(() -> {
            try (LibOS os = libos.open()) {
                report.complete(new EchoClient(os, settings, log).run());
            } catch (Throwable t) {
                report.completeExceptionally(t);
            }
        });
        try {
            EchoClient.Report result = await(report, durationNs / 1_000_000 + 60_000, "the client");
            join(clientThread, STOP_TIMEOUT_MILLIS);
            try {
                served.get(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                log.println("WARN: the server did not notice that the client left; stopping it");
            } catch (ExecutionException e) {
                throw rethrow(e.getCause());
            }
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            server.stop();
            if (!joinQuietly(serverThread, STOP_TIMEOUT_MILLIS)) {
                log.println("WARN: the server thread did not finish within " + STOP_TIMEOUT_MILLIS + " ms");
            }
        }
    }

    private static <T> T await(CompletableFuture<T> future, long timeoutMillis, String what) {
        try {
            return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (TimeoutException e) {
            throw new DemiException(Errno.ETIMEDOUT, "waited " + timeoutMillis + " ms for " + what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException e) {
            return e;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(cause);
    }

    private static void join(Thread thread, long timeoutMillis) {
        if (!joinQuietly(thread, timeoutMillis)) {
            throw new IllegalStateException(thread.getName() + " did not finish within " + timeoutMillis + " ms");
        }
    }

    /** {@return whether the thread finished within the timeout} */
    private static boolean joinQuietly(Thread thread, long timeoutMillis) {
        try {
            return thread.join(Duration.ofMillis(timeoutMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Finds a free TCP port on 127.0.0.1 by letting the kernel pick one. catnap cannot bind port 0 for a listening
     * socket (upstream answers ENOTSUP), so the demo asks first; {@link #run} retries if the port is taken in between.
     */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        }
    }
}
