package dev.jdemi.systest;

/** {@link AfPacketTcpInteropTest} with the TPACKET_V3 receive ring. */
class AfPacketTcpV3InteropTest extends AfPacketTcpInteropTest {
    @Override
    String ring() {
        return "v3";
    }
}
