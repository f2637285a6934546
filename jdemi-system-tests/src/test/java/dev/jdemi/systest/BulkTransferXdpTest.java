package dev.jdemi.systest;

/** {@link BulkTransferTest} over AF_XDP (copy mode, queue 0). */
class BulkTransferXdpTest extends BulkTransferTest {
    @Override
    String device() {
        return "xdp";
    }
}
