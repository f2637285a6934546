package dev.jdemi;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parsing and range rules for configuration values, shared by the YAML reader and the environment overrides so that
 * a value means the same wherever it comes from.
 *
 * <p>Each method either returns the value or throws {@link Invalid} with a message that does not name the key: the
 * caller knows the key (or variable) and adds it.
 */
final class ConfigValues {
    /** An Ethernet MTU without jumbo frames: IEEE 802.3 carries at most 1500 octets of payload. */
    static final int MAX_STANDARD_MTU = 1500;

    /** Seconds that still fit a {@code long} count of milliseconds. */
    static final long MAX_SECONDS = Long.MAX_VALUE / 1000;

    /**
     * {@code inetstack_config.mtu}: upstream reads a u16. RFC 791 §3.2: "Every internet module must be able to
     * forward a datagram of 68 octets without further fragmentation", so no link may have a smaller MTU.
     */
    static final Range MTU = new Range(0, 0xFFFF, 68, 0xFFFF, "a 16-bit");

    /**
     * {@code inetstack_config.mss}: upstream's range 536..65535. RFC 9293 §3.7.1: a host that receives no MSS option
     * "MUST assume a default send MSS of 536", so smaller is not a valid setting.
     */
    static final Range MSS = new Range(0, Integer.MAX_VALUE, 536, 0xFFFF, "a 32-bit");

    /** A count or index held in a non-negative {@code int}. */
    static final Range NON_NEGATIVE_INT = new Range(0, Integer.MAX_VALUE, 0, Integer.MAX_VALUE, "a 32-bit");

    /** An unsigned 32-bit value (upstream's u32, Windows' ULONG). */
    static final Range U32 = new Range(0, 0xFFFF_FFFFL, 0, 0xFFFF_FFFFL, "an unsigned 32-bit");

    /** An unsigned 16-bit value, such as a port. */
    static final Range U16 = new Range(0, 0xFFFF, 0, 0xFFFF, "an unsigned 16-bit");

    /** A positive duration in seconds, stored as milliseconds. */
    static final Range POSITIVE_SECONDS = new Range(0, MAX_SECONDS, 1, MAX_SECONDS, "a 64-bit millisecond");

