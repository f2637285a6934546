package dev.jdemi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * Socket addresses in the packed form jdemi passes around without allocating, and their conversions.
 *
 * <p>An IPv4 address and port pack into one {@code long}: bits 16..47 hold the address (as the big-endian number
 * {@code a.b.c.d = a<<24|b<<16|c<<8|d}), bits 0..15 the port. {@link #NONE} means "no address"; {@link #IPV6} is
 * a well-formed IPv6 address, which upstream parses and then rejects later (EINVAL for bind, an asynchronous
 * failure for connect and pushTo).
 */
public final class SockAddr {
    /** No address. */
    public static final long NONE = -1L;
    /** A well-formed IPv6 address, which jdemi does not support. */
    public static final long IPV6 = -2L;
    /** POSIX {@code AF_INET}. */
    public static final int AF_INET = 2;
    /** POSIX {@code AF_INET6}. */
    public static final int AF_INET6 = 10;
    /** The size of a {@code struct sockaddr_in}. */
    public static final int SOCKADDR_IN_SIZE = 16;
    /** The size of a {@code struct sockaddr_in6}. */
    public static final int SOCKADDR_IN6_SIZE = 28;

    private static final ValueLayout.OfShort SHORT_BE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private SockAddr() {
    }

    /**
     * Packs an IPv4 address and a port.
     *
     * @param ipv4 the address as a big-endian number
     * @param port the port, 0..65535
     * @return the packed address
     */
    public static long pack(int ipv4, int port) {
        return ((ipv4 & 0xFFFF_FFFFL) << 16) | (port & 0xFFFF);
    }

    /** {@return the IPv4 address of a packed address, as a big-endian number} */
    public static int ipv4(long packed) {
        return (int) (packed >>> 16);
    }

    /** {@return the port of a packed address} */
    public static int port(long packed) {
        return (int) (packed & 0xFFFF);
    }

    /** {@return whether a packed value is an IPv4 address, not {@link #NONE} or {@link #IPV6}} */
    public static boolean isIpv4(long packed) {
        return packed >= 0;
    }

    /**
     * Converts a Java socket address to the packed form.
     *
     * @param address the address; must be resolved
     * @return the packed IPv4 address, or {@link #IPV6}
     * @throws DemiException EINVAL when the address is null or unresolved
     */
    public static long of(InetSocketAddress address) {
        if (address == null) {
            throw new DemiException(Errno.EINVAL, "address is null");
        }
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new DemiException(Errno.EINVAL, "address " + address + " is unresolved");
        }
        if (ip instanceof Inet6Address) {
            return IPV6;
        }
        return pack(ipv4Of((Inet4Address) ip), address.getPort());
    }

    /**
     * Parses a C {@code struct sockaddr} by upstream's rules (spec §1.2).
     *
     * @param sockaddr the memory holding the address (at least {@code size} bytes), or {@link MemorySegment#NULL}
     * @param size the caller's {@code socklen_t}
     * @return the packed IPv4 address, or {@link #IPV6}
     * @throws DemiException EINVAL for a NULL address, a size below 2 or a size that does not fit the family;
     *     ENOTSUP for a family other than AF_INET and AF_INET6
     */
    public static long parse(MemorySegment sockaddr, long size) {
        if (sockaddr == null || sockaddr.address() == 0) {
            throw new DemiException(Errno.EINVAL, "address is NULL");
        }
        if (size < 2) {
            throw new DemiException(Errno.EINVAL, "address size " + size + " is too small for a sockaddr");
        }
        if (sockaddr.byteSize() < size) {
            throw new DemiException(Errno.EINVAL, "address size " + size + " exceeds the " + sockaddr.byteSize()
                    + " bytes of its memory");
        }
        MemorySegment sa = sockaddr;
        int family = Short.toUnsignedInt(sa.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0));
        return switch (family) {
            case AF_INET -> {
                if (size != SOCKADDR_IN_SIZE) {
                    throw new DemiException(Errno.EINVAL, "AF_INET address size must be 16, was " + size);
                }
                yield pack(sa.get(INT_BE, 4), Short.toUnsignedInt(sa.get(SHORT_BE, 2)));
            }
            case AF_INET6 -> {
                if (size != SOCKADDR_IN6_SIZE) {
                    throw new DemiException(Errno.EINVAL, "AF_INET6 address size must be 28, was " + size);
                }
                yield IPV6;
            }
            default -> throw new DemiException(Errno.ENOTSUP, "address family " + family + " is not supported");
        };
    }

    /**
     * Writes a packed IPv4 address as a 16-byte {@code struct sockaddr_in}; {@link #NONE} writes zeros.
     *
     * @param dst where to write; at least 16 bytes
     * @param offset the offset in {@code dst}
     * @param packed the packed address
     */
    public static void write(MemorySegment dst, long offset, long packed) {
        dst.asSlice(offset, SOCKADDR_IN_SIZE).fill((byte) 0);
        if (isIpv4(packed)) {
            dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, offset, (short) AF_INET);
            dst.set(SHORT_BE, offset + 2, (short) port(packed));
            dst.set(INT_BE, offset + 4, ipv4(packed));
        }
    }

    /**
     * Converts a packed IPv4 address to a Java socket address.
     *
     * @param packed the packed address
     * @return the socket address, or null for {@link #NONE}
     */
    public static InetSocketAddress toInet(long packed) {
        if (!isIpv4(packed)) {
            return null;
        }
        int ip = ipv4(packed);
        byte[] bytes = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
        try {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), port(packed));
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4-byte address is always valid", e);
        }
    }

    /** {@return an IPv4 address as a big-endian number} */
    public static int ipv4Of(Inet4Address address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    /** {@return a packed address as {@code a.b.c.d:port}} */
    public static String toString(long packed) {
        if (packed == NONE) {
            return "none";
        }
        if (packed == IPV6) {
            return "ipv6";
        }
        int ip = ipv4(packed);
        return (ip >>> 24) + "." + ((ip >>> 16) & 0xFF) + "." + ((ip >>> 8) & 0xFF) + "." + (ip & 0xFF) + ":"
                + port(packed);
    }
}
