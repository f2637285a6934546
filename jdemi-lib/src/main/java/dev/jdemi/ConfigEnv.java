package dev.jdemi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Upstream's environment overrides (spec §4.1), applied over a draft read from the file, plus jdemi's own
 * {@code JDEMI_WAIT_POLICY}.
 *
 * <p>Upstream names each variable after its YAML key in upper case and fails with EINVAL when the value does not
 * parse; jdemi does the same, with every bad variable reported together with the file's problems.
 */
final class ConfigEnv {
    /** The variable naming the configuration file. */
    static final String CONFIG_PATH = "CONFIG_PATH";

    private ConfigEnv() {
    }

    /** A setter that parses one variable's value into the draft. */
    @FunctionalInterface
    private interface Override {
        void apply(ConfigDraft draft, String value) throws ConfigValues.Invalid;
    }

    /** The overrides, in the order they are applied and reported. */
    private static final Map<String, Override> OVERRIDES = overrides();

    /**
     * Applies every override variable that is set.
     *
     * @param env the environment
     * @param draft the draft; receives the values and a problem per bad variable
     */
    static void apply(Map<String, String> env, ConfigDraft draft) {
        OVERRIDES.forEach((variable, override) -> {
            String value = env.get(variable);
            if (value != null) {
                try {
                    override.apply(draft, value);
                } catch (ConfigValues.Invalid e) {
                    draft.envProblem(variable, e.getMessage());
                }
            }
        });
    }

    /** {@return the names of the variables that override keys, in application order} */
    static Set<String> variables() {
        return OVERRIDES.keySet();
    }

    private static Map<String, Override> overrides() {
        Map<String, Override> map = new LinkedHashMap<>();
        map.put("LOCAL_IPV4_ADDR", (d, v) -> d.localIpv4Addr = ConfigValues.hostIpv4(v));
        map.put("LOCAL_LINK_ADDR", (d, v) -> d.localLinkAddr = ConfigValues.hostMac(v));
        // Upstream: a LINGER value turns lingering on for that many seconds.
        map.put("LINGER", (d, v) -> {
            d.lingerSeconds = (int) envInt(v, ConfigValues.NON_NEGATIVE_INT);
            d.lingerEnabled = true;
        });
        map.put("NODELAY", (d, v) -> d.nodelay = ConfigValues.envBoolean(v));
        map.put("ARP_CACHE_TTL", (d, v) -> d.arpCacheTtlMillis = envInt(v, ConfigValues.POSITIVE_SECONDS) * 1000);
        map.put("ARP_REQUEST_TIMEOUT",
                (d, v) -> d.arpRequestTimeoutMillis = envInt(v, ConfigValues.POSITIVE_SECONDS) * 1000);
        map.put("ARP_REQUEST_RETRIES",
                (d, v) -> d.arpRequestRetries = (int) envInt(v, ConfigValues.NON_NEGATIVE_INT));
        map.put("MTU", (d, v) -> {
            d.mtu = (int) envInt(v, ConfigValues.MTU);
            d.mtuFromEnvironment = true;
        });
        // Not in upstream's list of overrides, but its code reads MSS the same way as MTU and its Makefile sets it.
        map.put("MSS", (d, v) -> d.mss = (int) envInt(v, ConfigValues.MSS));
        map.put("LINUX_INTERFACE_NAME", (d, v) -> d.linuxInterfaceName = ConfigValues.interfaceName(v));
        map.put("XDP_INTERFACE_INDEX",
                (d, v) -> d.xdpInterfaceIndex = (int) envInt(v, ConfigValues.NON_NEGATIVE_INT));
        map.put("JDEMI_WAIT_POLICY", (d, v) -> d.waitPolicy = ConfigValues.waitPolicy(v));
        return Collections.unmodifiableMap(map);
    }

    /** Upstream reports any bad variable as EINVAL, an out-of-range number included. */
    private static long envInt(String value, ConfigValues.Range range) throws ConfigValues.Invalid {
        try {
            return range.check(ConfigValues.decimalInteger(value));
        } catch (ConfigValues.Invalid e) {
            throw new ConfigValues.Invalid(Errno.EINVAL, e.getMessage());
        }
    }
}
