package dev.jdemi.systest;

/**
 * The checks of {@link UdpInteropChecks} over a TAP device: jdemi ({@link JdemiPeer} with device {@code tap})
 * attached to a TAP interface whose kernel side carries the kernel's address ({@link TapNamespace}), the kernel's
 * ping, socat and nc in the same namespace, every frame captured on the TAP interface.
 */
class TapInteropTest extends UdpInteropChecks {
    @Override
    String device() {
        return "tap";
    }

    @Override
    KernelLink openLink() {
        return KernelLink.of(TapNamespace.create("u"));
    }

    @Override
    String title() {
        return "catpowder (TAP device) against the Linux kernel over a TAP interface: checks";
    }
}
