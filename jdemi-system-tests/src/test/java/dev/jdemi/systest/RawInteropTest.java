package dev.jdemi.systest;

/**
 * The checks of {@link UdpInteropChecks} over a raw device: jdemi (opened through {@code LibOS.open(CATPOWDER, ...)})
 * on one end of a veth pair, the kernel on the other; once per device: AF_PACKET with each receive ring
 * ({@link AfPacketV3InteropTest}, {@link AfPacketV2InteropTest}) and AF_XDP ({@link XdpInteropTest}).
 */
abstract class RawInteropTest extends UdpInteropChecks {
    /** {@return the device word of {@link PeerDevice}: v3 or v2 (AF_PACKET with that ring) or xdp (AF_XDP)} */
    @Override
    abstract String device();

    @Override
    String cannotRun() {
        return cannotRunOn(device());
    }

    /** {@return why a raw device cannot be tested here (AF_XDP also needs libxdp), or null when it can} */
    static String cannotRunOn(String device) {
        String reason = Veth.cannotRun();
        return reason == null && device.equals("xdp") ? dev.jdemi.sys.Xsk.unavailable() : reason;
    }

    @Override
    KernelLink openLink() {
        return KernelLink.of(Veth.create("a" + device()));
    }

    @Override
    String title() {
        return "catpowder (" + deviceName(device()) + ") against the Linux kernel over veth: checks";
    }

    /** {@return the device in words, for titles} */
    static String deviceName(String device) {
        return device.equals("xdp") ? "AF_XDP, copy mode"
                : "AF_PACKET, TPACKET_" + device.toUpperCase(java.util.Locale.ROOT) + " ring";
    }
}
