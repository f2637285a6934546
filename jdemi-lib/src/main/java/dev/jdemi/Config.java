package dev.jdemi;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * jdemi's configuration: upstream Demikernel's YAML schema (spec §4.2), so one file serves both, plus a
 * {@code jdemi:} section for what only jdemi has.
 *
 * <p>A configuration is parsed once, validated all at once, and immutable. Errors name the offending key, and a
 * file with several problems reports them all in one exception. Unknown keys are errors, so a typo is not silently
 * ignored. catnap needs no file: {@link #defaults()} is enough. Every key, its default and its rules are described
 * in {@code docs/configuration.md}.
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
     * @param packetRing {@code packet_ring}: catpowder's AF_PACKET receive ring, {@code v2} (default) or {@code v3}
     * @param rawDevice {@code raw_device}: how catpowder reaches {@code raw_socket.linux_interface_name},
     *         {@code af_packet} (default), {@code af_xdp} or {@code tap}
     */
    public record Jdemi(WaitPolicy waitPolicy, PacketRing packetRing, RawDevice rawDevice) {
        /** The defaults: spin, an AF_PACKET socket with a TPACKET_V2 ring. */
        public static final Jdemi DEFAULTS = new Jdemi(WaitPolicy.SPIN, PacketRing.V2, RawDevice.AF_PACKET);

        /**
         * The keys with the default device and receive ring.
         *
         * @param waitPolicy {@code wait_policy}
         */
        public Jdemi(WaitPolicy waitPolicy) {
            this(waitPolicy, PacketRing.V2, RawDevice.AF_PACKET);
        }

        /**
         * The keys with the default device.
         *
         * @param waitPolicy {@code wait_policy}
         * @param packetRing {@code packet_ring}
         */
        public Jdemi(WaitPolicy waitPolicy, PacketRing packetRing) {
            this(waitPolicy, packetRing, RawDevice.AF_PACKET);
        }
    }

    /** {@code jdemi.raw_device}: the kind of device catpowder opens on {@code raw_socket.linux_interface_name}. */
    public enum RawDevice {
        /** An {@code AF_PACKET} socket bound to the interface, with a memory-mapped receive ring. */
        AF_PACKET,
        /** An {@code AF_XDP} socket on the interface's queue 0 (copy mode), set up through libxdp. */
        AF_XDP,
        /** A TAP device ({@code /dev/net/tun}) of that name, created when it does not exist. */
        TAP
    }

    /** {@code jdemi.packet_ring}: how catpowder's AF_PACKET socket hands received frames over. */
    public enum PacketRing {
        /** TPACKET_V3: frames packed into blocks, handed over when a block fills or after 1 ms (batches, delay). */
        V3,
        /** TPACKET_V2: one slot per frame, each handed over at once (the lowest latency). */
        V2
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
     * @throws DemiException EINVAL naming the file or, one line each, every key at fault; ERANGE when every problem
     *         is a number out of range for its field
     */
    public static Config load(Path path) {
        if (path == null) {
            throw new DemiException(Errno.EINVAL, "configuration file: path is null");
        }
        ConfigDraft draft = new ConfigDraft();
        ConfigYaml.read(readFile(path, "configuration file"), path.toString(), draft);
        return draft.build(path.toString());
    }

    /**
     * Parses a YAML configuration.
     *
     * @param yaml the document
     * @return the validated configuration
     * @throws DemiException EINVAL naming, one line each, every key at fault; ERANGE when every problem is a number
     *         out of range for its field
     */
    public static Config parse(String yaml) {
        if (yaml == null) {
            throw new DemiException(Errno.EINVAL, "configuration: yaml is null");
        }
        ConfigDraft draft = new ConfigDraft();
        ConfigYaml.read(yaml, "yaml", draft);
        return draft.build("yaml");
    }

    /**
     * Builds the configuration upstream's way: the file at {@code CONFIG_PATH} if set (else the defaults), then the
     * environment overrides ({@code LOCAL_IPV4_ADDR}, {@code MTU}, {@code LINGER}, ...).
     *
     * @return the validated configuration
     * @throws DemiException EINVAL naming the file, or every key and variable at fault at once
     */
    public static Config fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * {@link #fromEnvironment()} over a given environment, so tests need not change the process's.
     *
     * @param env the environment variables
     * @return the validated configuration
     */
    static Config fromEnvironment(Map<String, String> env) {
        ConfigDraft draft = new ConfigDraft();
        String configPath = env.get(ConfigEnv.CONFIG_PATH);
        String source = "environment";
        if (configPath != null) {
            if (configPath.isEmpty()) {
                throw new DemiException(Errno.EINVAL, ConfigEnv.CONFIG_PATH + " is set but empty; unset it to run"
                        + " without a file");
            }
            Path path;
            try {
                path = Path.of(configPath);
            } catch (InvalidPathException e) {
                throw new DemiException(Errno.EINVAL, ConfigEnv.CONFIG_PATH + ": '" + configPath
                        + "' is not a path: " + e.getReason(), e);
            }
            String text = readFile(path, "configuration file (" + ConfigEnv.CONFIG_PATH + ")");
            ConfigYaml.read(text, configPath, draft);
            source = configPath + " and environment";
        }
        ConfigEnv.apply(env, draft);
        return draft.build(source);
    }

    /**
     * Checks that the keys the user-space stack (inetstack, under catpowder and catnip) cannot run without are set.
     *
     * @return this configuration
     * @throws DemiException EINVAL naming each missing key, one per line
     */
    public Config requireInetstack() {
        List<ConfigDraft.Problem> missing = new ArrayList<>(2);
        if (localIpv4Addr == null) {
            missing.add(new ConfigDraft.Problem(Errno.EINVAL, "demikernel.local_ipv4_addr: required by the user-space"
                    + " stack (catpowder, catnip): the host's IPv4 address (or set LOCAL_IPV4_ADDR)"));
        }
        if (localLinkAddr == null) {
            missing.add(new ConfigDraft.Problem(Errno.EINVAL, "demikernel.local_link_addr: required by the user-space"
                    + " stack (catpowder, catnip): the interface's MAC address (or set LOCAL_LINK_ADDR)"));
        }
        ConfigDraft.throwIfAny(missing, "the user-space stack");
        return this;
    }

    private static String readFile(Path path, String what) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DemiException(Errno.EINVAL, what + " " + path + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new DemiException(Errno.EINVAL, what + " " + path + " cannot be read: permission denied", e);
        } catch (MalformedInputException e) {
            throw new DemiException(Errno.EINVAL, what + " " + path + " is not UTF-8 text", e);
        } catch (IOException e) {
            String reason = Files.isDirectory(path) ? "it is a directory" : String.valueOf(e.getMessage());
            throw new DemiException(Errno.EINVAL, what + " " + path + " cannot be read: " + reason, e);
        }
    }

    /** {@return a copy with another wait policy} */
    public Config withWaitPolicy(WaitPolicy policy) {
        return new Config(localIpv4Addr, localLinkAddr, linuxInterfaceName, xdpInterfaceIndex, dpdkEalInit,
                tcpSocketOptions, inetstack, new Jdemi(policy, jdemi.packetRing(), jdemi.rawDevice()));
    }
}
