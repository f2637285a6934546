package dev.jdemi.tools.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A peer written in Java: both ends run as {@link EchoAgent} in a JVM of their own, with this JVM's class path.
 */
public final class JvmPeer implements EchoPeer {
    /** What every agent JVM gets: native access for FFM and JNI, Netty's use of Unsafe without warnings. */
    private static final List<String> JVM_ARGS = List.of("--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "-Xmx256m",
            "-Dio.netty.leakDetection.level=disabled");

    private final String id;
    private final Kind kind;
    private final String description;
    private final Supplier<String> unavailable;
    private final Supplier<EchoTransport> transport;

    /**
     * Creates a Java peer.
     *
     * @param id the name
     * @param kind what it is compared as
     * @param description what runs
     * @param unavailable why it cannot run here, or null when it can (asked once per run)
     * @param transport makes the two ends, in the agent's JVM
     */
    public JvmPeer(String id, Kind kind, String description, Supplier<String> unavailable,
            Supplier<EchoTransport> transport) {
        this.id = id;
        this.kind = kind;
        this.description = description;
        this.unavailable = unavailable;
        this.transport = transport;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public String unavailableReason() {
        return unavailable.get();
    }

    /** {@return a new transport for the agent} */
    EchoTransport transport() {
        return transport.get();
    }

    @Override
    public List<String> serverCommand(int port) {
        List<String> command = agent();
        command.addAll(List.of("server", Integer.toString(port)));
        return command;
    }

    @Override
    public List<String> clientCommand(int port, Path out, long warmupMs, long measureMs,
            List<EchoScenario> scenarios) {
        List<String> command = agent();
        command.addAll(List.of("client", Integer.toString(port), out.toString(), Long.toString(warmupMs),
                Long.toString(measureMs)));
        for (EchoScenario scenario : scenarios) {
            command.add(scenario.arg());
        }
        return command;
    }

    private List<String> agent() {
        List<String> command = java(EchoAgent.class);
        command.add(id);
        return command;
    }

    /**
     * The command that runs a main class of this JVM's class path in a JVM of its own, with the agents' options.
     *
     * @param mainClass the class
     * @return {@code java OPTIONS -cp CLASSPATH CLASS}, a mutable list to append the arguments to
     */
    static List<String> java(Class<?> mainClass) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_ARGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        return command;
    }
}
