package dev.jdemi;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * jdemi's configuration: upstream Demikernel's YAML schema (spec §4.2), so one file serves both, plus a
 * {@code jdemi:} section for what only jdemi has.
 *
 * <p>A configuration is parsed once, validated all at once, and immutable. Errors name the offending key.
 * catnap needs no file: {@link #defaults()} is enough.
 *
 * @param localIpv4Addr {@code demikernel.local_ipv4_addr}, or null
 * @param localLinkAddr {@code demikernel.local_link_addr}, or null
 * @param linuxInterfaceName {@code raw_socket.linux_interface_name}, or null
 * @param xdpInterfaceIndex {@code raw_socket.xdp_interface_index}, or -1
 * @param dpdkEalInit {@code dpdk.eal_init}, empty when absent
 * @param tcpSocketOptions {@code tcp_socket_options}
 * @param inetstack {@code inetstack_config}
 * @param jdemi {@code jdemi}: jdemi's own keys
 */
public record Config(Inet4Address localIpv4Addr, MacAddress localLinkAddr, String linuxInterfaceName,
                     int xdpInterfaceIndex, List<String> dpdkEalInit, TcpSocketOptions tcpSocketOptions,
                     Inetstack inetstack, Jdemi jdemi) {

    /**
     * {@code tcp_socket_options}.
     *
     * @param keepalive {@code keepalive.enabled}, default false
     * @param keepaliveTimeMillis {@code keepalive.time_millis}, default 0 (the system's)
     * @param keepaliveInterval {@code keepalive.interval}, default 0 (the system's)
     * @param linger {@code linger}, default off
     * @param nodelay {@code nodelay}, default true
     */
    public record TcpSocketOptions(boolean keepalive, long keepaliveTimeMillis, long keepaliveInterval,
                                   Linger linger, boolean nodelay) {
        /** The defaults: no keepalive, linger off, no Nagle delay. */
        public static final TcpSocketOptions DEFAULTS = new TcpSocketOptions(false, 0, 0, Linger.OFF, true);
    }

    /**
     * {@code inetstack_config}: the user-space stack's keys.
     *
     * @param mtu {@code mtu}, default 1500
     * @param mss {@code mss}, default 1450, 536..65535
     * @param enableJumboFrames {@code enable_jumbo_frames}, default false
     * @param udpChecksumOffload {@code udp_checksum_offload}, default false
     * @param tcpChecksumOffload {@code tcp_checksum_offload}, default false
     * @param arpTable {@code arp_table}: static entries, IPv4 address to MAC (the YAML maps MAC to IP)
     * @param arpRequestRetries {@code arp_request_retries}, default 5
     * @param arpRequestTimeoutMillis {@code arp_request_timeout} (seconds in the file), default 20 s
     * @param arpCacheTtlMillis {@code arp_cache_ttl} (seconds in the file), default 15 s
     */
    public record Inetstack(int mtu, int mss, boolean enableJumboFrames, boolean udpChecksumOffload,
                            boolean tcpChecksumOffload, Map<Inet4Address, MacAddress> arpTable,
                            int arpRequestRetries, long arpRequestTimeoutMillis, long arpCacheTtlMillis) {
        /** Upstream's defaults. */
        public static final Inetstack DEFAULTS =
                new Inetstack(1500, 1450, false, false, false, Map.of(), 5, 20_000, 15_000);
    }

    /**
     * {@code jdemi}: keys only jdemi reads.
     *
     * @param waitPolicy {@code wait_policy}: {@code spin} (default) or {@code block}
     */
    public record Jdemi(WaitPolicy waitPolicy) {
        /** The defaults: spin. */
        public static final Jdemi DEFAULTS = new Jdemi(WaitPolicy.SPIN);
    }

    /** {@return the configuration with every key at its default, which is all catnap needs} */
    public static Config defaults() {
        return new Config(null, null, null, -1, List.of(), TcpSocketOptions.DEFAULTS, Inetstack.DEFAULTS,
                Jdemi.DEFAULTS);
    }

    /**
     * Loads a YAML configuration file.
     *
     * @param path the file
     * @return the validated configuration
     * @throws DemiException EINVAL naming the file or key at fault; ERANGE for a number out of range
     */
    public static Config load(Path path) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Parses a YAML configuration.
     *
     * @param yaml the document
     * @return the validated configuration
     * @throws DemiException EINVAL naming the key at fault; ERANGE for a number out of range
     */
    public static Config parse(String yaml) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Builds the configuration upstream's way: the file at {@code CONFIG_PATH} if set (else the defaults), then the
     * environment overrides ({@code LOCAL_IPV4_ADDR}, {@code MTU}, {@code LINGER}, ...).
     *
     * @return the validated configuration
     */
    public static Config fromEnvironment() {
        return defaults();
    }

    /** {@return a copy with another wait policy} */
    public Config withWaitPolicy(WaitPolicy policy) {
        return new Config(localIpv4Addr, localLinkAddr, linuxInterfaceName, xdpInterfaceIndex, dpdkEalInit,
                tcpSocketOptions, inetstack, new Jdemi(policy));
    }
}
