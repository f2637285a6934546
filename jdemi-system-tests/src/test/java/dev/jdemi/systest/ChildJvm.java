package dev.jdemi.systest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Java program of this module run in a network namespace as a child process ({@code ip netns exec NS java ...}),
 * with its stdout lines collected for {@link #expect} and its stdin open for commands. Closing ends it.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Veth.Drain stderr;

    private ChildJvm(Process process) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.stderr = Veth.drain(process.getErrorStream());
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("EOF " + e.getMessage());
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a main class of this module in a namespace, on the test's class path.
     *
     * @param ns the namespace
     * @param mainClass the class
     * @param args its arguments
     * @return the running child
     */
    static ChildJvm start(String ns, Class<?> mainClass, String... args) {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx256m", "-cp", classPath,
                mainClass.getName()));
        command.addAll(List.of(args));
        try {
            return new ChildJvm(new ProcessBuilder(command).start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits for the next stdout line and checks its start.
     *
     * @param prefix what the line must start with
     * @param timeoutSeconds how long to wait for it
     * @return the line
     * @throws AssertionError when no line comes, or another one
     */
    String expect(String prefix, int timeoutSeconds) {
        String line = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try {
            // Waits in slices so that a child that died is reported at once, not after the whole timeout.
            while (line == null && System.nanoTime() < deadline) {
                boolean alive = process.isAlive();
                line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line == null && !alive) {
                    process.waitFor();
                    stderr.join(5000);
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (line == null || !line.startsWith(prefix)) {
            throw new AssertionError("expected a line starting with '" + prefix + "' from the child, got "
                    + (line == null ? "nothing in " + timeoutSeconds + " s" : "'" + line + "'") + "; alive="
                    + process.isAlive() + " stderr: " + stderr.text());
        }
        return line;
    }

    /**
     * Sends a command line to the child.
     *
     * @param line the command
     */
    void send(String line) {
        try {
            stdin.write(line + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new AssertionError("the child no longer reads commands: " + e.getMessage() + " stderr: "
                    + stderr.text(), e);
        }
    }

    /** {@return the child's stderr so far (complete once it has exited)} */
    String stderr() {
        return stderr.text();
    }

    /**
     * Ends the child: closes its stdin (the peer then quits by itself), waits briefly, then kills it.
     *
     * @return its exit status, or -1 when it had to be killed
     */
    int stop() {
        try {
            stdin.close();
        } catch (IOException e) {
            // Already gone.
        }
        try {
            if (process.waitFor(5, TimeUnit.SECONDS)) {
                return process.exitValue();
            }
            process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        return -1;
    }

    /** Kills the child at once (for children that do not read stdin). */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }
}
