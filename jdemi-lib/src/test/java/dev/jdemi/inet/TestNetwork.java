package dev.jdemi.inet;

import dev.jdemi.Config;
import dev.jdemi.QResult;
import dev.jdemi.bootstrap.MemoryNetwork;
import dev.jdemi.libos.NetworkLibOS;
import dev.jdemi.phy.MemoryWire;
import dev.jdemi.runtime.VirtualClock;

/**
 * The deterministic test network: hosts (full LibOSes over the user-space stack) on one {@link MemoryWire}, sharing
 * one {@link VirtualClock}, all in the test's thread. A wait on any host runs all of them and jumps the clock to the
 * next event of any host, so timers (ARP retries, reassembly time-outs) take no real time and no test sleeps.
 */
public final class TestNetwork implements AutoCloseable {
    /** How far the clock may move in one {@link #await} before the test counts as hung: 10 minutes. */
    public static final long LIMIT_NS = 600_000_000_000L;

    private final VirtualClock clock = new VirtualClock(1_000_000_000L);
    private final MemoryNetwork network;

    /** Creates an empty network. */
    public TestNetwork() {
        this(new MemoryWire());
    }

    /**
     * Creates an empty network on a given wire.
     *
     * @param wire the wire, now owned by the network
     */
    public TestNetwork(MemoryWire wire) {
        network = new MemoryNetwork(clock, wire);
    }

    /** {@return the wire} */
    public MemoryWire wire() {
        return network.wire();
    }

    /** {@return the shared clock} */
    public VirtualClock clock() {
        return clock;
    }

    /**
     * Adds a host.
     *
     * @param config its configuration
     * @return the host
     */
    public MemoryNetwork.Host add(Config config) {
        return network.open(config);
    }

    /**
     * Adds a host whose port is wrapped, in a fault injector for example.
     *
     * @param config its configuration
     * @param wrapper makes its device from its port
     * @return the host
     */
    public MemoryNetwork.Host add(Config config, MemoryNetwork.DeviceWrapper wrapper) {
        return network.open(config, wrapper);
    }

    /**
     * Runs the network until an operation completes.
     *
     * @param libos the operation's LibOS
     * @param qt the operation
     * @return the result, or null when the clock moved {@link #LIMIT_NS} without it completing
     */
    public QResult await(NetworkLibOS libos, long qt) {
        QResult result = new QResult();
        return libos.wait(qt, result, LIMIT_NS) ? result : null;
    }

    /**
     * Runs every host until the clock has moved by {@code durationNs}.
     *
     * @param libos the LibOS whose wait drives the network
     * @param durationNs how far
     */
    public void runFor(NetworkLibOS libos, long durationNs) {
        libos.waitNextN(new QResult[] {new QResult()}, 1, durationNs);
    }

    @Override
    public void close() {
        network.close();
    }
}
