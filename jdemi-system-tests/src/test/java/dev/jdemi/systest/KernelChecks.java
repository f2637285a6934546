package dev.jdemi.systest;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static dev.jdemi.systest.Veth.in;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exchanges the interop tests share: the kernel's socat and nc echoing through jdemi, SHA-256 of echoed and of
 * patterned bytes, waiting for a kernel listener, and the tshark preferences that make it check every checksum.
 */
final class KernelChecks {
    /** The UDP and TCP echo port of {@link JdemiPeer} and {@link JdemiTcpPeer} {@code server}. */
    static final int ECHO_PORT = 7;
    /** The port of the kernel's socat TCP server for jdemi as a client. */
    static final int KERNEL_PORT = 9100;
    /**
     * A display filter for the frames tshark finds at fault: malformed, an expert error, or a bad IPv4, UDP, ICMP or
     * TCP checksum. A TCP checksum field of 0xFFFF where tshark computed 0x0000 ({@code tcp.checksum.ffff}) is not a
     * fault: in ones' complement the two are the same number and a receiver's sum over the segment accepts both (RFC
     * 1624 section 3). Linux writes 0xFFFF when it completes a partial checksum whose result is zero, about one
     * segment in 65,536, so a long capture of the kernel's frames holds some.
     */
    static final String FAULTY = "_ws.malformed || (_ws.expert.severity == error && !tcp.checksum.ffff)"
            + " || ip.checksum.status == 0 || udp.checksum.status == 0 || icmp.checksum.status == 0"
            + " || (tcp.checksum.status == 0 && !tcp.checksum.ffff)";

    /** tshark preferences that make it check the IPv4, UDP and TCP checksums. */
    static final List<String> CHECKSUM_PREFS = List.of("-o", "ip.check_checksum:TRUE", "-o",
            "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE");

    private KernelChecks() {
    }

    /**
     * The kernel's socat sends UDP datagrams of 1, 1000, 1472 and 4000 bytes to jdemi's echo port, then nc one of
     * 512 bytes; each must come back equal byte for byte, and jdemi must report each echo.
     *
     * @param link the link
     * @param jdemi the running {@link JdemiPeer}
     */
    static void udpEchoesFromSocatAndNc(KernelLink link, ChildJvm jdemi) {
        udpEchoesFromSocat(link, jdemi);
        udpEchoFromNc(link, jdemi);
    }

    /**
     * The kernel's socat sends UDP datagrams of 1, 1000, 1472 and 4000 bytes to jdemi's echo port; each must come
     * back equal byte for byte.
     *
     * @param link the link
     * @param jdemi the running {@link JdemiPeer}
     */
    static void udpEchoesFromSocat(KernelLink link, ChildJvm jdemi) {
        for (int size : new int[] {1, 1000, 1472, 4000}) {
            byte[] payload = random(size);
            Veth.Result echo = Veth.runAny(20, payload, in(link.kernelNs(), "socat", "-t", "1", "-",
                    "UDP4:" + link.jdemiIp() + ":" + ECHO_PORT));
            assertThat(echo.exit()).as("socat exit, %d bytes", size).isZero();
            assertThat(echo.stdoutBytes()).as("echo of %d bytes", size).isEqualTo(payload);
            jdemi.expect("ECHO " + size, 5);
        }
    }

    /**
     * The kernel's nc sends one UDP datagram of 512 bytes to jdemi's echo port; it must come back equal.
     *
     * @param link the link
     * @param jdemi the running {@link JdemiPeer}
     */
    static void udpEchoFromNc(KernelLink link, ChildJvm jdemi) {
        byte[] payload = random(512);
        Veth.Result echo = Veth.runAny(20, payload, in(link.kernelNs(), "nc", "-u", "-w", "1", link.jdemiIp(),
                String.valueOf(ECHO_PORT)));
        assertThat(echo.stdoutBytes()).isEqualTo(payload);
        jdemi.expect("ECHO 512", 5);
    }

    /**
     * The kernel's socat sends the payload over TCP to jdemi's echo server and reads the echo until jdemi closes.
     *
     * @param link the link
     * @param timeoutSeconds how long socat may take
     * @param payload the bytes
     * @return socat's result, with the echoed bytes
     * @throws Exception when socat cannot be run
     */
    static Veth.Result tcpEchoFromSocat(KernelLink link, int timeoutSeconds, byte[] payload) throws Exception {
        return streamed(timeoutSeconds, payload, in(link.kernelNs(), "socat", "-t", "5", "-",
                "TCP4:" + link.jdemiIp() + ":" + ECHO_PORT));
    }

