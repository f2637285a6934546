package dev.jdemi.catmem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a test class's {@code main}: the same java and class path, native access on. Its output is
 * collected in full and returned with the exit code.
 */
final class ChildJvm {
    private final Process process;

    private ChildJvm(Process process) {
        this.process = process;
    }

    /** The outcome of a child: exit code and everything it printed. */
    record Outcome(int exitCode, String output) {
    }

    static ChildJvm start(Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + "/bin/java");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        try {
            return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /**
     * Waits for the child to exit.
     *
     * @param timeoutSeconds how long at most; the child is killed after that
     * @return its exit code and output
     */
    Outcome await(long timeoutSeconds) {
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                return new Outcome(-1, "killed after " + timeoutSeconds + " s: "
                        + new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            return new Outcome(process.exitValue(),
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** {@return whether the child still runs} */
    boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the child if it still runs. */
    void kill() {
        process.destroyForcibly();
    }
}
