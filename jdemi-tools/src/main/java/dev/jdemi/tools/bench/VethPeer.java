package dev.jdemi.tools.bench;

import dev.jdemi.LibOSName;
import dev.jdemi.WaitPolicy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * One row of {@code ./jdemi bench veth}: an echo (or a bare frame ping-pong) whose server runs in the server's
 * namespace and whose client runs in the client's, each through {@code ip netns exec NS env VARS...} so that the
 * {@link EchoBench} runs it like any {@link EchoPeer} (and pins it with {@code taskset} in front).
 */
public final class VethPeer implements EchoPeer {
    /** What a row measures. */
    public enum Role {
        /** A bare Ethernet frame ping-pong over the device, no stack: the device's floor. */
        FRAME_FLOOR,
        /** jdemi catpowder, its user-space TCP over the device. */
        CATPOWDER,
        /** The C echo on kernel TCP sockets. */
        KERNEL_TCP,
        /** jdemi catnap, on kernel TCP sockets. */
        CATNAP
    }

    /** The Java agent jdemi's echo over catpowder runs as ({@link EchoAgent} looks it up here). */
    static final JvmPeer CATPOWDER_AGENT = new JvmPeer("catpowder-spin", Kind.JDEMI,
            "jdemi catpowder, wait policy SPIN", () -> null, () -> new JdemiEcho(LibOSName.CATPOWDER, WaitPolicy.SPIN));

    /** What a client command is made from. */
    interface ClientCommand {
        List<String> of(int port, Path out, long warmupMs, long measureMs, List<EchoScenario> scenarios);
    }

    private final String id;
    private final Role role;
    private final VethDevice device;
    private final String description;
    private final List<String> serverPrefix;
    private final List<String> clientPrefix;
    private final IntFunction<List<String>> server;
    private final ClientCommand client;

    /**
     * Creates a row.
     *
     * @param id the row's name
     * @param role what it measures
     * @param device the device, or null for the kernel-socket rows
     * @param description what runs, for the report
     * @param serverPrefix what runs the server in its namespace ({@code ip netns exec NS env ...})
     * @param clientPrefix the same for the client
     * @param server the server's own command, by port
     * @param client the client's own command
     */
    VethPeer(String id, Role role, VethDevice device, String description, List<String> serverPrefix,
            List<String> clientPrefix, IntFunction<List<String>> server, ClientCommand client) {
        this.id = id;
        this.role = role;
        this.device = device;
        this.description = description;
        this.serverPrefix = List.copyOf(serverPrefix);
        this.clientPrefix = List.copyOf(clientPrefix);
        this.server = server;
        this.client = client;
    }

    /**
     * The prefix that runs a command in a namespace with some environment variables.
     *
     * @param ns the namespace
     * @param env {@code NAME=VALUE} entries
     * @return {@code ip netns exec NS env NAME=VALUE...}
     */
    static List<String> inNamespace(String ns, String... env) {
        List<String> prefix = new ArrayList<>(List.of("ip", "netns", "exec", ns, "env"));
        prefix.addAll(List.of(env));
        return prefix;
    }

    /**
     * The same row with options for its JVMs, put right after the {@code java} of both commands; only for the rows
     * whose ends are Java programs.
     *
     * @param options such as {@code -Xbatch}
     * @return the new row
     */
    VethPeer withJvmOptions(List<String> options) {
        if (role == Role.KERNEL_TCP) {
            throw new IllegalStateException(id + " is not a Java program");
        }
        return new VethPeer(id, role, device, description, serverPrefix, clientPrefix,
                port -> insertAfterJava(server.apply(port), options),
                (port, out, warmupMs, measureMs, scenarios) -> insertAfterJava(
                        client.of(port, out, warmupMs, measureMs, scenarios), options));
    }

    private static List<String> insertAfterJava(List<String> command, List<String> options) {
        List<String> withOptions = new ArrayList<>(command);
        withOptions.addAll(1, options);
        return withOptions;
    }

    /** {@return what the row measures} */
    public Role role() {
        return role;
    }

    /** {@return the device, or null for a kernel-socket row} */
    public VethDevice device() {
        return device;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Kind kind() {
        return switch (role) {
            case FRAME_FLOOR, KERNEL_TCP -> Kind.FLOOR;
            case CATPOWDER, CATNAP -> Kind.JDEMI;
        };
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public List<String> serverCommand(int port) {
        List<String> command = new ArrayList<>(serverPrefix);
        command.addAll(server.apply(port));
        return command;
    }

    @Override
    public List<String> clientCommand(int port, Path out, long warmupMs, long measureMs,
            List<EchoScenario> scenarios) {
        List<String> command = new ArrayList<>(clientPrefix);
        command.addAll(client.of(port, out, warmupMs, measureMs, scenarios));
        return command;
    }
}
