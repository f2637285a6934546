package dev.jdemi.tools.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * One contender of {@code jdemi bench echo}: a way to run an echo server and a closed-loop client as two processes.
 * The bench starts the server, waits for it to print {@code READY}, runs the client, then stops the server.
 */
public interface EchoPeer {
    /** What a peer is compared as. */
    enum Kind {
        /** The C program on kernel sockets that the others are measured against. */
        FLOOR,
        /** A Java stack a user would pick instead of jdemi: the "best Java peer" is the best of these. */
        JAVA,
        /** One of jdemi's LibOSes. */
        JDEMI
    }

    /** {@return the peer's name on the command line and in the table, such as {@code nio-spin}} */
    String id();

    /** {@return what the peer is compared as} */
    Kind kind();

    /** {@return one line saying what runs, for the report} */
    String description();

    /** {@return why the peer cannot run on this machine, or null when it can} */
    String unavailableReason();

    /**
     * The server's command line. The server listens on 127.0.0.1, prints {@code READY} once connections can be made,
     * and echoes until it is killed.
     *
     * @param port the port to listen on
     * @return the command and its arguments
     */
    List<String> serverCommand(int port);

    /**
     * The client's command line. The client waits for a line on standard input (the server is ready), runs every
     * scenario in order against the server and writes a {@link RunFile}.
     *
     * @param port the server's port on 127.0.0.1
     * @param out the run file to write
     * @param warmupMs the unrecorded warm-up of each scenario
     * @param measureMs the measured window of each scenario
     * @param scenarios the scenarios
     * @return the command and its arguments
     */
    List<String> clientCommand(int port, Path out, long warmupMs, long measureMs, List<EchoScenario> scenarios);

    /**
     * Adds peers from another jar through {@link java.util.ServiceLoader}: a LibOS that lands later lists its own
     * peers in {@code META-INF/services/dev.jdemi.tools.bench.EchoPeer$Provider}.
     */
    interface Provider {
        /** {@return the peers this provider adds} */
        List<EchoPeer> peers();
    }
}
