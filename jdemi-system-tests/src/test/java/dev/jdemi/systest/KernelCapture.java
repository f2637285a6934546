package dev.jdemi.systest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.jdemi.systest.Veth.in;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A dumpcap capture on the kernel's end of a veth pair, in a temporary folder of its own, and the tshark queries the
 * interop tests run on it. Closing it stops dumpcap and deletes the file and the folder.
 */
final class KernelCapture implements AutoCloseable {
    private final Path dir;
    private final Path pcap;
    private final Process dumpcap;

    private KernelCapture(Path dir, Path pcap, Process dumpcap) {
        this.dir = dir;
        this.pcap = pcap;
        this.dumpcap = dumpcap;
    }

    /**
     * Starts dumpcap on the kernel's interface, with further options if any (a packet count {@code -c N}, a capture
     * filter {@code -f EXPR}, a snap length {@code -s N}), and waits until it captures.
     *
     * @param veth the pair
     * @param options dumpcap options
     * @return the running capture
     * @throws IOException when dumpcap cannot be started
     */
    static KernelCapture start(Veth veth, String... options) throws IOException {
        return start(veth.kernelNs, veth.kernelIf, options);
    }

    /**
     * Starts dumpcap on an interface of a namespace, with further options if any, and waits until it captures.
     *
     * @param ns the namespace
     * @param interfaceName the kernel's interface there (the kernel's end of a veth pair, or a TAP interface)
     * @param options dumpcap options
     * @return the running capture
     * @throws IOException when dumpcap cannot be started
     */
    static KernelCapture start(String ns, String interfaceName, String... options) throws IOException {
        Path dir = Files.createTempDirectory("jdemi-interop-");
        Path pcap = dir.resolve("kernel-side.pcapng");
        List<String> command = new ArrayList<>(List.of(in(ns, "dumpcap", "-i", interfaceName, "-w",
                pcap.toString())));
        command.addAll(List.of(options));
        Process dumpcap = new ProcessBuilder(command).redirectErrorStream(true).start();
        KernelCapture capture = new KernelCapture(dir, pcap, dumpcap);
        // dumpcap says "Capturing on" once the interface is open.
        var reader = new BufferedReader(new InputStreamReader(dumpcap.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null && !line.contains("Capturing on")) {
            // Skip the banner.
        }
        if (line == null) {
            capture.close();
        }
        assertThat(line).as("dumpcap started").isNotNull();
        Veth.drain(dumpcap.getInputStream());
        return capture;
    }

    /**
     * Stops dumpcap so that the file is complete.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    void stop() throws InterruptedException {
        dumpcap.destroy();
        assertThat(dumpcap.waitFor(10, TimeUnit.SECONDS)).as("dumpcap stopped").isTrue();
    }

    /**
     * Runs tshark over the capture and checks that it succeeded.
     *
     * @param prefs tshark preferences ({@code -o name:value} pairs)
     * @param filter the display filter
     * @param more further arguments
     * @return what tshark printed
     */
    Veth.Result tshark(List<String> prefs, String filter, String... more) {
        List<String> command = new ArrayList<>(List.of("tshark"));
        command.addAll(prefs);
        command.addAll(List.of("-r", pcap.toString(), "-Y", filter, "-n"));
        command.addAll(List.of(more));
        Veth.Result result = Veth.runAny(60, null, command.toArray(String[]::new));
        assertThat(result.exit()).as("tshark -Y '%s': %s", filter, result.stderr()).isZero();
        return result;
    }

    /** Stops dumpcap if it still runs and deletes the capture; reports, never throws, when it cannot. */
    @Override
    public void close() {
        if (dumpcap.isAlive()) {
            dumpcap.destroyForcibly();
        }
        try {
            Files.deleteIfExists(pcap);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            System.out.println("KernelCapture: cannot delete " + dir + ": " + e.getMessage());
        }
    }
}
