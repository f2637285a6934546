package dev.jdemi.systest;

/** {@link RawTcpInteropTest} with the TPACKET_V3 receive ring. */
class AfPacketTcpV3InteropTest extends RawTcpInteropTest {
    @Override
    String device() {
        return "v3";
    }
}
