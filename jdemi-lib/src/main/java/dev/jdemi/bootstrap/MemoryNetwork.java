package dev.jdemi.bootstrap;

import dev.jdemi.Config;
import dev.jdemi.LibOSName;
import dev.jdemi.inet.InetConfig;
import dev.jdemi.inet.transport.InetTransport;
import dev.jdemi.libos.NetworkLibOS;
import dev.jdemi.phy.Capabilities;
import dev.jdemi.phy.MemoryWire;
import dev.jdemi.phy.PhysicalLayer;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.Clock;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.runtime.SystemClock;

import java.util.ArrayList;
import java.util.List;

/**
 * catpowder over the in-memory wire: hosts, each a {@link NetworkLibOS} over the user-space stack
 * ({@link InetTransport}) on a port of one {@link MemoryWire}, all in one thread. Needs no root and no kernel
 * interface: for tests, the demo and tools.
 *
 * <p>On a real network the peers run by themselves. Here a host only runs when its runtime is polled, so every
 * host's poller also runs the other hosts once per loop iteration (an ARP reply or an echo comes back while one host
 * waits), and reports their timers and frames as its own next event, so a shared
 * {@link dev.jdemi.runtime.VirtualClock} jumps to whatever any host does next. The network is deterministic on a
 * virtual clock: the same calls give the same frames at the same instants.
 *
 * <p>Thread: the network, its wire and all its hosts are confined to the thread that made them.
 */
public final class MemoryNetwork implements AutoCloseable {
    private final Clock clock;
    private final MemoryWire wire;
    private final List<Host> hosts = new ArrayList<>();
    private boolean driving;

    /**
     * One host on the wire.
     *
     * @param libos the LibOS
     * @param transport its stack, for counters
     */
    public record Host(NetworkLibOS libos, InetTransport transport) {
    }

    /** Creates a network on the system clock, with a hub that delivers every frame everywhere. */
    public MemoryNetwork() {
        this(new SystemClock(), new MemoryWire());
    }

    /**
     * Creates a network.
     *
     * @param clock the clock of every host (a shared virtual clock in deterministic tests)
     * @param wire the wire, now owned by the network
     */
    public MemoryNetwork(Clock clock, MemoryWire wire) {
        this.clock = clock;
        this.wire = wire;
    }

    /** {@return the wire, to capture it or plug in raw ports} */
    public MemoryWire wire() {
        return wire;
    }

    /** {@return the hosts, in the order they were opened} */
    public List<Host> hosts() {
        return List.copyOf(hosts);
    }

    /** Wraps a host's port in another device, such as a {@link dev.jdemi.phy.FaultInjector} or a pcap tap. */
    @FunctionalInterface
    public interface DeviceWrapper {
        /**
         * Wraps a port.
         *
         * @param port the host's port on the wire
         * @param pool the host's buffer pool
         * @return the device the host's stack uses, owning the port
         */
        PhysicalLayer wrap(PhysicalLayer port, BufferPool pool);
    }

    /**
     * Opens a host.
     *
     * @param config the host's configuration: local IPv4 and MAC addresses are required
     * @return the host, owned by the network (closed with it) unless closed before
     */
    public Host open(Config config) {
        return open(config, (port, pool) -> port);
    }

    /**
     * Opens a host whose port is wrapped in another device.
     *
     * @param config the host's configuration: local IPv4 and MAC addresses are required
     * @param wrapper makes the device the host uses from its port
     * @return the host, owned by the network (closed with it) unless closed before
     */
    public Host open(Config config, DeviceWrapper wrapper) {
        InetConfig inet = InetConfig.from(config);
        Runtime runtime = new Runtime(clock, new BufferPool(BufferPool.STACK_HEADROOM), config.jdemi().waitPolicy());
        InetTransport transport;
        try {
            PhysicalLayer port = wire.attach(runtime.pool(), Capabilities.ethernet(inet.mtuBytes(), inet.localMac()));
            transport = new InetTransport(inet, InetTransport.tcpConfigOf(config), config.tcpSocketOptions(),
                    wrapper.wrap(port, runtime.pool()));
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
        NetworkLibOS libos = new NetworkLibOS(LibOSName.CATPOWDER, runtime, transport);
        Host host = new Host(libos, transport);
        runtime.setPoller(new HostPoller(host));
        hosts.add(host);
        return host;
    }

    /** A host's poller: its own stack, then one iteration of every other open host. */
    private final class HostPoller implements Runtime.Poller {
        private final Host host;

        HostPoller(Host host) {
            this.host = host;
        }

        @Override
        public int poll(long nowNs) {
            int work = host.transport().poll(nowNs);
            if (!driving) {
                driving = true;
                try {
                    // Indexed loops: an iterator per loop iteration would be the datapath's only allocation.
                    for (int i = 0; i < hosts.size(); i++) {
                        Host other = hosts.get(i);
                        if (other != host && other.transport().isOpen()) {
                            work += other.libos().runtime().pollOnce();
                        }
                    }
                } finally {
                    driving = false;
                }
            }
            return work;
        }

        @Override
        public void block(long timeoutNs) {
            host.transport().block(timeoutNs);
        }

        @Override
        public long nextEventNs() {
            long next = host.transport().nextEventNs();
            for (int i = 0; i < hosts.size(); i++) {
                Host other = hosts.get(i);
                if (other != host && other.transport().isOpen()) {
                    next = Math.min(next, Math.min(other.transport().nextEventNs(),
                            other.libos().runtime().timers().nextDeadlineNs()));
                }
            }
            return next;
        }
    }

    /** Closes every host still open, then the wire. */
    @Override
    public void close() {
        for (Host host : hosts) {
            host.libos().close();
        }
        hosts.clear();
        wire.close();
    }
}
