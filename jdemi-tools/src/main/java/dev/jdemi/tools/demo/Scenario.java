package dev.jdemi.tools.demo;

import dev.jdemi.tools.echo.EchoClient;

import java.io.PrintWriter;

/**
 * One way to run the demo's echo server and client: which LibOS, which link, which protocol, threads or processes.
 */
public interface Scenario {
    /** {@return one line that says what runs, for the demo's header} */
    String describe();

    /** {@return the LibOS column of the result table} */
    String libos();

    /**
     * Runs the server and the client, and waits until both are done.
     *
     * @param log where the server and the client print their own lines
     * @return the client's report
     * @throws dev.jdemi.DemiException when a LibOS cannot be opened or the server cannot listen
     */
    EchoClient.Report run(PrintWriter log);
}