    /**
     * Starts the kernel's socat as a TCP server on {@link #KERNEL_PORT} that sends back the first {@code size} bytes
     * it receives and closes first (so the kernel, not jdemi, holds TIME_WAIT), and waits until it listens.
     *
     * @param link the link
     * @param size the bytes to echo
     * @return the socat process; the caller destroys it
     * @throws IOException when socat cannot be started
     */
    static Process kernelTcpEchoServer(KernelLink link, long size) throws IOException {
        Process kernel = new ProcessBuilder(in(link.kernelNs(), "socat", "-t", "5",
                "TCP4-LISTEN:" + KERNEL_PORT + ",reuseaddr", "SYSTEM:head -c " + size))
                .redirectErrorStream(true).start();
        Veth.drain(kernel.getInputStream());
        try {
            awaitListener(link, "-Htln", KERNEL_PORT, "TCP listener");
        } catch (RuntimeException | Error e) {
            kernel.destroyForcibly();
            throw e;
        }
        return kernel;
    }

    /**
     * jdemi ({@link JdemiTcpPeer} {@code client}, a new JVM) connects to the kernel's socat echo server
     * ({@link #kernelTcpEchoServer}), sends {@code size} patterned bytes and must get them back with the same SHA-256;
     * socat must then end cleanly.
     *
     * @param link the link
     * @param device the device word of {@link PeerDevice}
     * @param size the bytes
     * @return the milliseconds from starting jdemi's JVM to its verdict
     * @throws Exception when a process cannot be run
     */
    static long jdemiGetsItsBytesBackFromTheKernelsSocat(KernelLink link, String device, long size) throws Exception {
        Process kernel = kernelTcpEchoServer(link, size);
        try {
            long start = System.nanoTime();
            long ms;
            try (ChildJvm client = ChildJvm.start(link.jdemiNs(), JdemiTcpPeer.class, link.jdemiIf(), link.jdemiIp(),
                    link.jdemiMac(), device, "client", link.kernelIp(), String.valueOf(KERNEL_PORT),
                    String.valueOf(size))) {
                String line = client.expect("OK " + size + " ", 60);
                assertThat(line).isEqualTo("OK " + size + " " + expectedSha256(size));
                ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            }
            assertThat(kernel.waitFor(10, TimeUnit.SECONDS)).as("socat ends when jdemi closes").isTrue();
            assertThat(kernel.exitValue()).isZero();
            return ms;
        } finally {
            kernel.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Waits until a kernel socket of the kind is bound to the port in the kernel's namespace (ss lists it).
     *
     * @param link the link
     * @param ssFlags {@code -Hunl} for UDP, {@code -Htln} for TCP listeners
     * @param port the port
     * @param what the socket in words, for the failure
     */
    static void awaitListener(KernelLink link, String ssFlags, int port, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!Veth.run(in(link.kernelNs(), "ss", ssFlags, "sport = :" + port)).stdout().isBlank()) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no " + what + " on port " + port + " after 10 s");
    }

    /**
     * {@return the SHA-256, in hex, of the first {@code size} bytes of {@link JdemiTcpPeer#pattern}}
     *
     * @param size the bytes
     */
    static String expectedSha256(long size) throws NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[65_536];
        for (long done = 0; done < size; done += chunk.length) {
            int length = (int) Math.min(chunk.length, size - done);
            for (int i = 0; i < length; i++) {
                chunk[i] = JdemiTcpPeer.pattern(done + i);
            }
            digest.update(chunk, 0, length);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** {@return the SHA-256 of the bytes, in hex} */
    static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Like {@link Veth#runAny}, but feeds stdin from its own thread so that a large echo cannot fill the pipes. */
    static Veth.Result streamed(int timeoutSeconds, byte[] input, String... command) throws Exception {
        Process process = new ProcessBuilder(command).start();
        Thread writer = Thread.ofPlatform().daemon().start(() -> {
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(input);
            } catch (IOException e) {
                System.out.println("KernelChecks: stdin of " + command[command.length - 2] + ": " + e);
            }
        });
        var out = Veth.drain(process.getInputStream());
        var err = Veth.drain(process.getErrorStream());
        boolean done = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            process.destroyForcibly().waitFor();
        }
        writer.join(5000);
        out.join();
        err.join();
        return new Veth.Result(done ? process.exitValue() : -1, out.bytes(), err.text());
    }

    /** {@return size bytes of a random sequence seeded by the size, the same each run} */
    static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
