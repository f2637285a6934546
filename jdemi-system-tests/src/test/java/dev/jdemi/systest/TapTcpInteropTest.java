package dev.jdemi.systest;

/**
 * The checks of {@link TcpInteropChecks} over a TAP device: jdemi's user-space TCP on a TAP interface against the
 * Linux kernel's TCP on the interface's kernel side ({@link TapNamespace}), every frame captured on the TAP interface.
 */
class TapTcpInteropTest extends TcpInteropChecks {
    @Override
    String device() {
        return "tap";
    }

    @Override
    KernelLink openLink() {
        return KernelLink.of(TapNamespace.create("t"));
    }

    @Override
    String title() {
        return "jdemi TCP on catpowder (TAP device) against the Linux kernel over a TAP interface: checks";
    }
}
