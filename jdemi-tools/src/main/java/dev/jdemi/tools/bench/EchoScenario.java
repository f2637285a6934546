package dev.jdemi.tools.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One closed-loop echo workload: {@code conns} connections, each with one request of {@code size} bytes in flight.
 * With one connection it measures round-trip latency; with several, throughput under load.
 *
 * @param size the request (and reply) size in bytes, 1..65,536
 * @param conns the number of connections, 1..1024
 */
public record EchoScenario(int size, int conns) {
    /** The largest request: the C floor and the Java clients read at most this much at once. */
    public static final int MAX_SIZE = 65_536;
    /** The most connections one scenario opens. */
    public static final int MAX_CONNS = 1024;

    /** The workloads: 64 B, 1 KiB and 16 KiB on one connection; 64 B on 8 and 32 connections. */
    public static final List<EchoScenario> STANDARD = List.of(new EchoScenario(64, 1), new EchoScenario(1024, 1),
            new EchoScenario(16_384, 1), new EchoScenario(64, 8), new EchoScenario(64, 32));

    /**
     * Checks the bounds.
     *
     * @param size the request size
     * @param conns the number of connections
     */
    public EchoScenario {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size " + size + " is not within 1.." + MAX_SIZE);
        }
        if (conns < 1 || conns > MAX_CONNS) {
            throw new IllegalArgumentException("connections " + conns + " is not within 1.." + MAX_CONNS);
        }
    }

    /**
     * Parses {@code SIZE:CONNS}, the form the C floor and the agents take on their command line.
     *
     * @param text such as {@code 64:1}
     * @return the scenario
     * @throws IllegalArgumentException when the text is not of that form or out of bounds
     */
    public static EchoScenario parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("scenario '" + text + "' is not SIZE:CONNS");
        }
        try {
            return new EchoScenario(Integer.parseInt(text.substring(0, colon).trim()),
                    Integer.parseInt(text.substring(colon + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("scenario '" + text + "' is not SIZE:CONNS", e);
        }
    }

    /**
     * Parses a comma-separated list of scenarios.
     *
     * @param text such as {@code 64:1,64:8}
     * @return the scenarios, in order
     */
    public static List<EchoScenario> parseList(String text) {
        List<EchoScenario> scenarios = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                scenarios.add(parse(part.trim()));
            }
        }
        if (scenarios.isEmpty()) {
            throw new IllegalArgumentException("no scenario in '" + text + "'");
        }
        return scenarios;
    }

    /** {@return whether this scenario measures latency (one connection) rather than throughput} */
    public boolean latency() {
        return conns == 1;
    }

    /** {@return the command-line form, {@code SIZE:CONNS}} */
    public String arg() {
        return size + ":" + conns;
    }

    /** {@return a short label such as {@code 64 B × 1 conn} or {@code 16 KiB × 1 conn}} */
    public String label() {
        String bytes = size % 1024 == 0 ? size / 1024 + " KiB" : size + " B";
        return bytes + " × " + conns + (conns == 1 ? " conn" : " conns");
    }

    /** {@return a label fit for a file name, such as {@code 64B-1c}} */
    public String fileLabel() {
        String bytes = size % 1024 == 0 ? size / 1024 + "KiB" : size + "B";
        return bytes + "-" + conns + "c";
    }
}
