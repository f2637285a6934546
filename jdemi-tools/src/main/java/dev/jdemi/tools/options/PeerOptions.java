package dev.jdemi.tools.options;

import picocli.CommandLine.Option;

import java.net.InetSocketAddress;

/**
 * The {@code --address} and {@code --peer} options of the examples, as a picocli mixin.
 */
public final class PeerOptions {
    @Option(names = "--address", required = true, paramLabel = "IP:PORT", converter = Addresses.Converter.class,
            description = "The server's address: where the server binds, and where the client connects or sends.")
    private InetSocketAddress address;

    @Option(names = "--peer", required = true, paramLabel = "server|client", converter = Peer.Converter.class,
            description = "Which side this process runs: server or client.")
    private Peer peer;

    /** {@return the server's address} */
    public InetSocketAddress address() {
        return address;
    }

    /** {@return which side this process runs} */
    public Peer peer() {
        return peer;
    }
}
