package dev.jdemi.inet;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.phy.Capabilities;
import dev.jdemi.phy.PhysicalLayer;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.runtime.Operation;
import dev.jdemi.wire.DropReason;
import dev.jdemi.wire.EthernetHeader;
import dev.jdemi.wire.Ipv4Header;

import java.lang.foreign.MemorySegment;

/**
 * The lower half of the user-space stack on one device: Ethernet (spec §3.2), ARP (§3.3), IPv4 with reassembly and
 * fragmentation (§3.4) and ICMP (§3.5), with RFC 1122's host rules where upstream falls short.
 *
 * <p><b>Receive.</b> {@link #receive} pulls frames from the device in batches, runs them up through Ethernet, ARP,
 * IPv4 and ICMP, and returns the next datagram for a transport in a reused {@link Datagram}: frames travel upward as
 * return values. Every frame that is not handed up is freed and counted in {@link #stats()} under its
 * {@link InetDrop} reason, or consumed (ARP, ICMP echo); nothing on this path throws.
 *
 * <p><b>Send.</b> {@link #send} takes a transport packet (its header and data in one buffer with headroom), adds the
 * IPv4 and Ethernet headers in place, fragments it when it is longer than the MTU, resolves the next hop with ARP
 * (every destination is on the link, as upstream: no routes, no gateway) and hands the frames to the device.
 * Packets to this host's own address go through an internal loopback queue.
 *
 * <p><b>Time.</b> ARP retries and reassembly timers run in {@link #tick}; {@link #nextDeadlineNs()} says when. The
 * stack never reads a clock.
 *
 * <p>Thread: confined to the LibOS's thread. Steady-state receiving and sending allocate nothing on the heap; frames
 * come from the LibOS's buffer pool, whose headroom must hold the headers ({@link BufferPool#STACK_HEADROOM}).
 */
public final class NetworkStack implements AutoCloseable {
    /** ICMP destination unreachable code 2, protocol unreachable (RFC 792). */
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    /** The time to live of every datagram sent (RFC 1700's recommended default, as Linux). */
    static final int TTL = 64;
    private static final int LOOPBACK_FRAMES = 256;
    private static final int ETH = EthernetHeader.HEADER_LENGTH;

    private final InetConfig config;
    private final PhysicalLayer device;
    private final BufferPool pool;
    private final InetStats stats = new InetStats();
    private final int localIp;
    private final long localMac;
    private final int mtuBytes;
    private final boolean rxChecksumVerified;
    private final Arp arp;
    private final Reassembly reassembly;
    private final Icmp icmp;
    private final EthernetHeader ethernet = new EthernetHeader();
    private final Ipv4Header ip = new Ipv4Header();
    private final DemiBuffer[] batch;
    private int batchCount;
    private int batchIndex;
    private final DemiBuffer[] loopback = new DemiBuffer[LOOPBACK_FRAMES];
    private int loopbackHead;
    private int loopbackSize;
    private int nextIdentification;
    private boolean closed;

    /**
     * Creates the stack.
     *
     * @param config the host's settings
     * @param device the device, owned by the stack from now on
     * @param pool the LibOS's buffer pool, with at least {@link BufferPool#STACK_HEADROOM} bytes of headroom
     * @throws DemiException EINVAL when the pool's headroom is too small
     */
    public NetworkStack(InetConfig config, PhysicalLayer device, BufferPool pool) {
        if (pool.headroom() < ETH + Ipv4Header.MAX_HEADER_LENGTH + 8) {
            throw new DemiException(Errno.EINVAL, "the pool's headroom " + pool.headroom() + " cannot hold the "
                    + "headers; use BufferPool.STACK_HEADROOM");
        }
        Capabilities capabilities = device.capabilities();
        this.config = config;
        this.device = device;
        this.pool = pool;
        this.localIp = config.localIpv4();
        this.localMac = config.localMac().value();
        this.mtuBytes = Math.min(config.mtuBytes(), capabilities.mtuBytes());
        this.rxChecksumVerified = capabilities.rxChecksumOffload();
        this.batch = new DemiBuffer[capabilities.maxBatch()];
        this.arp = new Arp(this, config, stats);
        this.reassembly = new Reassembly(pool, stats, config.reassemblyTimeoutNs(), config.reassemblyMemoryBytes());
        this.icmp = new Icmp(this, config, stats);
    }

