package dev.jdemi.inet.tcp;

import dev.jdemi.wire.DropReason;
import dev.jdemi.wire.TcpHeader;
import dev.jdemi.wire.TcpOptions;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The TCP layer of one user-space stack: demultiplexes inbound segments to connections and listeners, answers
 * segments for closed ports with RST (RFC 9293 section 3.10.7.1), opens connections, runs their timers, and sends
 * through one {@link TcpSegmentSink}.
 *
 * <p>The IPv4 layer plugs in with two calls: it hands every inbound TCP segment to {@link #receive(int, int,
 * MemorySegment, long, int, boolean, long)} and implements the sink. Its owner calls {@link #poll(long)} when
 * {@link #nextDeadlineNs()} has passed. Time is always handed in; nothing here reads a clock.
 *
 * <p>Confined to one thread. Demultiplexing, segment processing and sending allocate nothing in the steady state;
 * opening a connection allocates its buffers.
 */
public final class TcpStack {
    private static final long NS_PER_S = 1_000_000_000L;
    private static final int EPHEMERAL_FIRST = 49152;
    private static final int EPHEMERAL_COUNT = 65536 - EPHEMERAL_FIRST;
    /** The MSS values a SYN cookie can carry in its 3-bit index (RFC 4987 section 3.6). */
    private static final int[] COOKIE_MSS = {536, 1200, 1220, 1300, 1360, 1400, 1440, 1460};
    private static final long COOKIE_PERIOD_NS = 64 * NS_PER_S;

    private final TcpConfig cfg;
    private final TcpSegmentSink sink;
    private final IsnGenerator isn;
    private final OutboundSegment out = new OutboundSegment();
    private final TcpHeader header = new TcpHeader();
    private final TcpOptions options = new TcpOptions();
    private final ConnectionTable connections = new ConnectionTable();
    private final List<TcpListener> listeners = new ArrayList<>();
    private final long[] drops = new long[TcpDrop.COUNT];
    private int nextEphemeral = 65535;
    private int ephemeralCounter;
    private long challengeWindowStartNs = Long.MIN_VALUE / 2;
    private int challengeAcksInWindow;
    private long resetsSent;
    private long challengeAcksSent;
    private long cookiesSent;
    private long cookiesAccepted;

    /**
     * Creates the TCP layer.
     *
     * @param config the tunables; not changed afterwards
     * @param sink where segments go (the IPv4 layer)
     * @param secretKey0 the first half of the 128-bit secret for ISNs, SYN cookies and ports (RFC 6528 section 3);
     *     the caller draws it from a secure random source at start-up
     * @param secretKey1 the second half of the secret
     */
    public TcpStack(TcpConfig config, TcpSegmentSink sink, long secretKey0, long secretKey1) {
        this.cfg = config;
        this.sink = sink;
        this.isn = new IsnGenerator(secretKey0, secretKey1, config.deterministic());
    }

    TcpConfig config() {
        return cfg;
    }

    OutboundSegment outbound() {
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Inbound.

    /**
     * Takes one inbound TCP segment, the payload of an IPv4 datagram: validates it (header, checksum, option list),
     * then processes it. A bad segment is dropped and counted.
     *
     * @param srcAddr the IPv4 source address (the peer)
     * @param dstAddr the IPv4 destination address (ours)
     * @param segment the memory holding the TCP segment
     * @param offset the offset of the first TCP byte
     * @param length the TCP length (the IP payload length)
     * @param verifyChecksum whether to verify the checksum (false when the device did)
     * @param nowNs the current time
     * @return {@code -1} when accepted, else the {@link TcpDrop} code
     */
    public int receive(int srcAddr, int dstAddr, MemorySegment segment, long offset, int length,
            boolean verifyChecksum, long nowNs) {
        header.wrap(segment, offset, length);
        int reason = header.validate(srcAddr, dstAddr, verifyChecksum);
        if (reason != DropReason.NONE) {
            return drop(TcpDrop.MALFORMED);
        }
        int optionResult = header.parseOptions(options);
        if (optionResult == DropReason.TCP_BAD_OPTION_LIST) {
            return drop(TcpDrop.MALFORMED);
        }
        return receive(srcAddr, dstAddr, header, options, nowNs);
    }

    /**
     * Processes a segment already validated by the caller: {@code h} is wrapped over the whole TCP segment and
     * {@code o} holds its parsed options.
     *
     * @param srcAddr the IPv4 source address (the peer)
     * @param dstAddr the IPv4 destination address (ours)
     * @param h the header flyweight, wrapped over header and payload
     * @param o the parsed options
     * @param nowNs the current time
     * @return {@code -1} when accepted, else the {@link TcpDrop} code
     */
    public int receive(int srcAddr, int dstAddr, TcpHeader h, TcpOptions o, long nowNs) {
        int srcPort = h.srcPort();
        int dstPort = h.dstPort();
        TcpConnection c = find(dstAddr, dstPort, srcAddr, srcPort);
        if (c != null && h.isSyn() && !h.isAck() && c.mayReopen(h, o)) {
            // RFC 9293 section 3.10.7.4 (and RFC 6191): a new SYN may take over a TIME_WAIT connection.
            c.closeForReuse();
            c = null;
        }
        if (c != null) {
            int r = c.segmentArrives(h, o, nowNs);
            return r < 0 ? -1 : drop(r);
        }
        TcpListener l = findListener(dstAddr, dstPort);
        if (l != null) {
            return listen(l, srcAddr, dstAddr, h, o, nowNs);
        }
        // RFC 9293 section 3.10.7.1, CLOSED: "An incoming segment not containing a RST causes a RST to be sent".
        if (!h.isRst()) {
            replyReset(dstAddr, srcAddr, h);
        }
        return drop(TcpDrop.NO_SOCKET);
    }

    /** RFC 9293 section 3.10.7.2, LISTEN. */
    private int listen(TcpListener l, int srcAddr, int dstAddr, TcpHeader h, TcpOptions o, long nowNs) {
        if (h.isRst()) {
            // "An incoming RST segment could not be valid since it could not have been sent in response to
            // anything sent by this incarnation of the connection. An incoming RST should be ignored."
            return drop(TcpDrop.IGNORED);
        }
        if (h.isAck()) {
            if (!h.isSyn() && cfg.synCookies() && acceptCookie(l, srcAddr, dstAddr, h, o, nowNs)) {
                return -1;
            }
            // "Any acknowledgment is bad if it arrives on a connection still in the LISTEN state. An acceptable
            // reset segment should be formed for any arriving ACK-bearing segment."
            replyReset(dstAddr, srcAddr, h);
            return drop(cfg.synCookies() ? TcpDrop.BAD_COOKIE : TcpDrop.NO_SOCKET);
        }
        if (!h.isSyn()) {
            return drop(TcpDrop.IGNORED);
        }
        int localAddr = l.localAddr != 0 ? l.localAddr : dstAddr;
        if (l.isFull()) {
            if (!cfg.synCookies()) {
                return drop(TcpDrop.BACKLOG_FULL);
            }
            sendCookie(localAddr, l.localPort, srcAddr, h, o, nowNs);
            return -1;
        }
        TcpConnection c = new TcpConnection(this, localAddr, l.localPort, srcAddr, h.srcPort());
        c.listener = l;
        l.halfOpen++;
        connections.add(c);
        c.openPassive(h, o, nowNs);
        return -1;
    }

    // ---------------------------------------------------------------------------------------------------------
    // SYN cookies (RFC 4987 section 3.6): the SYN-ACK's ISN encodes a 5-bit time counter, a 3-bit MSS index and a
    // 24-bit keyed hash of the connection, the counter and the client's ISN, so a full backlog keeps no state.

    private int cookie(int localAddr, int localPort, int remoteAddr, int remotePort, int peerIsn, int counter,
            int mssIndex) {
        long salt = ((long) peerIsn << 16) | ((long) counter << 3) | mssIndex | (1L << 60);
        int hash = (int) isn.hash(localAddr, localPort, remoteAddr, remotePort, salt) & 0xFFFFFF;
        return ((counter & 0x1F) << 27) | (mssIndex << 24) | hash;
    }

    private void sendCookie(int localAddr, int localPort, int remoteAddr, TcpHeader h, TcpOptions o, long nowNs) {
        int peerMss = o.hasMss() ? o.mss() : 536;
        int index = 0;
        for (int i = COOKIE_MSS.length - 1; i >= 0; i--) {
            if (COOKIE_MSS[i] <= peerMss) {
                index = i;
                break;
            }
        }
        int counter = (int) (nowNs / COOKIE_PERIOD_NS);
        int iss = cookie(localAddr, localPort, remoteAddr, h.srcPort(), h.seqNumber(), counter, index);
        out.srcAddr = localAddr;
        out.dstAddr = remoteAddr;
        out.srcPort = localPort;
        out.dstPort = h.srcPort();
        out.seqNumber = iss;
        out.ackNumber = h.seqNumber() + 1;
        out.flags = TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK;
        out.window = Math.min(cfg.receiveBufferBytes(), 0xFFFF);
        out.options.clear().mss(cfg.mss());
        out.payload1Length = 0;
        out.payload2Length = 0;
        cookiesSent++;
        transmit(out);
    }

    private boolean acceptCookie(TcpListener l, int srcAddr, int dstAddr, TcpHeader h, TcpOptions o, long nowNs) {
        int cookieValue = h.ackNumber() - 1;
        int peerIsn = h.seqNumber() - 1;
        int counterNow = (int) (nowNs / COOKIE_PERIOD_NS);
        int sent = cookieValue >>> 27;
        int age = (counterNow - sent) & 0x1F;
        if (age > 1 || !l.hasQueueRoom()) {
            return false;
        }
        int counter = counterNow - age;
        int index = (cookieValue >>> 24) & 0x7;
        int localAddr = l.localAddr != 0 ? l.localAddr : dstAddr;
        if (cookie(localAddr, l.localPort, srcAddr, h.srcPort(), peerIsn, counter, index) != cookieValue) {
            return false;
        }
        cookiesAccepted++;
        TcpConnection c = new TcpConnection(this, localAddr, l.localPort, srcAddr, h.srcPort());
        connections.add(c);
        c.listener = l;
        l.halfOpen++;
        c.openFromCookie(cookieValue, peerIsn, COOKIE_MSS[index], h, nowNs);
        if (h.payloadLength() > 0 || h.isFin()) {
            c.segmentArrives(h, o, nowNs);
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Opening.

    /**
     * Passive OPEN: listens on a local port.
     *
     * @param localAddr the local address, or 0 for any
     * @param localPort the port, 1..65535
     * @param backlog the most half-open plus unaccepted connections, at least 1
     * @return the listener
     * @throws IllegalStateException when the port is already in use by a listener
     */
    public TcpListener listen(int localAddr, int localPort, int backlog) {
        if (findListener(localAddr, localPort) != null) {
            throw new IllegalStateException("port " + localPort + " already listening");
        }
        TcpListener l = new TcpListener(this, localAddr, localPort, Math.max(1, backlog));
        listeners.add(l);
        return l;
    }

    /**
     * Active OPEN: creates a connection and sends its SYN.
     *
     * @param localAddr our address
     * @param localPort our port, or 0 for an ephemeral port (RFC 6056 algorithm 3; counting down from 65535 in
     *     deterministic mode)
     * @param remoteAddr the peer's address
     * @param remotePort the peer's port
     * @param nowNs the current time
     * @return the connection, in SYN_SENT
     * @throws IllegalStateException when the four-tuple is in use or no ephemeral port is free
     */
    public TcpConnection connect(int localAddr, int localPort, int remoteAddr, int remotePort, long nowNs) {
        int port = localPort != 0 ? localPort : ephemeralPort(localAddr, remoteAddr, remotePort);
        if (find(localAddr, port, remoteAddr, remotePort) != null) {
            throw new IllegalStateException("four-tuple in use");
        }
        TcpConnection c = new TcpConnection(this, localAddr, port, remoteAddr, remotePort);
        connections.add(c);
        c.openActive(nowNs);
        return c;
    }

    private int ephemeralPort(int localAddr, int remoteAddr, int remotePort) {
        if (cfg.deterministic()) {
            for (int i = 0; i < EPHEMERAL_COUNT; i++) {
                int port = nextEphemeral;
                nextEphemeral = nextEphemeral == EPHEMERAL_FIRST ? 65535 : nextEphemeral - 1;
                if (find(localAddr, port, remoteAddr, remotePort) == null && findListener(localAddr, port) == null) {
                    return port;
                }
            }
        } else {
            // RFC 6056 section 3.3.3: port = min + (F(local, remote, secret) + counter) mod range.
            int offset = (int) isn.hash(localAddr, 0, remoteAddr, remotePort, 2L << 60);
            for (int i = 0; i < EPHEMERAL_COUNT; i++) {
                int port = EPHEMERAL_FIRST + Math.floorMod(offset + ephemeralCounter, EPHEMERAL_COUNT);
                ephemeralCounter++;
                if (find(localAddr, port, remoteAddr, remotePort) == null && findListener(localAddr, port) == null) {
                    return port;
                }
            }
        }
        throw new IllegalStateException("no free ephemeral port");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Timers.

    /**
     * Runs every timer whose deadline has passed.
     *
     * @param nowNs the current time
     * @return the number of timers that fired
     */
    public int poll(long nowNs) {
        int fired = 0;
        for (int i = 0; i < connections.size(); i++) {
            TcpConnection c = connections.get(i);
            if (c.nextDeadlineNs() <= nowNs) {
                fired += c.onTimer(nowNs);
                if (i < connections.size() && connections.get(i) != c) {
                    i--;
                }
            }
        }
        return fired;
    }

    /**
     * The earliest timer deadline over all connections.
     *
     * @return nanoseconds, or {@code Long.MAX_VALUE} when none is armed
     */
    public long nextDeadlineNs() {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < connections.size(); i++) {
            next = Math.min(next, connections.get(i).nextDeadlineNs());
        }
        return next;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Counters.

    /**
     * Segments dropped for a reason.
     *
     * @param reason a {@link TcpDrop} code
     * @return the count
     */
    public long drops(int reason) {
        return drops[reason];
    }

    /**
     * RSTs sent for segments without a connection.
     *
     * @return the count
     */
    public long resetsSent() {
        return resetsSent;
    }

    /**
     * Challenge ACKs sent (RFC 5961), after rate limiting.
     *
     * @return the count
     */
    public long challengeAcksSent() {
        return challengeAcksSent;
    }

    /**
     * SYN cookies sent.
     *
     * @return the count
     */
    public long cookiesSent() {
        return cookiesSent;
    }

    /**
     * Valid SYN cookies that created connections.
     *
     * @return the count
     */
    public long cookiesAccepted() {
        return cookiesAccepted;
    }

    /**
     * Segments sent again (by timeout or fast retransmit), summed over the connections that still have state.
     *
     * @return the count
     */
    public long retransmissions() {
        long sum = 0;
        for (int i = 0; i < connections.size(); i++) {
            sum += connections.get(i).retransmissions();
        }
        return sum;
    }

    /**
     * Retransmission timeouts, summed over the connections that still have state.
     *
     * @return the count
     */
    public long timeouts() {
        long sum = 0;
        for (int i = 0; i < connections.size(); i++) {
            sum += connections.get(i).timeouts();
        }
        return sum;
    }

    /**
     * Tail loss probes (RFC 8985 section 7), summed over the connections that still have state.
     *
     * @return the count
     */
    public long tailLossProbes() {
        long sum = 0;
        for (int i = 0; i < connections.size(); i++) {
            sum += connections.get(i).tailLossProbes();
        }
        return sum;
    }

    /**
     * Connections with state (any state but CLOSED).
     *
     * @return the count
     */
    public int connectionCount() {
        return connections.size();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals shared with connections.

    private int drop(int reason) {
        drops[reason]++;
        return reason;
    }

    int isn(int localAddr, int localPort, int remoteAddr, int remotePort, long nowNs) {
        return isn.isn(localAddr, localPort, remoteAddr, remotePort, nowNs);
    }

    int tsOffset(int localAddr, int localPort, int remoteAddr, int remotePort) {
        // RFC 7323 section 5.4 recommends a per-connection random offset for TSval.
        return cfg.deterministic() ? 0 : (int) isn.hash(localAddr, localPort, remoteAddr, remotePort, 3L << 60);
    }

    boolean mayChallengeAck(long nowNs) {
        if (nowNs - challengeWindowStartNs >= NS_PER_S) {
            challengeWindowStartNs = nowNs;
            challengeAcksInWindow = 0;
        }
        if (challengeAcksInWindow >= cfg.challengeAcksPerSecond()) {
            return false;
        }
        challengeAcksInWindow++;
        challengeAcksSent++;
        return true;
    }

    void transmit(OutboundSegment segment) {
        sink.emit(segment);
    }

    /** RFC 9293 section 3.10.7.1: the RST answering a segment that has no connection. */
    private void replyReset(int localAddr, int remoteAddr, TcpHeader h) {
        if (h.isAck()) {
            // "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>".
            sendReset(localAddr, h.dstPort(), remoteAddr, h.srcPort(), h.ackNumber(), 0, false);
        } else {
            // "If the ACK bit is off, sequence number zero is used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>".
            int segLen = h.payloadLength() + (h.isSyn() ? 1 : 0) + (h.isFin() ? 1 : 0);
            sendReset(localAddr, h.dstPort(), remoteAddr, h.srcPort(), 0, h.seqNumber() + segLen, true);
        }
    }

    void sendReset(int localAddr, int localPort, int remoteAddr, int remotePort, int seq, int ack, boolean withAck) {
        out.srcAddr = localAddr;
        out.dstAddr = remoteAddr;
        out.srcPort = localPort;
        out.dstPort = remotePort;
        out.seqNumber = seq;
        out.ackNumber = withAck ? ack : 0;
        out.flags = TcpHeader.FLAG_RST | (withAck ? TcpHeader.FLAG_ACK : 0);
        out.window = 0;
        out.options.clear();
        out.payload1Length = 0;
        out.payload2Length = 0;
        resetsSent++;
        transmit(out);
    }

    TcpConnection find(int localAddr, int localPort, int remoteAddr, int remotePort) {
        return connections.find(localAddr, localPort, remoteAddr, remotePort);
    }

    private TcpListener findListener(int localAddr, int localPort) {
        for (int i = 0; i < listeners.size(); i++) {
            TcpListener l = listeners.get(i);
            if (l.localPort == localPort && (l.localAddr == 0 || l.localAddr == localAddr)) {
                return l;
            }
        }
        return null;
    }

    void remove(TcpConnection c) {
        connections.remove(c);
    }

    void abortHalfOpen(TcpListener l, long nowNs) {
        for (int i = connections.size() - 1; i >= 0; i--) {
            TcpConnection c = connections.get(i);
            if (c.listener == l) {
                c.abort(nowNs);
            }
        }
    }

    void removeListener(TcpListener l) {
        listeners.remove(l);
    }
}
