package dev.jdemi.systest;

/** The checks of {@link AfPacketInteropTest} with the default TPACKET_V3 ring. */
class AfPacketV3InteropTest extends AfPacketInteropTest {
    @Override
    String ring() {
        return "v3";
    }
}
