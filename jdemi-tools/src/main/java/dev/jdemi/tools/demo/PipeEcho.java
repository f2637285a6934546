package dev.jdemi.tools.demo;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.tools.echo.EchoClient;
import dev.jdemi.tools.echo.LatencyStats;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The catmem demo: this process creates a shared-memory pipe, starts the echo server ({@link PipeEchoServer}) in a
 * second JVM that opens it, and runs a closed-loop client over it; closing the pipe ends the server.
 */
public final class PipeEcho implements Scenario {
    /** How long the server may take to finish after the pipe closed. */
    private static final long STOP_TIMEOUT_SECONDS = 30;

    private final int bufsize;
    private final long durationNs;

    /**
     * Creates the scenario.
     *
     * @param bufsize the message size
     * @param durationNs how long the client runs
     */
    public PipeEcho(int bufsize, long durationNs) {
        this.bufsize = bufsize;
        this.durationNs = durationNs;
    }

    @Override
    public String describe() {
        return "echo over a catmem pipe (/dev/shm): a client here, the server in a second process";
    }

    @Override
    public String libos() {
        return LibOSName.CATMEM.id();
    }

    @Override
    public EchoClient.Report run(PrintWriter log) {
        String name = "demo-" + UUID.randomUUID();
        try (LibOS libos = LibOS.open(LibOSName.CATMEM)) {
            int qd = libos.createPipe(name);
            Process server = startServer(name);
            try {
                LatencyStats stats = runClient(libos, qd);
                libos.close(qd);
                if (!server.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    log.println("WARN: the server process did not finish; stopping it");
                }
                log.println(new String(server.getInputStream().readAllBytes()).strip());
                return new EchoClient.Report(1, stats, server.exitValue() == 0 ? 0 : 1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } finally {
                server.destroyForcibly();
            }
        }
    }

    private static Process startServer(String name) {
        List<String> command = List.of(ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + "/bin/java"), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), PipeEchoServer.class.getName(), name);
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the server process", e);
        }
    }

    private LatencyStats runClient(LibOS libos, int qd) {
        LatencyStats stats = new LatencyStats();
        Sga message = libos.sgaAlloc(bufsize);
        message.write(0, EchoClient.patternBytes(bufsize), 0, bufsize);
        QResult result = new QResult();
        long startNs = System.nanoTime();
        stats.start(startNs);
        long nowNs = startNs;
        try {
            while (nowNs - startNs < durationNs) {
                long sentNs = System.nanoTime();
                libos.wait(libos.push(qd, message), result);
                check(result, Opcode.PUSH);
                int received = 0;
                while (received < bufsize) {
                    libos.wait(libos.pop(qd, bufsize - received), result);
                    check(result, Opcode.POP);
                    received += result.sga().length();
                    boolean ended = result.sga().length() == 0;
                    libos.sgaFree(result.sga());
                    if (ended) {
                        throw new DemiException(Errno.ECONNRESET, "the server closed the pipe");
                    }
                }
                nowNs = System.nanoTime();
                stats.record(nowNs - sentNs, nowNs);
                stats.addBytes(bufsize);
            }
        } finally {
            stats.stop(nowNs);
            libos.sgaFree(message);
        }
        return stats;
    }

    private static void check(QResult result, Opcode expected) {
        if (result.opcode() != expected) {
            throw new DemiException(result.ret(), "the pipe's " + expected + " failed");
        }
    }
}
