package dev.jdemi.inet;

import dev.jdemi.Config;
import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.MacAddress;
import dev.jdemi.SockAddr;

import java.net.Inet4Address;
import java.util.Map;

/**
 * The settings of one user-space stack, from the upstream configuration keys plus the limits jdemi adds.
 *
 * @param localIpv4 this host's address, as an {@code int} in network order
 * @param localMac this host's MAC address
 * @param mtuBytes the largest IPv4 datagram sent unfragmented (at most the device's MTU)
 * @param udpChecksumOffload {@code udp_checksum_offload}: UDP checksums are neither computed (sent as 0, "no
 *         checksum") nor verified
 * @param arpTable static ARP entries, IPv4 to MAC; they never expire
 * @param arpRequestRetries requests after the first before a lookup gives up
 * @param arpRequestTimeoutNs the wait for each reply
 * @param arpCacheTtlNs how long a learned entry lives
 * @param arpCacheEntries the most entries the cache holds, static ones included
 * @param arpPendingDestinations the most destinations waiting for a reply at once
 * @param arpPendingFrames the most frames queued per waiting destination
 * @param reassemblyTimeoutNs how long the fragments of an incomplete datagram are kept
 * @param reassemblyMemoryBytes the most bytes of fragments held at once
 * @param icmpErrorIntervalNs one ICMP error token per interval (rate limit)
 * @param icmpErrorBurst the most ICMP errors sent back to back
 * @param udpQueueDatagrams the most datagrams a UDP socket holds unpopped
 */
public record InetConfig(int localIpv4, MacAddress localMac, int mtuBytes, boolean udpChecksumOffload,
        Map<Inet4Address, MacAddress> arpTable, int arpRequestRetries, long arpRequestTimeoutNs, long arpCacheTtlNs,
        int arpCacheEntries, int arpPendingDestinations, int arpPendingFrames, long reassemblyTimeoutNs,
        int reassemblyMemoryBytes, long icmpErrorIntervalNs, int icmpErrorBurst, int udpQueueDatagrams) {
    private static final long MS = 1_000_000L;

    /**
     * RFC 1122 §3.3.2: "the reassembly timeout value SHOULD be a fixed value ... recommended that this value lie
     * between 60 seconds and 120 seconds".
     */
    public static final long DEFAULT_REASSEMBLY_TIMEOUT_NS = 60_000 * MS;

    /**
     * Validates the values.
     *
     * @throws DemiException EINVAL naming the value out of range
     */
    public InetConfig {
        if (localMac == null || arpTable == null) {
            throw new DemiException(Errno.EINVAL, "localMac and arpTable must not be null");
        }
        if (mtuBytes < 68 || mtuBytes > 65_535) {
            throw new DemiException(Errno.EINVAL, "mtuBytes " + mtuBytes + " is outside 68..65535");
        }
        if (arpRequestRetries < 0 || arpRequestTimeoutNs <= 0 || arpCacheTtlNs <= 0 || arpCacheEntries < 1
                || arpPendingDestinations < 1 || arpPendingFrames < 1 || reassemblyTimeoutNs <= 0
                || reassemblyMemoryBytes < 0 || icmpErrorIntervalNs <= 0 || icmpErrorBurst < 0
                || udpQueueDatagrams < 1) {
            throw new DemiException(Errno.EINVAL, "an inet limit is out of range: " + this);
        }
        arpTable = Map.copyOf(arpTable);
    }

    /**
     * The stack's settings from a configuration, with jdemi's defaults for the limits upstream does not have.
     *
     * @param config a configuration with {@code local_ipv4_addr} and {@code local_link_addr}
     * @return the settings
     * @throws DemiException EINVAL naming a missing key
     */
    public static InetConfig from(Config config) {
        config.requireInetstack();
        Config.Inetstack inet = config.inetstack();
        return new InetConfig(SockAddr.ipv4Of(config.localIpv4Addr()), config.localLinkAddr(), inet.mtu(),
                inet.udpChecksumOffload(), inet.arpTable(), inet.arpRequestRetries(),
                inet.arpRequestTimeoutMillis() * MS, inet.arpCacheTtlMillis() * MS, 256, 64, 64,
                DEFAULT_REASSEMBLY_TIMEOUT_NS, 1 << 20, 100 * MS, 10, 1024);
    }

    /**
     * A copy with another MTU.
     *
     * @param mtu the MTU
     * @return the copy
     */
    public InetConfig withMtu(int mtu) {
        return new InetConfig(localIpv4, localMac, mtu, udpChecksumOffload, arpTable, arpRequestRetries,
                arpRequestTimeoutNs, arpCacheTtlNs, arpCacheEntries, arpPendingDestinations, arpPendingFrames,
                reassemblyTimeoutNs, reassemblyMemoryBytes, icmpErrorIntervalNs, icmpErrorBurst, udpQueueDatagrams);
    }
}
