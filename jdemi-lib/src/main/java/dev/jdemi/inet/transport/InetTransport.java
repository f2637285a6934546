package dev.jdemi.inet.transport;

import dev.jdemi.Config;
import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.Linger;
import dev.jdemi.LibOS;
import dev.jdemi.SocketOption;
import dev.jdemi.inet.Datagram;
import dev.jdemi.inet.InetConfig;
import dev.jdemi.inet.InetDrop;
import dev.jdemi.inet.InetStats;
import dev.jdemi.inet.NetworkStack;
import dev.jdemi.inet.tcp.OutboundSegment;
import dev.jdemi.inet.tcp.TcpConfig;
import dev.jdemi.inet.tcp.TcpSegmentSink;
import dev.jdemi.inet.tcp.TcpStack;
import dev.jdemi.inet.udp.UdpLayer;
import dev.jdemi.libos.Transport;
import dev.jdemi.libos.TransportHost;
import dev.jdemi.phy.PhysicalLayer;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.runtime.Operation;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.wire.DropReason;
import dev.jdemi.wire.IcmpHeader;
import dev.jdemi.wire.Ipv4Header;
import dev.jdemi.wire.TcpHeader;
import dev.jdemi.wire.TcpOptions;

import java.security.SecureRandom;

/**
 * The user-space stack as a {@link Transport} under {@link dev.jdemi.libos.NetworkLibOS}: catpowder's (and catnip's)
 * sockets, so the public API is the same as catnap's.
 *
 * <p>It is the runtime's {@link Runtime.Poller}: each loop iteration runs the stack's due timers, pulls the received
 * frames through {@link NetworkStack#receive} and hands each datagram to its transport by protocol number: UDP to the
 * {@link UdpLayer}, TCP (protocol 6) to the {@link TcpStack} after the header checks (a malformed segment is counted
 * under its {@link DropReason}), then runs the TCP's due timers and retries the TCP sockets' pending operations. Its
 * {@link #nextEventNs()} includes the TCP's next timer, so a wait on a virtual clock jumps straight to it.
 *
 * <p>Transport descriptors are the UDP layer's socket numbers, and for TCP sockets numbers from
 * {@link TcpSockets#SD_BASE} up. A UDP push completes when its datagram is on the wire; one waiting for ARP completes
 * when the reply comes, or fails with ETIMEDOUT when every request went unanswered (as upstream), its frames counted
 * as {@link InetDrop#ARP_UNRESOLVED}. A TCP push completes when its bytes are in the connection's send buffer (see
 * {@link TcpSockets}); TCP segments waiting for ARP are simply retransmitted by the TCP if ARP gives up.
 *
 * <p>Thread: the LibOS's. Steady-state traffic allocates nothing on the heap.
 */
public final class InetTransport implements Transport, Runtime.Poller {
    /** Datagrams handed to transports per loop iteration at most, so one iteration stays short. */
    static final int RECEIVE_BUDGET = 256;

    private final InetConfig config;
    private final TcpConfig tcpConfig;
    private final Config.TcpSocketOptions tcpOptions;
    private final PhysicalLayer device;
    private final Datagram datagram = new Datagram();
    private final TcpHeader tcpHeader = new TcpHeader();
    private final TcpOptions tcpOptionsIn = new TcpOptions();
    private TransportHost host;
    private Runtime runtime;
    private NetworkStack stack;
    private UdpLayer udp;
    private TcpStack tcp;
    private TcpSockets tcpSockets;
    /** The time handed to the TCP sink: the current call's. */
    private long sinkNowNs;
    private boolean closed;

    /**
     * Creates the transport.
     *
     * @param config the host's settings
     * @param device the device, owned by the transport from now on; its frames must come from the LibOS's pool
     */
    public InetTransport(InetConfig config, PhysicalLayer device) {
        this(config, new TcpConfig(), Config.TcpSocketOptions.DEFAULTS, device);
    }

    /**
     * Creates the transport with TCP settings.
     *
     * @param config the host's settings
     * @param tcpConfig the TCP's tunables (see {@link #tcpConfigOf(Config)})
     * @param tcpOptions the options every new TCP socket starts with ({@code tcp_socket_options})
     * @param device the device, owned by the transport from now on; its frames must come from the LibOS's pool
     */
    public InetTransport(InetConfig config, TcpConfig tcpConfig, Config.TcpSocketOptions tcpOptions,
            PhysicalLayer device) {
        this.config = config;
        this.tcpConfig = tcpConfig;
        this.tcpOptions = tcpOptions;
        this.device = device;
    }

