package dev.jdemi.tools.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * Peers that only the tests see, added through {@link EchoPeer.Provider} as a LibOS from another jar would add
 * itself: one that cannot run here, and one whose client always fails.
 */
public final class TestPeers implements EchoPeer.Provider {
    /** A peer whose {@link EchoPeer#unavailableReason()} says why it cannot run. */
    static final String UNAVAILABLE = "test-unavailable";
    /** A peer whose server starts and whose client exits with status 3. */
    static final String FAILING = "test-failing";
    /** What {@link #UNAVAILABLE} says. */
    static final String REASON = "this machine has no such transport (test)";

    @Override
    public List<EchoPeer> peers() {
        return List.of(new ShellPeer(UNAVAILABLE, REASON, "exit 0"), new ShellPeer(FAILING, null, "exit 3"));
    }

    /** A peer made of shell commands. */
    private record ShellPeer(String id, String reason, String client) implements EchoPeer {
        @Override
        public Kind kind() {
            return Kind.JAVA;
        }

        @Override
        public String description() {
            return "a shell script (test)";
        }

        @Override
        public String unavailableReason() {
            return reason;
        }

        @Override
        public List<String> serverCommand(int port) {
            return List.of("sh", "-c", "echo READY; exec sleep 60");
        }

        @Override
        public List<String> clientCommand(int port, Path out, long warmupMs, long measureMs,
                List<EchoScenario> scenarios) {
            return List.of("sh", "-c", "read go; echo client gives up; " + client);
        }
    }
}
