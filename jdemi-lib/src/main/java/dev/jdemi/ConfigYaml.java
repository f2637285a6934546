package dev.jdemi;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads upstream's YAML schema (spec §4.2) plus the {@code jdemi} section into a {@link ConfigDraft}.
 *
 * <p>The document is composed into a node tree, not constructed into Java objects, so that every key keeps its line
 * number, duplicate keys are seen, and no YAML tag can instantiate a class. Every key is checked even after a problem;
 * the draft collects them all. The core schema is used because it is what upstream's yaml-rust reads: {@code true},
 * decimal, {@code 0x} and {@code 0o} integers, and {@code 192.168.1.1} as a string.
 */
final class ConfigYaml {
    /**
     * {@code raw_socket} keys that upstream reads only for catpowder on Windows (XDP). jdemi accepts them, checks
     * their type, and ignores them, so upstream's files (for example {@code scripts/config/azure.yaml}) stay valid.
     */
    private static final Map<String, Kind> UPSTREAM_WINDOWS_KEYS = windowsKeys();

    private final ConfigDraft draft;

    /** The type an ignored upstream key must have. */
    private enum Kind { BOOLEAN, U32, U16, U16_LIST, PROTOCOL, NUMBER }

    private ConfigYaml(ConfigDraft draft) {
        this.draft = draft;
    }

    /**
     * Reads one YAML document into the draft.
     *
     * @param yaml the text
     * @param label the source's name for messages
     * @param draft receives the values and the problems with keys
     * @throws DemiException EINVAL at once when the text is not YAML, is not exactly one document, or is not a mapping
     */
    static void read(String yaml, String label, ConfigDraft draft) {
        // Non-scalar keys are let through so that the walk reports them with their line, like any other bad key.
        LoadSettings settings = LoadSettings.builder().setLabel(label).setSchema(new CoreSchema())
                .setAllowRecursiveKeys(false).setAllowNonScalarKeys(true).build();
        List<Node> documents = new ArrayList<>(1);
        try {
            for (Node document : new Compose(settings).composeAllFromString(yaml)) {
                documents.add(document);
            }
        } catch (MarkedYamlEngineException e) {
            throw new DemiException(Errno.EINVAL, "invalid configuration (" + label + "): YAML syntax error"
                    + where(e.getProblemMark().or(e::getContextMark)) + ": " + e.getProblem(), e);
        } catch (YamlEngineException e) {
            throw new DemiException(Errno.EINVAL, "invalid configuration (" + label + "): " + e.getMessage(), e);
        }
        if (documents.size() != 1) {
            String hint = documents.isEmpty() ? " (use {} for all defaults)" : "";
            throw new DemiException(Errno.EINVAL, "invalid configuration (" + label + "): it must hold exactly one YAML"
                    + " document, found " + documents.size() + hint);
        }
        Node root = documents.getFirst();
        if (!(root instanceof MappingNode)) {
            throw new DemiException(Errno.EINVAL, "invalid configuration (" + label + "): the document must be a"
                    + " mapping of sections, was " + describe(root) + where(root.getStartMark()));
        }
        new ConfigYaml(draft).root((MappingNode) root);
    }

    private void root(MappingNode root) {
        Map<String, BiConsumer<Node, String>> sections = new LinkedHashMap<>();
        sections.put("demikernel", (node, key) -> section(node, key, demikernelKeys()));
        sections.put("raw_socket", (node, key) -> section(node, key, rawSocketKeys()));
        sections.put("dpdk", (node, key) -> section(node, key, Map.of("eal_init", this::ealInit)));
        sections.put("tcp_socket_options", (node, key) -> section(node, key, tcpSocketOptionKeys()));
        sections.put("inetstack_config", (node, key) -> section(node, key, inetstackKeys()));
        sections.put("jdemi", (node, key) -> section(node, key, jdemiKeys()));
        dispatch(root, "", sections);
    }

    private Map<String, BiConsumer<Node, String>> demikernelKeys() {
        Map<String, BiConsumer<Node, String>> keys = new LinkedHashMap<>();
        keys.put("local_ipv4_addr", (node, key) -> {
            String text = string(node, key);
            if (text != null) {
                try {
                    draft.localIpv4Addr = ConfigValues.hostIpv4(text);
                } catch (ConfigValues.Invalid e) {
                    problem(e, key, node);
                }
            }
        });
        keys.put("local_link_addr", (node, key) -> {
            String text = string(node, key);
            if (text != null) {
                try {
                    draft.localLinkAddr = ConfigValues.hostMac(text);
                } catch (ConfigValues.Invalid e) {
                    problem(e, key, node);
                }
            }
        });
        return keys;
    }

