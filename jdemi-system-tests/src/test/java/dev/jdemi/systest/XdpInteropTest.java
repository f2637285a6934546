package dev.jdemi.systest;

/** The checks of {@link RawInteropTest} with catpowder on AF_XDP (copy mode, queue 0). */
class XdpInteropTest extends RawInteropTest {
    @Override
    String device() {
        return "xdp";
    }
}
