package dev.jdemi.inet.udp;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.SockAddr;
import dev.jdemi.inet.Datagram;
import dev.jdemi.inet.InetDrop;
import dev.jdemi.inet.NetworkStack;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.runtime.Operation;
import dev.jdemi.wire.DropReason;
import dev.jdemi.wire.Ipv4Header;
import dev.jdemi.wire.UdpHeader;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * UDP (RFC 768, RFC 1122 §4.1) on a {@link NetworkStack}: sockets with a local port (0 picks an ephemeral one), an
 * optional peer, a bounded receive queue and the pops waiting on it (spec §3.6).
 *
 * <p>Receive: the header is validated (length, and the checksum unless it is zero, offloaded or already verified),
 * then the datagram goes to the socket bound to its port: to the first waiting pop, cut to the pop's size, or to
 * the queue. The frame itself becomes the application's SGA, narrowed to the data; nothing is copied. A connected
 * socket only takes datagrams from its peer, as POSIX.
 *
 * <p>Send: the data is copied into a new packet from the pool (the application's SGA may be pushed again at once),
 * the header and checksum are written, and the stack adds IPv4 and Ethernet, fragmenting beyond the MTU.
 *
 * <p>Thread: the LibOS's. Steady-state sending and receiving allocate nothing on the heap.
 */
public final class UdpLayer {
    /** The first ephemeral port (IANA's dynamic range, as upstream). */
    public static final int EPHEMERAL_FIRST = 49_152;
    /** The last ephemeral port. */
    public static final int EPHEMERAL_LAST = 65_535;
    /** The largest datagram payload: 65,535 - 20 (IPv4) - 8 (UDP). */
    public static final int MAX_PAYLOAD = 65_507;

    private final NetworkStack stack;
    private final boolean checksumOffload;
    private final int queueDatagrams;
    private final UdpHeader udp = new UdpHeader();
    private UdpSocket[] sockets = new UdpSocket[16];
    private final UdpSocket[] byPort = new UdpSocket[65_536];
    private int nextEphemeral = EPHEMERAL_FIRST;

    /**
     * Creates the layer.
     *
     * @param stack the stack below
     */
    public UdpLayer(NetworkStack stack) {
        this.stack = stack;
        this.checksumOffload = stack.config().udpChecksumOffload();
        this.queueDatagrams = stack.config().udpQueueDatagrams();
    }

    /** {@return a new socket's descriptor} */
    public int socket() {
        for (int sd = 0; sd < sockets.length; sd++) {
            if (sockets[sd] == null) {
                sockets[sd] = new UdpSocket(sd, queueDatagrams);
                return sd;
            }
        }
        int sd = sockets.length;
        sockets = Arrays.copyOf(sockets, sd * 2);
        sockets[sd] = new UdpSocket(sd, queueDatagrams);
        return sd;
    }

    /**
     * Binds a socket.
     *
     * @param sd the socket, unbound
     * @param local the address: 0.0.0.0 or this host's; port 0 picks an ephemeral port
     * @throws DemiException EADDRNOTAVAIL for another host's address, EADDRINUSE when the port is taken (or no
     *         ephemeral port is free)
     */
    public void bind(int sd, long local) {
        UdpSocket socket = find(sd);
        int ip = SockAddr.ipv4(local);
        if (ip != 0 && ip != stack.localIpv4()) {
            throw new DemiException(Errno.EADDRNOTAVAIL, SockAddr.toString(local) + " is not an address of this host");
        }
        int port = SockAddr.port(local);
        if (port == 0) {
            port = ephemeralPort();
        } else if (byPort[port] != null) {
            throw new DemiException(Errno.EADDRINUSE, "UDP port " + port + " is already bound");
        }
        socket.localIp = ip;
        socket.localPort = port;
        byPort[port] = socket;
    }

    private int ephemeralPort() {
        int range = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
        for (int i = 0; i < range; i++) {
            int port = nextEphemeral;
            nextEphemeral = port == EPHEMERAL_LAST ? EPHEMERAL_FIRST : port + 1;
            if (byPort[port] == null) {
                return port;
            }
        }
        throw new DemiException(Errno.EADDRINUSE, "every ephemeral UDP port is in use");
    }

    /**
     * Sets a socket's peer, binding it to an ephemeral port first if needed.
     *
     * @param sd the socket
     * @param remote the peer
     */
    public void connect(int sd, long remote) {
        UdpSocket socket = find(sd);
        if (!socket.isBound()) {
            bind(sd, SockAddr.pack(0, 0));
        }
        socket.remote = remote;
    }

    /**
     * Sends a datagram. The data stays the caller's.
     *
     * @param sd the socket
     * @param data the payload
     * @param to the destination, or {@link SockAddr#NONE} for the peer
     * @param nowNs the current time
     * @param waiter the push, completed later when the result is {@link NetworkStack#QUEUED}
     * @return {@link NetworkStack#SENT}, {@link NetworkStack#QUEUED}, or {@code -EDESTADDRREQ} (no destination),
     *         {@code -EMSGSIZE}, {@code -EINVAL} (port 0), {@code -ENOBUFS}, or an error of {@link NetworkStack#send}
     */
    public int push(int sd, DemiBuffer data, long to, long nowNs, Operation waiter) {
        UdpSocket socket = find(sd);
        long destination = SockAddr.isIpv4(to) ? to : socket.remote;
        if (!SockAddr.isIpv4(destination)) {
            return -Errno.EDESTADDRREQ;
        }
        int length = data.length();
        if (length > MAX_PAYLOAD) {
            return -Errno.EMSGSIZE;
        }
        if (SockAddr.port(destination) == 0) {
            return -Errno.EINVAL;
        }
        if (!socket.isBound()) {
            bind(sd, SockAddr.pack(0, 0));
        }
        DemiBuffer packet = stack.allocatePacket(UdpHeader.HEADER_LENGTH + length);
        if (packet == null) {
            return -Errno.ENOBUFS;
        }
        MemorySegment memory = packet.memory();
        MemorySegment.copy(data.memory(), data.dataOffset(), memory, packet.dataOffset() + UdpHeader.HEADER_LENGTH,
                length);
        int dstIp = SockAddr.ipv4(destination);
        udp.wrap(memory, packet.dataOffset(), UdpHeader.HEADER_LENGTH + length).srcPort(socket.localPort)
                .dstPort(SockAddr.port(destination)).length(UdpHeader.HEADER_LENGTH + length);
        if (checksumOffload) {
            // RFC 768: "An all zero transmitted checksum value means that the transmitter generated no checksum".
            udp.checksum(UdpHeader.NO_CHECKSUM);
        } else {
            udp.computeChecksum(stack.localIpv4(), dstIp);
        }
        return stack.send(packet, dstIp, Ipv4Header.PROTOCOL_UDP, nowNs, waiter);
    }

    /**
     * Starts a pop: completes it at once with a queued datagram, or keeps it until one arrives.
     *
     * @param sd the socket
     * @param op the pending pop
     */
    public void pop(int sd, Operation op) {
        UdpSocket socket = find(sd);
        if (socket.size > 0) {
            DemiBuffer datagram = socket.queue[socket.head];
            long from = socket.queueFrom[socket.head];
            socket.queue[socket.head] = null;
            socket.head = (socket.head + 1) % socket.queue.length;
            socket.size--;
            complete(op, datagram, from);
        } else {
            socket.pops.add(op);
        }
    }

    private static void complete(Operation op, DemiBuffer datagram, long from) {
        if (datagram.length() > op.maxBytes) {
            // Like recvfrom on a datagram socket: the rest of a datagram longer than the pop is discarded.
            datagram.setLength(op.maxBytes);
        }
        op.completePop(datagram, from);
    }

    /**
     * Takes a received UDP datagram.
     *
     * @param d the datagram; on {@link DropReason#NONE} its buffer now belongs to the socket, otherwise it stays the
     *         caller's (who counts the drop, frees it and may answer {@link InetDrop#UDP_NO_SOCKET} with ICMP)
     * @return {@link DropReason#NONE} or the drop code
     */
    public int receive(Datagram d) {
        DemiBuffer buffer = d.buffer;
        udp.wrap(buffer.memory(), buffer.dataOffset() + (long) d.payloadOffset, d.payloadLength);
        // RFC 1122 §4.1.3.4: a datagram with a present but wrong checksum MUST be discarded silently.
        int code = udp.validate(d.srcAddr, d.dstAddr, !d.checksumVerified && !checksumOffload);
        if (code != DropReason.NONE) {
            return code;
        }
        int port = udp.dstPort();
        if (port == 0) {
            return InetDrop.UDP_ZERO_PORT;
        }
        UdpSocket socket = byPort[port];
        if (socket == null || (socket.localIp != 0 && socket.localIp != d.dstAddr)) {
            return InetDrop.UDP_NO_SOCKET;
        }
        long from = SockAddr.pack(d.srcAddr, udp.srcPort());
        if (SockAddr.isIpv4(socket.remote) && socket.remote != from) {
            return InetDrop.UDP_NOT_FROM_PEER;
        }
        if (socket.pops.isEmpty() && socket.size == socket.queue.length) {
            return InetDrop.UDP_QUEUE_FULL;
        }
        int length = udp.payloadLength();
        buffer.adjust(d.payloadOffset + UdpHeader.HEADER_LENGTH);
        buffer.setLength(length);
        Operation pop = socket.pops.poll();
        if (pop != null) {
            complete(pop, buffer, from);
        } else {
            int tail = (socket.head + socket.size) % socket.queue.length;
            socket.queue[tail] = buffer;
            socket.queueFrom[tail] = from;
            socket.size++;
        }
        return DropReason.NONE;
    }

    /**
     * Closes a socket: frees its queued datagrams and its port. Its pops were failed by the LibOS already.
     *
     * @param sd the socket
     */
    public void close(int sd) {
        UdpSocket socket = find(sd);
        while (socket.size > 0) {
            socket.queue[socket.head].free();
            socket.queue[socket.head] = null;
            socket.head = (socket.head + 1) % socket.queue.length;
            socket.size--;
        }
        for (Operation op = socket.pops.poll(); op != null; op = socket.pops.poll()) {
            op.fail(Errno.EBADF);
        }
        if (socket.isBound() && byPort[socket.localPort] == socket) {
            byPort[socket.localPort] = null;
        }
        sockets[sd] = null;
    }

    /** Closes every socket. */
    public void closeAll() {
        for (int sd = 0; sd < sockets.length; sd++) {
            if (sockets[sd] != null) {
                close(sd);
            }
        }
    }

    /**
     * Returns a socket's local address.
     *
     * @param sd the socket
     * @return the packed address; 0.0.0.0:0 when unbound
     */
    public long localAddress(int sd) {
        UdpSocket socket = find(sd);
        return SockAddr.pack(socket.localIp, socket.localPort);
    }

    /**
     * Returns a socket's peer.
     *
     * @param sd the socket
     * @return the packed address
     * @throws DemiException ENOTCONN when it has none
     */
    public long peerAddress(int sd) {
        UdpSocket socket = find(sd);
        if (!SockAddr.isIpv4(socket.remote)) {
            throw new DemiException(Errno.ENOTCONN, "UDP socket " + sd + " is not connected");
        }
        return socket.remote;
    }

    /**
     * Stores a socket option (only SO_LINGER reaches a UDP socket; it has no effect on UDP).
     *
     * @param sd the socket
     * @param value the value
     */
    public void setLinger(int sd, Object value) {
        find(sd).linger = value;
    }

    /**
     * Returns the stored SO_LINGER.
     *
     * @param sd the socket
     * @return the value, or null when never set
     */
    public Object linger(int sd) {
        return find(sd).linger;
    }

    private UdpSocket find(int sd) {
        UdpSocket socket = sd >= 0 && sd < sockets.length ? sockets[sd] : null;
        if (socket == null) {
            throw new DemiException(Errno.EBADF, "no UDP socket " + sd);
        }
        return socket;
    }
}
