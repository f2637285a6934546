package dev.jdemi.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An interface's offload settings, read with the {@code SIOCETHTOOL} ioctl: what {@code ethtool -k NAME} shows for
 * the features a raw-frame stack must know about. See {@code ethtool(8)} and {@code <linux/ethtool.h>}.
 *
 * <p>It uses the legacy one-value commands ({@code ETHTOOL_GRXCSUM}, {@code GTXCSUM}, {@code GSG}, {@code GTSO},
 * {@code GGSO}, {@code GGRO}, and {@code GFLAGS} for LRO), which every kernel still answers from the device's feature
 * bits. Not for the datapath: each call opens a socket and makes seven system calls.
 */
@SuppressWarnings("restricted")
public final class Ethtool {
    private static final long SIOCETHTOOL = 0x8946;
    private static final int ETHTOOL_GRXCSUM = 0x14;
    private static final int ETHTOOL_GTXCSUM = 0x16;
    private static final int ETHTOOL_GSG = 0x18;
    private static final int ETHTOOL_GTSO = 0x1e;
    private static final int ETHTOOL_GGSO = 0x23;
    private static final int ETHTOOL_GFLAGS = 0x25;
    private static final int ETHTOOL_GGRO = 0x2b;
    private static final int ETH_FLAG_LRO = 1 << 15;
    private static final int IFNAMSIZ = 16;
    private static final int IFREQ_BYTES = 40;
    private static final int EOPNOTSUPP = 95;
    private static final int ENODEV = 19;

    private static final MethodHandle IOCTL = Downcalls.libc("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));

    private Ethtool() {
    }

    /**
     * The offloads of one interface, as {@code ethtool -k} names them.
     *
     * @param rxChecksumming {@code rx-checksumming}: the device verifies received checksums
     * @param txChecksumming {@code tx-checksumming}: the kernel leaves transmitted TCP/UDP checksums to the device
     *         (frames seen before the device carry only the pseudo-header sum)
     * @param scatterGather {@code scatter-gather}
     * @param tcpSegmentation {@code tcp-segmentation-offload} (TSO): the kernel hands the device TCP segments of up
     *         to 64 KiB
     * @param genericSegmentation {@code generic-segmentation-offload} (GSO): the same, cut in software just before
     *         the driver (a veth forwards them uncut)
     * @param genericReceive {@code generic-receive-offload} (GRO): received segments are merged above the MTU
     * @param largeReceive {@code large-receive-offload} (LRO): the same, in the device
     */
    public record Offloads(boolean rxChecksumming, boolean txChecksumming, boolean scatterGather,
            boolean tcpSegmentation, boolean genericSegmentation, boolean genericReceive, boolean largeReceive) {
        /** All off: what a device without ethtool support (or a test) has. */
        public static final Offloads NONE = new Offloads(false, false, false, false, false, false, false);

        /** {@return whether the interface may hand up frames longer than its MTU (GRO or LRO on)} */
        public boolean mergesReceived() {
            return genericReceive || largeReceive;
        }

        /** {@return whether the kernel may send frames on it longer than the MTU (TSO or GSO on)} */
        public boolean segmentsLate() {
            return tcpSegmentation || genericSegmentation;
        }

        /** {@return the settings in {@code ethtool -k} words, for logs and exception messages} */
        @Override
        public String toString() {
            return "rx-checksumming " + onOff(rxChecksumming) + ", tx-checksumming " + onOff(txChecksumming)
                    + ", scatter-gather " + onOff(scatterGather) + ", tso " + onOff(tcpSegmentation) + ", gso "
                    + onOff(genericSegmentation) + ", gro " + onOff(genericReceive) + ", lro " + onOff(largeReceive);
        }

        private static String onOff(boolean value) {
            return value ? "on" : "off";
        }
    }

    /**
     * Reads an interface's offloads. A command the driver does not support ({@code EOPNOTSUPP}) reads as off.
     *
     * @param interfaceName the interface
     * @return its offloads
     * @throws PacketSocket.SysException with {@code ENODEV} for an unknown interface, or the errno of the call that
     *         failed otherwise
     */
    public static Offloads read(String interfaceName) {
        byte[] name = interfaceName.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length >= IFNAMSIZ) {
            throw new PacketSocket.SysException(ENODEV, "interface name '" + interfaceName + "' is not 1.."
                    + (IFNAMSIZ - 1) + " bytes");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newErrnoState(arena);
            int socket = Libc.socket(state, Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            if (socket < 0) {
                throw new PacketSocket.SysException(-socket, "socket(AF_INET, SOCK_DGRAM) failed");
            }
            try {
                MemorySegment ifreq = arena.allocate(IFREQ_BYTES, 8);
                MemorySegment value = arena.allocate(8, 4);
                ifreq.copyFrom(MemorySegment.ofArray(name));
                ifreq.set(ADDRESS, IFNAMSIZ, value);
                Query query = new Query(state, socket, ifreq.address(), value, interfaceName);
                return new Offloads(query.get(ETHTOOL_GRXCSUM) != 0, query.get(ETHTOOL_GTXCSUM) != 0,
                        query.get(ETHTOOL_GSG) != 0, query.get(ETHTOOL_GTSO) != 0, query.get(ETHTOOL_GGSO) != 0,
                        query.get(ETHTOOL_GGRO) != 0, (query.get(ETHTOOL_GFLAGS) & ETH_FLAG_LRO) != 0);
            } finally {
                Libc.close(state, socket);
            }
        }
    }

    /** One {@code struct ethtool_value} command at a time through the same ifreq. */
    private record Query(MemorySegment state, int socket, long ifreq, MemorySegment value, String interfaceName) {
        int get(int command) {
            value.set(JAVA_INT, 0, command);
            value.set(JAVA_INT, 4, 0);
            int result;
            try {
                result = (int) IOCTL.invokeExact(state, socket, SIOCETHTOOL, ifreq);
            } catch (Throwable t) {
                throw new IllegalStateException("native call failed to link", t);
            }
            if (result < 0) {
                int errno = Downcalls.errno(state);
                if (errno == EOPNOTSUPP) {
                    return 0;
                }
                throw new PacketSocket.SysException(errno, "ioctl(SIOCETHTOOL, 0x" + Integer.toHexString(command)
                        + ") on " + interfaceName + " failed");
            }
            return value.get(JAVA_INT, 4);
        }
    }
}
