package dev.jdemi.tools.bench;

import java.net.InetSocketAddress;

/**
 * The two ends of a Java peer, run by the {@link EchoAgent} in a process of their own.
 */
public interface EchoTransport {
    /**
     * Listens, calls {@code ready}, then echoes every byte back on every connection until the process is killed.
     *
     * @param address where to listen
     * @param ready called once connections can be made
     * @throws Exception when the server cannot listen or fails
     */
    void serve(InetSocketAddress address, Runnable ready) throws Exception;

    /**
     * Runs one scenario: connects, calls {@link Recorder#begin}, keeps one request in flight per connection until
     * the recorder says the window is over, and closes the connections.
     *
     * @param address the server
     * @param scenario the scenario
     * @param recorder where the round trips go
     * @param warmupNs the warm-up
     * @param measureNs the measured window
     * @throws Exception when a connection fails or a reply is corrupt
     */
    void run(InetSocketAddress address, EchoScenario scenario, Recorder recorder, long warmupNs, long measureNs)
            throws Exception;
}
