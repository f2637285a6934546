package dev.jdemi.tools.options;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Parses {@code IP:PORT} socket addresses.
 *
 * <p>Only dotted IPv4 literals are accepted: jdemi sockets are AF_INET only, and an address on the command line is
 * never looked up in DNS, so a typo fails at once instead of after a resolver timeout.
 */
public final class Addresses {
    private Addresses() {
    }

    /**
     * Parses {@code a.b.c.d:port}.
     *
     * @param text the address, such as {@code 127.0.0.1:12345}
     * @return the resolved socket address
     * @throws IllegalArgumentException naming the value and the expected form when it does not parse
     */
    public static InetSocketAddress parse(String text) {
        String value = text == null ? "" : text.trim();
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not IP:PORT (for example 127.0.0.1:12345)");
        }
        byte[] ip = parseIpv4(value.substring(0, colon));
        if (ip == null) {
            throw new IllegalArgumentException("'" + text + "': '" + value.substring(0, colon)
                    + "' is not an IPv4 address (for example 127.0.0.1)");
        }
        int port = parsePort(value.substring(colon + 1));
        if (port < 0) {
            throw new IllegalArgumentException("'" + text + "': the port must be a number from 0 to 65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4-byte address is always valid", e);
        }
    }

    /** {@return an address as {@code a.b.c.d:port}} */
    public static String format(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    private static byte[] parseIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] ip = new byte[4];
        for (int i = 0; i < 4; i++) {
            int octet = parseDecimal(parts[i], 3);
            if (octet < 0 || octet > 255) {
                return null;
            }
            ip[i] = (byte) octet;
        }
        return ip;
    }

    private static int parsePort(String text) {
        int port = parseDecimal(text, 5);
        return port > 65_535 ? -1 : port;
    }

    /** Parses 1..maxDigits decimal digits; -1 for anything else (signs, spaces, letters). */
    private static int parseDecimal(String text, int maxDigits) {
        if (text.isEmpty() || text.length() > maxDigits) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** The picocli converter for {@code --address}, {@code --local} and similar options. */
    public static final class Converter implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