    private Map<String, BiConsumer<Node, String>> rawSocketKeys() {
        Map<String, BiConsumer<Node, String>> keys = new LinkedHashMap<>();
        keys.put("linux_interface_name", (node, key) -> {
            String text = string(node, key);
            if (text != null) {
                try {
                    draft.linuxInterfaceName = ConfigValues.interfaceName(text);
                } catch (ConfigValues.Invalid e) {
                    problem(e, key, node);
                }
            }
        });
        keys.put("xdp_interface_index", (node, key) -> {
            Long value = integer(node, key, ConfigValues.NON_NEGATIVE_INT);
            if (value != null) {
                draft.xdpInterfaceIndex = value.intValue();
            }
        });
        UPSTREAM_WINDOWS_KEYS.forEach((name, kind) -> keys.put(name, (node, key) -> ignored(node, key, kind)));
        return keys;
    }

    private Map<String, BiConsumer<Node, String>> tcpSocketOptionKeys() {
        Map<String, BiConsumer<Node, String>> keepalive = new LinkedHashMap<>();
        keepalive.put("enabled", (node, key) -> bool(node, key, v -> draft.keepalive = v));
        keepalive.put("time_millis", (node, key) -> {
            Long value = integer(node, key, ConfigValues.U32);
            if (value != null) {
                draft.keepaliveTimeMillis = value;
            }
        });
        keepalive.put("interval", (node, key) -> {
            Long value = integer(node, key, ConfigValues.U32);
            if (value != null) {
                draft.keepaliveInterval = value;
            }
        });

        Map<String, BiConsumer<Node, String>> linger = new LinkedHashMap<>();
        linger.put("enabled", (node, key) -> bool(node, key, v -> draft.lingerEnabled = v));
        linger.put("time_seconds", (node, key) -> {
            Long value = integer(node, key, ConfigValues.NON_NEGATIVE_INT);
            if (value != null) {
                draft.lingerSeconds = value.intValue();
            }
        });

        Map<String, BiConsumer<Node, String>> keys = new LinkedHashMap<>();
        keys.put("keepalive", (node, key) -> section(node, key, keepalive));
        keys.put("linger", (node, key) -> section(node, key, linger));
        keys.put("nodelay", (node, key) -> bool(node, key, v -> draft.nodelay = v));
        return keys;
    }

    private Map<String, BiConsumer<Node, String>> inetstackKeys() {
        Map<String, BiConsumer<Node, String>> keys = new LinkedHashMap<>();
        keys.put("mtu", (node, key) -> {
            Long value = integer(node, key, ConfigValues.MTU);
            if (value != null) {
                draft.mtu = value.intValue();
                draft.mtuLine = line(node);
                draft.mtuFromEnvironment = false;
            }
        });
        keys.put("mss", (node, key) -> {
            Long value = integer(node, key, ConfigValues.MSS);
            if (value != null) {
                draft.mss = value.intValue();
            }
        });
        keys.put("enable_jumbo_frames", (node, key) -> bool(node, key, v -> draft.enableJumboFrames = v));
        keys.put("udp_checksum_offload", (node, key) -> bool(node, key, v -> draft.udpChecksumOffload = v));
        keys.put("tcp_checksum_offload", (node, key) -> bool(node, key, v -> draft.tcpChecksumOffload = v));
        keys.put("arp_table", this::arpTable);
        keys.put("arp_request_retries", (node, key) -> {
            Long value = integer(node, key, ConfigValues.NON_NEGATIVE_INT);
            if (value != null) {
                draft.arpRequestRetries = value.intValue();
            }
        });
        keys.put("arp_request_timeout", (node, key) -> {
            Long value = integer(node, key, ConfigValues.POSITIVE_SECONDS);
            if (value != null) {
                draft.arpRequestTimeoutMillis = value * 1000;
            }
        });
        keys.put("arp_cache_ttl", (node, key) -> {
            Long value = integer(node, key, ConfigValues.POSITIVE_SECONDS);
            if (value != null) {
                draft.arpCacheTtlMillis = value * 1000;
            }
        });
        return keys;
    }

    private Map<String, BiConsumer<Node, String>> jdemiKeys() {
        return Map.of("wait_policy", (node, key) -> {
            String text = string(node, key);
            if (text != null) {
                try {
                    draft.waitPolicy = ConfigValues.waitPolicy(text);
                } catch (ConfigValues.Invalid e) {
                    problem(e, key, node);
                }
            }
        }, "packet_ring", (node, key) -> {
            String text = string(node, key);
            if (text != null) {
                try {
                    draft.packetRing = ConfigValues.packetRing(text);
                } catch (ConfigValues.Invalid e) {
                    problem(e, key, node);
                }
            }
        }, "raw_device", (node, key) -> {
            String text = string(node, key);
            if (text != null) {
                try {
                    draft.rawDevice = ConfigValues.rawDevice(text);
                } catch (ConfigValues.Invalid e) {
                    problem(e, key, node);
                }
            }
        });
    }

