package dev.jdemi.systest;

/** The checks of {@link RawInteropTest} with the TPACKET_V2 ring. */
class AfPacketV2InteropTest extends RawInteropTest {
    @Override
    String device() {
        return "v2";
    }
}
