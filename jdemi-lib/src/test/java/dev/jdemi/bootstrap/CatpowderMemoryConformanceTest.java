package dev.jdemi.bootstrap;

import dev.jdemi.LibOS;
import dev.jdemi.conformance.ApiConformanceSuite;
import dev.jdemi.inet.TestHosts;
import dev.jdemi.phy.PcapOnFailure;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs the UDP part of the API conformance suite on the user-space stack: two catpowder LibOSes (alice the server,
 * bob the client) joined by the in-memory wire, in the test's thread, resolving each other with ARP. The UDP part is
 * every test whose name mentions UDP and the UDP transfer group; the TCP tests are disabled until the stack has TCP
 * (the next issue). A failing test leaves the frames it exchanged in {@code target/pcap}.
 */
@DisplayName("catpowder over the memory wire conforms to the API (UDP part)")
@ExtendWith(CatpowderMemoryConformanceTest.UdpPartOnly.class)
class CatpowderMemoryConformanceTest extends ApiConformanceSuite {
    private static final InetAddress ALICE = address(TestHosts.ALICE_IP);
    /** TEST-NET-1 (RFC 5737): never any host's address. */
    private static final InetAddress NON_LOCAL = address("192.0.2.1");

    /** Every frame of a test, kept under {@code target/pcap/<this class>/} when the test fails. */
    @RegisterExtension
    final PcapOnFailure pcap = new PcapOnFailure();

    private final MemoryNetwork network = new MemoryNetwork();
    private int nextPort = 7000;

    /** Enables the UDP part of the suite only. */
    static final class UdpPartOnly implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (context.getTestMethod().isEmpty()) {
                return ConditionEvaluationResult.enabled("a container");
            }
            String method = context.getRequiredTestMethod().getName().toLowerCase(Locale.ROOT);
            String group = context.getRequiredTestClass().getSimpleName();
            if (method.contains("udp") || group.equals("UdpTransfer")) {
                return ConditionEvaluationResult.enabled("UDP");
            }
            return ConditionEvaluationResult.disabled("TCP on the user-space stack comes with the next issue");
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
