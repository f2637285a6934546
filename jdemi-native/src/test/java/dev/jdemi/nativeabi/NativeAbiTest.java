package dev.jdemi.nativeabi;

import static dev.jdemi.nativeabi.CProgram.list;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The C tests: the programs of {@code src/test/c} are compiled with gcc against the built tree
 * ({@code target/demikernel}: upstream's headers, {@code libdemikernel.so}, the pkg-config file) and run as child
 * processes on catnap over loopback, each with a timeout; each program checks its own bytes and errnos and exits 0
 * only when every check passed, and this class asserts the exit codes and the summary lines.
 *
 * <p>Runs at the integration-test phase (after package, when the jars sit next to the library).
 */
class NativeAbiTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String LOOPBACK = "127.0.0.1";

    /** Every function of upstream's headers, plus demi_getsockname, which upstream exports undeclared. */
    private static final List<String> EXPORTS = List.of("demi_accept", "demi_bind", "demi_close", "demi_connect",
            "demi_create_pipe", "demi_getpeername", "demi_getsockname", "demi_getsockopt", "demi_init", "demi_listen",
            "demi_open_pipe", "demi_pop", "demi_push", "demi_pushto", "demi_setsockopt", "demi_sgaalloc",
            "demi_sgafree", "demi_socket", "demi_wait", "demi_wait_any", "demi_wait_next_n");

    private static Path dist;
    private static Path sources;
    private static Path work;
    private static List<String> flags;
    private static final Map<String, Path> PROGRAMS = new HashMap<>();

    @BeforeAll
    static void compile() throws Exception {
        dist = Path.of(System.getProperty("jdemi.native.dist")).toAbsolutePath();
        sources = Path.of(System.getProperty("jdemi.native.sources")).toAbsolutePath();
        work = Path.of(System.getProperty("jdemi.native.work")).toAbsolutePath();
        Files.createDirectories(work);
        assertThat(dist.resolve("lib/libdemikernel.so")).exists();
        flags = demikernelFlags();
        List<Path> files;
        try (Stream<Path> list = Files.list(sources)) {
            files = list.filter(p -> p.toString().endsWith(".c")).sorted().toList();
        }
        for (Path source : files) {
            String name = source.getFileName().toString().replace(".c", "");
            PROGRAMS.put(name, gcc(source, name, flags, List.of()));
        }
        // The same ping-pong program on plain kernel sockets, blocking and busy-polling; not linked to jdemi.
        List<String> kernelFlags = List.of("-I" + dist.resolve("include"));
        Path bench = sources.resolve("bench-ping-pong.c");
        PROGRAMS.put("bench-kernel", gcc(bench, "bench-kernel", kernelFlags, List.of("-DBENCH_KERNEL")));
        PROGRAMS.put("bench-kernel-spin",
                gcc(bench, "bench-kernel-spin", kernelFlags, List.of("-DBENCH_KERNEL", "-DBENCH_SPIN")));
    }

    /** {@code pkg-config --cflags --libs demikernel}, or the same flags by hand when pkg-config is missing. */
    private static List<String> demikernelFlags() throws Exception {
        if (onPath("pkg-config")) {
            CProgram.Finished pc = CProgram.run(list("pkg-config", "--cflags", "--libs", "demikernel"),
                    Map.of("PATH", System.getenv("PATH"), "PKG_CONFIG_PATH", dist.resolve("lib/pkgconfig").toString()),
                    TIMEOUT);
            assertThat(pc.exitCode()).as(pc.describe()).isZero();
            return Arrays.asList(pc.output().trim().split("\\s+"));
        }
        Path lib = dist.resolve("lib");
        return List.of("-I" + dist.resolve("include"), "-L" + lib, "-Wl,-rpath," + lib, "-ldemikernel");
    }

    private static Path gcc(Path source, String name, List<String> flags, List<String> defines) throws Exception {
        return compile(list("gcc", "-std=c11"), source, name, flags, defines);
    }

    private static Path compile(List<String> compiler, Path source, String name, List<String> flags,
            List<String> defines) throws Exception {
        Path out = work.resolve(name);
        List<String> command = new ArrayList<>(compiler);
        command.addAll(list("-O2", "-Wall", "-Wextra", "-Werror"));
        command.addAll(defines);
        command.add(source.toString());
        command.addAll(flags);
        command.addAll(list("-pthread", "-o", out));
        CProgram.Finished cc = CProgram.run(command, System.getenv(), TIMEOUT);
        assertThat(cc.exitCode()).as(cc.describe()).isZero();
        return out;
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }

    /** The environment of a C program on jdemi: catnap, and the JDK that runs this test as the JVM to start. */
    private static Map<String, String> catnap() {
        Map<String, String> env = baseEnvironment();
        env.put("LIBOS", "catnap");
        env.put("JDEMI_JAVA_HOME", System.getProperty("java.home"));
        return env;
    }

    private static Map<String, String> baseEnvironment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.equals("LIBOS") || k.equals("CONFIG_PATH") || k.startsWith("JDEMI_"));
        return env;
    }

    private static List<String> program(String name, Object... args) {
        List<String> command = new ArrayList<>();
        command.add(PROGRAMS.get(name).toString());
        command.addAll(list(args));
        return command;
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void assertPassed(CProgram.Finished finished, String summary) {
        assertThat(finished.exitCode()).as(finished.describe()).isZero();
        assertThat(finished.output()).as(finished.describe()).contains(summary);
    }

    /** Runs a server, waits until it says it is ready, runs the client, and checks both. */
    private static void twoProcesses(List<String> server, String ready, String serverSummary, List<String> client,
            String clientSummary) throws Exception {
        try (CProgram s = CProgram.start(server, catnap())) {
            s.awaitLine(ready, TIMEOUT);
            CProgram.Finished c = CProgram.run(client, catnap(), TIMEOUT);
            assertPassed(c, clientSummary);
            int code = s.finish(TIMEOUT);
            CProgram.Finished finished = new CProgram.Finished(s.command(), code, s.output());
            assertPassed(finished, serverSummary);
        }
    }

    @Test
    void structSizesAndOffsetsAreUpstreams() throws Exception {
        CProgram.Finished sizes = CProgram.run(program("sizes"), baseEnvironment(), TIMEOUT);
        assertPassed(sizes, "sizes: all ok");
        assertThat(sizes.output()).doesNotContain("WRONG").contains("sizeof(demi_qresult_t)");
    }

    @Test
    void theLibraryExportsExactlyTheDemiFunctions() throws Exception {
        assumeTrue(onPath("nm"), "nm (binutils) is not installed");
        CProgram.Finished nm = CProgram.run(list("nm", "-D", "--defined-only", dist.resolve("lib/libdemikernel.so")),
                baseEnvironment(), TIMEOUT);
        assertThat(nm.exitCode()).as(nm.describe()).isZero();
        List<String> symbols = nm.output().lines().map(l -> l.substring(l.lastIndexOf(' ') + 1)).sorted().toList();
        assertThat(symbols).isEqualTo(EXPORTS);
    }

    @Test
    void theHeadersServeCxxPrograms() throws Exception {
        assumeTrue(onPath("g++"), "g++ is not installed");
        Path program = compile(list("g++", "-std=c++17"), sources.resolve("cxx-headers.cc"), "cxx-headers", flags,
                List.of());
        assertPassed(CProgram.run(list(program), catnap(), TIMEOUT), "c++: ok");
    }

    @Test
    void everyEntryPointWithInvalidArgumentsReturnsAnErrno() throws Exception {
        CProgram.Finished calls = CProgram.run(program("syscalls"), catnap(), TIMEOUT);
        assertPassed(calls, "syscalls: all passed");
        assertThat(calls.output()).doesNotContain("FAILED");
        assertThat(calls.output().lines().filter(l -> l.startsWith("test result: passed")).count())
                .isGreaterThan(100);
    }

    @Test
    void initWithoutLibosIsEinvalAndEveryCallStaysEnosys() throws Exception {
        Map<String, String> env = catnap();
        env.remove("LIBOS");
        CProgram.Finished calls = CProgram.run(program("syscalls", "--init-fails", 22), env, TIMEOUT);
        assertPassed(calls, "syscalls: all passed");
        assertThat(calls.output()).contains("LIBOS is not set");
    }

    @Test
    void initReadsConfigPathAsUpstreamAndRefusesABadFileWithEinval() throws Exception {
        Path file = work.resolve("bad-config.yaml");
        Files.writeString(file, "demikernel:\n  local_ipv4_addr: 127.0.0.1\nnot_a_section:\n  key: 1\n");
        Map<String, String> env = catnap();
        env.put("CONFIG_PATH", file.toString());
        CProgram.Finished calls = CProgram.run(program("syscalls", "--init-fails", 22), env, TIMEOUT);
        assertPassed(calls, "syscalls: all passed");
        assertThat(calls.output()).contains("not_a_section").contains(file.toString());
        env.put("CONFIG_PATH", work.resolve("no-such-config.yaml").toString());
        calls = CProgram.run(program("syscalls", "--init-fails", 22), env, TIMEOUT);
        assertPassed(calls, "syscalls: all passed");
        assertThat(calls.output()).contains("does not exist");
        Path good = work.resolve("good-config.yaml");
        Files.writeString(good, "demikernel:\n  local_ipv4_addr: 127.0.0.1\n");
        env.put("CONFIG_PATH", good.toString());
        assertPassed(CProgram.run(program("threads", 1), env, TIMEOUT), "threads: 1 threads");
    }

    @Test
    void initWithoutAJdkIsEioWithAClearMessage() throws Exception {
        Map<String, String> env = catnap();
        env.put("JDEMI_JAVA_HOME", work.resolve("no-such-jdk").toString());
        CProgram.Finished calls = CProgram.run(program("syscalls", "--init-fails", 5), env, TIMEOUT);
        assertPassed(calls, "syscalls: all passed");
        assertThat(calls.output()).contains("has no lib/server/libjvm.so");
    }

    @Test
    void threadsThatCallInAreAttachedEachWithItsOwnLibos() throws Exception {
        // No JDEMI_JAVA_HOME: the library finds the JVM through JAVA_HOME.
        Map<String, String> env = catnap();
        env.remove("JDEMI_JAVA_HOME");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        assertPassed(CProgram.run(program("threads", 8), env, TIMEOUT), "threads: 8 threads, each with its own LibOS");
    }

    @Test
    void aJavaHomeOlderThan25IsPassedOverWithAMessage() throws Exception {
        Path old = work.resolve("jdk-17");
        Files.createDirectories(old.resolve("lib/server"));
        Files.writeString(old.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
        Files.writeString(old.resolve("lib/server/libjvm.so"), "");
        Map<String, String> env = catnap();
        env.remove("JDEMI_JAVA_HOME");
        env.put("JAVA_HOME", old.toString());
        CProgram.Finished run = CProgram.run(program("threads", 1), env, TIMEOUT);
        assertPassed(run, "threads: 1 threads, each with its own LibOS");
        assertThat(run.output()).contains("JAVA_HOME=" + old + " is not a JDK 25+ (release 17)");
    }

    @Test
    void tcpPingPongBetweenTwoProcesses() throws Exception {
        int port = freeTcpPort();
        twoProcesses(program("tcp-ping-pong", "--server", LOOPBACK, port, 64, 512), "listening",
                "tcp-ping-pong server: echoed 32768 bytes",
                program("tcp-ping-pong", "--client", LOOPBACK, port, 64, 512),
                "tcp-ping-pong client: 512 messages of 64 bytes echoed intact");
    }

    @Test
    void tcpPushPopBetweenTwoProcesses() throws Exception {
        int port = freeTcpPort();
        twoProcesses(program("tcp-push-pop", "--server", LOOPBACK, port, 1000, 512), "listening",
                "tcp-push-pop server: 512000 bytes intact, then end of stream",
                program("tcp-push-pop", "--client", LOOPBACK, port, 1000, 512), "push: total bytes sent: (512000)");
    }

    @Test
    void udpPingPongBetweenTwoProcesses() throws Exception {
        int server = freeUdpPort();
        int client = freeUdpPort();
        twoProcesses(program("udp-ping-pong", "--server", LOOPBACK, server, LOOPBACK, client, 64, 512), "bound",
                "udp-ping-pong server: echoed 512 datagrams",
                program("udp-ping-pong", "--client", LOOPBACK, client, LOOPBACK, server, 64, 512),
                "udp-ping-pong client: 512 datagrams of 64 bytes echoed intact");
    }

    @Test
    void udpPushPopBetweenTwoProcesses() throws Exception {
        int server = freeUdpPort();
        int client = freeUdpPort();
        twoProcesses(program("udp-push-pop", "--server", LOOPBACK, server, 256, 1024), "bound",
                "udp-push-pop server: 1024 datagrams of 256 bytes intact and in order",
                program("udp-push-pop", "--client", LOOPBACK, client, LOOPBACK, server, 256, 1024),
                "udp-push-pop client: pushed 1024 datagrams");
    }

    @Test
    void waitAnyOverManyTokens() throws Exception {
        CProgram.Finished run = CProgram.run(program("wait-any", freeTcpPort(), 1024), catnap(), TIMEOUT);
        assertPassed(run, "wait_any: 1024 tokens completed once each; 32768 bytes intact");
        assertThat(run.output()).contains("wait_next_n: the 16 push results, each once; 1024 bytes intact");
    }

    @Test
    void echoServerOnJdemiAnswersSocat() throws Exception {
        assumeTrue(onPath("socat"), "socat is not installed (./jdemi test installs it when run as root)");
        int port = freeTcpPort();
        byte[] sent = new byte[100_000];
        new Random(6).nextBytes(sent);
        try (CProgram server = CProgram.start(program("tcp-echo", "--server", LOOPBACK, port, 1), catnap())) {
            server.awaitLine("listening", TIMEOUT);
            Process socat = new ProcessBuilder("socat", "-t", "30", "-", "TCP:" + LOOPBACK + ":" + port)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readAll(socat.getInputStream()));
            try (OutputStream in = socat.getOutputStream()) {
                in.write(sent);
            }
            assertThat(socat.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("socat ended").isTrue();
            assertThat(received.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(sent);
            int code = server.finish(TIMEOUT);
            assertPassed(new CProgram.Finished(server.command(), code, server.output()), "echoed 100000 bytes");
        }
    }

    @Test
    void clientOnJdemiTalksToAKernelServer() throws Exception {
        assumeTrue(onPath("socat"), "socat is not installed (./jdemi test installs it when run as root)");
        int port = freeTcpPort();
        List<String> socat = list("socat", "-d", "-d", "TCP-LISTEN:" + port + ",bind=" + LOOPBACK + ",reuseaddr",
                "PIPE");
        try (CProgram server = CProgram.start(socat, baseEnvironment())) {
            server.awaitLine("listening on", TIMEOUT);
            assertPassed(CProgram.run(program("tcp-echo", "--client", LOOPBACK, port, 1000, 200), catnap(), TIMEOUT),
                    "echoed 200 messages of 1000 bytes intact");
            assertThat(server.finish(TIMEOUT)).as(server.output()).isZero();
        }
    }

    /**
     * The C boundary's cost, briefly (the numbers in docs/results.md come from longer runs): the same ping-pong
     * program on jdemi catnap and on kernel sockets; every echoed byte is checked by the program.
     */
    @Test
    void pingPongOnJdemiAndOnKernelSockets() throws Exception {
        long jdemi = benchP50("bench-ping-pong", catnap());
        long blocking = benchP50("bench-kernel", baseEnvironment());
        long spinning = benchP50("bench-kernel-spin", baseEnvironment());
        System.out.printf("C ping-pong p50 (64 B, 5000 round trips): jdemi catnap %d ns, kernel blocking %d ns "
                + "(ratio %.2f), kernel busy-polling %d ns (ratio %.2f)%n", jdemi, blocking,
                (double) jdemi / blocking, spinning, (double) jdemi / spinning);
    }

    /** One crossing of the boundary, briefly: demi_sgaalloc + demi_sgafree pairs. */
    @Test
    void callsCrossTheBoundary() throws Exception {
        CProgram.Finished run = CProgram.run(program("bench-calls", 200_000), catnap(), TIMEOUT);
        assertPassed(run, "pairs=200000");
        Matcher m = Pattern.compile("ns_per_pair=([0-9.]+)").matcher(run.output());
        assertThat(m.find()).as(run.describe()).isTrue();
        assertThat(Double.parseDouble(m.group(1))).isPositive();
        System.out.println("C boundary: " + m.group() + " (two upcalls per pair)");
    }

    private static long benchP50(String name, Map<String, String> env) throws Exception {
        int port = freeTcpPort();
        try (CProgram server = CProgram.start(program(name, "--server", LOOPBACK, port), env)) {
            server.awaitLine("listening", TIMEOUT);
            CProgram.Finished client = CProgram.run(program(name, "--client", LOOPBACK, port, 64, 5000, 2000), env,
                    TIMEOUT);
            assertPassed(client, "iterations=5000 size=64");
            assertThat(server.finish(TIMEOUT)).as(server.output()).isZero();
            Matcher m = Pattern.compile("p50=(\\d+)").matcher(client.output());
            assertThat(m.find()).as(client.describe()).isTrue();
            long p50 = Long.parseLong(m.group(1));
            assertThat(p50).isPositive();
            return p50;
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
