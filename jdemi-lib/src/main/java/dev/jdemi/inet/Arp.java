package dev.jdemi.inet;

import dev.jdemi.Errno;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.runtime.OpList;
import dev.jdemi.runtime.Operation;
import dev.jdemi.wire.ArpPacket;
import dev.jdemi.wire.DropReason;
import dev.jdemi.wire.EthernetHeader;

import dev.jdemi.MacAddress;
import dev.jdemi.SockAddr;

import java.net.Inet4Address;
import java.util.Map;

/**
 * ARP for Ethernet and IPv4 (RFC 826): a bounded cache whose learned entries expire, static entries from the
 * configuration, lookups that queue the frames waiting for an answer (bounded per destination) and retry the
 * request, and the receive side with RFC 826's merge rule.
 *
 * <p>Unlike RFC 826, which adds the sender of any packet aimed at this host, a reply adds an entry only when a
 * lookup is waiting for it: an unsolicited reply can refresh an entry but never create one, which keeps a stranger
 * from filling the cache. Requests aimed at this host still add their sender, since the reply goes there anyway.
 *
 * <p>Thread: the stack's. The tables are fixed arrays sized from the configuration; nothing is allocated per frame.
 */
final class Arp {
    private static final long NONE = -1;

    private final NetworkStack stack;
    private final InetStats stats;
    private final int localIp;
    private final long localMac;
    private final int retries;
    private final long requestTimeoutNs;
    private final long ttlNs;
    private final EthernetHeader ethernet = new EthernetHeader();
    private final ArpPacket arp = new ArpPacket();

    private final int[] cacheIp;
    private final long[] cacheMac;
    private final long[] cacheExpiresNs;
    private int cacheSize;

    private final int[] pendingIp;
    private final int[] pendingRequests;
    private final long[] pendingRetryNs;
    private final DemiBuffer[][] pendingFrames;
    private final int[] pendingCount;
    private final boolean[] pendingUsed;
    /** Per waiting destination: the pushes that complete when it resolves and fail with ETIMEDOUT when it does not. */
    private final OpList[] pendingWaiters;

    Arp(NetworkStack stack, InetConfig config, InetStats stats) {
        this.stack = stack;
        this.stats = stats;
        this.localIp = config.localIpv4();
        this.localMac = config.localMac().value();
        this.retries = config.arpRequestRetries();
        this.requestTimeoutNs = config.arpRequestTimeoutNs();
        this.ttlNs = config.arpCacheTtlNs();
        int entries = Math.max(config.arpCacheEntries(), config.arpTable().size());
        cacheIp = new int[entries];
        cacheMac = new long[entries];
        cacheExpiresNs = new long[entries];
        for (Map.Entry<Inet4Address, MacAddress> e : config.arpTable().entrySet()) {
            put(SockAddr.ipv4Of(e.getKey()), e.getValue().value(), Long.MAX_VALUE);
        }
        int destinations = config.arpPendingDestinations();
        pendingIp = new int[destinations];
        pendingRequests = new int[destinations];
        pendingRetryNs = new long[destinations];
        pendingFrames = new DemiBuffer[destinations][config.arpPendingFrames()];
        pendingCount = new int[destinations];
        pendingUsed = new boolean[destinations];
        pendingWaiters = new OpList[destinations];
        for (int i = 0; i < destinations; i++) {
            pendingWaiters[i] = new OpList();
        }
    }

    /**
     * Looks an address up in the cache; an expired entry is removed and missed.
     *
     * @return the MAC, or -1
     */
    long lookup(int ip, long nowNs) {
        int i = find(ip);
        if (i < 0) {
            return NONE;
        }
        if (cacheExpiresNs[i] <= nowNs) {
            remove(i);
            return NONE;
        }
        return cacheMac[i];
    }

    /** {@return how many entries the cache holds, expired ones not yet removed included} */
    int cacheSize() {
        return cacheSize;
    }

    /** {@return how many destinations wait for a reply} */
    int pendingDestinations() {
        int n = 0;
        for (boolean used : pendingUsed) {
            n += used ? 1 : 0;
        }
        return n;
    }