    /**
     * The TCP's tunables from a configuration: {@code inetstack_config.mss} (capped to what the MTU carries) and the
     * keepalive times of {@code tcp_socket_options}; everything else at {@link TcpConfig}'s defaults, the
     * deterministic test mode off.
     *
     * @param config the configuration
     * @return a new TCP configuration
     */
    public static TcpConfig tcpConfigOf(Config config) {
        Config.Inetstack inet = config.inetstack();
        // RFC 9293 section 3.7.1: the MSS is the MTU less the fixed IPv4 and TCP headers.
        TcpConfig tcp = new TcpConfig().mss(Math.max(536, Math.min(inet.mss(), inet.mtu() - 40)));
        Config.TcpSocketOptions options = config.tcpSocketOptions();
        if (options.keepaliveTimeMillis() > 0) {
            tcp.keepIdleNs(options.keepaliveTimeMillis() * 1_000_000L);
        }
        if (options.keepaliveInterval() > 0) {
            tcp.keepIntervalNs(options.keepaliveInterval() * 1_000_000_000L);
        }
        return tcp;
    }

    @Override
    public void attach(TransportHost host, Runtime runtime) {
        this.host = host;
        this.runtime = runtime;
        this.stack = new NetworkStack(config, device, runtime.pool());
        this.udp = new UdpLayer(stack);
        // RFC 6528 section 3: the ISN's secret key comes from a secure random source at start-up.
        SecureRandom random = new SecureRandom();
        this.tcp = new TcpStack(tcpConfig, this::sendTcp, random.nextLong(), random.nextLong());
        this.tcpSockets = new TcpSockets(tcp, stack.localIpv4(), tcpOptions, host, runtime.pool());
        runtime.setPoller(this);
    }

    /** {@return the TCP layer, for tests and tools} */
    public TcpStack tcp() {
        return tcp;
    }

    /**
     * The TCP's sink: builds the segment in a packet from the pool and hands it to IPv4, which adds the headers and
     * routes it (ARP, the loopback queue). Never re-enters the TCP: frames to this host wait in the loopback queue.
     */
    private void sendTcp(OutboundSegment segment) {
        DemiBuffer packet = stack.allocatePacket(segment.length());
        if (packet == null) {
            return;
        }
        segment.write(packet.memory(), packet.dataOffset());
        stack.send(packet, segment.dstAddr(), Ipv4Header.PROTOCOL_TCP, sinkNowNs, null);
    }

    private long now() {
        sinkNowNs = runtime.clock().nowNs();
        return sinkNowNs;
    }

    /** {@return the stack, for tests and tools} */
    public NetworkStack stack() {
        return stack;
    }

    /** {@return the stack's counters} */
    public InetStats stats() {
        return stack.stats();
    }

    @Override
    public int socket(int type) {
        if (type == LibOS.SOCK_STREAM) {
            return tcpSockets.socket();
        }
        return udp.socket();
    }

    @Override
    public void bind(int sd, long local) {
        if (TcpSockets.isTcp(sd)) {
            tcpSockets.bind(sd, local);
            return;
        }
        udp.bind(sd, local);
    }

    @Override
    public void listen(int sd, int backlog) {
        if (!TcpSockets.isTcp(sd)) {
            throw new DemiException(Errno.ENOTSUP, "a UDP socket cannot listen");
        }
        tcpSockets.listen(sd, backlog);
    }

    @Override
    public void accept(int sd, Operation op) {
        if (!TcpSockets.isTcp(sd)) {
            throw new DemiException(Errno.ENOTSUP, "a UDP socket cannot accept");
        }
        tcpSockets.accept(sd, op, now());
    }

    @Override
    public void connect(int sd, Operation op) {
        if (TcpSockets.isTcp(sd)) {
            tcpSockets.connect(sd, op, now());
            return;
        }
        int errno = 0;
        try {
            udp.connect(sd, op.address);
        } catch (DemiException e) {
            errno = e.errno();
        }
        host.connected(op, errno);
    }

    @Override
    public void push(int sd, Operation op) {
        if (TcpSockets.isTcp(sd)) {
            // A stream socket sends to its peer: a pushTo's address is ignored (as POSIX sendto).
            tcpSockets.push(sd, op, now());
            return;
        }
        int rc = udp.push(sd, op.buffer, op.address, runtime.clock().nowNs(), op);
        if (rc == NetworkStack.SENT) {
            op.complete();
        } else if (rc < 0) {
            op.fail(-rc);
        }
    }

    @Override
    public void pop(int sd, Operation op) {
        if (TcpSockets.isTcp(sd)) {
            tcpSockets.pop(sd, op, now());
            return;
        }
        udp.pop(sd, op);
    }