    /** {@return the counters} */
    public InetStats stats() {
        return stats;
    }

    /** {@return the settings} */
    public InetConfig config() {
        return config;
    }

    /** {@return this host's IPv4 address} */
    public int localIpv4() {
        return localIp;
    }

    /** {@return the MTU in use: the smaller of the configured one and the device's} */
    public int mtuBytes() {
        return mtuBytes;
    }

    /** {@return the device} */
    public PhysicalLayer device() {
        return device;
    }

    /**
     * Looks an address up in the ARP cache, for tests and tools.
     *
     * @param ipv4 the address
     * @param nowNs the current time (expired entries miss)
     * @return the MAC as 48 bits, or -1
     */
    public long arpLookup(int ipv4, long nowNs) {
        return arp.lookup(ipv4, nowNs);
    }

    /** {@return how many entries the ARP cache holds} */
    public int arpCacheSize() {
        return arp.cacheSize();
    }

    /** {@return how many destinations wait for an ARP reply} */
    public int arpPendingDestinations() {
        return arp.pendingDestinations();
    }

    /** {@return how many datagrams are being reassembled} */
    public int reassembliesInProgress() {
        return reassembly.inProgress();
    }

    /** {@return the bytes of fragments held for reassembly} */
    public int reassemblyHeldBytes() {
        return reassembly.heldBytes();
    }

    // Receive

    /**
     * Runs received frames up the stack until one carries a datagram for a transport.
     *
     * @param nowNs the time of this loop iteration
     * @param out filled with the datagram, which the caller then owns
     * @return true when {@code out} holds a datagram, false when no frame is left
     */
    public boolean receive(long nowNs, Datagram out) {
        while (!closed) {
            DemiBuffer frame;
            boolean looped = false;
            if (loopbackSize > 0) {
                frame = loopback[loopbackHead];
                loopback[loopbackHead] = null;
                loopbackHead = (loopbackHead + 1) % LOOPBACK_FRAMES;
                loopbackSize--;
                looped = true;
            } else if (batchIndex < batchCount) {
                frame = batch[batchIndex];
                batch[batchIndex++] = null;
            } else {
                batchIndex = 0;
                batchCount = device.receive(batch, batch.length, nowNs);
                if (batchCount == 0) {
                    return false;
                }
                continue;
            }
            stats.frameIn();
            if (handle(frame, looped, nowNs, out)) {
                stats.delivered();
                return true;
            }
        }
        return false;
    }

    /** {@return whether frames wait that {@link #receive} would take without asking the device} */
    public boolean hasBufferedFrames() {
        return loopbackSize > 0 || batchIndex < batchCount;
    }

    private boolean handle(DemiBuffer frame, boolean looped, long nowNs, Datagram out) {
        int length = frame.length();
        ethernet.wrap(frame.memory(), frame.dataOffset(), length);
        int code = ethernet.validate();
        if (code != DropReason.NONE) {
            return drop(frame, code);
        }
        long dst = ethernet.dstAddr();
        boolean linkBroadcast = dst == EthernetHeader.BROADCAST;
        if (dst != localMac && !linkBroadcast) {
            return drop(frame, InetDrop.ETH_NOT_FOR_US);
        }
        long src = ethernet.srcAddr();
        // Only the broadcast address and this host's own are refused as sources: upstream's own test hosts (bob,
        // carrie) have MACs with the group bit set, so rejecting every group source would cut them off.
        if (src == EthernetHeader.BROADCAST || (src == localMac && !looped)) {
            return drop(frame, InetDrop.ETH_BAD_SOURCE);
        }
        int type = ethernet.etherType();
        if (type == EthernetHeader.ETHER_TYPE_ARP) {
            code = arp.receive(frame, ETH, length - ETH, nowNs);
            if (code != DropReason.NONE) {
                return drop(frame, code);
            }
            frame.free();
            return false;
        }
        if (type != EthernetHeader.ETHER_TYPE_IPV4) {
            return drop(frame, InetDrop.ETH_UNSUPPORTED_TYPE);
        }
        return receiveIpv4(frame, linkBroadcast, looped, nowNs, out);
    }

