package dev.jdemi.phy;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A JUnit extension that gives each network test a pcap capture and keeps it only when the test fails, at
 * {@code target/pcap/<test class's full name>/<test method>.pcap} (relative to the module directory, where surefire
 * runs).
 *
 * <pre>{@code
 * @RegisterExtension
 * final PcapOnFailure pcap = new PcapOnFailure();
 *
 * @Test
 * void handshake() {
 *     MemoryWire wire = new MemoryWire();
 *     pcap.capture(wire);
 *     ...
 * }
 * }</pre>
 *
 * <p>The capture is closed after the test's own {@code @AfterEach} methods, so a failure there keeps the file too.
 * A parameterized or repeated test gets one file per invocation, named after the method and the invocation's display
 * name. Register it on an instance field so that every test has its own.
 */
public final class PcapOnFailure implements BeforeEachCallback, AfterEachCallback {
    private final Path baseDirectory;
    private Path path;
    private PcapWriter writer;

    /** Keeps captures under {@code target/pcap}. */
    public PcapOnFailure() {
        this(Path.of("target", "pcap"));
    }

    /**
     * Keeps captures under another directory.
     *
     * @param baseDirectory the directory holding one subdirectory per test class
     */
    public PcapOnFailure(Path baseDirectory) {
        this.baseDirectory = baseDirectory;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        closeWriter();
        String method = context.getRequiredTestMethod().getName();
        String name = method;
        String display = context.getDisplayName();
        if (!display.equals(method + "()") && !display.equals(method)) {
            name = method + "-" + display;
        }
        path = baseDirectory.resolve(sanitize(context.getRequiredTestClass().getName()))
                .resolve(sanitize(name) + ".pcap");
        Files.deleteIfExists(path);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        closeWriter();
        if (path == null) {
            return;
        }
        // A skipped test (a failed assumption) ends with an exception too, but nothing failed: its capture goes.
        boolean failed = context.getExecutionException().filter(e -> !(e instanceof TestAbortedException)).isPresent();
        if (failed) {
            if (Files.exists(path)) {
                System.err.println("PcapOnFailure: the capture of the failed test is " + path.toAbsolutePath());
            }
        } else {
            Files.deleteIfExists(path);
        }
    }

    /** {@return the capture file of the running test} */
    public Path path() {
        if (path == null) {
            throw new IllegalStateException("no test is running: register PcapOnFailure with @RegisterExtension");
        }
        return path;
    }

    /** {@return the running test's capture, opened on first use; the extension closes it after the test} */
    public PcapWriter writer() {
        if (writer == null) {
            writer = PcapWriter.open(path());
        }
        return writer;
    }

    /**
     * Records everything on a wire into the running test's capture.
     *
     * @param wire the wire
     * @return the capture
     */
    public PcapWriter capture(MemoryWire wire) {
        PcapWriter capture = writer();
        wire.capture(capture);
        return capture;
    }

    private void closeWriter() {
        if (writer != null) {
            writer.close();
            writer = null;
        }
    }

    private static String sanitize(String name) {
        String safe = name.replaceAll("[^A-Za-z0-9._$-]+", "_");
        if (safe.length() > 150) {
            safe = safe.substring(0, 150);
        }
        return safe.isEmpty() ? "_" : safe;
    }
}
