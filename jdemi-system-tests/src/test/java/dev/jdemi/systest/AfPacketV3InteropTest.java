package dev.jdemi.systest;

/** The checks of {@link RawInteropTest} with the default TPACKET_V3 ring. */
class AfPacketV3InteropTest extends RawInteropTest {
    @Override
    String device() {
        return "v3";
    }
}
