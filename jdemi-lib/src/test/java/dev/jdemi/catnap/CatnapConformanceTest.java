package dev.jdemi.catnap;

import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.conformance.ApiConformanceSuite;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;

/**
 * Runs the API conformance suite on catnap: two independent catnap instances in the test's thread, talking over
 * the kernel's loopback interface.
 */
@DisplayName("catnap conforms to the API")
class CatnapConformanceTest extends ApiConformanceSuite {
    private static final InetAddress LOOPBACK = ipv4(127, 0, 0, 1);
    /** TEST-NET-1 (RFC 5737): never assigned to a host, so never local. */
    private static final InetAddress NON_LOCAL = ipv4(192, 0, 2, 1);
    /** How long a filler connection may take before the listener is taken as full; loopback answers in microseconds. */
    private static final int FILL_PROBE_MS = 100;

    /** Ports handed out in this test, so no two calls return the same one. */
    private final Set<Integer> portsHandedOut = new HashSet<>();
    /** Kernel sockets this test opened through the JDK, closed after it. */
    private final List<Closeable> kernelSockets = new ArrayList<>();

    @Override
    protected LibOS openServer() {
        return LibOS.open(LibOSName.CATNAP);
    }

    @Override
    protected LibOS openClient() {
        return LibOS.open(LibOSName.CATNAP);
    }

    @Override
    protected InetSocketAddress serverAddress() {
        return new InetSocketAddress(LOOPBACK, freePort());
    }

    @Override
    protected InetSocketAddress refusingAddress() {
        return new InetSocketAddress(LOOPBACK, freePort());
    }

    @Override
    protected InetSocketAddress nonLocalAddress() {
        return new InetSocketAddress(NON_LOCAL, freePort());
    }

    /**
     * A listener whose accept queue is full: Linux drops a SYN while the accept queue of its listener is full, so a
     * connect to it stays in SYN-SENT (retrying) for the whole test.
     */
    @Override
    protected InetSocketAddress silentAddress() {
        try {
            ServerSocket full = new ServerSocket();
            kernelSockets.add(full);
            full.setReuseAddress(false);
            full.bind(new InetSocketAddress(LOOPBACK, 0), 1);
            InetSocketAddress address = (InetSocketAddress) full.getLocalSocketAddress();
            // Filler connections complete in the kernel without an accept until the queue is full; the first one
            // that is not answered proves it.
            for (int i = 0; i < 16; i++) {
                Socket filler = new Socket();
                kernelSockets.add(filler);
                try {
                    filler.connect(address, FILL_PROBE_MS);
                } catch (SocketTimeoutException unanswered) {
                    return address;
                }
            }
            throw new IllegalStateException("the accept queue of " + address + " never filled");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterEach
    void closeKernelSockets() throws IOException {
        IOException failure = null;
        for (Closeable socket : kernelSockets) {
            try {
                socket.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        kernelSockets.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Finds a loopback port that is free for both TCP and UDP, and that this test has not handed out before.
     *
     * <p>The kernel picks the port; SO_REUSEADDR stays off so it skips ports that TIME_WAIT connections of earlier
     * tests still hold. The port is released before it is returned, which is good enough on loopback.
     */
    private int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.setReuseAddress(false);
                tcp.bind(new InetSocketAddress(LOOPBACK, 0));
                int port = tcp.getLocalPort();
                if (portsHandedOut.contains(port)) {
                    continue;
                }
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, port))) {
                    portsHandedOut.add(udp.getLocalPort());
                    return port;
                } catch (SocketException takenForUdp) {
                    portsHandedOut.add(port);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no free loopback port after 100 attempts");
    }
}
