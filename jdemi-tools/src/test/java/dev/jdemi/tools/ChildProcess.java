package dev.jdemi.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process whose output (stdout and stderr together) is read line by line as it comes: a {@code jdemi}
 * command in a child JVM, as {@code ./jdemi} runs it, or a kernel tool such as socat.
 */
public final class ChildProcess implements AutoCloseable {
    private static final String END = "\u0000end";

    private final Process process;
    private final LinkedBlockingQueue<String> pending = new LinkedBlockingQueue<>();
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private ChildProcess(Process process) {
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().name("child-jvm-reader").start(this::readLines);
    }

    /**
     * Starts {@code dev.jdemi.tools.Main} in a child JVM: the same java, the test's class path, native access on.
     *
     * @param args the jdemi command line
     * @return the running child
     */
    public static ChildProcess jdemi(String... args) {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + "/bin/java");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        return start(command);
    }

    /**
     * Starts a program.
     *
     * @param command the program and its arguments
     * @return the running child
     */
    public static ChildProcess start(List<String> command) {
        try {
            return new ChildProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                }
                pending.add(line);
            }
        } catch (IOException e) {
            pending.add("reader failed: " + e);
        } finally {
            pending.add(END);
        }
    }

    /**
     * Waits, at most {@code timeout}, for a line that matches.
     *
     * @param match what to look for
     * @param timeout how long to wait
     * @return the line
     * @throws AssertionError when the child ends or the time passes first, with what it printed
     */
    public String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? pending.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null || line.equals(END)) {
                throw new AssertionError((line == null ? "timed out" : "the child ended") + " before the expected "
                        + "line; it printed:\n" + String.join("\n", lines()));
            }
            if (match.test(line)) {
                return line;
            }
        }
    }

    /**
     * Waits, at most {@code timeout}, for the child to exit and its output to be read.
     *
     * @param timeout how long to wait
     * @return the exit status
     * @throws AssertionError when it does not exit in time (it is then killed)
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the child did not exit within " + timeout + "; it printed:\n"
                    + String.join("\n", lines()));
        }
        reader.join(timeout.toMillis());
        return process.exitValue();
    }

    /** {@return everything the child printed so far} */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
