package dev.jdemi.systest;

/** {@link RawTcpInteropTest} with the TPACKET_V2 receive ring. */
class AfPacketTcpV2InteropTest extends RawTcpInteropTest {
    @Override
    String device() {
        return "v2";
    }
}
