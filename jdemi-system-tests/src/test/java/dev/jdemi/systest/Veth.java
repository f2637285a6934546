package dev.jdemi.systest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two temporary network namespaces joined by a veth pair: jdemi's end (no IPv4 address of the kernel's own) and the
 * kernel's end with {@link #KERNEL_IP}. Offloads are off on both ends (but see
 * {@link #createWithKernelChecksumOffload}) and IPv6 is off in both namespaces (quiet links, valid checksums in every
 * frame). Names carry the test JVM's pid, so parallel runs do not collide; closing
 * deletes both namespaces, which deletes the pair, and a shutdown hook does the same if the JVM exits first.
 */
final class Veth implements AutoCloseable {
    /** The kernel's address on its end. */
    static final String KERNEL_IP = "10.77.0.2";
    /** jdemi's address; the kernel does not have it. */
    static final String JDEMI_IP = "10.77.0.1";
    /** A second kernel address for jdemi's end, used only when the kernel itself runs there. */
    static final String KERNEL_IP_JDEMI_SIDE = "10.77.0.3";

    final String jdemiNs;
    final String kernelNs;
    final String jdemiIf;
    final String kernelIf;
    final String jdemiMac;
    private final Thread hook;
    private boolean closed;

    private Veth(String tag) {
        this(tag, false);
    }

    private Veth(String tag, boolean kernelTxChecksum) {
        jdemiNs = "jdJ" + tag;
        kernelNs = "jdK" + tag;
        jdemiIf = "jdj" + tag;
        kernelIf = "jdk" + tag;
        hook = new Thread(this::deleteNamespaces);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            run("ip", "netns", "add", jdemiNs);
            run("ip", "netns", "add", kernelNs);
            run("ip", "link", "add", jdemiIf, "netns", jdemiNs, "type", "veth", "peer", "name", kernelIf, "netns",
                    kernelNs);
            for (String[] side : new String[][] {{jdemiNs, jdemiIf}, {kernelNs, kernelIf}}) {
                run("ip", "netns", "exec", side[0], "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
                run("ip", "netns", "exec", side[0], "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
                run("ip", "-n", side[0], "link", "set", "lo", "up");
                run("ip", "-n", side[0], "link", "set", side[1], "up");
                // linux-datapaths.md §2: with these on, the kernel sends partial checksums and 64 KiB TSO frames.
                String checksums = kernelTxChecksum && side[0].equals(kernelNs) ? "on" : "off";
                run("ip", "netns", "exec", side[0], "ethtool", "-K", side[1], "tx", checksums, "rx", checksums, "gro",
                        "off", "tso", "off", "gso", "off", "sg", "off");
            }
            run("ip", "-n", kernelNs, "addr", "add", KERNEL_IP + "/24", "dev", kernelIf);
            String link = run("ip", "-n", jdemiNs, "-br", "link", "show", jdemiIf).stdout();
            jdemiMac = link.strip().split("\\s+")[2];
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Creates the namespaces and the pair.
     *
     * @param tag a short suffix (at most 8 characters) that tells this pair from others of the same JVM
     * @return the pair
     */
    static Veth create(String tag) {
        return new Veth(tag + ProcessHandle.current().pid() % 100_000);
    }

    /**
     * Creates the namespaces and the pair, leaving checksum offload on at the kernel's end (its default): the kernel
     * then sends TCP and UDP with only the pseudo-header sum in the checksum field, which jdemi's AF_PACKET device
     * must take as trusted. Segmentation offloads stay off at both ends, as with {@link #create}.
     *
     * @param tag a short suffix (at most 8 characters)
     * @return the pair
     */
    static Veth createWithKernelChecksumOffload(String tag) {
        return new Veth(tag + ProcessHandle.current().pid() % 100_000, true);
    }

    /**
     * Why the system tests cannot run here, or null when they can: they need root and the tools.
     *
     * @return the reason, or null
     */
    static String cannotRun() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:") && !line.split("\\s+")[2].equals("0")) {
                    return "not root: the system tests create network namespaces and AF_PACKET sockets";
                }
            }
        } catch (IOException e) {
            return "cannot read /proc/self/status: " + e.getMessage();
        }
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("ip", "ethtool", "ping", "socat", "nc", "tshark", "dumpcap")) {
            if (!onPath(tool)) {
                missing.add(tool);
            }
        }
        return missing.isEmpty() ? null : "missing tools " + missing + " (./jdemi test installs them as root)";
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    /** The outcome of a command. */
    record Result(int exit, byte[] stdoutBytes, String stderr) {
        /** {@return stdout as UTF-8 text} */
        String stdout() {
            return new String(stdoutBytes, StandardCharsets.UTF_8);
        }
    }

    /**
     * Runs a command to completion within 20 s and requires exit status 0.
     *
     * @param command the command
     * @return its result
     */
    static Result run(String... command) {
        Result result = runAny(20, null, command);
        if (result.exit() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + result.exit() + ": "
                    + result.stderr() + result.stdout());
        }
        return result;
    }

    /**
     * Runs a command to completion and returns whatever it exits with.
     *
     * @param timeoutSeconds the longest run; a command still running then is killed and reported as exit -1
     * @param input bytes for its stdin, or null for none
     * @param command the command
     * @return its result
     */
    static Result runAny(int timeoutSeconds, byte[] input, String... command) {
        try {
            Process process = new ProcessBuilder(command).start();
            try (var stdin = process.getOutputStream()) {
                if (input != null) {
                    stdin.write(input);
                }
            }
            var out = drain(process.getInputStream());
            var err = drain(process.getErrorStream());
            boolean done = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) {
                process.destroyForcibly().waitFor();
            }
            out.join();
            err.join();
            return new Result(done ? process.exitValue() : -1, out.bytes(), err.text());
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A thread that reads a stream to its end. */
    static final class Drain extends Thread {
        private final InputStream in;
        private volatile byte[] bytes = new byte[0];

        Drain(InputStream in) {
            this.in = in;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                bytes = new byte[0];
            }
        }

        byte[] bytes() {
            return bytes;
        }

        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    static Drain drain(InputStream in) {
        Drain drain = new Drain(in);
        drain.start();
        return drain;
    }

    /**
     * The command prefix that runs a program in a namespace.
     *
     * @param ns the namespace
     * @param command the program and its arguments
     * @return {@code ip netns exec ns command...}
     */
    static String[] in(String ns, String... command) {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = ns;
        System.arraycopy(command, 0, full, 4, command.length);
        return full;
    }

    private void deleteNamespaces() {
        runAny(10, null, "ip", "netns", "del", jdemiNs);
        runAny(10, null, "ip", "netns", "del", kernelNs);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        deleteNamespaces();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook runs anyway, and deleting twice is harmless.
        }
    }
}
