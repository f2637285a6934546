package dev.jdemi.nativeabi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child process (a compiled C test program, or a kernel tool) whose output, stdout and stderr together, is read
 * line by line as it comes, so a test can wait for a line that says the program is ready instead of sleeping.
 */
final class CProgram implements AutoCloseable {
    private static final String END = "\u0000end";

    private final List<String> command;
    private final Process process;
    private final LinkedBlockingQueue<String> pending = new LinkedBlockingQueue<>();
    private final StringBuffer output = new StringBuffer();

    private CProgram(List<String> command, Process process) {
        this.command = command;
        this.process = process;
        Thread.ofPlatform().daemon().name("c-program-reader").start(this::readLines);
    }

    /**
     * Starts a program.
     *
     * @param command the program and its arguments
     * @param environment the whole environment of the child
     * @return the running program
     */
    static CProgram start(List<String> command, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(environment);
        try {
            return new CProgram(List.copyOf(command), builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.append(line).append('\n');
                pending.add(line);
            }
        } catch (IOException e) {
            pending.add("reader failed: " + e);
        } finally {
            pending.add(END);
        }
    }

    /**
     * Waits until the program prints a line that contains {@code marker}.
     *
     * @param marker the text to wait for
     * @param timeout how long at most
     * @throws AssertionError when the program ends or the time passes first, with everything it printed
     */
    void awaitLine(String marker, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = pending.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.equals(END)) {
                throw new AssertionError(command + (line == null ? " did not print '" : " ended before printing '")
                        + marker + "' within " + timeout + "; its output:\n" + output);
            }
            if (line.contains(marker)) {
                return;
            }
        }
    }

    /**
     * Waits for the program to end (killing it after the timeout) and for its last output.
     *
     * @param timeout how long at most
     * @return its exit status
     * @throws AssertionError when it had to be killed
     */
    int finish(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(command + " did not end within " + timeout + "; its output:\n" + output);
        }
        // The reader adds END after the last line; output() is complete once it is seen.
        String last;
        do {
            last = pending.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } while (last != null && !last.equals(END));
        return process.exitValue();
    }

    /** {@return everything the program printed so far} */
    String output() {
        return output.toString();
    }

    /** {@return the command line, for messages} */
    List<String> command() {
        return command;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /**
     * Runs a program to its end.
     *
     * @param command the program and its arguments
     * @param environment its environment
     * @param timeout how long at most
     * @return the finished program: {@link #exitCode}, {@link #output}
     */
    static Finished run(List<String> command, Map<String, String> environment, Duration timeout)
            throws InterruptedException {
        try (CProgram program = start(command, environment)) {
            int code = program.finish(timeout);
            return new Finished(program.command, code, program.output());
        }
    }

    /**
     * A program that ended.
     *
     * @param command its command line
     * @param exitCode its exit status
     * @param output what it printed
     */
    record Finished(List<String> command, int exitCode, String output) {
        /** {@return a description for assertion messages} */
        String describe() {
            return command + " exited with " + exitCode + "; its output:\n" + output;
        }
    }

    static List<String> list(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object part : parts) {
            out.add(String.valueOf(part));
        }
        return out;
    }
}
