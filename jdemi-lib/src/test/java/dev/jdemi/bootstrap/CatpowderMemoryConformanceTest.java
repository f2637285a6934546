package dev.jdemi.bootstrap;

import dev.jdemi.LibOS;
import dev.jdemi.conformance.ApiConformanceSuite;
import dev.jdemi.inet.TestHosts;
import dev.jdemi.phy.PcapOnFailure;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs the API conformance suite on the user-space stack: two catpowder LibOSes (alice the server, bob the client)
 * joined by the in-memory wire, in the test's thread, resolving each other with ARP. Every test runs; those that
 * need TCP, which the stack does not have yet (the next issue), end as aborted (skipped) when their first TCP socket
 * fails with ENOTSUP, so the UDP part and everything that needs no TCP must pass. A failing test leaves the frames
 * it exchanged in {@code target/pcap}.
 */
@DisplayName("catpowder over the memory wire conforms to the API (all but TCP)")
@ExtendWith(CatpowderMemoryConformanceTest.TcpAborts.class)
class CatpowderMemoryConformanceTest extends ApiConformanceSuite {
    private static final InetAddress ALICE = address(TestHosts.ALICE_IP);
    /** TEST-NET-1 (RFC 5737): never any host's address. */
    private static final InetAddress NON_LOCAL = address("192.0.2.1");

    /** Every frame of a test, kept under {@code target/pcap/<this class>/} when the test fails. */
    @RegisterExtension
    final PcapOnFailure pcap = new PcapOnFailure();

    private final MemoryNetwork network = new MemoryNetwork();
    private int nextPort = 7000;

    /** Turns "no TCP on this stack yet" into an aborted (skipped) test: every test that needs TCP is skipped. */
    static final class TcpAborts implements org.junit.jupiter.api.extension.TestExecutionExceptionHandler {
        @Override
        public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
            for (Throwable t = throwable; t != null; t = t.getCause()) {
                if (t instanceof dev.jdemi.DemiException e && e.getMessage().contains("TCP is not available")) {
                    throw new org.opentest4j.TestAbortedException("needs TCP, which the user-space stack does not "
                            + "have yet", throwable);
                }
            }
            throw throwable;
        }
    }

    @Override
    protected LibOS openServer() {
        pcap.capture(network.wire());
        return network.open(TestHosts.alice()).libos();
    }

    @Override
    protected LibOS openClient() {
        return network.open(TestHosts.bob()).libos();
    }

    @AfterEach
    void closeNetwork() {
        // The suite's own @AfterEach (in the superclass) closes the LibOSes first; the capture is flushed here.
        network.close();
    }

    @Override
    protected InetSocketAddress serverAddress() {
        return new InetSocketAddress(ALICE, nextPort++);
    }

    @Override
    protected InetSocketAddress refusingAddress() {
        return new InetSocketAddress(ALICE, 9);
    }

    @Override
    protected InetSocketAddress nonLocalAddress() {
        return new InetSocketAddress(NON_LOCAL, nextPort++);
    }

    @Override
    protected InetSocketAddress silentAddress() {
        return new InetSocketAddress(NON_LOCAL, 9);
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
