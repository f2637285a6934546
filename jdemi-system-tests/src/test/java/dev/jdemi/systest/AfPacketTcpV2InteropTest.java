package dev.jdemi.systest;

/** {@link AfPacketTcpInteropTest} with the TPACKET_V2 receive ring. */
class AfPacketTcpV2InteropTest extends AfPacketTcpInteropTest {
    @Override
    String ring() {
        return "v2";
    }
}