    private boolean receiveIpv4(DemiBuffer frame, boolean linkBroadcast, boolean looped, long nowNs, Datagram out) {
        ip.wrap(frame.memory(), frame.dataOffset() + ETH, frame.length() - ETH);
        // A frame the device marked as trusted (the kernel left its checksum to a device that never existed, or
        // verified it) is accepted as the kernel itself accepts it.
        boolean verified = rxChecksumVerified || looped || frame.isChecksumTrusted();
        int code = ip.validate(!verified);
        if (code != DropReason.NONE) {
            return drop(frame, code);
        }
        if ((ip.flags() & Ipv4Header.FLAG_RESERVED) != 0) {
            return drop(frame, InetDrop.IPV4_RESERVED_FLAG);
        }
        int dstIp = ip.dstAddr();
        boolean broadcast = Ipv4Addresses.isBroadcast(dstIp);
        if (dstIp != localIp && !broadcast) {
            return drop(frame, InetDrop.IPV4_NOT_FOR_US);
        }
        int srcIp = ip.srcAddr();
        if (Ipv4Addresses.isBadSource(srcIp) && !(looped && srcIp == localIp)) {
            return drop(frame, InetDrop.IPV4_BAD_SOURCE);
        }
        int protocol = ip.protocol();
        if (ip.isFragment()) {
            code = reassembly.add(frame, ip, ETH, nowNs, out);
            if (code == Reassembly.HELD) {
                return false;
            }
            if (code != Reassembly.COMPLETE) {
                return drop(frame, code);
            }
            out.broadcast |= linkBroadcast;
        } else {
            int headerLength = ip.headerLength();
            out.set(frame, protocol, srcIp, dstIp, ETH, ETH + headerLength, ip.totalLength() - headerLength,
                    broadcast || linkBroadcast, verified);
        }
        if (protocol == Ipv4Header.PROTOCOL_ICMP) {
            icmp.receive(out, nowNs);
            out.clear();
            return false;
        }
        if (protocol != Ipv4Header.PROTOCOL_UDP && protocol != Ipv4Header.PROTOCOL_TCP) {
            // RFC 1122 §3.2.2.1: a host SHOULD send Protocol Unreachable when the transport is not supported.
            unreachable(out, CODE_PROTOCOL_UNREACHABLE, nowNs);
            stats.drop(InetDrop.IPV4_UNKNOWN_PROTOCOL);
            out.buffer.free();
            out.clear();
            return false;
        }
        return true;
    }

    private boolean drop(DemiBuffer frame, int code) {
        stats.drop(code);
        frame.free();
        return false;
    }

    /**
     * Answers a datagram no transport wanted with an ICMP destination unreachable, when RFC 1122 allows one and the
     * rate limit has a token. The datagram stays the caller's.
     *
     * @param datagram the datagram, as {@link #receive} returned it
     * @param code the unreachable code (3: port, 2: protocol)
     * @param nowNs the current time
     */
    public void unreachable(Datagram datagram, int code, long nowNs) {
        icmp.sendUnreachable(datagram, code, nowNs);
    }

    // Send

