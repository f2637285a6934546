package dev.jdemi.systest;

/** The checks of {@link AfPacketInteropTest} with the TPACKET_V2 ring. */
class AfPacketV2InteropTest extends AfPacketInteropTest {
    @Override
    String ring() {
        return "v2";
    }
}
