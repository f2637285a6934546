package dev.jdemi.inet;

import dev.jdemi.Config;

/**
 * The inetstack test hosts of spec §4.2 (upstream's {@code alice.yaml}, {@code bob.yaml}, {@code carrie.yaml}):
 * addresses, MACs and the ARP settings (retries 2, timeout 1 s, TTL 600 s). Their ARP tables are empty, so the
 * hosts resolve each other with ARP on the wire.
 */
public final class TestHosts {
    /** Alice: 192.168.1.1, 12:23:45:67:89:ab. */
    public static final String ALICE_IP = "192.168.1.1";
    /** Bob: 192.168.1.2, ab:89:67:45:23:12. */
    public static final String BOB_IP = "192.168.1.2";
    /** Carrie: 192.168.1.3, ef:cd:ab:89:67:45. */
    public static final String CARRIE_IP = "192.168.1.3";
    /** Alice's MAC. */
    public static final String ALICE_MAC = "12:23:45:67:89:ab";
    /** Bob's MAC. */
    public static final String BOB_MAC = "ab:89:67:45:23:12";
    /** Carrie's MAC. */
    public static final String CARRIE_MAC = "ef:cd:ab:89:67:45";

    private TestHosts() {
    }

    /** {@return alice's configuration} */
    public static Config alice() {
        return config(ALICE_IP, ALICE_MAC, "");
    }

    /** {@return bob's configuration} */
    public static Config bob() {
        return config(BOB_IP, BOB_MAC, "");
    }

    /** {@return carrie's configuration} */
    public static Config carrie() {
        return config(CARRIE_IP, CARRIE_MAC, "");
    }

    /**
     * A host's configuration in upstream's YAML schema.
     *
     * @param ip the IPv4 address
     * @param mac the MAC address
     * @param extraInetKeys more {@code inetstack_config} lines, each indented by two spaces and ending in a newline
     * @return the configuration
     */
    public static Config config(String ip, String mac, String extraInetKeys) {
        return Config.parse(yaml(ip, mac, extraInetKeys));
    }

    /**
     * The YAML text of {@link #config}.
     *
     * @param ip the IPv4 address
     * @param mac the MAC address
     * @param extraInetKeys more {@code inetstack_config} lines
     * @return the text
     */
    public static String yaml(String ip, String mac, String extraInetKeys) {
        return """
                demikernel:
                  local_ipv4_addr: "%s"
                  local_link_addr: "%s"
                tcp_socket_options:
                  linger:
                    enabled: true
                    time_seconds: 0
                inetstack_config:
                  mtu: 1500
                  udp_checksum_offload: false
                  arp_request_retries: 2
                  arp_request_timeout: 1
                  arp_cache_ttl: 600
                %s""".formatted(ip, mac, extraInetKeys);
    }
}
