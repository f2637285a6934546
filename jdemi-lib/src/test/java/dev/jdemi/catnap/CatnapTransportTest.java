package dev.jdemi.catnap;

import dev.jdemi.Config;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SocketOption;
import dev.jdemi.WaitPolicy;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What is particular to catnap: it talks to ordinary kernel sockets, and its blocking wait policy sleeps in epoll
 * instead of spinning.
 */
class CatnapTransportTest {
    private static final long SECOND_NS = 1_000_000_000L;

    @Test
    void aJdemiClientTalksToAPlainJdkServer() throws Exception {
        try (ServerSocket kernelServer = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             LibOS libos = LibOS.open(LibOSName.CATNAP)) {
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket peer = kernelServer.accept(); InputStream in = peer.getInputStream();
                     OutputStream out = peer.getOutputStream()) {
                    byte[] request = in.readNBytes(5);
                    out.write("world".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return new String(request, StandardCharsets.US_ASCII);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            int qd = libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
            QResult result = new QResult();
            assertThat(libos.wait(libos.connect(qd, new InetSocketAddress("127.0.0.1",
                    kernelServer.getLocalPort())), Duration.ofSeconds(10)).opcode()).isEqualTo(Opcode.CONNECT);
            Sga hello = libos.sgaAlloc(5);
            hello.write(0, "hello".getBytes(StandardCharsets.US_ASCII), 0, 5);
            long push = libos.push(qd, hello);
            libos.sgaFree(hello);
            StringBuilder reply = new StringBuilder();
            while (reply.length() < 5) {
                libos.wait(libos.pop(qd), result, 10 * SECOND_NS);
                assertThat(result.opcode()).isEqualTo(Opcode.POP);
                reply.append(new String(result.sga().toArray(), StandardCharsets.US_ASCII));
                libos.sgaFree(result.sga());
            }
            assertThat(libos.wait(push, Duration.ofSeconds(10)).opcode()).isEqualTo(Opcode.PUSH);
            assertThat(reply.toString()).isEqualTo("world");
            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("hello");
            libos.close(qd);
        }
    }

    @Test
    void aPlainJdkClientTalksToAJdemiServer() throws Exception {
        try (LibOS libos = LibOS.open(LibOSName.CATNAP)) {
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            int listen = libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
            libos.bind(listen, new InetSocketAddress("127.0.0.1", port));
            libos.listen(listen, 4);
            long accept = libos.accept(listen);
            CompletableFuture<String> echoed = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                    return new String(socket.getInputStream().readNBytes(4), StandardCharsets.US_ASCII);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            QResult result = libos.wait(accept, Duration.ofSeconds(10));
            assertThat(result.opcode()).isEqualTo(Opcode.ACCEPT);
            int qd = result.acceptedQd();
            int echoedBytes = 0;
            while (echoedBytes < 4) {
                libos.wait(libos.pop(qd), result, 10 * SECOND_NS);
                Sga data = result.sga();
                echoedBytes += data.length();
                long push = libos.push(qd, data);
                libos.sgaFree(data);
                assertThat(libos.wait(push, Duration.ofSeconds(10)).opcode()).isEqualTo(Opcode.PUSH);
            }
            assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("ping");
            libos.close(qd);
            libos.close(listen);
        }
    }

    @Test
    void acceptedSocketsTakeNodelayFromTheConfiguration() throws Exception {
        assertThat(acceptedNodelay(Config.defaults())).as("default: nodelay on, as upstream").isTrue();
        assertThat(acceptedNodelay(Config.parse("tcp_socket_options:\n  nodelay: false\n")))
                .as("tcp_socket_options.nodelay: false").isFalse();
    }

    /** Accepts one connection from a JDK client and returns TCP_NODELAY of the accepted qd. */
    private static boolean acceptedNodelay(Config config) throws Exception {
        try (LibOS libos = LibOS.open(LibOSName.CATNAP, config)) {
            int listen = libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            libos.bind(listen, new InetSocketAddress("127.0.0.1", port));
            libos.listen(listen, 1);
            long accept = libos.accept(listen);
            try (Socket client = new Socket("127.0.0.1", port)) {
                QResult result = libos.wait(accept, Duration.ofSeconds(10));
                assertThat(result.opcode()).isEqualTo(Opcode.ACCEPT);
                boolean nodelay = libos.getSockOpt(result.acceptedQd(), SocketOption.TCP_NODELAY);
                libos.close(result.acceptedQd());
                libos.close(listen);
                return nodelay;
            }
        }
    }

    @Test
    void theBlockingPolicySleepsInsteadOfSpinning() {
        assertThat(idleCpuShare(WaitPolicy.BLOCK)).as("share of a core used while waiting, blocking").isLessThan(0.3);
        assertThat(idleCpuShare(WaitPolicy.SPIN)).as("share of a core used while waiting, spinning")
                .isGreaterThan(0.5);
    }

    /** Waits 300 ms for a pop that never completes and returns the thread's CPU time over the wall time. */
    private static double idleCpuShare(WaitPolicy policy) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (LibOS libos = LibOS.open(LibOSName.CATNAP, Config.defaults().withWaitPolicy(policy))) {
            int qd = libos.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
            libos.bind(qd, new InetSocketAddress("127.0.0.1", 0));
            long pop = libos.pop(qd);
            long cpuBefore = threads.getCurrentThreadCpuTime();
            long wallBefore = System.nanoTime();
            assertThat(libos.wait(pop, new QResult(), 300_000_000L)).isFalse();
            long wall = System.nanoTime() - wallBefore;
            long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
            assertThat(wall).isGreaterThanOrEqualTo(300_000_000L);
            return (double) cpu / wall;
        }
    }
}