    @Override
    public void close(int sd, Operation op) {
        if (TcpSockets.isTcp(sd)) {
            tcpSockets.close(sd, op, now());
            return;
        }
        udp.close(sd);
        host.closed(op, 0);
    }

    @Override
    public void setOption(int sd, SocketOption<?> option, Object value) {
        if (TcpSockets.isTcp(sd)) {
            tcpSockets.setOption(sd, option, value, now());
            return;
        }
        if (option != SocketOption.SO_LINGER) {
            throw new DemiException(Errno.ENOTSUP, option + " applies to TCP sockets");
        }
        udp.setLinger(sd, value);
    }

    @Override
    public Object getOption(int sd, SocketOption<?> option) {
        if (TcpSockets.isTcp(sd)) {
            return tcpSockets.getOption(sd, option);
        }
        if (option != SocketOption.SO_LINGER) {
            throw new DemiException(Errno.ENOTSUP, option + " applies to TCP sockets");
        }
        Object linger = udp.linger(sd);
        return linger == null ? Linger.OFF : linger;
    }

    @Override
    public long localAddress(int sd) {
        if (TcpSockets.isTcp(sd)) {
            return tcpSockets.localAddress(sd);
        }
        return udp.localAddress(sd);
    }

    @Override
    public long peerAddress(int sd) {
        if (TcpSockets.isTcp(sd)) {
            return tcpSockets.peerAddress(sd);
        }
        return udp.peerAddress(sd);
    }

    // Poller

    @Override
    public int poll(long nowNs) {
        sinkNowNs = nowNs;
        int work = 0;
        if (stack.nextDeadlineNs() <= nowNs) {
            stack.tick(nowNs);
            work++;
        }
        long framesBefore = stack.stats().framesIn();
        for (int i = 0; i < RECEIVE_BUDGET && stack.receive(nowNs, datagram); i++) {
            dispatch(nowNs);
        }
        if (tcp.nextDeadlineNs() <= nowNs) {
            work += tcp.poll(nowNs);
        }
        work += tcpSockets.service(nowNs);
        return work + (int) Math.min(Integer.MAX_VALUE, stack.stats().framesIn() - framesBefore);
    }

    private void dispatch(long nowNs) {
        int code;
        if (datagram.protocol == Ipv4Header.PROTOCOL_UDP) {
            code = udp.receive(datagram);
            if (code == InetDrop.UDP_NO_SOCKET) {
                // RFC 1122 §4.1.3.1: "If a datagram arrives addressed to a UDP port for which there is no pending
                // LISTEN call, UDP SHOULD send an ICMP Port Unreachable message."
                stack.unreachable(datagram, IcmpHeader.CODE_PORT_UNREACHABLE, nowNs);
            }
        } else {
            code = receiveTcp(nowNs);
        }
        if (code != DropReason.NONE) {
            stack.stats().drop(code);
            datagram.buffer.free();
        }
        datagram.clear();
    }

    /** Validates a TCP segment and hands it to the TCP, which copies what it keeps; the frame is freed here. */
    private int receiveTcp(long nowNs) {
        DemiBuffer frame = datagram.buffer;
        tcpHeader.wrap(frame.memory(), frame.dataOffset() + (long) datagram.payloadOffset, datagram.payloadLength);
        int code = tcpHeader.validate(datagram.srcAddr, datagram.dstAddr, !datagram.checksumVerified);
        if (code == DropReason.NONE) {
            code = tcpHeader.parseOptions(tcpOptionsIn);
            if (code != DropReason.TCP_BAD_OPTION_LIST) {
                code = DropReason.NONE;
            }
        }
        if (code != DropReason.NONE) {
            return code;
        }
        if (datagram.broadcast) {
            // RFC 1122 section 4.2.3.10: a SYN to a broadcast or multicast address is ignored; TCP is unicast only.
            return InetDrop.TRANSPORT_UNSUPPORTED;
        }
        // The TCP counts its own drops (tcp().drops): segments for no connection are answered with RST there.
        tcp.receive(datagram.srcAddr, datagram.dstAddr, tcpHeader, tcpOptionsIn, nowNs);
        frame.free();
        return DropReason.NONE;
    }

    @Override
    public void block(long timeoutNs) {
        device.block(timeoutNs);
    }

    @Override
    public long nextEventNs() {
        if (stack.hasBufferedFrames()) {
            return 0;
        }
        return Math.min(Math.min(device.nextEventNs(), stack.nextDeadlineNs()),
                Math.min(tcp.nextDeadlineNs(), tcpSockets.nextDeadlineNs()));
    }

    /** {@return whether the transport is attached and not yet closed} */
    public boolean isOpen() {
        return stack != null && !closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tcpSockets.closeAll(now());
        udp.closeAll();
        stack.close();
    }
}
