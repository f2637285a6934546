package dev.jdemi.tools.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two temporary network namespaces joined by a veth pair, for {@code ./jdemi bench veth}: the server's side and the
 * client's side. Offloads are off on both ends and IPv6 is off in both namespaces (quiet links, valid checksums in
 * every frame, as {@code linux-datapaths.md} asks). Each end carries a kernel address ({@link #SERVER_KERNEL_IP},
 * {@link #CLIENT_KERNEL_IP}) for the kernel-socket peers; jdemi's stacks use two other addresses
 * ({@link #SERVER_JDEMI_IP}, {@link #CLIENT_JDEMI_IP}) that the kernel does not have, so it neither answers their
 * ARP requests nor resets their segments. Names carry the pid, so parallel runs do not collide; closing deletes both
 * namespaces (which deletes the pair), and a shutdown hook does the same when the JVM ends first (Ctrl-C).
 */
public final class VethPair implements AutoCloseable {
    /** The kernel's address on the server's end. */
    public static final String SERVER_KERNEL_IP = "10.78.0.1";
    /** The kernel's address on the client's end. */
    public static final String CLIENT_KERNEL_IP = "10.78.0.2";
    /** jdemi's address on the server's end. */
    public static final String SERVER_JDEMI_IP = "10.78.0.11";
    /** jdemi's address on the client's end. */
    public static final String CLIENT_JDEMI_IP = "10.78.0.12";

    private final String serverNs;
    private final String clientNs;
    private final String serverIf;
    private final String clientIf;
    private final String serverMac;
    private final String clientMac;
    private final Thread hook;
    private boolean closed;

    private VethPair(String tag) {
        serverNs = "jvbS" + tag;
        clientNs = "jvbC" + tag;
        serverIf = "jvbs" + tag;
        clientIf = "jvbc" + tag;
        hook = new Thread(this::tearDown, "veth-pair-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            run("ip", "netns", "add", serverNs);
            run("ip", "netns", "add", clientNs);
            run("ip", "link", "add", serverIf, "netns", serverNs, "type", "veth", "peer", "name", clientIf, "netns",
                    clientNs);
            for (String[] side : new String[][] {{serverNs, serverIf, SERVER_KERNEL_IP},
                    {clientNs, clientIf, CLIENT_KERNEL_IP}}) {
                run("ip", "netns", "exec", side[0], "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
                run("ip", "netns", "exec", side[0], "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
                run("ip", "-n", side[0], "link", "set", "lo", "up");
                run("ip", "-n", side[0], "link", "set", side[1], "up");
                run("ip", "netns", "exec", side[0], "ethtool", "-K", side[1], "tx", "off", "rx", "off", "gro", "off",
                        "tso", "off", "gso", "off", "sg", "off");
                run("ip", "-n", side[0], "addr", "add", side[2] + "/24", "dev", side[1]);
            }
            serverMac = mac(serverNs, serverIf);
            clientMac = mac(clientNs, clientIf);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Creates the namespaces and the pair.
     *
     * @return the pair
     * @throws IllegalStateException when a command fails (everything created so far is removed)
     */
    public static VethPair create() {
        return new VethPair(Long.toString(ProcessHandle.current().pid() % 100_000));
    }

    /**
     * Why the pair cannot be made here, or null when it can: it needs root, {@code ip}, {@code ethtool}.
     *
     * @return the reason, or null
     */
    public static String cannotRun() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:") && !line.split("\\s+")[2].equals("0")) {
                    return "not root: it creates network namespaces, a veth pair and raw sockets (run it as root)";
                }
            }
        } catch (IOException e) {
            return "cannot read /proc/self/status: " + e.getMessage();
        }
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("ip", "ethtool")) {
            if (!onPath(tool)) {
                missing.add(tool);
            }
        }
        return missing.isEmpty() ? null : "missing tools " + missing + " (apt-get install iproute2 ethtool)";
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    /** {@return the server's namespace} */
    public String serverNs() {
        return serverNs;
    }

    /** {@return the client's namespace} */
    public String clientNs() {
        return clientNs;
    }

    /** {@return the server's interface} */
    public String serverIf() {
        return serverIf;
    }

    /** {@return the client's interface} */
    public String clientIf() {
        return clientIf;
    }

    /** {@return the server's interface's MAC address} */
    public String serverMac() {
        return serverMac;
    }

    /** {@return the client's interface's MAC address} */
    public String clientMac() {
        return clientMac;
    }

    private static String mac(String ns, String ifName) {
        String link = run("ip", "-n", ns, "-br", "link", "show", ifName);
        return link.strip().split("\\s+")[2];
    }

    /**
     * Runs a command to completion within 20 s and requires exit status 0.
     *
     * @param command the command
     * @return its standard output
     * @throws IllegalStateException when it fails or times out
     */
    static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 20 s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue() + ": "
                        + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Ends what still runs in the namespaces (this JVM's children), then deletes both. */
    private void tearDown() {
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
        for (String ns : List.of(serverNs, clientNs)) {
            try {
                Process del = new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                del.waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                System.err.println("could not delete namespace " + ns + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tearDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook runs anyway, and deleting twice is harmless.
        }
    }
}
