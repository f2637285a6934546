package dev.jdemi.tools.options;

import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The {@code --local} option of the UDP clients, as a picocli mixin: the address a client binds before it sends.
 */
public final class LocalAddress {
    @Option(names = "--local", paramLabel = "IP:PORT", converter = Addresses.Converter.class,
            description = "Client: the address to bind; default 127.0.0.1:0 (any free port) when the server's address "
                    + "is a loopback address, else required.")
    private InetSocketAddress local;

    /**
     * Returns the address to bind for a client that talks to {@code server}.
     *
     * @param server the server's address
     * @return {@code --local}, or 127.0.0.1:0 when the server is on the loopback network
     * @throws IllegalArgumentException when {@code --local} is needed but missing
     */
    public InetSocketAddress resolve(InetSocketAddress server) {
        if (local != null) {
            return local;
        }
        if (server.getAddress().isLoopbackAddress()) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        }
        throw new IllegalArgumentException("--local IP:PORT is required when --address is not a loopback address");
    }
}
