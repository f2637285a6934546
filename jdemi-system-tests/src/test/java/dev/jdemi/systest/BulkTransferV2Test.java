package dev.jdemi.systest;

/** {@link BulkTransferTest} over AF_PACKET with the TPACKET_V2 receive ring, catpowder's default. */
class BulkTransferV2Test extends BulkTransferTest {
    @Override
    String device() {
        return "v2";
    }
}