    /**
     * Allocates a buffer for a transport packet: its data is {@code length} bytes, with the headroom for the IPv4 and
     * Ethernet headers in front.
     *
     * @param length the transport header and data
     * @return the buffer, owned by the caller, or null when the pool is exhausted (counted as
     *         {@link InetDrop#NO_BUFFER})
     */
    public DemiBuffer allocatePacket(int length) {
        try {
            return pool.allocate(length);
        } catch (DemiException e) {
            stats.drop(InetDrop.NO_BUFFER);
            return null;
        }
    }

    DemiBuffer allocateFrame(int length) {
        return allocatePacket(length);
    }

    /** {@link #send} result: the datagram is on the wire (or in the loopback queue). */
    public static final int SENT = 0;
    /** {@link #send} result: the datagram waits for ARP; the waiter completes when it goes out. */
    public static final int QUEUED = 1;

    /**
     * Sends a transport packet to a host on the link. Takes the packet whatever the result.
     *
     * @param packet the transport header and data, in a buffer of this stack's pool with its headroom intact
     * @param dstIp the destination
     * @param protocol the IPv4 protocol number
     * @param nowNs the current time
     * @param waiter on {@link #QUEUED}, completed when the datagram goes out and failed with ETIMEDOUT when ARP gives
     *         up; may be null
     * @return {@link #SENT}, {@link #QUEUED}, or {@code -EMSGSIZE} (longer than 65,515 bytes), {@code -ENETUNREACH}
     *         (a multicast destination), {@code -ENOBUFS} (no buffer, or the ARP queue is full)
     */
    public int send(DemiBuffer packet, int dstIp, int protocol, long nowNs, Operation waiter) {
        int payload = packet.length();
        if (closed) {
            packet.free();
            return -Errno.EBADF;
        }
        if (payload + Ipv4Header.MIN_HEADER_LENGTH > 65_535) {
            packet.free();
            return -Errno.EMSGSIZE;
        }
        if (Ipv4Addresses.isMulticast(dstIp)) {
            packet.free();
            return -Errno.ENETUNREACH;
        }
        int identification = nextIdentification++ & 0xFFFF;
        if (payload + Ipv4Header.MIN_HEADER_LENGTH <= mtuBytes && packet.prepend(ETH + Ipv4Header.MIN_HEADER_LENGTH)) {
            writeIpv4(packet, dstIp, protocol, identification, Ipv4Header.FLAG_DF, 0, payload);
            return route(packet, dstIp, nowNs, waiter);
        }
        // RFC 791 §3.2: each fragment but the last carries a multiple of 8 data octets.
        int chunk = (mtuBytes - Ipv4Header.MIN_HEADER_LENGTH) & ~7;
        MemorySegment data = packet.memory();
        int result = SENT;
        for (int offset = 0; offset < payload; offset += chunk) {
            int bytes = Math.min(chunk, payload - offset);
            DemiBuffer frame = allocateFrame(ETH + Ipv4Header.MIN_HEADER_LENGTH + bytes);
            if (frame == null) {
                result = -Errno.ENOBUFS;
                break;
            }
            MemorySegment.copy(data, packet.dataOffset() + (long) offset, frame.memory(),
                    frame.dataOffset() + ETH + Ipv4Header.MIN_HEADER_LENGTH, bytes);
            boolean last = offset + bytes == payload;
            writeIpv4(frame, dstIp, protocol, identification, last ? 0 : Ipv4Header.FLAG_MF, offset / 8, bytes);
            stats.fragmentSent();
            int routed = route(frame, dstIp, nowNs, result == SENT ? waiter : null);
            if (routed != SENT && result >= 0) {
                result = routed;
            }
        }
        packet.free();
        return result;
    }

