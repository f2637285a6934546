package dev.jdemi.systest;

/** {@link BulkTransferTest} over AF_PACKET with the TPACKET_V3 receive ring. */
class BulkTransferV3Test extends BulkTransferTest {
    @Override
    String device() {
        return "v3";
    }
}
