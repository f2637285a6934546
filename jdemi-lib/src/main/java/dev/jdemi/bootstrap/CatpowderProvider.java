package dev.jdemi.bootstrap;

import dev.jdemi.Config;
import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.inet.InetConfig;
import dev.jdemi.inet.transport.InetTransport;
import dev.jdemi.libos.NetworkLibOS;
import dev.jdemi.phy.PhysicalLayer;
import dev.jdemi.phy.afpacket.PacketDevice;
import dev.jdemi.phy.afxdp.XdpDevice;
import dev.jdemi.phy.tap.TapDevice;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.runtime.SystemClock;
import dev.jdemi.spi.LibOSProvider;

import java.util.function.Function;

/**
 * Makes catpowder LibOSes on a real Linux interface: {@link NetworkLibOS} over the user-space stack
 * ({@link InetTransport}) over the device {@code jdemi.raw_device} names on {@code raw_socket.linux_interface_name}.
 *
 * <p>With {@code af_packet} (the default), {@code jdemi.packet_ring} picks the receive ring: TPACKET_V2 (the default)
 * hands each frame over at once; TPACKET_V3 batches but holds a lone frame up to 1 ms. With {@code af_xdp}, an
 * AF_XDP socket in copy mode on queue 0 whose UMEM is the LibOS's buffer pool ({@link XdpDevice}). The stack's MTU is
 * the smaller of {@code inetstack_config.mtu} and the interface's. The interface should carry no IPv4 address of the
 * kernel's own, or the kernel answers ARP and ICMP for it too.
 *
 * <p>With {@code tap}, the interface is a TAP device (created, not persistent, when it does not exist) whose kernel
 * side is jdemi's peer: it carries the kernel's own address, and jdemi uses {@code demikernel.local_link_addr} as its
 * MAC.
 */
public final class CatpowderProvider implements LibOSProvider {
    /** Creates the provider; the service loader calls this. */
    public CatpowderProvider() {
    }

    /**
     * A device opened on a Linux interface and the pool its frames come from. Some devices own their pool (an AF_XDP
     * socket's frames live in its UMEM), so the two are made together and the LibOS's runtime takes the pool.
     *
     * @param device the device
     * @param pool the pool to allocate frames to transmit from, and where received frames come from
     */
    public record RawLink(PhysicalLayer device, BufferPool pool) implements AutoCloseable {
        /** Closes the device, then the pool. */
        @Override
        public void close() {
            try {
                device.close();
            } finally {
                pool.close();
            }
        }
    }

    @Override
    public LibOSName name() {
        return LibOSName.CATPOWDER;
    }

    /**
     * Opens a catpowder LibOS.
     *
     * @throws DemiException EINVAL naming each missing key, ENODEV for an unknown interface, EPERM without
     *         {@code CAP_NET_RAW}
     */
    @Override
    public LibOS open(Config config) {
        InetConfig inet = InetConfig.from(config);
        RawLink link = openLink(config);
        Runtime runtime = new Runtime(new SystemClock(), link.pool(), config.jdemi().waitPolicy());
        try {
            inet = inet.withMtu(Math.min(inet.mtuBytes(), link.device().capabilities().mtuBytes()));
            return new NetworkLibOS(LibOSName.CATPOWDER, runtime, new InetTransport(inet, link.device()));
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }

    /**
     * Opens the device the configuration names, without a stack on it: catpowder's own first step, and what a
     * benchmark of the bare device (a frame ping-pong) needs.
     *
     * @param config the configuration: {@code raw_socket.linux_interface_name}, {@code jdemi.raw_device} and the
     *         device's own keys
     * @return the device and its pool; the caller closes it
     * @throws DemiException EINVAL when the interface is not named, ENODEV for an unknown interface, EPERM without
     *         the privilege the device needs
     */
    public static RawLink openLink(Config config) {
        String name = config.linuxInterfaceName();
        if (name == null) {
            throw new DemiException(Errno.EINVAL, "raw_socket.linux_interface_name: required by catpowder: the Linux"
                    + " interface to send and receive on (or set LINUX_INTERFACE_NAME)");
        }
        return switch (config.jdemi().rawDevice()) {
            case AF_PACKET -> {
                PacketDevice.Mode ring = config.jdemi().packetRing() == Config.PacketRing.V3 ? PacketDevice.Mode.V3
                        : PacketDevice.Mode.V2;
                yield link(new BufferPool(BufferPool.STACK_HEADROOM), pool -> PacketDevice.open(name, pool, ring));
            }
            case AF_XDP -> link(XdpDevice.newPool(), pool -> XdpDevice.open(name, pool));
            case TAP -> link(new BufferPool(BufferPool.STACK_HEADROOM),
                    pool -> TapDevice.open(name, config.localLinkAddr(), pool));
        };
    }

    /** Opens a device on a new pool, closing the pool when the device cannot be opened. */
    private static RawLink link(BufferPool pool, Function<BufferPool, PhysicalLayer> open) {
        try {
            return new RawLink(open.apply(pool), pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }
}
