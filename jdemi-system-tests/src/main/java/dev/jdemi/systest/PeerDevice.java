package dev.jdemi.systest;

import java.util.Locale;

/**
 * The device a jdemi peer process opens, named by one word on its command line: {@code v3} or {@code v2} (AF_PACKET
 * with that receive ring), {@code xdp} (AF_XDP) or {@code tap} (a TAP device).
 */
final class PeerDevice {
    private PeerDevice() {
    }

    /**
     * Turns the word into the lines of the configuration's {@code jdemi} section that select the device.
     *
     * @param word {@code v3}, {@code v2}, {@code xdp} or {@code tap}
     * @return YAML lines, each indented by two spaces and ending with a newline
     * @throws IllegalArgumentException for any other word
     */
    static String jdemiKeys(String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "v3", "v2" -> "  raw_device: af_packet\n  packet_ring: " + word + "\n";
            case "xdp" -> "  raw_device: af_xdp\n";
            case "tap" -> "  raw_device: tap\n";
            default -> throw new IllegalArgumentException("device " + word + ": expected v3, v2, xdp or tap");
        };
    }
}
