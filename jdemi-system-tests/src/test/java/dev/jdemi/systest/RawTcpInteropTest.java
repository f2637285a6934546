package dev.jdemi.systest;

/**
 * The checks of {@link TcpInteropChecks} over a raw device: jdemi on one end of a veth pair, the kernel on the other;
 * once per device: AF_PACKET with each receive ring ({@link AfPacketTcpV3InteropTest},
 * {@link AfPacketTcpV2InteropTest}) and AF_XDP ({@link XdpTcpInteropTest}).
 */
abstract class RawTcpInteropTest extends TcpInteropChecks {
    /** {@return the device word of {@link PeerDevice}: v3 or v2 (AF_PACKET with that ring) or xdp (AF_XDP)} */
    @Override
    abstract String device();

    @Override
    String cannotRun() {
        return RawInteropTest.cannotRunOn(device());
    }

    @Override
    KernelLink openLink() {
        return KernelLink.of(Veth.create("t" + device()));
    }

    @Override
    String title() {
        return "jdemi TCP on catpowder (" + RawInteropTest.deviceName(device())
                + ") against the Linux kernel over veth: checks";
    }
}