    private void writeIpv4(DemiBuffer frame, int dstIp, int protocol, int identification, int flags,
            int fragmentOffset, int payload) {
        ethernet.wrap(frame.memory(), frame.dataOffset(), frame.length()).srcAddr(localMac)
                .etherType(EthernetHeader.ETHER_TYPE_IPV4);
        ip.wrap(frame.memory(), frame.dataOffset() + ETH, Ipv4Header.MIN_HEADER_LENGTH + payload).version(4).ihl(5)
                .tos(0).totalLength(Ipv4Header.MIN_HEADER_LENGTH + payload).identification(identification)
                .flags(flags).fragmentOffset(fragmentOffset).ttl(TTL).protocol(protocol).srcAddr(localIp)
                .dstAddr(dstIp).computeHeaderChecksum();
    }

    /** Fills in the destination MAC and transmits, loops back, or waits for ARP. Takes the frame. */
    private int route(DemiBuffer frame, int dstIp, long nowNs, Operation waiter) {
        if (dstIp == localIp || dstIp == 0 || (dstIp >>> 24) == 127) {
            ethernet.wrap(frame.memory(), frame.dataOffset(), frame.length()).dstAddr(localMac);
            if (dstIp != localIp) {
                ip.wrap(frame.memory(), frame.dataOffset() + ETH, frame.length() - ETH).dstAddr(localIp)
                        .computeHeaderChecksum();
            }
            if (loopbackSize == LOOPBACK_FRAMES) {
                stats.drop(InetDrop.LOOPBACK_FULL);
                frame.free();
                return -Errno.ENOBUFS;
            }
            loopback[(loopbackHead + loopbackSize++) % LOOPBACK_FRAMES] = frame;
            stats.frameOut();
            return SENT;
        }
        if (Ipv4Addresses.isBroadcast(dstIp)) {
            ethernet.wrap(frame.memory(), frame.dataOffset(), frame.length()).dstAddr(EthernetHeader.BROADCAST);
            transmit(frame, nowNs);
            return SENT;
        }
        long mac = arp.lookup(dstIp, nowNs);
        if (mac < 0) {
            int rc = arp.resolve(frame, dstIp, nowNs, waiter);
            return rc == 0 ? QUEUED : rc;
        }
        ethernet.wrap(frame.memory(), frame.dataOffset(), frame.length()).dstAddr(mac);
        transmit(frame, nowNs);
        return SENT;
    }

    /** Pads a frame to the Ethernet minimum and hands it to the device. Takes the frame. */
    void transmit(DemiBuffer frame, long nowNs) {
        int length = frame.length();
        if (length < EthernetHeader.MIN_FRAME_LENGTH && frame.tailroom() >= EthernetHeader.MIN_FRAME_LENGTH - length) {
            // IEEE 802.3 frames carry at least 46 payload octets; receivers trim by the IPv4 total length.
            frame.memory().asSlice(frame.dataOffset() + (long) length, EthernetHeader.MIN_FRAME_LENGTH - length)
                    .fill((byte) 0);
            frame.setLength(EthernetHeader.MIN_FRAME_LENGTH);
        }
        stats.frameOut();
        device.transmit(frame, nowNs);
    }

    // Time

    /**
     * Runs the timers that are due: ARP retries and give-ups, reassembly time-outs.
     *
     * @param nowNs the current time
     */
    public void tick(long nowNs) {
        arp.tick(nowNs);
        reassembly.tick(nowNs);
    }

    /** {@return when {@link #tick} next has work, or {@link Long#MAX_VALUE}} */
    public long nextDeadlineNs() {
        return Math.min(arp.nextDeadlineNs(), reassembly.nextDeadlineNs());
    }

    /** Frees every frame the stack holds and closes the device. Closing twice does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = batchIndex; i < batchCount; i++) {
            batch[i].free();
            batch[i] = null;
        }
        batchCount = 0;
        while (loopbackSize > 0) {
            loopback[loopbackHead].free();
            loopback[loopbackHead] = null;
            loopbackHead = (loopbackHead + 1) % LOOPBACK_FRAMES;
            loopbackSize--;
        }
        arp.close();
        reassembly.close();
        device.close();
    }
}
