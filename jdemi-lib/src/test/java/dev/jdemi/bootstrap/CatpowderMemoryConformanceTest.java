package dev.jdemi.bootstrap;

import dev.jdemi.Config;
import dev.jdemi.LibOS;
import dev.jdemi.Linger;
import dev.jdemi.conformance.ApiConformanceSuite;
import dev.jdemi.inet.TestHosts;
import dev.jdemi.phy.PcapOnFailure;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs the API conformance suite on the user-space stack: two catpowder LibOSes (alice the server, bob the client)
 * joined by the in-memory wire, in the test's thread, resolving each other with ARP. Every test runs, TCP and UDP,
 * over the user-space TCP ({@code dev.jdemi.inet.tcp}). A failing test leaves the frames it exchanged in
 * {@code target/pcap}.
 */
@DisplayName("catpowder over the memory wire conforms to the API")
class CatpowderMemoryConformanceTest extends ApiConformanceSuite {
    private static final InetAddress ALICE = address(TestHosts.ALICE_IP);
    /** TEST-NET-1 (RFC 5737): never any host's address. */
    private static final InetAddress NON_LOCAL = address("192.0.2.1");

    /** Every frame of a test, kept under {@code target/pcap/<this class>/} when the test fails. */
    @RegisterExtension
    final PcapOnFailure pcap = new PcapOnFailure();

    private final MemoryNetwork network = new MemoryNetwork();
    private int nextPort = 7000;

    @Override
    protected LibOS openServer() {
        pcap.capture(network.wire());
        return network.open(withoutLinger(TestHosts.alice())).libos();
    }

    @Override
    protected LibOS openClient() {
        return network.open(withoutLinger(TestHosts.bob())).libos();
    }

    /**
     * The test hosts' file turns SO_LINGER on with 0 seconds for every TCP socket (as upstream's sample files), which
     * makes every close an abort (RST), on Linux as here; the suite expects a kernel's defaults, as catnap runs it.
     */
    private static Config withoutLinger(Config c) {
        Config.TcpSocketOptions o = c.tcpSocketOptions();
        return new Config(c.localIpv4Addr(), c.localLinkAddr(), c.linuxInterfaceName(), c.xdpInterfaceIndex(),
                c.dpdkEalInit(), new Config.TcpSocketOptions(o.keepalive(), o.keepaliveTimeMillis(),
                        o.keepaliveInterval(), Linger.OFF, o.nodelay()), c.inetstack(), c.jdemi());
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