    /**
     * Queues a frame, complete but for its destination MAC, until {@code ip} resolves; sends the first request when
     * this is a new lookup. Takes the frame.
     *
     * @param waiter an operation to complete when the frame goes out (to fail when it never does), or null
     * @return 0 when queued, {@code -ENOBUFS} when the frame was dropped because the queue or table is full
     */
    int resolve(DemiBuffer frame, int ip, long nowNs, Operation waiter) {
        int slot = pendingSlot(ip);
        if (slot < 0) {
            slot = freePendingSlot();
            if (slot < 0) {
                stats.drop(InetDrop.ARP_PENDING_FULL);
                frame.free();
                return -Errno.ENOBUFS;
            }
            pendingUsed[slot] = true;
            pendingIp[slot] = ip;
            pendingCount[slot] = 0;
            pendingRequests[slot] = 1;
            pendingRetryNs[slot] = nowNs + requestTimeoutNs;
            sendRequest(ip, nowNs);
        }
        DemiBuffer[] queue = pendingFrames[slot];
        if (pendingCount[slot] == queue.length) {
            stats.drop(InetDrop.ARP_PENDING_FULL);
            frame.free();
            return -Errno.ENOBUFS;
        }
        queue[pendingCount[slot]++] = frame;
        if (waiter != null && waiter.isPending()) {
            pendingWaiters[slot].add(waiter);
        }
        return 0;
    }

    /**
     * Handles a received ARP packet; the caller frees the frame.
     *
     * @return {@link DropReason#NONE} when it was used, else the drop code
     */
    int receive(DemiBuffer frame, int offset, int length, long nowNs) {
        arp.wrap(frame.memory(), frame.dataOffset() + offset, length);
        int malformed = arp.validate();
        if (malformed != DropReason.NONE) {
            return malformed;
        }
        long sha = arp.sha();
        int spa = arp.spa();
        int tpa = arp.tpa();
        int op = arp.op();
        if (sha == EthernetHeader.BROADCAST || sha == 0 || sha == localMac || spa == localIp
                || Ipv4Addresses.isBroadcast(spa)
                || Ipv4Addresses.isMulticast(spa)) {
            return InetDrop.ARP_BAD_SENDER;
        }
        // RFC 826: "If the pair <protocol type, sender protocol address> is already in my translation table, update
        // the sender hardware address field of the entry with the new information ... set Merge_flag to true."
        // An RFC 5227 probe (sender 0.0.0.0) teaches nothing.
        boolean merged = false;
        if (spa != 0) {
            int i = find(spa);
            if (i >= 0 && cacheExpiresNs[i] != Long.MAX_VALUE) {
                cacheMac[i] = sha;
                cacheExpiresNs[i] = nowNs + ttlNs;
                merged = true;
            } else if (i >= 0) {
                merged = true;
            }
        }
        // RFC 826: "Am I the target protocol address?" If not, stop here.
        if (tpa != localIp) {
            if (merged) {
                flush(spa, nowNs);
            }
            return merged ? DropReason.NONE : InetDrop.ARP_NOT_FOR_US;
        }
        if (op == ArpPacket.OP_REPLY && !merged && pendingSlot(spa) < 0) {
            return InetDrop.ARP_UNSOLICITED_REPLY;
        }
        if (!merged && spa != 0) {
            put(spa, sha, nowNs + ttlNs);
        }
        if (op == ArpPacket.OP_REQUEST) {
            sendReply(sha, spa, nowNs);
        }
        if (spa != 0) {
            flush(spa, nowNs);
        }
        return DropReason.NONE;
    }

    /** Retries or gives up the lookups whose timer ran out. */
    void tick(long nowNs) {
        for (int slot = 0; slot < pendingUsed.length; slot++) {
            if (!pendingUsed[slot] || pendingRetryNs[slot] > nowNs) {
                continue;
            }
            if (pendingRequests[slot] <= retries) {
                pendingRequests[slot]++;
                pendingRetryNs[slot] = nowNs + requestTimeoutNs;
                sendRequest(pendingIp[slot], nowNs);
            } else {
                for (int i = 0; i < pendingCount[slot]; i++) {
                    stats.drop(InetDrop.ARP_UNRESOLVED);
                    pendingFrames[slot][i].free();
                    pendingFrames[slot][i] = null;
                }
                pendingCount[slot] = 0;
                pendingUsed[slot] = false;
                // Upstream fails the lookup with ETIMEDOUT once every request went unanswered.
                for (Operation op = pendingWaiters[slot].poll(); op != null; op = pendingWaiters[slot].poll()) {
                    op.fail(Errno.ETIMEDOUT);
                }
            }
        }
    }

    /** {@return when {@link #tick} next has work, or {@link Long#MAX_VALUE}} */
    long nextDeadlineNs() {
        long next = Long.MAX_VALUE;
        for (int slot = 0; slot < pendingUsed.length; slot++) {
            if (pendingUsed[slot]) {
                next = Math.min(next, pendingRetryNs[slot]);
            }
        }
        return next;
    }

