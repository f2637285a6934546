package dev.jdemi.catmem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.conformance.BytePattern;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What catloop does beyond the conformance suite: addresses shared by all processes, refusals, the clean-up of its
 * pipes, and a server in another process.
 */
@DisplayName("catloop")
class CatloopTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final SplittableRandom random = new SplittableRandom();
    /** A random 127.x.y.z, so that parallel builds on one host do not collide. */
    private final String ip = "127." + (1 + random.nextInt(254)) + "." + random.nextInt(256) + "."
            + (1 + random.nextInt(254));
    private final LibOS server = LibOS.open(LibOSName.CATLOOP);
    private final LibOS client = LibOS.open(LibOSName.CATLOOP);

    @AfterEach
    void close() {
        client.close();
        server.close();
        assertThat(pipesOf(ip)).as("catloop pipes left in /dev/shm").isEmpty();
    }

    private static Stream<Path> pipesOf(String ip) {
        try (Stream<Path> files = Files.list(Path.of("/dev/shm"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("jdemi-catmem-catloop-" + ip + ":"))
                    .toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private InetSocketAddress address(int port) {
        return new InetSocketAddress(ip, port);
    }

    private static int tcp(LibOS libos) {
        return libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
    }

    @Test
    @DisplayName("an address bound by one LibOS is taken for every other (EADDRINUSE), and free again after close")
    void addressesAreHostWide() {
        int a = tcp(server);
        server.bind(a, address(7000));
        int b = tcp(client);
        assertThatThrownBy(() -> client.bind(b, address(7000))).isInstanceOfSatisfying(DemiException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE));
        server.close(a);
        client.bind(b, address(7000));
        assertThat(client.getSockName(b)).isEqualTo(address(7000));
    }

    @Test
    @DisplayName("a connect to a bound socket that does not listen is refused")
    void notListening() {
        server.bind(tcp(server), address(7001));
        QResult r = client.wait(client.connect(tcp(client), address(7001)), PATIENCE);
        assertThat(r.opcode()).isEqualTo(Opcode.FAILED);
        assertThat(r.ret()).isEqualTo(Errno.ECONNREFUSED);
    }

    @Test
    @DisplayName("a listener that closes refuses the connects still waiting for an accept")
    void listenerCloseRefusesQueuedConnects() {
        int listener = tcp(server);
        server.bind(listener, address(7002));
        server.listen(listener, 4);
        long first = client.connect(tcp(client), address(7002));
        long second = client.connect(tcp(client), address(7002));
        QResult r = new QResult();
        assertThat(client.wait(first, r, 0)).isFalse();
        server.close(listener);
        for (long qt : new long[] {first, second}) {
            r = client.wait(qt, PATIENCE);
            assertThat(r.opcode()).isEqualTo(Opcode.FAILED);
            assertThat(r.ret()).isEqualTo(Errno.ECONNREFUSED);
        }
    }

    @Test
    @DisplayName("a connect queued before the listener accepts completes when it does")
    void connectWaitsForAccept() {
        int listener = tcp(server);
        server.bind(listener, address(7003));
        server.listen(listener, 4);
        int qd = tcp(client);
        long connect = client.connect(qd, address(7003));
        QResult r = new QResult();
        assertThat(client.wait(connect, r, 0)).isFalse();
        QResult accepted = server.wait(server.accept(listener), PATIENCE);
        assertThat(accepted.opcode()).isEqualTo(Opcode.ACCEPT);
        assertThat(client.wait(connect, PATIENCE).opcode()).isEqualTo(Opcode.CONNECT);
        assertThat(accepted.address()).isEqualTo(client.getSockName(qd));
        assertThat(client.getSockName(qd).getAddress().getHostAddress()).isEqualTo(ip);
        assertThat(client.getSockName(qd).getPort()).isBetween(49152, 65535);
    }

    @Test
    @DisplayName("a server in another process: connect, 100 echoes of up to 64 KiB, close; the server sees the end")
    void serverInAnotherProcess() {
        InetSocketAddress address = address(7004);
        ChildJvm child = ChildJvm.start(CatloopEchoChild.class, ip, "7004");
        try {
            int qd = connectWhenListening(address);
            long bytes = 0;
            for (int i = 1; i <= 100; i++) {
                int size = 1 + (i * 7919) % Sga.MAX_SIZE;
                Sga sga = client.sgaAlloc(size);
                sga.write(0, BytePattern.bytes(i, size), 0, size);
                long push = client.push(qd, sga);
                client.sgaFree(sga);
                byte[] echo = new byte[size];
                int have = 0;
                while (have < size) {
                    QResult r = client.wait(client.pop(qd), PATIENCE);
                    assertThat(r.opcode()).isEqualTo(Opcode.POP);
                    int n = r.sga().length();
                    assertThat(n).isPositive();
                    r.sga().read(0, echo, have, n);
                    client.sgaFree(r.sga());
                    have += n;
                }
                assertThat(client.wait(push, PATIENCE).opcode()).isEqualTo(Opcode.PUSH);
                BytePattern.assertMatches(echo, i, size);
                bytes += size;
            }
            client.close(qd);
            ChildJvm.Outcome outcome = child.await(60);
            assertThat(outcome.output()).contains("echoed " + bytes + " bytes");
            assertThat(outcome.exitCode()).isZero();
        } finally {
            child.kill();
        }
    }

    /** Connects, trying again while the child has not started listening (its JVM takes a moment to start). */
    private int connectWhenListening(InetSocketAddress address) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            int qd = tcp(client);
            QResult r = client.wait(client.connect(qd, address), Duration.ofSeconds(60));
            if (r.opcode() == Opcode.CONNECT) {
                return qd;
            }
            assertThat(r.ret()).isEqualTo(Errno.ECONNREFUSED);
            client.close(qd);
            assertThat(System.nanoTime()).as("the child never listened").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