    private static final Pattern DECIMAL = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern OCTAL = Pattern.compile("0o[0-7]+");
    private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F]+");
    private static final Pattern OCTET = Pattern.compile("0|[1-9][0-9]{0,2}");
    /** Linux's IFNAMSIZ is 16 including the terminating NUL. */
    private static final int MAX_INTERFACE_NAME = 15;

    private ConfigValues() {
    }

    /** A value that breaks its key's rule; the errno is EINVAL or, for an integer that overflows its field, ERANGE. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        private final int errno;

        Invalid(int errno, String message) {
            super(message, null, false, false);
            this.errno = errno;
        }

        Invalid(String message) {
            this(Errno.EINVAL, message);
        }

        int errno() {
            return errno;
        }
    }

    /**
     * The integers a key accepts.
     *
     * @param typeMin the smallest value the field's type holds (below it: ERANGE)
     * @param typeMax the largest value the field's type holds (above it: ERANGE)
     * @param min the smallest valid value (below it but within the type: EINVAL)
     * @param max the largest valid value (above it but within the type: EINVAL)
     * @param typeName the field's type, for messages
     */
    record Range(long typeMin, long typeMax, long min, long max, String typeName) {
        long check(BigInteger value) throws Invalid {
            String rule = "must be in " + min + ".." + max + ", was " + value;
            if (value.compareTo(BigInteger.valueOf(typeMin)) < 0 || value.compareTo(BigInteger.valueOf(typeMax)) > 0) {
                throw new Invalid(Errno.ERANGE, rule + " (out of range for " + typeName + " field)");
            }
            long v = value.longValue();
            if (v < min || v > max) {
                throw new Invalid(rule);
            }
            return v;
        }
    }

    /**
     * Parses an integer the way YAML 1.2's core schema writes it: decimal with an optional sign, {@code 0o} octal or
     * {@code 0x} hexadecimal.
     */
    static BigInteger yamlInteger(String text) throws Invalid {
        if (DECIMAL.matcher(text).matches()) {
            return new BigInteger(text.startsWith("+") ? text.substring(1) : text);
        }
        if (OCTAL.matcher(text).matches()) {
            return new BigInteger(text.substring(2), 8);
        }
        if (HEX.matcher(text).matches()) {
            return new BigInteger(text.substring(2), 16);
        }
        throw new Invalid("must be an integer, was " + quote(text));
    }

    /** Parses a decimal integer from an environment variable, as upstream's {@code str::parse} does. */
    static BigInteger decimalInteger(String text) throws Invalid {
        if (!DECIMAL.matcher(text).matches()) {
            throw new Invalid("must be a decimal integer, was " + quote(text));
        }
        return new BigInteger(text.startsWith("+") ? text.substring(1) : text);
    }

    /**
     * Parses a dotted-quad IPv4 address without any name lookup. Leading zeros are refused, as Rust's parser
     * refuses them, because C's {@code inet_aton} would read {@code 010} as octal.
     */
    static Inet4Address ipv4(String text) throws Invalid {
        String[] parts = text.split("\\.", -1);
        byte[] bytes = new byte[4];
        boolean valid = parts.length == 4;
        for (int i = 0; valid && i < 4; i++) {
            valid = OCTET.matcher(parts[i]).matches() && Integer.parseInt(parts[i]) <= 255;
            if (valid) {
                bytes[i] = (byte) Integer.parseInt(parts[i]);
            }
        }
        if (!valid) {
            throw new Invalid(quote(text) + " is not an IPv4 address (a.b.c.d, each 0..255)");
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an address", e);
        }
    }

    /** Parses an IPv4 address that may name a host: neither 0.0.0.0 nor the limited broadcast 255.255.255.255. */
    static Inet4Address hostIpv4(String text) throws Invalid {
        Inet4Address address = ipv4(text);
        if (address.isAnyLocalAddress()) {
            throw new Invalid("0.0.0.0 (unspecified) cannot be a host's address");
        }
        if (address.getHostAddress().equals("255.255.255.255")) {
            throw new Invalid("255.255.255.255 (limited broadcast) cannot be a host's address");
        }
        return address;
    }

    /** Parses a MAC address in any form {@link MacAddress#parse} accepts. */
    static MacAddress mac(String text) throws Invalid {
        try {
            return MacAddress.parse(text);
        } catch (DemiException e) {
            throw new Invalid(quote(text) + " is not a MAC address (xx:xx:xx:xx:xx:xx)");
        }
    }

    /**
     * Parses the local MAC address. Upstream's sample {@code bob.yaml} uses a group (multicast) address, so only the
     * two addresses no interface can own are refused.
     */
    static MacAddress hostMac(String text) throws Invalid {
        MacAddress mac = mac(text);
        if (mac.equals(MacAddress.BROADCAST) || mac.value() == 0) {
            throw new Invalid(mac + " cannot be an interface's address");
        }
        return mac;
    }

    /** Checks a Linux interface name by the kernel's own rule ({@code dev_valid_name}). */
    static String interfaceName(String text) throws Invalid {
        if (text.isEmpty() || text.length() > MAX_INTERFACE_NAME || text.equals(".") || text.equals("..")
                || text.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c) || c == 0)) {
            throw new Invalid(quote(text) + " is not an interface name (1.." + MAX_INTERFACE_NAME
                    + " characters, none of '/', ':', white space)");
        }
        return text;
    }

    /** Parses {@code spin} or {@code block}, in any case. */
    static WaitPolicy waitPolicy(String text) throws Invalid {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "spin" -> WaitPolicy.SPIN;
            case "block" -> WaitPolicy.BLOCK;
            default -> throw new Invalid("must be spin or block, was " + quote(text));
        };
    }

    /** Parses {@code v3} or {@code v2}, in any case. */
    static Config.PacketRing packetRing(String text) throws Invalid {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "v3" -> Config.PacketRing.V3;
            case "v2" -> Config.PacketRing.V2;
            default -> throw new Invalid("must be v3 or v2, was " + quote(text));
        };
    }

    /** Parses {@code af_packet}, {@code af_xdp} or {@code tap}, in any case. */
    static Config.RawDevice rawDevice(String text) throws Invalid {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "af_packet" -> Config.RawDevice.AF_PACKET;
            case "af_xdp" -> Config.RawDevice.AF_XDP;
            case "tap" -> Config.RawDevice.TAP;
            default -> throw new Invalid("must be af_packet, af_xdp or tap, was " + quote(text));
        };
    }

    /** Parses a boolean environment value: {@code true}, {@code false}, {@code 1} or {@code 0}. */
    static boolean envBoolean(String text) throws Invalid {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new Invalid("must be true, false, 1 or 0, was " + quote(text));
        };
    }

    /** Quotes a value for a message, shortened so a huge value cannot flood the message. */
    static String quote(String text) {
        String shown = text.length() > 64 ? text.substring(0, 61) + "..." : text;
        return "'" + shown + "'";
    }
}