    /** Frees every queued frame. */
    void close() {
        for (int slot = 0; slot < pendingUsed.length; slot++) {
            for (int i = 0; i < pendingCount[slot]; i++) {
                pendingFrames[slot][i].free();
                pendingFrames[slot][i] = null;
            }
            pendingCount[slot] = 0;
            pendingUsed[slot] = false;
            for (Operation op = pendingWaiters[slot].poll(); op != null; op = pendingWaiters[slot].poll()) {
                op.fail(Errno.EBADF);
            }
        }
    }

    private void flush(int ip, long nowNs) {
        int slot = pendingSlot(ip);
        if (slot < 0) {
            return;
        }
        int entry = find(ip);
        if (entry < 0) {
            return;
        }
        long mac = cacheMac[entry];
        pendingUsed[slot] = false;
        int count = pendingCount[slot];
        pendingCount[slot] = 0;
        for (int i = 0; i < count; i++) {
            DemiBuffer frame = pendingFrames[slot][i];
            pendingFrames[slot][i] = null;
            ethernet.wrap(frame.memory(), frame.dataOffset(), frame.length()).dstAddr(mac);
            stack.transmit(frame, nowNs);
        }
        for (Operation op = pendingWaiters[slot].poll(); op != null; op = pendingWaiters[slot].poll()) {
            op.complete();
        }
    }

    private void sendRequest(int ip, long nowNs) {
        DemiBuffer frame = packet(EthernetHeader.BROADCAST, ArpPacket.OP_REQUEST, 0, ip);
        if (frame != null) {
            stats.arpRequestSent();
            stack.transmit(frame, nowNs);
        }
    }

    private void sendReply(long toMac, int toIp, long nowNs) {
        DemiBuffer frame = packet(toMac, ArpPacket.OP_REPLY, toMac, toIp);
        if (frame != null) {
            stats.arpReplySent();
            stack.transmit(frame, nowNs);
        }
    }

    private DemiBuffer packet(long dstMac, int op, long tha, int tpa) {
        DemiBuffer frame = stack.allocateFrame(EthernetHeader.HEADER_LENGTH + ArpPacket.LENGTH);
        if (frame == null) {
            return null;
        }
        ethernet.wrap(frame.memory(), frame.dataOffset(), frame.length()).dstAddr(dstMac).srcAddr(localMac)
                .etherType(EthernetHeader.ETHER_TYPE_ARP);
        arp.wrap(frame.memory(), frame.dataOffset() + EthernetHeader.HEADER_LENGTH, ArpPacket.LENGTH)
                .htype(ArpPacket.HTYPE_ETHERNET).ptype(ArpPacket.PTYPE_IPV4).hlen(ArpPacket.HLEN_ETHERNET)
                .plen(ArpPacket.PLEN_IPV4).op(op).sha(localMac).spa(localIp).tha(tha).tpa(tpa);
        return frame;
    }

    private int find(int ip) {
        for (int i = 0; i < cacheSize; i++) {
            if (cacheIp[i] == ip) {
                return i;
            }
        }
        return -1;
    }

    private void put(int ip, long mac, long expiresNs) {
        int i = find(ip);
        if (i < 0) {
            if (cacheSize == cacheIp.length) {
                i = oldestLearned();
                if (i < 0) {
                    return;
                }
            } else {
                i = cacheSize++;
            }
        }
        cacheIp[i] = ip;
        cacheMac[i] = mac;
        cacheExpiresNs[i] = expiresNs;
    }

    /** {@return the learned entry that expires first, the one to replace when the cache is full, or -1} */
    private int oldestLearned() {
        int oldest = -1;
        for (int i = 0; i < cacheSize; i++) {
            if (cacheExpiresNs[i] != Long.MAX_VALUE && (oldest < 0 || cacheExpiresNs[i] < cacheExpiresNs[oldest])) {
                oldest = i;
            }
        }
        return oldest;
    }

    private void remove(int i) {
        cacheSize--;
        cacheIp[i] = cacheIp[cacheSize];
        cacheMac[i] = cacheMac[cacheSize];
        cacheExpiresNs[i] = cacheExpiresNs[cacheSize];
    }

    private int pendingSlot(int ip) {
        for (int slot = 0; slot < pendingUsed.length; slot++) {
            if (pendingUsed[slot] && pendingIp[slot] == ip) {
                return slot;
            }
        }
        return -1;
    }

    private int freePendingSlot() {
        for (int slot = 0; slot < pendingUsed.length; slot++) {
            if (!pendingUsed[slot]) {
                return slot;
            }
        }
        return -1;
    }
}