    private void ealInit(Node node, String key) {
        if (!(node instanceof SequenceNode sequence)) {
            typeProblem(key, "a list of strings", node);
            return;
        }
        List<String> args = new ArrayList<>(sequence.getValue().size());
        boolean valid = true;
        for (int i = 0; i < sequence.getValue().size(); i++) {
            String text = string(sequence.getValue().get(i), key + "[" + i + "]");
            if (text == null) {
                valid = false;
            } else if (text.indexOf('\0') >= 0) {
                // The arguments become a C argv: a NUL would cut one short without anyone noticing.
                draft.problem(Errno.EINVAL, key + "[" + i + "]", "must not contain a NUL character",
                        line(sequence.getValue().get(i)));
                valid = false;
            } else {
                args.add(text);
            }
        }
        if (valid) {
            draft.dpdkEalInit = List.copyOf(args);
        }
    }

    /** The YAML maps MAC to IPv4 (upstream's shape); the stack looks up by IPv4, so the table is stored inverted. */
    private void arpTable(Node node, String key) {
        if (isNull(node)) {
            return;
        }
        if (!(node instanceof MappingNode mapping)) {
            typeProblem(key, "a mapping of MAC address to IPv4 address", node);
            return;
        }
        Map<Inet4Address, Integer> seenOnLine = new HashMap<>();
        entries(mapping, key, (keyNode, valueNode) -> {
            String macText = ((ScalarNode) keyNode).getValue();
            String entry = key + ".\"" + macText + "\"";
            MacAddress mac = null;
            try {
                mac = ConfigValues.mac(macText);
            } catch (ConfigValues.Invalid e) {
                problem(e, entry, keyNode);
            }
            String ipText = string(valueNode, entry);
            Inet4Address ip = null;
            if (ipText != null) {
                try {
                    ip = ConfigValues.hostIpv4(ipText);
                } catch (ConfigValues.Invalid e) {
                    problem(e, entry, valueNode);
                }
            }
            if (ip != null) {
                Integer previous = seenOnLine.putIfAbsent(ip, line(valueNode));
                if (previous != null) {
                    draft.problem(Errno.EINVAL, entry, ip.getHostAddress() + " is already mapped on line " + previous
                            + "; an address has one MAC", line(valueNode));
                } else if (mac != null) {
                    draft.arpTable.put(ip, mac);
                }
            }
        });
    }

    private void ignored(Node node, String key, Kind kind) {
        switch (kind) {
            case BOOLEAN -> bool(node, key, v -> { });
            case U32 -> integer(node, key, ConfigValues.U32);
            case U16 -> integer(node, key, ConfigValues.U16);
            case U16_LIST -> {
                if (node instanceof SequenceNode sequence) {
                    for (int i = 0; i < sequence.getValue().size(); i++) {
                        integer(sequence.getValue().get(i), key + "[" + i + "]", ConfigValues.U16);
                    }
                } else {
                    typeProblem(key, "a list of port numbers", node);
                }
            }
            case PROTOCOL -> {
                String text = string(node, key);
                if (text != null && !text.equalsIgnoreCase("tcp") && !text.equalsIgnoreCase("udp")) {
                    draft.problem(Errno.EINVAL, key, "must be tcp or udp, was " + ConfigValues.quote(text), line(node));
                }
            }
            case NUMBER -> {
                if (!(node instanceof ScalarNode scalar)
                        || !(scalar.getTag().equals(Tag.INT) || scalar.getTag().equals(Tag.FLOAT))) {
                    typeProblem(key, "a number", node);
                }
            }
        }
    }

    /** Reads a section: a mapping whose keys must all be known. An empty section ({@code key:} alone) is allowed. */
    private void section(Node node, String key, Map<String, BiConsumer<Node, String>> handlers) {
        if (isNull(node)) {
            return;
        }
        if (!(node instanceof MappingNode mapping)) {
            typeProblem(key, "a mapping", node);
            return;
        }
        dispatch(mapping, key + ".", handlers);
    }

