package dev.jdemi.systest;

/** {@link RawTcpInteropTest} with catpowder on AF_XDP (copy mode, queue 0). */
class XdpTcpInteropTest extends RawTcpInteropTest {
    @Override
    String device() {
        return "xdp";
    }
}
