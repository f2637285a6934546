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
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.runtime.SystemClock;
import dev.jdemi.spi.LibOSProvider;

/**
 * Makes catpowder LibOSes on a real Linux interface: {@link NetworkLibOS} over the user-space stack
 * ({@link InetTransport}) over an AF_PACKET {@link PacketDevice} on {@code raw_socket.linux_interface_name}.
 *
 * <p>{@code jdemi.packet_ring} picks the receive ring: TPACKET_V3 (the default) batches but holds a lone frame up to
 * 1 ms; TPACKET_V2 hands each frame over at once. The stack's MTU is the smaller of {@code inetstack_config.mtu} and
 * the interface's. The interface should carry
 * no IPv4 address of the kernel's own, or the kernel answers ARP and ICMP for it too.
 */
public final class CatpowderProvider implements LibOSProvider {
    private final PacketDevice.Mode mode;

    /** Creates the provider the service loader uses: the receive ring of {@code jdemi.packet_ring}. */
    public CatpowderProvider() {
        this(null);
    }

    /**
     * Creates a provider with a fixed receive ring, whatever the configuration says.
     *
     * @param mode the ring's layout, or null to follow {@code jdemi.packet_ring}
     */
    public CatpowderProvider(PacketDevice.Mode mode) {
        this.mode = mode;
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
        if (config.linuxInterfaceName() == null) {
            throw new DemiException(Errno.EINVAL, "raw_socket.linux_interface_name: required by catpowder: the Linux"
                    + " interface to send and receive on (or set LINUX_INTERFACE_NAME)");
        }
        InetConfig inet = InetConfig.from(config);
        Runtime runtime = new Runtime(new SystemClock(), new BufferPool(BufferPool.STACK_HEADROOM),
                config.jdemi().waitPolicy());
        PhysicalLayer device = null;
        try {
            device = openDevice(config, runtime.pool());
            inet = inet.withMtu(Math.min(inet.mtuBytes(), device.capabilities().mtuBytes()));
            return new NetworkLibOS(LibOSName.CATPOWDER, runtime, new InetTransport(inet, device));
        } catch (RuntimeException e) {
            if (device != null) {
                device.close();
            }
            runtime.close();
            throw e;
        }
    }

    private PhysicalLayer openDevice(Config config, BufferPool pool) {
        String name = config.linuxInterfaceName();
        return switch (config.jdemi().rawDevice()) {
            case AF_PACKET -> {
                PacketDevice.Mode ring = mode != null ? mode
                        : config.jdemi().packetRing() == Config.PacketRing.V2 ? PacketDevice.Mode.V2
                        : PacketDevice.Mode.V3;
                yield PacketDevice.open(name, pool, ring);
            }
            case AF_XDP -> throw new DemiException(Errno.EOPNOTSUPP, "jdemi.raw_device: af_xdp is not built yet");
            case TAP -> throw new DemiException(Errno.EOPNOTSUPP, "jdemi.raw_device: tap is not built yet");
        };
    }
}
