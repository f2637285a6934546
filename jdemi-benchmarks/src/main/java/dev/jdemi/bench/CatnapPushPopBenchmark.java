package dev.jdemi.bench;

import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/**
 * A TCP round trip over catnap on loopback, both ends driven by the benchmark thread: the client pushes a message
 * (freeing its SGA at once), the server pops it and pushes the same SGA back, the client pops the echo; every
 * token is waited for. This is the push, pop and wait path of a real echo, with the kernel in between.
 *
 * <p>Run with {@code -prof gc}: {@code gc.alloc.rate.norm} must be 0 B/op in steady state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CatnapPushPopBenchmark {
    @Param({"64", "1024"})
    public int size;

    private LibOS server;
    private LibOS client;
    private int listenQd;
    private int serverQd;
    private int clientQd;
    private final QResult result = new QResult();
    private long serverPop;

    /**
     * Connects a client and a server catnap LibOS on loopback.
     *
     * @throws Exception when no free port can be found
     */
    @Setup(Level.Trial)
    public void connect() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        server = LibOS.open(LibOSName.CATNAP);
        client = LibOS.open(LibOSName.CATNAP);
        listenQd = server.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
        server.bind(listenQd, address);
        server.listen(listenQd, 16);
        long accept = server.accept(listenQd);
        clientQd = client.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
        client.wait(client.connect(clientQd, address), result);
        server.wait(accept, result);
        serverQd = result.acceptedQd();
        serverPop = server.pop(serverQd, size);
    }

    /**
     * One echo round trip.
     *
     * @return the echoed length, so the JIT keeps the work
     */
    @Benchmark
    public int roundTrip() {
        Sga request = client.sgaAlloc(size);
        long push = client.push(clientQd, request);
        client.sgaFree(request);
        int echoed = 0;
        while (echoed < size) {
            server.wait(serverPop, result, LibOS.WAIT_FOREVER);
            Sga data = result.sga();
            long echo = server.push(serverQd, data);
            server.sgaFree(data);
            serverPop = server.pop(serverQd, size);
            long pop = client.pop(clientQd, size);
            client.wait(pop, result, LibOS.WAIT_FOREVER);
            echoed += result.sga().length();
            client.sgaFree(result.sga());
            server.wait(echo, result, LibOS.WAIT_FOREVER);
        }
        client.wait(push, result, LibOS.WAIT_FOREVER);
        return echoed;
    }

    /** Closes both LibOSes. */
    @TearDown(Level.Trial)
    public void close() {
        client.close();
        server.close();
    }
}