    private void dispatch(MappingNode mapping, String prefix, Map<String, BiConsumer<Node, String>> handlers) {
        entries(mapping, prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), (keyNode, valueNode) -> {
            String name = ((ScalarNode) keyNode).getValue();
            BiConsumer<Node, String> handler = handlers.get(name);
            if (handler != null) {
                handler.accept(valueNode, prefix + name);
            } else {
                String where = prefix.isEmpty() ? "top-level section" : "key in " + prefix.substring(0,
                        prefix.length() - 1);
                draft.problem(Errno.EINVAL, prefix + name, "unknown " + where + suggestion(name, handlers.keySet()),
                        line(keyNode));
            }
        });
    }

    /** Visits each entry of a mapping whose key is a scalar seen for the first time; reports the others. */
    private void entries(MappingNode mapping, String path, BiConsumer<Node, Node> visitor) {
        Map<String, Integer> seen = new HashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            String where = path.isEmpty() ? "" : path + ".";
            if (!(keyNode instanceof ScalarNode scalar) || isNull(keyNode)) {
                draft.problem(Errno.EINVAL, path.isEmpty() ? "(document)" : path,
                        "keys must be names, found " + describe(keyNode), line(keyNode));
                continue;
            }
            Integer first = seen.putIfAbsent(scalar.getValue(), line(keyNode));
            if (first != null) {
                draft.problem(Errno.EINVAL, where + scalar.getValue(), "duplicate key (first on line " + first + ")",
                        line(keyNode));
                continue;
            }
            visitor.accept(keyNode, tuple.getValueNode());
        }
    }

    private String string(Node node, String key) {
        // A ${NAME} scalar is text to upstream (yaml-rust has no environment tag), so it is text here too.
        if (node instanceof ScalarNode scalar
                && (scalar.getTag().equals(Tag.STR) || scalar.getTag().equals(Tag.ENV_TAG))) {
            return scalar.getValue();
        }
        typeProblem(key, "a string", node);
        return null;
    }

    private void bool(Node node, String key, Consumer<Boolean> sink) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
            sink.accept(scalar.getValue().equalsIgnoreCase("true"));
        } else {
            typeProblem(key, "true or false", node);
        }
    }

    private Long integer(Node node, String key, ConfigValues.Range range) {
        if (!(node instanceof ScalarNode scalar) || !scalar.getTag().equals(Tag.INT)) {
            typeProblem(key, "an integer", node);
            return null;
        }
        try {
            BigInteger value = ConfigValues.yamlInteger(scalar.getValue());
            return range.check(value);
        } catch (ConfigValues.Invalid e) {
            problem(e, key, node);
            return null;
        }
    }

    private void problem(ConfigValues.Invalid e, String key, Node node) {
        draft.problem(e.errno(), key, e.getMessage(), line(node));
    }

    private void typeProblem(String key, String expected, Node node) {
        draft.problem(Errno.EINVAL, key, "must be " + expected + ", was " + describe(node), line(node));
    }

    private static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode scalar = (ScalarNode) node;
        Tag tag = scalar.getTag();
        String value = ConfigValues.quote(scalar.getValue());
        if (tag.equals(Tag.NULL)) {
            return "empty (null)";
        } else if (tag.equals(Tag.STR)) {
            return "the string " + value;
        } else if (tag.equals(Tag.INT)) {
            return "the integer " + scalar.getValue();
        } else if (tag.equals(Tag.FLOAT)) {
            return "the number " + scalar.getValue();
        } else if (tag.equals(Tag.BOOL)) {
            return "the boolean " + scalar.getValue();
        }
        return value + " tagged " + tag.getValue();
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL);
    }

    private static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    private static String where(Optional<Mark> mark) {
        return mark.map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1)).orElse("");
    }

    /** A typo should be easy to fix: name the closest known key when it is near, else list them all. */
    private static String suggestion(String name, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = editDistance(name, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        if (best != null && bestDistance <= Math.max(1, Math.min(3, name.length() / 3))) {
            return "; did you mean '" + best + "'?";
        }
        return "; known: " + String.join(", ", known.stream().sorted().toList());
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static Map<String, Kind> windowsKeys() {
        Map<String, Kind> keys = new LinkedHashMap<>();
        for (String name : List.of("xdp_always_poke_tx", "xdp_always_send_on_vf", "xdp_cohost_mode",
                "xdp_adaptive_batching")) {
            keys.put(name, Kind.BOOLEAN);
        }
        for (String name : List.of("xdp_vf_interface_index", "rx_buffer_count", "tx_buffer_count", "rx_ring_size",
                "tx_ring_size", "tx_fill_ring_size", "tx_completion_ring_size", "rx_fill_ring_size",
                "xdp_rx_batch_size", "xdp_tx_batch_size", "xdp_buffer_provision_batch_size")) {
            keys.put(name, Kind.U32);
        }
        keys.put("xdp_tcp_ports", Kind.U16_LIST);
        keys.put("xdp_udp_ports", Kind.U16_LIST);
        keys.put("xdp_reserved_port_count", Kind.U16);
        keys.put("xdp_reserved_port_protocol", Kind.PROTOCOL);
        keys.put("xdp_buffer_overallocation_factor", Kind.NUMBER);
        return Map.copyOf(keys);
    }
}
