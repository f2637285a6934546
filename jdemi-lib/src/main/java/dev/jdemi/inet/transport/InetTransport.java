package dev.jdemi.inet.transport;

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
import dev.jdemi.inet.udp.UdpLayer;
import dev.jdemi.libos.Transport;
import dev.jdemi.libos.TransportHost;
import dev.jdemi.phy.PhysicalLayer;
import dev.jdemi.runtime.Operation;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.wire.DropReason;
import dev.jdemi.wire.IcmpHeader;
import dev.jdemi.wire.Ipv4Header;

/**
 * The user-space stack as a {@link Transport} under {@link dev.jdemi.libos.NetworkLibOS}: catpowder's (and catnip's)
 * sockets, so the public API is the same as catnap's.
 *
 * <p>It is the runtime's {@link Runtime.Poller}: each loop iteration runs the stack's due timers, pulls the received
 * frames through {@link NetworkStack#receive} and hands each datagram to its transport by protocol number. This
 * demultiplexing is the seam for TCP (the next issue): a TCP layer takes the {@code PROTOCOL_TCP} branch and the
 * {@code SOCK_STREAM} sockets; until then a TCP socket is ENOTSUP and a TCP segment is answered with ICMP protocol
 * unreachable and counted as {@link InetDrop#TRANSPORT_UNSUPPORTED}.
 *
 * <p>Transport descriptors are the UDP layer's socket numbers. A push completes when its datagram is on the wire;
 * one waiting for ARP completes when the reply comes, or fails with ETIMEDOUT when every request went unanswered
 * (as upstream), its frames counted as {@link InetDrop#ARP_UNRESOLVED}.
 *
 * <p>Thread: the LibOS's. Steady-state traffic allocates nothing on the heap.
 */
public final class InetTransport implements Transport, Runtime.Poller {
    /** Datagrams handed to transports per loop iteration at most, so one iteration stays short. */
    static final int RECEIVE_BUDGET = 256;

    private final InetConfig config;
    private final PhysicalLayer device;
    private final Datagram datagram = new Datagram();
    private TransportHost host;
    private Runtime runtime;
    private NetworkStack stack;
    private UdpLayer udp;
    private boolean closed;

    /**
     * Creates the transport.
     *
     * @param config the host's settings
     * @param device the device, owned by the transport from now on; its frames must come from the LibOS's pool
     */
    public InetTransport(InetConfig config, PhysicalLayer device) {
        this.config = config;
        this.device = device;
    }

    @Override
    public void attach(TransportHost host, Runtime runtime) {
        this.host = host;
        this.runtime = runtime;
        this.stack = new NetworkStack(config, device, runtime.pool());
        this.udp = new UdpLayer(stack);
        runtime.setPoller(this);
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
        if (type != LibOS.SOCK_DGRAM) {
            throw new DemiException(Errno.ENOTSUP, "TCP is not available on the user-space stack yet; use "
                    + "SOCK_DGRAM, or catnap for TCP");
        }
        return udp.socket();
    }

    @Override
    public void bind(int sd, long local) {
        udp.bind(sd, local);
    }

    @Override
    public void listen(int sd, int backlog) {
        throw new DemiException(Errno.ENOTSUP, "a UDP socket cannot listen");
    }

    @Override
    public void accept(int sd, Operation op) {
        throw new DemiException(Errno.ENOTSUP, "a UDP socket cannot accept");
    }

    @Override
    public void connect(int sd, Operation op) {
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
        int rc = udp.push(sd, op.buffer, op.address, runtime.clock().nowNs(), op);
        if (rc == NetworkStack.SENT) {
            op.complete();
        } else if (rc < 0) {
            op.fail(-rc);
        }
    }

    @Override
    public void pop(int sd, Operation op) {
        udp.pop(sd, op);
    }

    @Override
    public void close(int sd, Operation op) {
        udp.close(sd);
        host.closed(op, 0);
    }

    @Override
    public void setOption(int sd, SocketOption<?> option, Object value) {
        if (option != SocketOption.SO_LINGER) {
            throw new DemiException(Errno.ENOTSUP, option + " applies to TCP sockets");
        }
        udp.setLinger(sd, value);
    }

    @Override
    public Object getOption(int sd, SocketOption<?> option) {
        if (option != SocketOption.SO_LINGER) {
            throw new DemiException(Errno.ENOTSUP, option + " applies to TCP sockets");
        }
        Object linger = udp.linger(sd);
        return linger == null ? Linger.OFF : linger;
    }

    @Override
    public long localAddress(int sd) {
        return udp.localAddress(sd);
    }

    @Override
    public long peerAddress(int sd) {
        return udp.peerAddress(sd);
    }

    // Poller

    @Override
    public int poll(long nowNs) {
        int work = 0;
        if (stack.nextDeadlineNs() <= nowNs) {
            stack.tick(nowNs);
            work++;
        }
        long framesBefore = stack.stats().framesIn();
        for (int i = 0; i < RECEIVE_BUDGET && stack.receive(nowNs, datagram); i++) {
            dispatch(nowNs);
        }
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
            // The TCP seam: until the stack has TCP, a segment is answered as for any protocol it does not run.
            code = InetDrop.TRANSPORT_UNSUPPORTED;
            stack.unreachable(datagram, NetworkStack.CODE_PROTOCOL_UNREACHABLE, nowNs);
        }
        if (code != DropReason.NONE) {
            stack.stats().drop(code);
            datagram.buffer.free();
        }
        datagram.clear();
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
        return Math.min(device.nextEventNs(), stack.nextDeadlineNs());
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
        udp.closeAll();
        stack.close();
    }
}
