package dev.jdemi.tools.bench;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The C floor: {@code src/main/c/echo_floor.c}, which the build compiles with gcc into {@code target/native/}. Both
 * ends busy-poll non-blocking kernel sockets.
 */
public final class NativeFloorPeer implements EchoPeer {
    /** Overrides where the program is looked for. */
    public static final String PATH_PROPERTY = "jdemi.bench.floor";
    private static final String PROGRAM = "jdemi-echo-floor";

    private final Path program;

    /** Creates the peer with the program the build made. */
    public NativeFloorPeer() {
        this.program = locate();
    }

    @Override
    public String id() {
        return "c-floor";
    }

    @Override
    public Kind kind() {
        return Kind.FLOOR;
    }

    @Override
    public String description() {
        return "C, kernel sockets, both ends busy-polling non-blocking sockets (recv on 1 conn, epoll_wait(0) on more)";
    }

    @Override
    public String unavailableReason() {
        return Files.isExecutable(program) ? null
                : program + " is missing: the build compiles it with gcc (mvn package, or ./jdemi build)";
    }

    @Override
    public List<String> serverCommand(int port) {
        return List.of(program.toString(), "server", Integer.toString(port));
    }

    @Override
    public List<String> clientCommand(int port, Path out, long warmupMs, long measureMs,
            List<EchoScenario> scenarios) {
        List<String> command = new ArrayList<>(List.of(program.toString(), "client", Integer.toString(port),
                out.toString(), Long.toString(warmupMs), Long.toString(measureMs)));
        for (EchoScenario scenario : scenarios) {
            command.add(scenario.arg());
        }
        return command;
    }

    /** The program sits in {@code target/native/}, beside the tools jar or {@code target/classes}. */
    private static Path locate() {
        String override = System.getProperty(PATH_PROPERTY);
        if (override != null) {
            return Path.of(override);
        }
        try {
            Path code = Path.of(NativeFloorPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return code.toAbsolutePath().getParent().resolve("native").resolve(PROGRAM);
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("jdemi-tools", "target", "native", PROGRAM);
        }
    }
}
