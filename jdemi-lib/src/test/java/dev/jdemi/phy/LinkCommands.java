package dev.jdemi.phy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the device tests that need real interfaces share: a root check and running {@code ip}, {@code sysctl} and
 * {@code ethtool}, each call asserted to succeed.
 */
public final class LinkCommands {
    private LinkCommands() {
    }

    /**
     * {@return null as root, else "not root (why)": the reason the test skips}
     *
     * @param why what needs root, in words
     */
    public static String notRoot(String why) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:") && !line.split("\\s+")[2].equals("0")) {
                return "not root (" + why + ")";
            }
        }
        return null;
    }

    /**
     * Runs a command, asserting that it ends within 20 s with exit 0.
     *
     * @param command the program and its arguments
     * @return its output, stdout and stderr together
     */
    public static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", command, out).isZero();
        return out;
    }

    /**
     * Runs a command, asserting that it ends within 20 s with exit 0.
     *
     * @param command the program and its arguments
     * @return its output, stdout and stderr together
     */
    public static String run(String... command) throws Exception {
        return run(List.of(command));
    }

    /**
     * Creates a veth pair in this namespace with IPv6 off on both ends (a quiet link) and both up.
     *
     * @param left one end's name
     * @param right the other end's name
     */
    public static void createVethPair(String left, String right) throws Exception {
        run("ip", "link", "add", left, "type", "veth", "peer", "name", right);
        for (String name : new String[] {left, right}) {
            run("sysctl", "-qw", "net.ipv6.conf." + name + ".disable_ipv6=1");
            run("ip", "link", "set", name, "up");
        }
    }
}
