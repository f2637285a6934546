package dev.jdemi.tools.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A device catpowder can open on a veth end, as {@code ./jdemi bench veth} names it: the word on the command line,
 * the label in the table and the keys of the configuration's {@code jdemi} section that select it.
 */
public enum VethDevice {
    /** AF_PACKET with a TPACKET_V2 receive ring: every frame handed over at once. */
    V2("v2", "AF_PACKET V2", "  raw_device: af_packet\n  packet_ring: v2\n"),
    /** AF_PACKET with a TPACKET_V3 receive ring: frames handed over by block, a lone one after the retire timer. */
    V3("v3", "AF_PACKET V3", "  raw_device: af_packet\n  packet_ring: v3\n"),
    /** AF_XDP (copy mode on veth). */
    XDP("xdp", "AF_XDP", "  raw_device: af_xdp\n");

    private final String word;
    private final String label;
    private final String jdemiKeys;

    VethDevice(String word, String label, String jdemiKeys) {
        this.word = word;
        this.label = label;
        this.jdemiKeys = jdemiKeys;
    }

    /** {@return the word on the command line, such as {@code v2}} */
    public String word() {
        return word;
    }

    /** {@return the label in the table, such as {@code AF_PACKET V2}} */
    public String label() {
        return label;
    }

    /**
     * The configuration of a catpowder LibOS (or a bare device) on one veth end.
     *
     * @param interfaceName the Linux interface
     * @param ipv4 jdemi's address on it (not the kernel's)
     * @param mac the interface's MAC address
     * @return the YAML document
     */
    public String configYaml(String interfaceName, String ipv4, String mac) {
        return "demikernel:\n  local_ipv4_addr: \"" + ipv4 + "\"\n  local_link_addr: \"" + mac + "\"\n"
                + "raw_socket:\n  linux_interface_name: \"" + interfaceName + "\"\njdemi:\n" + jdemiKeys
                + "  wait_policy: spin\n";
    }

    /**
     * Parses one word.
     *
     * @param word {@code v2}, {@code v3} or {@code xdp}, in any case
     * @return the device
     * @throws IllegalArgumentException for any other word
     */
    public static VethDevice parse(String word) {
        String lower = word.trim().toLowerCase(Locale.ROOT);
        for (VethDevice device : values()) {
            if (device.word.equals(lower)) {
                return device;
            }
        }
        throw new IllegalArgumentException("device '" + word + "': expected v2, v3 or xdp");
    }

    /**
     * Parses a comma-separated list, keeping the order and dropping repeats.
     *
     * @param text such as {@code v2,xdp}
     * @return the devices
     * @throws IllegalArgumentException when a word is unknown or the list is empty
     */
    public static List<VethDevice> parseList(String text) {
        List<VethDevice> devices = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            VethDevice device = parse(part);
            if (!devices.contains(device)) {
                devices.add(device);
            }
        }
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("no device in '" + text + "'");
        }
        return devices;
    }
}
