package dev.jdemi.inet.tcp;

import dev.jdemi.wire.TcpHeader;
import dev.jdemi.wire.TcpOptions;
import java.lang.foreign.MemorySegment;

/**
 * One TCP connection: the RFC 9293 state machine as a pure function of the segments and user calls handed to it, each
 * with the current time {@code nowNs}. It never reads a clock, does I/O or logs; it emits segments into the stack's
 * {@link TcpSegmentSink}. Buffers are allocated once when the connection is created; the steady state allocates
 * nothing.
 *
 * <p>The layer above polls: {@link #readable()}, {@link #read}, {@link #send}, {@link #state()}, {@link #error()}.
 * Timers are deadlines the stack checks through {@link TcpStack#poll(long)}. Confined to the stack's thread.
 *
 * <p>Return codes: {@link #send} and {@link #read} return a count {@code >= 0} or a negative errno (Linux numbers:
 * {@link #ENOTCONN}, {@link #EPIPE}, {@link #ECONNRESET}, {@link #ETIMEDOUT}, {@link #ECONNREFUSED}).
 */
public final class TcpConnection {
    /** Linux errno: the connection was reset by the peer. */
    public static final int ECONNRESET = 104;
    /** Linux errno: not connected. */
    public static final int ENOTCONN = 107;
    /** Linux errno: the connection timed out (retries, user timeout or keepalive exhausted). */
    public static final int ETIMEDOUT = 110;
    /** Linux errno: the connection was refused (RST in answer to our SYN). */
    public static final int ECONNREFUSED = 111;
    /** Linux errno: sending after this side closed. */
    public static final int EPIPE = 32;

    private static final long NEVER = Long.MAX_VALUE;
    /** RFC 9293 MUST-15: the send MSS when the peer sends no MSS option. */
    private static final int DEFAULT_MSS = 536;
    /** RFC 7323: the timestamps option takes 12 bytes of every segment (10 plus 2 NOPs). */
    private static final int TS_OPTION_BYTES = 12;
    /** RFC 5681 section 3.2: DupThresh. */
    private static final int DUP_THRESH = 3;
    /** The least time between answers to unacceptable empty segments. */
    private static final long INVALID_REPLY_NS = 500_000_000L;
    /** RFC 8985 section 7.2: WCDelAckT, the worst-case delayed-ACK time a probe of a single segment waits more. */
    private static final long WC_DEL_ACK_NS = 200_000_000L;
    /**
     * The least probe timeout: the TLP draft's {@code max(2 * SRTT, 10ms)} (draft-dukkipati-tcpm-tcp-loss-probe,
     * section 2.1). SRTT from millisecond timestamps can read 0.1 ms on a LAN, and a peer whose answer (the ACK
     * riding on its response) takes a few milliseconds would draw a spurious probe on every message.
     */
    private static final long MIN_PTO_NS = 10_000_000L;

    private final TcpStack stack;
    private final TcpConfig cfg;
    private final OutboundSegment out;
    final int localAddr;
    final int localPort;
    final int remoteAddr;
    final int remotePort;
    private final SendBuffer sendBuf;
    private final ReceiveBuffer rcvBuf;
    private final SackScoreboard scoreboard = new SackScoreboard();
    /** RACK-TLP's transmission log (RFC 8985), or null when {@link TcpConfig#rack()} is off. */
    private final RackLog rack;
    private final CongestionControl cc;

    private TcpState state = TcpState.CLOSED;
    TcpListener listener;
    /** Position in the stack's {@link ConnectionTable} dense view. */
    int denseIndex;
    private boolean passive;
    private int error;
    private boolean nodelay;
    private boolean keepalive;
    private long userTimeoutNs;

    // Send sequence space (RFC 9293 section 3.3.1).
    private int iss;
    private int sndUna;
    private int sndNxt;
    private int sndMax;
    private long sndWnd;
    private int sndWl1;
    private int sndWl2;
    private long maxSndWnd;
    private int sndShift;
    private int effMss = DEFAULT_MSS;
    private boolean finQueued;

    // Receive sequence space.
    private int irs;
    private int rcvShift;
    private int lastAdvRight;
    private int lastAckSent;
    private boolean finReceived;
    private boolean finPending;
    private int finSeq;
    private int bytesSinceAck;

    // Options.
    private boolean wsOk;
    private boolean sackOk;
    private boolean tsOk;
    private int tsRecent;
    private int tsOffset;
    private boolean peerOfferedWs;

    // Timers, as deadlines.
    private long rtoDeadline = NEVER;
    private long delackDeadline = NEVER;
    private long persistDeadline = NEVER;
    private long keepaliveDeadline = NEVER;
    private long timeWaitDeadline = NEVER;
    private long reoDeadline = NEVER;
    private long tlpDeadline = NEVER;

    // RTT and retransmission (RFC 6298).
    private long srttNs;
    private long rttvarNs;
    private long rtoNs;
    private boolean hasRtt;
    private boolean rttTiming;
    private int rttSeq;
    private long rttStartNs;
    private int retries;
    private long unackedSinceNs = NEVER;
    private int persistBackoff;
    private int persistProbes;
    private int keepProbes;
    private long lastRecvNs;
    private long lastInvalidReplyNs = Long.MIN_VALUE / 2;

    // Recovery (RFC 5681, RFC 6582, RFC 6675).
    private int dupAcks;
    private boolean inRecovery;
    private int recover;
    private int highRxt;
    /** DupThresh for this connection: 3, raised when reordering made a fast retransmit spurious. */
    private int dupThresh = DUP_THRESH;
    private boolean undoPossible;
    private int undoSeq;
    private int undoTsVal;
    /** After a timeout, until SND.UNA passes "recover": losses found then were already answered (RFC 6582 4). */
    private boolean timeoutRecovery;
    // Tail loss probe (RFC 8985 section 7).
    private boolean tlpInFlight;
    private boolean tlpRetransmitted;
    private int tlpEndSeq;
    private boolean tlpRearm;

    // Counters.
    private long retransmissions;
    private long timeouts;
    private long fastRetransmits;
    private long spuriousRetransmits;
    private long tailLossProbes;
    private long dsacksReceived;
    private int dsackRoundEnd;
    private long rackLosses;
    private long segmentsIn;
    private long segmentsOut;

    TcpConnection(TcpStack stack, int localAddr, int localPort, int remoteAddr, int remotePort) {
        this.stack = stack;
        this.cfg = stack.config();
        this.out = stack.outbound();
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.remoteAddr = remoteAddr;
        this.remotePort = remotePort;
        this.sendBuf = new SendBuffer(cfg.sendBufferBytes());
        this.rcvBuf = new ReceiveBuffer(cfg.receiveBufferBytes(), cfg.oooMaxRanges());
        this.rack = cfg.rack() ? new RackLog(Math.max(64, cfg.sendBufferBytes() / 512)) : null;
        this.cc = CongestionControl.create(cfg.congestion());
        this.nodelay = cfg.nodelay();
        this.keepalive = cfg.keepalive();
        this.userTimeoutNs = cfg.userTimeoutNs();
        this.rtoNs = cfg.initialRtoNs();
    }

    // ---------------------------------------------------------------------------------------------------------
    // User calls (RFC 9293 section 3.10.1 to 3.10.6).

    /** Active OPEN: sends the SYN (RFC 9293 section 3.10.1). */
    void openActive(long nowNs) {
        iss = stack.isn(localAddr, localPort, remoteAddr, remotePort, nowNs);
        tsOffset = stack.tsOffset(localAddr, localPort, remoteAddr, remotePort);
        sndUna = iss;
        sndNxt = iss + 1;
        sndMax = sndNxt;
        // RFC 6582 section 3.2 step 1: "recover" starts at the initial send sequence number.
        recover = iss;
        dsackRoundEnd = iss;
        sendBuf.reset(iss + 1);
        state = TcpState.SYN_SENT;
        lastRecvNs = nowNs;
        emitSyn(false, nowNs);
        armRto(nowNs);
    }

    /** Passive open: a listener got a SYN for this new connection; answer it with SYN-ACK. */
    void openPassive(TcpHeader h, TcpOptions o, long nowNs) {
        passive = true;
        iss = stack.isn(localAddr, localPort, remoteAddr, remotePort, nowNs);
        tsOffset = stack.tsOffset(localAddr, localPort, remoteAddr, remotePort);
        sndUna = iss;
        sndNxt = iss + 1;
        sndMax = sndNxt;
        recover = iss;
        dsackRoundEnd = iss;
        sendBuf.reset(iss + 1);
        acceptPeerSyn(h, o);
        state = TcpState.SYN_RECEIVED;
        lastRecvNs = nowNs;
        emitSyn(true, nowNs);
        armRto(nowNs);
    }

    /** Creates the connection a valid SYN cookie stands for: ESTABLISHED at once, without options but the MSS. */
    void openFromCookie(int cookieIss, int peerIrs, int peerMss, TcpHeader h, long nowNs) {
        passive = true;
        iss = cookieIss;
        recover = iss;
        dsackRoundEnd = iss;
        sndUna = iss + 1;
        sndNxt = sndUna;
        sndMax = sndNxt;
        sendBuf.reset(iss + 1);
        irs = peerIrs;
        rcvBuf.reset(irs + 1);
        lastAdvRight = irs + 1 + Math.min(cfg.receiveBufferBytes(), 0xFFFF);
        effMss = Math.min(peerMss, cfg.mss());
        sndWnd = h.window();
        sndWl1 = h.seqNumber();
        sndWl2 = h.ackNumber();
        maxSndWnd = sndWnd;
        lastRecvNs = nowNs;
        becomeEstablished(nowNs);
    }

    /**
     * SEND (RFC 9293 section 3.10.2): queues up to the free send buffer and transmits what the window, the congestion
     * window, Nagle and sender SWS avoidance allow. A push of 65,535 bytes always fits the default buffer; the caller
     * queues what was not taken and offers it again once {@link #sendable()} grows.
     *
     * @param src the data
     * @param offset the offset of the first byte in {@code src}
     * @param length the number of bytes offered
     * @param nowNs the current time
     * @return the number of bytes taken, or a negative errno
     */
    public int send(MemorySegment src, long offset, int length, long nowNs) {
        if (error != 0) {
            return -error;
        }
        switch (state) {
            case SYN_SENT, SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT -> {
            }
            case CLOSED, LISTEN -> {
                return -ENOTCONN;
            }
            default -> {
                return -EPIPE;
            }
        }
        if (finQueued) {
            return -EPIPE;
        }
        int n = sendBuf.append(src, offset, length);
        if (state.isSynchronized()) {
            output(nowNs);
        }
        return n;
    }

    /**
     * RECEIVE (RFC 9293 section 3.10.3): copies in-order data out. Freeing buffer space may open the window; when it
     * grows by at least {@code min(buffer / 2, MSS)} (receiver SWS avoidance, RFC 9293 section 3.8.6.2.2) a window
     * update is sent at once.
     *
     * @param dst where to copy
     * @param offset the offset in {@code dst}
     * @param max the most bytes to copy
     * @param nowNs the current time
     * @return the number of bytes copied ({@code 0} with nothing to read: check {@link #isEof()}), or a negative errno
     */
    public int read(MemorySegment dst, long offset, int max, long nowNs) {
        int n = rcvBuf.read(dst, offset, max);
        if (n == 0 && error != 0) {
            return -error;
        }
        if (n > 0 && state.isSynchronized() && !finReceived && windowWouldGrow()) {
            sendAck(nowNs);
        }
        return n;
    }

    /**
     * CLOSE (RFC 9293 section 3.10.4): this side has no more to send. A FIN follows the queued data; receiving goes on
     * (half-close) until the peer's FIN.
     *
     * @param nowNs the current time
     * @return {@code true} when the close was accepted, {@code false} when already closing or closed
     */
    public boolean close(long nowNs) {
        switch (state) {
            case SYN_SENT -> {
                enterClosed(0);
                return true;
            }
            case SYN_RECEIVED -> {
                // RFC 9293: "If no SENDs have been issued and there is no pending data to send, then form a FIN
                // segment and send it" - we queue it and send once established.
                finQueued = true;
                return true;
            }
            case ESTABLISHED -> {
                finQueued = true;
                state = TcpState.FIN_WAIT_1;
                output(nowNs);
                return true;
            }
            case CLOSE_WAIT -> {
                finQueued = true;
                state = TcpState.LAST_ACK;
                output(nowNs);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * ABORT (RFC 9293 section 3.10.5), also SO_LINGER with a zero timeout: sends RST in a synchronized state and
     * forgets
     * the connection at once.
     *
     * @param nowNs the current time
     */
    public void abort(long nowNs) {
        if (state == TcpState.SYN_RECEIVED || state.isSynchronized() && state != TcpState.TIME_WAIT) {
            emit(sndMax, TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK, 0, 0, nowNs);
        }
        enterClosed(0);
    }

    /**
     * Sets TCP_NODELAY on this connection.
     *
     * @param on {@code true} to disable Nagle
     * @param nowNs the current time
     */
    public void nodelay(boolean on, long nowNs) {
        this.nodelay = on;
        if (on && state.isSynchronized()) {
            output(nowNs);
        }
    }

    /**
     * Sets SO_KEEPALIVE on this connection (idle time, interval and count come from the stack's configuration).
     *
     * @param on whether to probe when idle
     * @param nowNs the current time
     */
    public void keepalive(boolean on, long nowNs) {
        this.keepalive = on;
        if (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT) {
            armKeepalive(nowNs);
        }
    }

    /**
     * Sets TCP_USER_TIMEOUT on this connection (RFC 5482): how long sent data may stay unacknowledged.
     *
     * @param ns 0 (off, the retry limit applies) or more
     */
    public void userTimeoutNs(long ns) {
        if (ns < 0) {
            throw new IllegalArgumentException("user timeout must be >= 0, got " + ns);
        }
        this.userTimeoutNs = ns;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Status.

    /**
     * The RFC 9293 state.
     *
     * @return the state
     */
    public TcpState state() {
        return state;
    }

    /**
     * The errno that ended the connection, or 0.
     *
     * @return 0, {@link #ECONNRESET}, {@link #ECONNREFUSED} or {@link #ETIMEDOUT}
     */
    public int error() {
        return error;
    }

    /**
     * Whether everything this side sent, its FIN included, has been acknowledged (or the connection is gone): what a
     * close with SO_LINGER waits for before its timeout turns it into {@link #abort}.
     *
     * @return {@code true} once the FIN is acknowledged or the state is CLOSED
     */
    public boolean isCloseComplete() {
        return state == TcpState.CLOSED || isFinAcked();
    }

    /**
     * Bytes ready for {@link #read}.
     *
     * @return the count
     */
    public int readable() {
        return rcvBuf.readable();
    }

    /**
     * Whether the peer closed its side and everything it sent has been read.
     *
     * @return {@code true} at end of stream
     */
    public boolean isEof() {
        return finReceived && rcvBuf.readable() == 0;
    }

    /**
     * Free space in the send buffer.
     *
     * @return bytes {@link #send} would take now
     */
    public int sendable() {
        return sendBuf.free();
    }

    /**
     * Bytes queued and not yet acknowledged.
     *
     * @return the count
     */
    public int unacknowledged() {
        return sendBuf.length();
    }

    /**
     * The local port.
     *
     * @return the port
     */
    public int localPort() {
        return localPort;
    }

    /**
     * The remote port.
     *
     * @return the port
     */
    public int remotePort() {
        return remotePort;
    }

    /**
     * The remote IPv4 address.
     *
     * @return the address, as an {@code int} in network order
     */
    public int remoteAddress() {
        return remoteAddr;
    }

    /**
     * Segments sent again, by timeout or fast retransmit.
     *
     * @return the count
     */
    public long retransmissions() {
        return retransmissions;
    }

    /**
     * Retransmission timeouts.
     *
     * @return the count
     */
    public long timeouts() {
        return timeouts;
    }

    /**
     * Fast retransmits (recoveries entered).
     *
     * @return the count
     */
    public long fastRetransmits() {
        return fastRetransmits;
    }

    /**
     * Tail loss probes sent (RFC 8985 section 7).
     *
     * @return the count
     */
    public long tailLossProbes() {
        return tailLossProbes;
    }

    /**
     * ACKs that carried a D-SACK (RFC 2883): a segment reached the peer twice.
     *
     * @return the count
     */
    public long dsacksReceived() {
        return dsacksReceived;
    }

    /**
     * Segments RACK marked lost (RFC 8985 section 6), lost retransmissions included.
     *
     * @return the count
     */
    public long rackLosses() {
        return rackLosses;
    }

    /**
     * Fast retransmits found spurious by timestamps (RFC 3522) and undone.
     *
     * @return the count
     */
    public long spuriousRetransmits() {
        return spuriousRetransmits;
    }

    /**
     * Segments received for this connection.
     *
     * @return the count
     */
    public long segmentsIn() {
        return segmentsIn;
    }

    /**
     * Segments sent by this connection.
     *
     * @return the count
     */
    public long segmentsOut() {
        return segmentsOut;
    }

    /**
     * The congestion window.
     *
     * @return bytes
     */
    public long cwnd() {
        return cc.cwnd;
    }

    /**
     * The slow-start threshold.
     *
     * @return bytes
     */
    public long ssthresh() {
        return cc.ssthresh;
    }

    /**
     * The current retransmission timeout.
     *
     * @return nanoseconds
     */
    public long rtoNs() {
        return rtoNs;
    }

    /**
     * The smoothed RTT, 0 before the first sample.
     *
     * @return nanoseconds
     */
    public long srttNs() {
        return srttNs;
    }

    /**
     * The effective send MSS: the peer's MSS (536 without the option) capped by ours, less the timestamps option.
     *
     * @return bytes of payload per full segment
     */
    public int effectiveMss() {
        return effMss;
    }

    /**
     * The peer's send window as last advertised, scaled.
     *
     * @return bytes
     */
    public long sendWindow() {
        return sndWnd;
    }

    /**
     * Whether window scaling was negotiated.
     *
     * @return {@code true} when both sides sent the option
     */
    public boolean isWindowScaling() {
        return wsOk;
    }

    /**
     * Whether SACK was negotiated.
     *
     * @return {@code true} when both sides sent SACK-permitted
     */
    public boolean isSack() {
        return sackOk;
    }

    /**
     * Whether timestamps were negotiated.
     *
     * @return {@code true} when both sides sent the option
     */
    public boolean isTimestamps() {
        return tsOk;
    }

    /**
     * The shift applied to the windows the peer sends.
     *
     * @return 0..14
     */
    public int sendWindowShift() {
        return sndShift;
    }

    /**
     * The shift applied to the windows we send.
     *
     * @return 0..14
     */
    public int receiveWindowShift() {
        return rcvShift;
    }

    /**
     * The next sequence number expected from the peer, FIN included.
     *
     * @return RCV.NXT
     */
    public int rcvNxt() {
        return rcvBuf.rcvNxt() + (finReceived ? 1 : 0);
    }

    /**
     * The oldest unacknowledged sequence number.
     *
     * @return SND.UNA
     */
    public int sndUna() {
        return sndUna;
    }

    /**
     * The next sequence number to send.
     *
     * @return SND.NXT
     */
    public int sndNxt() {
        return sndNxt;
    }

    /**
     * Our initial sequence number.
     *
     * @return ISS
     */
    public int iss() {
        return iss;
    }

    /**
     * Bytes of out-of-order data held for reassembly.
     *
     * @return bytes
     */
    public int outOfOrderBytes() {
        return rcvBuf.oooBytes();
    }

    /**
     * The earliest timer deadline of this connection.
     *
     * @return nanoseconds, or {@code Long.MAX_VALUE} when no timer is armed
     */
    public long nextDeadlineNs() {
        return Math.min(Math.min(Math.min(rtoDeadline, delackDeadline), Math.min(reoDeadline, tlpDeadline)),
                Math.min(Math.min(persistDeadline, keepaliveDeadline), timeWaitDeadline));
    }

    // ---------------------------------------------------------------------------------------------------------
    // SEGMENT ARRIVES (RFC 9293 section 3.10.7).

    /**
     * Processes a segment for this connection. {@code h} is wrapped over the whole TCP segment (header and payload);
     * {@code o} holds its parsed options. Returns a {@link TcpDrop} code or {@code -1} when accepted.
     */
    int segmentArrives(TcpHeader h, TcpOptions o, long nowNs) {
        segmentsIn++;
        if (state == TcpState.CLOSED) {
            return TcpDrop.NO_SOCKET;
        }
        lastRecvNs = nowNs;
        keepProbes = 0;
        if (state == TcpState.SYN_SENT) {
            return synSent(h, o, nowNs);
        }
        int seq = h.seqNumber();
        int ack = h.ackNumber();
        boolean syn = h.isSyn();
        boolean rst = h.isRst();
        boolean fin = h.isFin();
        boolean hasAck = h.isAck();
        int len = h.payloadLength();
        long payloadOffset = h.payloadOffset();

        if (state == TcpState.SYN_RECEIVED && syn) {
            if (!hasAck && seq == irs) {
                // The peer retransmitted its SYN: our SYN-ACK was lost.
                emitSyn(true, nowNs);
                return TcpDrop.IGNORED;
            }
            if (hasAck && seq == irs && !passive) {
                // Simultaneous open (RFC 9293 figure 8): the peer's SYN-ACK acknowledges our SYN.
                if (Seq.lt(sndUna, ack) && Seq.leq(ack, sndNxt)) {
                    sndUna = ack;
                    // The window of a SYN is never scaled (RFC 7323 section 2.2).
                    sndWnd = h.window();
                    sndWl1 = seq;
                    sndWl2 = ack;
                    maxSndWnd = sndWnd;
                    sampleRtt(o, ack, nowNs);
                    becomeEstablished(nowNs);
                    sendAck(nowNs);
                    return -1;
                }
            }
        }

        if (state == TcpState.TIME_WAIT && fin && !rst && seq + len + 1 == rcvNxt()) {
            // RFC 9293: in TIME_WAIT a retransmitted FIN is acknowledged and "Restart the 2 MSL time-wait timeout."
            sendAck(nowNs);
            enterTimeWait(nowNs);
            return -1;
        }

        // RFC 7323 section 5.3 R1 (PAWS): "If there is a Timestamps option in the arriving segment, SEG.TSval <
        // TS.Recent, ... and if the RST bit is not set, then treat the arriving segment as not acceptable".
        if (tsOk && o.hasTimestamps() && !rst && Seq.lt(o.tsVal(), tsRecent)) {
            sendAck(nowNs);
            return TcpDrop.PAWS;
        }

        // First: check sequence number (RFC 9293 section 3.10.7.4, the four acceptability cases).
        int rcvNxt = rcvNxt();
        int rcvWnd = Math.max(0, lastAdvRight - rcvBuf.rcvNxt());
        if (finReceived) {
            rcvWnd = 0;
        }
        int segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0);
        boolean acceptable;
        if (segLen == 0) {
            acceptable = rcvWnd == 0 ? seq == rcvNxt : Seq.inRange(seq, rcvNxt, rcvNxt + rcvWnd);
        } else if (rcvWnd == 0) {
            acceptable = false;
        } else {
            acceptable = Seq.inRange(seq, rcvNxt, rcvNxt + rcvWnd)
                    || Seq.inRange(seq + segLen - 1, rcvNxt, rcvNxt + rcvWnd);
        }
        if (!acceptable) {
            // RFC 9293: "If the RCV.WND is zero, no segments will be acceptable, but special allowance should be
            // made to accept valid ACKs, URGs, and RSTs" - a zero-window probe still carries a useful ACK.
            boolean zeroWindowAck = rcvWnd == 0 && seq == rcvNxt && hasAck && !rst && !syn;
            if (!zeroWindowAck) {
                // Rate-limit answers to unacceptable segments that carry nothing (as Linux's tcp_invalid_ratelimit)
                // so two ends cannot ping-pong ACKs; window and keepalive probes (SEQ = RCV.NXT - 1) are answered.
                boolean quiet = segLen == 0 && seq != rcvNxt - 1 && nowNs - lastInvalidReplyNs < INVALID_REPLY_NS;
                if (!rst && !quiet) {
                    lastInvalidReplyNs = nowNs;
                    // "If an incoming segment is not acceptable, an acknowledgment should be sent in reply".
                    if (state == TcpState.SYN_RECEIVED) {
                        emitSyn(true, nowNs);
                    } else {
                        sendAck(nowNs);
                    }
                }
                return TcpDrop.OUT_OF_WINDOW;
            }
            len = 0;
            fin = false;
            segLen = 0;
            sendAck(nowNs);
        }
        // Trim what lies before RCV.NXT (already received) and beyond the window.
        if (len > 0 && Seq.lt(seq, rcvNxt)) {
            int skip = Math.min(rcvNxt - seq, len);
            seq += skip;
            payloadOffset += skip;
            len -= skip;
        }
        if (len > 0) {
            int room = rcvBuf.rcvNxt() + rcvWnd - seq;
            if (len > room) {
                len = Math.max(0, room);
                fin = false;
            }
        }

        // Second: check the RST bit (RFC 5961 section 3.2).
        if (rst) {
            if (h.seqNumber() == rcvNxt) {
                resetArrived();
                return -1;
            }
            // RFC 5961 section 3.2: "If the RST bit is set and the sequence number does not exactly match the next
            // expected sequence value, yet is within the current receive window, TCP MUST send an acknowledgment
            // (challenge ACK)".
            challengeAck(nowNs);
            return TcpDrop.RST_NOT_EXACT;
        }

        // Fourth: check the SYN bit.
        if (syn) {
            if (state == TcpState.SYN_RECEIVED && passive) {
                // RFC 9293: "If the connection was initiated with a passive OPEN, then return this connection to
                // the LISTEN state and return."
                enterClosed(0);
                return TcpDrop.SYN_IN_WINDOW;
            }
            // RFC 5961 section 4.2 / RFC 9293: "TCP endpoints MUST send a 'challenge ACK' to the remote peer".
            challengeAck(nowNs);
            return TcpDrop.SYN_IN_WINDOW;
        }

        // Fifth: check the ACK field.
        if (!hasAck) {
            return TcpDrop.NO_ACK;
        }
        if (state == TcpState.SYN_RECEIVED) {
            // RFC 9293: "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state ... If the segment
            // acknowledgment is not acceptable, form a reset segment, <SEQ=SEG.ACK><CTL=RST>".
            if (!(Seq.lt(sndUna, ack) && Seq.leq(ack, sndNxt))) {
                stack.sendReset(localAddr, localPort, remoteAddr, remotePort, ack, 0, false);
                return TcpDrop.BAD_ACK;
            }
            sndWnd = (long) h.window() << sndShift;
            sndWl1 = seq;
            sndWl2 = ack;
            maxSndWnd = sndWnd;
            sndUna = iss + 1;
            sampleRtt(o, ack, nowNs);
            becomeEstablished(nowNs);
        }
        // RFC 5961 section 5.2: acceptable when (SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT.
        if (Seq.gt(ack, sndMax)) {
            // RFC 9293: "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK, drop".
            sendAck(nowNs);
            return TcpDrop.BAD_ACK;
        }
        if (Seq.lt(ack, sndUna - (int) Math.min(maxSndWnd, Integer.MAX_VALUE / 2))) {
            challengeAck(nowNs);
            return TcpDrop.BAD_ACK;
        }
        // RFC 7323 section 4.3: update TS.Recent when SEG.TSval >= TS.Recent and SEG.SEQ =< Last.ACK.sent.
        if (tsOk && o.hasTimestamps() && Seq.geq(o.tsVal(), tsRecent) && Seq.leq(h.seqNumber(), lastAckSent)) {
            tsRecent = o.tsVal();
        }
        processAck(h, o, h.seqNumber(), ack, len, fin || syn, nowNs);
        if (state == TcpState.CLOSED) {
            return -1;
        }
        switch (state) {
            case FIN_WAIT_1 -> {
                if (isFinAcked()) {
                    state = TcpState.FIN_WAIT_2;
                }
            }
            case CLOSING -> {
                if (isFinAcked()) {
                    enterTimeWait(nowNs);
                }
            }
            case LAST_ACK -> {
                if (isFinAcked()) {
                    enterClosed(0);
                    return -1;
                }
            }
            default -> {
            }
        }

        // Seventh: process the segment text (sixth, URG, is not supported: urgent data is read as normal data).
        int result = -1;
        if (len > 0) {
            switch (state) {
                case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> result = receiveData(h.segment(), payloadOffset, seq,
                        len, fin, nowNs);
                default -> {
                    // RFC 9293: in CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT "This should not occur since a FIN has
                    // been received from the remote side. Ignore the segment text."
                }
            }
        }

        // Eighth: check the FIN bit.
        if (fin) {
            int finAt = seq + len;
            if (finAt == rcvBuf.rcvNxt() && !finReceived) {
                finArrived(nowNs);
            } else if (Seq.gt(finAt, rcvBuf.rcvNxt()) && !finReceived) {
                finPending = true;
                finSeq = finAt;
                if (len == 0) {
                    // RFC 5681 section 4.2: an out-of-order segment (here a bare FIN beyond a hole) is answered with
                    // an immediate duplicate ACK; with data, receiveData has already sent it.
                    sendAck(nowNs);
                }
            }
        }
        if (state.isSynchronized() && state != TcpState.TIME_WAIT) {
            output(nowNs);
        }
        return result;
    }

    /** RFC 9293 section 3.10.7.3, SYN-SENT. */
    private int synSent(TcpHeader h, TcpOptions o, long nowNs) {
        int seq = h.seqNumber();
        int ack = h.ackNumber();
        boolean hasAck = h.isAck();
        if (hasAck && (Seq.leq(ack, iss) || Seq.gt(ack, sndNxt))) {
            // "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the RST bit is set) ... and discard".
            if (!h.isRst()) {
                stack.sendReset(localAddr, localPort, remoteAddr, remotePort, ack, 0, false);
            }
            return TcpDrop.BAD_ACK;
        }
        if (h.isRst()) {
            // RFC 5961 section 3.2 / RFC 9293: a RST is acceptable in SYN-SENT only when its ACK acknowledges the
            // SYN; then "signal to the user 'error: connection reset'".
            if (hasAck) {
                enterClosed(ECONNREFUSED);
                return -1;
            }
            return TcpDrop.IGNORED;
        }
        if (!h.isSyn()) {
            return TcpDrop.IGNORED;
        }
        acceptPeerSyn(h, o);
        if (hasAck) {
            sndUna = ack;
            // The window of a SYN-ACK is never scaled (RFC 7323 section 2.2).
            sndWnd = h.window();
            sndWl1 = seq;
            sndWl2 = ack;
            maxSndWnd = sndWnd;
            sampleRtt(o, ack, nowNs);
            becomeEstablished(nowNs);
            int len = h.payloadLength();
            if (len > 0) {
                int room = lastAdvRight - rcvBuf.rcvNxt();
                receiveData(h.segment(), h.payloadOffset(), seq + 1, Math.min(len, Math.max(room, 0)), false,
                        nowNs);
            }
            if (h.isFin() && len == h.payloadLength()) {
                finArrived(nowNs);
            }
            sendAck(nowNs);
            output(nowNs);
            return -1;
        }
        // Simultaneous open: "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment <SEQ=ISS><ACK=RCV.NXT>".
        state = TcpState.SYN_RECEIVED;
        emitSyn(true, nowNs);
        armRto(nowNs);
        return -1;
    }

    /** Takes the peer's ISN and negotiates options from its SYN (RFC 9293, RFC 7323, RFC 2018). */
    private void acceptPeerSyn(TcpHeader h, TcpOptions o) {
        irs = h.seqNumber();
        rcvBuf.reset(irs + 1);
        lastAckSent = irs + 1;
        int peerMss = o.hasMss() ? o.mss() : DEFAULT_MSS;
        peerOfferedWs = o.hasWindowScale();
        // RFC 7323 section 2.2: scaling is on only when both SYNs carry the option.
        wsOk = o.hasWindowScale();
        sndShift = wsOk ? o.windowScale() : 0;
        rcvShift = wsOk ? cfg.windowScale() : 0;
        sackOk = cfg.sack() && o.isSackPermitted();
        tsOk = cfg.timestamps() && o.hasTimestamps();
        if (tsOk) {
            tsRecent = o.tsVal();
        }
        effMss = Math.max(64, Math.min(peerMss, cfg.mss()) - (tsOk ? TS_OPTION_BYTES : 0));
        // The window in a SYN is never scaled (RFC 7323 section 2.2).
        sndWnd = h.window();
        maxSndWnd = sndWnd;
        lastAdvRight = irs + 1 + Math.min(cfg.receiveBufferBytes(), 0xFFFF);
    }

    private void becomeEstablished(long nowNs) {
        state = TcpState.ESTABLISHED;
        cc.init(effMss, cfg.initialCwndSegments());
        retries = 0;
        rtoDeadline = NEVER;
        unackedSinceNs = NEVER;
        armKeepalive(nowNs);
        if (listener != null) {
            listener.halfOpen--;
            if (!listener.isClosed()) {
                listener.enqueue(this);
            }
            listener = null;
        }
        if (finQueued) {
            state = TcpState.FIN_WAIT_1;
        }
    }

    private void resetArrived() {
        switch (state) {
            case SYN_RECEIVED -> enterClosed(passive ? 0 : ECONNREFUSED);
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> enterClosed(ECONNRESET);
            default -> enterClosed(0);
        }
    }

    private void challengeAck(long nowNs) {
        // RFC 5961 section 7: the challenge ACKs a stack sends are rate-limited.
        if (stack.mayChallengeAck(nowNs)) {
            sendAck(nowNs);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // ACK processing and loss recovery.

    private void processAck(TcpHeader h, TcpOptions o, int seq, int ack, int len, boolean synOrFin, long nowNs) {
        long window = (long) h.window() << sndShift;
        boolean sackNews = false;
        if (sackOk && o.sackBlockCount() > 0) {
            for (int i = 0; i < o.sackBlockCount(); i++) {
                sackNews |= scoreboard.add(o.sackLeft(i), o.sackRight(i), Seq.max(ack, sndUna), sndMax);
            }
        }
        boolean useRack = useRack();
        if (useRack && o.sackBlockCount() > 0 && isDsack(o, ack)) {
            // RFC 8985 section 6.2 step 4: a D-SACK (RFC 2883) reports a segment that arrived twice, a spurious
            // retransmission: widen the reordering window, at most once per round trip.
            dsacksReceived++;
            if (Seq.geq(sndUna, dsackRoundEnd)) {
                rack.spuriousRetransmission();
                dsackRoundEnd = sndMax;
            }
        }
        if (useRack) {
            // RFC 8985 section 6.2: every ACK updates RACK from the segments it delivers, then detects losses.
            rack.delivered(Seq.gt(ack, sndUna) ? ack : sndUna, scoreboard, nowNs);
            rackDetect(nowNs);
        }
        if (Seq.gt(ack, sndUna)) {
            newAck(o, ack, nowNs);
        } else if (ack == sndUna && sndMax != sndUna && len == 0 && !synOrFin
                && (window == sndWnd || sackNews)) {
            duplicateAck(sackNews, nowNs);
        }
        if (useRack && !inRecovery && rack.firstLost() >= 0 && state.isSynchronized()) {
            // RFC 8985 section 6.2 step 5 marked a segment lost: start loss recovery (RFC 6675 section 5) now,
            // without waiting for DupThresh duplicate ACKs.
            enterRecovery(nowNs);
        }
        // RFC 9293: "If SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK), set SND.WND <- SEG.WND".
        if (Seq.lt(sndWl1, seq) || (sndWl1 == seq && Seq.leq(sndWl2, ack))) {
            boolean opened = sndWnd == 0 && window > 0;
            sndWnd = window;
            sndWl1 = seq;
            sndWl2 = ack;
            maxSndWnd = Math.max(maxSndWnd, window);
            if (opened) {
                persistDeadline = NEVER;
                persistBackoff = 0;
            }
        }
        persistProbes = 0;
    }

    private void newAck(TcpOptions o, int ack, long nowNs) {
        int acked = ack - sndUna;
        sndUna = ack;
        if (Seq.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        sendBuf.acknowledge(Seq.min(ack, sendBuf.endSeq()));
        scoreboard.acknowledge(ack);
        sampleRtt(o, ack, nowNs);
        retries = 0;
        dupAcks = 0;
        tlpRearm = true;
        if (timeoutRecovery && Seq.geq(ack, recover)) {
            timeoutRecovery = false;
        }
        if (tlpInFlight && Seq.geq(ack, tlpEndSeq)) {
            tlpInFlight = false;
            if (tlpRetransmitted && !inRecovery) {
                // RFC 8985 section 7.4: a probe that retransmitted data and was acknowledged without a sign that the
                // original arrived (jdemi reads no D-SACK) repaired a loss: the congestion control must react.
                cc.save();
                cc.onCongestion(sndMax - sndUna + acked, nowNs);
            }
        }
        if (undoPossible && Seq.gt(ack, undoSeq)) {
            undoPossible = false;
            if (o.hasTimestamps() && Seq.lt(o.tsEcr(), undoTsVal)) {
                // RFC 4015 section 3.2 (Eifel response): restore the congestion state; RFC 4653's idea of raising
                // DupThresh after reordering keeps the next reordering from triggering the same mistake.
                spuriousRetransmits++;
                cc.undo();
                inRecovery = false;
                if (rack != null) {
                    rack.spuriousRetransmission();
                }
                dupThresh = Math.min(cfg.maxDupThresh(), dupThresh + 2);
            }
        }
        if (inRecovery) {
            if (Seq.geq(ack, recover)) {
                // RFC 6582 section 3.2 step 3, full acknowledgment: "Set cwnd to either (1) min (ssthresh,
                // max(FlightSize, SMSS) + SMSS) or (2) ssthresh".
                inRecovery = false;
                long flight = sndMax - sndUna;
                cc.cwnd = Math.min(cc.ssthresh, Math.max(flight, effMss) + effMss);
                if (rack != null) {
                    rack.recoveryEnded();
                }
            } else if (!sackOk) {
                // RFC 6582 section 3.2 step 3, partial acknowledgment: retransmit the first unacknowledged segment,
                // deflate cwnd by the amount acknowledged, add back one SMSS when that was at least SMSS.
                retransmitAt(sndUna, effMss, nowNs);
                cc.cwnd = Math.max(effMss, cc.cwnd - acked + (acked >= effMss ? effMss : 0));
            }
        } else {
            cc.onAck(acked, nowNs, srttNs);
        }
        // RFC 6298 section 5.2/5.3: stop the timer when all is acknowledged, else restart it.
        if (sndUna == sndMax) {
            rtoDeadline = NEVER;
            unackedSinceNs = NEVER;
        } else {
            rtoDeadline = nowNs + rtoNs;
            unackedSinceNs = nowNs;
        }
        if (inRecovery && sackOk) {
            sackRecovery(nowNs);
        }
    }

    private void duplicateAck(boolean sackNews, long nowNs) {
        dupAcks++;
        if (inRecovery) {
            if (sackOk) {
                sackRecovery(nowNs);
            } else {
                // RFC 6582 section 3.2 step 4: "increment cwnd by SMSS" for each additional duplicate ACK.
                cc.cwnd += effMss;
            }
            return;
        }
        // RFC 6675 section 5: enter recovery on DupThresh duplicates or when more than (DupThresh - 1) * SMSS bytes
        // above SND.UNA are SACKed.
        boolean lost = dupAcks >= dupThresh
                || (sackOk && scoreboard.sackedBytes() > (dupThresh - 1) * effMss);
        // RFC 6582 section 3.2 step 2: only when the cumulative ACK covers more than "recover".
        if (lost && Seq.gt(sndUna, recover)) {
            enterRecovery(nowNs);
        }
    }

    private void enterRecovery(long nowNs) {
        fastRetransmits++;
        inRecovery = true;
        boolean answered = timeoutRecovery;
        recover = sndMax;
        long flight = sndMax - sndUna;
        tlpInFlight = false;
        tlpDeadline = NEVER;
        if (!answered) {
            cc.save();
            // Eifel detection (RFC 3522): remember the TSval the retransmission carries; an ACK echoing an older one
            // was caused by the original, so the retransmission was spurious.
            undoPossible = tsOk;
            undoSeq = sndUna;
            undoTsVal = tsNow(nowNs);
            // RFC 5681 section 3.2 / RFC 6675 section 5 step 4: one reduction per window of data; a loss found
            // while the data sent before a timeout is still outstanding was answered by the timeout's own
            // reduction (RFC 6582 section 4's "recover").
            cc.onCongestion(flight, nowNs);
        }
        if (useRack()) {
            // RFC 6675 section 5: with DupThresh reached the first unacknowledged segment is lost, whether or not
            // RACK's timing has marked it yet.
            if (rack.firstLost() < 0 && rack.size() > 0) {
                rack.markLost(0);
                rackLosses++;
            }
            sackRecovery(nowNs);
            rtoDeadline = nowNs + rtoNs;
            return;
        }
        highRxt = sndUna;
        retransmitAt(sndUna, effMss, nowNs);
        highRxt = sndUna + Math.min(effMss, scoreboard.holeEnd(sndUna, sndMax) - sndUna);
        if (!sackOk) {
            // RFC 6582 section 3.2 step 2: "set cwnd to ssthresh + 3*SMSS" (the segments that left the network).
            cc.cwnd = cc.ssthresh + (long) Math.max(dupAcks, DUP_THRESH) * effMss;
        } else {
            sackRecovery(nowNs);
        }
        rtoDeadline = nowNs + rtoNs;
    }

    /** RFC 6675 section 5, simplified: while the pipe is below cwnd, retransmit holes below the SACKed data. */
    private void sackRecovery(long nowNs) {
        if (useRack()) {
            rackRecovery(nowNs);
            return;
        }
        for (int guard = 0; guard < 64; guard++) {
            int highSacked = scoreboard.highestSacked(sndUna);
            int rxtFrom = Seq.max(highRxt, sndUna);
            long pipe = scoreboard.unsackedBetween(sndUna, sndMax)
                    - (Seq.lt(rxtFrom, highSacked) ? scoreboard.unsackedBetween(rxtFrom, highSacked) : 0);
            if (pipe >= cc.cwnd) {
                return;
            }
            int hole = scoreboard.nextUnsacked(rxtFrom);
            if (Seq.lt(hole, highSacked)) {
                int holeEnd = scoreboard.holeEnd(hole, highSacked);
                int n = retransmitAt(hole, Math.min(effMss, holeEnd - hole), nowNs);
                highRxt = hole + Math.max(n, 1);
                continue;
            }
            if (!sendNewSegment(nowNs, true)) {
                return;
            }
        }
    }

    /**
     * RFC 6675 section 5 with RACK's marks as IsLost (RFC 8985 section 6): while the pipe (data neither SACKed nor
     * lost) is below cwnd, retransmit the lowest segment marked lost, else send new data.
     */
    private void rackRecovery(long nowNs) {
        for (int guard = 0; guard < 1024; guard++) {
            if (rack.pipe() >= cc.cwnd) {
                return;
            }
            int i = rack.firstLost();
            // After a timeout, go-back-N (SND.NXT below SND.MAX) resends what lies above SND.NXT in order anyway.
            if (i >= 0 && Seq.lt(rack.start(i), sndNxt)) {
                int from = rack.start(i);
                int to = rack.end(i);
                int sent = 0;
                while (Seq.lt(from + sent, to)) {
                    int n = retransmitAt(from + sent, Math.min(effMss, to - from - sent), nowNs);
                    if (n <= 0) {
                        break;
                    }
                    sent += n;
                }
                if (sent == 0) {
                    rack.retransmitted(from, to, nowNs);
                }
                continue;
            }
            if (!sendNewSegment(nowNs, true)) {
                return;
            }
        }
    }

    /** Runs RACK's loss detection (RFC 8985 section 6.2 steps 4 and 5) and arms the reordering timer. */
    private void rackDetect(long nowNs) {
        long before = rack.lostBytes();
        long reoWnd = rack.reoWndNs(inRecovery, scoreboard.sackedBytes() / Math.max(1, effMss), dupThresh,
                hasRtt ? srttNs : 0);
        long wait = rack.detect(reoWnd, nowNs);
        if (rack.lostBytes() > before) {
            rackLosses++;
        }
        // RFC 8985 section 6.2 step 5: "If RACK.reo_wnd_timeout ... arm a timer to call RACK_detect_loss()".
        reoDeadline = wait > 0 ? nowNs + wait : NEVER;
    }

    /**
     * RFC 2883 section 4: the first SACK block is a D-SACK when it lies below the cumulative ACK, or within the
     * second block.
     */
    private static boolean isDsack(TcpOptions o, int ack) {
        int left = o.sackLeft(0);
        int right = o.sackRight(0);
        if (Seq.leq(right, ack)) {
            return true;
        }
        return o.sackBlockCount() > 1 && Seq.geq(left, o.sackLeft(1)) && Seq.leq(right, o.sackRight(1));
    }

    private boolean useRack() {
        return rack != null && sackOk;
    }

    /** Sends {@code max} bytes (less at the end of the data) from {@code seq} again; returns sequence space used. */
    private int retransmitAt(int seq, int max, long nowNs) {
        int dataEnd = sendBuf.endSeq();
        int len = Math.max(0, Math.min(max, dataEnd - seq));
        boolean fin = finQueued && seq + len == dataEnd && Seq.gt(sndMax, dataEnd);
        if (len == 0 && !fin) {
            return 0;
        }
        int flags = TcpHeader.FLAG_ACK | (fin ? TcpHeader.FLAG_FIN : 0) | (len > 0 && seq + len == dataEnd
                ? TcpHeader.FLAG_PSH : 0);
        emit(seq, flags, seq, len, nowNs);
        retransmissions++;
        // Karn: no RTT sample from a retransmitted segment.
        rttTiming = false;
        if (rack != null) {
            rack.retransmitted(seq, seq + len + (fin ? 1 : 0), nowNs);
        }
        return len + (fin ? 1 : 0);
    }

    /** RTT sample (RFC 7323 section 4.1 with timestamps; else RFC 6298 with Karn) and the RTO from it. */
    private void sampleRtt(TcpOptions o, int ack, long nowNs) {
        long sample = -1;
        if (tsOk && o.hasTimestamps() && o.tsEcr() != 0) {
            long ms = tsNow(nowNs) - o.tsEcr();
            if (ms >= 0 && ms < 60_000) {
                sample = ms * 1_000_000L;
                if (sample == 0) {
                    sample = 100_000;
                }
            }
        } else if (rttTiming && Seq.gt(ack, rttSeq)) {
            sample = nowNs - rttStartNs;
        }
        if (rttTiming && Seq.gt(ack, rttSeq)) {
            rttTiming = false;
        }
        if (sample < 0) {
            return;
        }
        if (!hasRtt) {
            // RFC 6298 section 2.2: SRTT <- R, RTTVAR <- R/2.
            srttNs = sample;
            rttvarNs = sample / 2;
            hasRtt = true;
        } else {
            // RFC 6298 section 2.3, alpha = 1/8, beta = 1/4.
            rttvarNs = (3 * rttvarNs + Math.abs(srttNs - sample)) / 4;
            srttNs = (7 * srttNs + sample) / 8;
        }
        // RTO <- SRTT + max (G, K*RTTVAR), clamped (sections 2.4, 2.5).
        rtoNs = Math.min(cfg.maxRtoNs(), Math.max(cfg.minRtoNs(), srttNs + Math.max(1_000_000L, 4 * rttvarNs)));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Receiving data.

    private int receiveData(MemorySegment segment, long offset, int seq, int len, boolean fin, long nowNs) {
        boolean inOrder = seq == rcvBuf.rcvNxt();
        boolean hadHoles = rcvBuf.rangeCount() > 0;
        int r = rcvBuf.store(seq, segment, offset, len);
        if (r < 0) {
            sendAck(nowNs);
            return TcpDrop.OOO_LIMIT;
        }
        if (finPending && rcvBuf.rcvNxt() == finSeq) {
            finPending = false;
            finArrived(nowNs);
            return -1;
        }
        if (!inOrder || hadHoles || fin) {
            // RFC 5681 section 4.2: "an immediate ACK when an out-of-order segment arrives" and "when the incoming
            // segment fills in all or part of a gap".
            sendAck(nowNs);
            return -1;
        }
        // RFC 9293 section 3.8.6.3 / RFC 5681 section 4.2: delay the ACK, but ACK at least every second full-sized
        // segment and within 500 ms.
        bytesSinceAck += len;
        if (bytesSinceAck >= 2 * effMss || cfg.delayedAckNs() == 0) {
            sendAck(nowNs);
        } else if (delackDeadline == NEVER) {
            delackDeadline = nowNs + cfg.delayedAckNs();
        }
        return -1;
    }

    private void finArrived(long nowNs) {
        finReceived = true;
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED -> state = TcpState.CLOSE_WAIT;
            case FIN_WAIT_1 -> {
                if (isFinAcked()) {
                    enterTimeWait(nowNs);
                } else {
                    state = TcpState.CLOSING;
                }
            }
            case FIN_WAIT_2 -> enterTimeWait(nowNs);
            default -> {
            }
        }
        // RFC 9293 section 3.10.7.4, eighth: "advance RCV.NXT over the FIN, and send an acknowledgment for the FIN".
        sendAck(nowNs);
    }

    private boolean isFinAcked() {
        return finQueued && Seq.gt(sndUna, sendBuf.endSeq());
    }

    /** The right edge to advertise, with receiver SWS avoidance: it moves only in steps of min(buffer / 2, MSS). */
    private int advertisedRight() {
        int right = rcvBuf.rightEdge();
        int step = Math.min(rcvBuf.capacity() / 2, effMss);
        if (right - lastAdvRight >= step) {
            return right;
        }
        return lastAdvRight;
    }

    private boolean windowWouldGrow() {
        int right = advertisedRight();
        // The window field cannot say more than 0xFFFF << shift: an edge beyond that would not be advertised, and
        // counting it would turn every read into a pure ACK when the buffer outgrows the unscaled window.
        int reach = rcvBuf.rcvNxt() + (0xFFFF << rcvShift);
        if (Seq.gt(right, reach)) {
            right = reach;
        }
        int step = Math.min(rcvBuf.capacity() / 2, 2 * effMss);
        return right - lastAdvRight >= step || (lastAdvRight == rcvBuf.rcvNxt() && right != lastAdvRight);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sending.

    /** Sends new data as far as the windows, Nagle and sender SWS avoidance allow, then the FIN. */
    private void output(long nowNs) {
        if (!state.isSynchronized() || state == TcpState.TIME_WAIT) {
            return;
        }
        if (inRecovery && sackOk) {
            sackRecovery(nowNs);
        } else {
            for (int guard = 0; guard < 1 << 16; guard++) {
                if (!sendNewSegment(nowNs, false)) {
                    break;
                }
            }
        }
        armTlp(nowNs);
    }

    /**
     * RFC 8985 section 7.2: schedules the probe timeout (PTO) when data is outstanding, SACK is on, and the sender is
     * neither in recovery nor backing off from a timeout, with no probe outstanding; re-armed when data is sent or
     * acknowledged. PTO = 2 SRTT (at least 10 ms), plus WCDelAckT when a single segment is in flight, and never after
     * the RTO.
     */
    private void armTlp(long nowNs) {
        if (!useRack() || inRecovery || timeoutRecovery || retries > 0 || tlpInFlight || sndMax == sndUna
                || !hasRtt || !state.isSynchronized()) {
            tlpDeadline = NEVER;
            return;
        }
        if (tlpDeadline != NEVER && !tlpRearm) {
            return;
        }
        tlpRearm = false;
        long pto = Math.max(2 * srttNs, MIN_PTO_NS);
        if (sndMax - sndUna <= effMss) {
            pto += WC_DEL_ACK_NS;
        }
        long deadline = nowNs + pto;
        tlpDeadline = rtoDeadline != NEVER && deadline >= rtoDeadline ? NEVER : deadline;
    }

    /**
     * RFC 8985 section 7.3: the probe timeout fired. Sends one new segment if the peer's window allows, else the
     * last segment sent again, so that an ACK (with SACK blocks) comes back and RACK can find a tail loss without
     * the retransmission timeout; then re-arms the RTO.
     */
    private void tailLossProbe(long nowNs) {
        tailLossProbes++;
        int before = sndMax;
        boolean sentNew = sndNxt == sndMax && sendNewSegment(nowNs, true);
        tlpRetransmitted = !sentNew;
        if (!sentNew) {
            int last = rack.size() - 1;
            if (last < 0) {
                return;
            }
            int from = rack.start(last);
            retransmitAt(from, Math.min(effMss, rack.end(last) - from), nowNs);
        }
        tlpInFlight = true;
        tlpEndSeq = sentNew ? before : sndMax;
        armRto(nowNs);
    }

    /** Sends one segment at SND.NXT; returns whether one was sent. */
    private boolean sendNewSegment(long nowNs, boolean ignoreCwnd) {
        int dataEnd = sendBuf.endSeq();
        int unsent = Seq.gt(dataEnd, sndNxt) ? dataEnd - sndNxt : 0;
        boolean finToSend = finQueued && Seq.leq(sndNxt, dataEnd);
        if (unsent == 0) {
            if (finToSend) {
                emit(sndNxt, TcpHeader.FLAG_FIN | TcpHeader.FLAG_ACK, sndNxt, 0, nowNs);
                advance(1, nowNs);
            }
            return false;
        }
        long flight = sndNxt - sndUna;
        long wnd = ignoreCwnd ? sndWnd : Math.min(sndWnd, cc.cwnd);
        long usable = Math.min(sndWnd, wnd) - flight;
        if (usable <= 0) {
            if (sndWnd == 0 && flight == 0) {
                armPersist(nowNs);
            }
            return false;
        }
        int len = (int) Math.min(Math.min(unsent, usable), effMss);
        if (len < effMss && len < unsent) {
            // Sender SWS avoidance (RFC 9293 section 3.8.6.2.1): send a partial segment only when it is at least
            // half the largest window the peer offered; else wait (the override is the persist timer).
            if (len < maxSndWnd / 2) {
                if (flight == 0) {
                    armPersist(nowNs);
                }
                return false;
            }
        } else if (len < effMss && flight > 0 && !nodelay) {
            // Nagle (RFC 9293 section 3.7.4, MUST-65 lets TCP_NODELAY turn it off): hold a small final segment while
            // data is unacknowledged.
            return false;
        }
        boolean fin = finQueued && len == unsent;
        int flags = TcpHeader.FLAG_ACK | (len == unsent ? TcpHeader.FLAG_PSH : 0) | (fin ? TcpHeader.FLAG_FIN : 0);
        boolean retransmit = Seq.lt(sndNxt, sndMax);
        emit(sndNxt, flags, sndNxt, len, nowNs);
        if (retransmit) {
            retransmissions++;
        } else if (!rttTiming) {
            rttTiming = true;
            rttSeq = sndNxt;
            rttStartNs = nowNs;
        }
        advance(len + (fin ? 1 : 0), nowNs);
        return true;
    }

    private void advance(int n, long nowNs) {
        int from = sndNxt;
        sndNxt += n;
        if (rack != null && n > 0) {
            if (Seq.lt(from, sndMax)) {
                rack.retransmitted(from, Seq.min(sndNxt, sndMax), nowNs);
            }
            if (Seq.gt(sndNxt, sndMax)) {
                rack.sent(Seq.max(from, sndMax), sndNxt, nowNs);
                tlpRearm = true;
            }
        }
        if (Seq.gt(sndNxt, sndMax)) {
            sndMax = sndNxt;
        }
        if (rtoDeadline == NEVER) {
            rtoDeadline = nowNs + rtoNs;
        }
        if (unackedSinceNs == NEVER) {
            unackedSinceNs = nowNs;
        }
        persistDeadline = NEVER;
    }

    void sendAck(long nowNs) {
        // SND.MAX rather than SND.NXT: after a timeout SND.NXT goes back to SND.UNA, and a pure ACK carrying a
        // sequence number below the peer's RCV.NXT would be unacceptable there and its ACK field ignored.
        emit(sndMax, TcpHeader.FLAG_ACK, sndMax, 0, nowNs);
    }

    private void emitSyn(boolean withAck, long nowNs) {
        TcpOptions opts = fill(iss, TcpHeader.FLAG_SYN | (withAck ? TcpHeader.FLAG_ACK : 0));
        opts.mss(cfg.mss());
        boolean active = !withAck || !passive;
        if (active || peerOfferedWs) {
            opts.windowScale(cfg.windowScale());
        }
        if (cfg.sack() && (active || sackOk)) {
            opts.sackPermitted(true);
        }
        if (cfg.timestamps() && (active || tsOk)) {
            opts.timestamps(tsNow(nowNs), withAck ? tsRecent : 0);
        }
        // The window of a SYN is never scaled (RFC 7323 section 2.2).
        out.window = Math.min(cfg.receiveBufferBytes(), 0xFFFF);
        out.payload1Length = 0;
        out.payload2Length = 0;
        if (withAck) {
            lastAckSent = out.ackNumber;
        }
        send();
    }

    private TcpOptions fill(int seq, int flags) {
        out.srcAddr = localAddr;
        out.dstAddr = remoteAddr;
        out.srcPort = localPort;
        out.dstPort = remotePort;
        out.seqNumber = seq;
        out.flags = flags;
        out.ackNumber = (flags & TcpHeader.FLAG_ACK) != 0 ? rcvNxt() : 0;
        return out.options.clear();
    }

    private void emit(int seq, int flags, int dataSeq, int len, long nowNs) {
        TcpOptions opts = fill(seq, flags);
        if ((flags & TcpHeader.FLAG_RST) == 0) {
            if (tsOk) {
                opts.timestamps(tsNow(nowNs), tsRecent);
            }
            if (sackOk && rcvBuf.rangeCount() > 0) {
                // A segment's options and data together stay within the MSS (RFC 9293 section 3.7.1, as RFC 6691
                // reads it): effMss already leaves room for the timestamps, so SACK blocks (4 + 8 bytes each,
                // NOPs included) take what the data leaves. A full-sized data segment carries none; the next pure
                // ACK does. Without this cap a data segment with SACK blocks exceeds the MTU and is fragmented.
                int blocks = Math.min(tsOk ? 3 : 4, (effMss - len - 4) / 8);
                if (blocks > 0) {
                    rcvBuf.sackBlocks(opts, blocks);
                }
            }
            int right = advertisedRight();
            int wnd = Math.min((right - rcvBuf.rcvNxt()) >>> rcvShift, 0xFFFF);
            if (finReceived) {
                wnd = Math.min(rcvBuf.window() >>> rcvShift, 0xFFFF);
            }
            out.window = wnd;
            int newRight = rcvBuf.rcvNxt() + (wnd << rcvShift);
            if (Seq.gt(newRight, lastAdvRight)) {
                lastAdvRight = newRight;
            }
        } else {
            out.window = 0;
        }
        if (len > 0) {
            sendBuf.slice(dataSeq, len, out);
        } else {
            out.payload1Length = 0;
            out.payload2Length = 0;
        }
        if ((flags & TcpHeader.FLAG_ACK) != 0) {
            lastAckSent = out.ackNumber;
            delackDeadline = NEVER;
            bytesSinceAck = 0;
        }
        send();
    }

    private void send() {
        segmentsOut++;
        stack.transmit(out);
    }

    private int tsNow(long nowNs) {
        return (int) (nowNs / 1_000_000L) + tsOffset;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Timers.

    private void armRto(long nowNs) {
        rtoDeadline = nowNs + rtoNs;
        // The user timeout (RFC 5482) must not wait for a backed-off RTO: fire when it expires (as Linux does).
        if (userTimeoutNs > 0 && unackedSinceNs != NEVER && state.isSynchronized()
                && Seq.gt(sndMax, sndUna) && unackedSinceNs + userTimeoutNs < rtoDeadline) {
            rtoDeadline = Math.max(nowNs, unackedSinceNs + userTimeoutNs);
        }
    }

    private void armPersist(long nowNs) {
        if (persistDeadline == NEVER && rtoDeadline == NEVER) {
            long t = Math.min(cfg.maxRtoNs(), Math.max(rtoNs, cfg.minRtoNs()) << Math.min(persistBackoff, 20));
            persistDeadline = nowNs + t;
        }
    }

    private void armKeepalive(long nowNs) {
        keepaliveDeadline = keepalive ? nowNs + cfg.keepIdleNs() : NEVER;
    }

    /** Runs the timers whose deadline has passed; returns how many fired. */
    int onTimer(long nowNs) {
        int fired = 0;
        if (timeWaitDeadline <= nowNs) {
            timeWaitDeadline = NEVER;
            enterClosed(0);
            return 1;
        }
        if (delackDeadline <= nowNs) {
            fired++;
            sendAck(nowNs);
        }
        if (reoDeadline <= nowNs) {
            fired++;
            reoDeadline = NEVER;
            // RFC 8985 section 6.2: the reordering timer runs the detection again; losses it finds are recovered.
            if (useRack() && state.isSynchronized() && sndMax != sndUna) {
                rackDetect(nowNs);
                if (!inRecovery && rack.firstLost() >= 0) {
                    enterRecovery(nowNs);
                } else if (inRecovery) {
                    sackRecovery(nowNs);
                }
            }
        }
        if (tlpDeadline <= nowNs) {
            fired++;
            tlpDeadline = NEVER;
            if (useRack() && state.isSynchronized() && sndMax != sndUna && !inRecovery) {
                tailLossProbe(nowNs);
            }
        }
        if (rtoDeadline <= nowNs) {
            fired++;
            rtoDeadline = NEVER;
            retransmissionTimeout(nowNs);
        }
        if (persistDeadline <= nowNs && state != TcpState.CLOSED) {
            fired++;
            persistDeadline = NEVER;
            persistTimeout(nowNs);
        }
        if (keepaliveDeadline <= nowNs && state != TcpState.CLOSED) {
            fired++;
            keepaliveTimeout(nowNs);
        }
        return fired;
    }

    private void retransmissionTimeout(long nowNs) {
        timeouts++;
        retries++;
        // RFC 6298 section 5.5: "The host MUST set RTO <- RTO * 2 ("back off the timer")".
        rtoNs = Math.min(cfg.maxRtoNs(), rtoNs * 2);
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
            if (retries > cfg.synRetries()) {
                enterClosed(ETIMEDOUT);
                return;
            }
            retransmissions++;
            emitSyn(state == TcpState.SYN_RECEIVED, nowNs);
            armRto(nowNs);
            return;
        }
        if (sndUna == sndMax) {
            return;
        }
        // RFC 9293 section 3.8.3 (R2) and the user timeout (RFC 5482): give up on a dead connection.
        if (retries > cfg.maxRetries()
                || (userTimeoutNs > 0 && nowNs - unackedSinceNs >= userTimeoutNs)) {
            abortTimedOut(nowNs);
            return;
        }
        undoPossible = false;
        // RFC 5681 section 3.1 equation (4) and loss window; RFC 6582 section 4: recover <- highest sent.
        cc.onTimeout(sndMax - sndUna, nowNs);
        inRecovery = false;
        recover = sndMax;
        dupAcks = 0;
        // RFC 2018 section 8: "after a retransmit timeout the data sender SHOULD turn off all of the SACKed bits".
        scoreboard.clear();
        timeoutRecovery = true;
        tlpInFlight = false;
        tlpDeadline = NEVER;
        reoDeadline = NEVER;
        if (rack != null) {
            // RFC 8985 section 6.3 (as RFC 6675 section 5.1): after a timeout every unSACKed segment is lost.
            rack.timeout(true);
        }
        rttTiming = false;
        sndNxt = sndUna;
        retransmitAt(sndUna, effMss, nowNs);
        int resent = Math.min(effMss, sendBuf.endSeq() - sndUna);
        if (resent <= 0) {
            resent = finQueued ? 1 : 0;
        } else if (finQueued && sndUna + resent == sendBuf.endSeq()) {
            resent++;
        }
        sndNxt = sndUna + resent;
        armRto(nowNs);
    }

    private void persistTimeout(long nowNs) {
        int unsent = sendBuf.endSeq() - sndNxt;
        if (unsent <= 0 || state == TcpState.TIME_WAIT) {
            return;
        }
        if (sndWnd > 0) {
            // The SWS override timeout (RFC 9293 section 3.8.6.2.1): send what the window allows.
            int len = (int) Math.min(Math.min(unsent, sndWnd - (sndNxt - sndUna)), effMss);
            if (len > 0) {
                boolean fin = finQueued && len == unsent;
                emit(sndNxt, TcpHeader.FLAG_ACK | TcpHeader.FLAG_PSH | (fin ? TcpHeader.FLAG_FIN : 0), sndNxt, len,
                        nowNs);
                advance(len + (fin ? 1 : 0), nowNs);
                return;
            }
        }
        // Zero-window probe (RFC 9293 section 3.8.6.1, MUST-26): a segment the peer must answer with its window.
        persistProbes++;
        if (persistProbes > cfg.maxRetries()
                || (userTimeoutNs > 0 && nowNs - lastRecvNs >= userTimeoutNs)) {
            abortTimedOut(nowNs);
            return;
        }
        emit(sndUna - 1, TcpHeader.FLAG_ACK, sndUna, 0, nowNs);
        persistBackoff++;
        armPersist(nowNs);
    }

    private void keepaliveTimeout(long nowNs) {
        if (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT) {
            keepaliveDeadline = NEVER;
            return;
        }
        if (nowNs - lastRecvNs < cfg.keepIdleNs() && keepProbes == 0) {
            keepaliveDeadline = lastRecvNs + cfg.keepIdleNs();
            return;
        }
        // RFC 9293 section 3.8.4: after keepCount unanswered probes the connection is dead.
        if (keepProbes >= cfg.keepCount()) {
            abortTimedOut(nowNs);
            return;
        }
        keepProbes++;
        // RFC 9293 section 3.8.4: a probe is "SEG.SEQ = SND.NXT-1", which the peer must acknowledge.
        emit(sndUna - 1, TcpHeader.FLAG_ACK, sndUna, 0, nowNs);
        keepaliveDeadline = nowNs + cfg.keepIntervalNs();
    }

    private void abortTimedOut(long nowNs) {
        emit(sndMax, TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK, 0, 0, nowNs);
        enterClosed(ETIMEDOUT);
    }

    private void enterTimeWait(long nowNs) {
        state = TcpState.TIME_WAIT;
        rtoDeadline = NEVER;
        persistDeadline = NEVER;
        keepaliveDeadline = NEVER;
        delackDeadline = NEVER;
        // RFC 9293 section 3.10.7.4: "Start the time-wait timer" for 2 MSL.
        timeWaitDeadline = nowNs + 2 * cfg.mslNs();
    }

    private void enterClosed(int errno) {
        if (state == TcpState.CLOSED) {
            return;
        }
        if (error == 0) {
            error = errno;
        }
        if (listener != null) {
            listener.halfOpen--;
            listener = null;
        }
        state = TcpState.CLOSED;
        rtoDeadline = NEVER;
        delackDeadline = NEVER;
        persistDeadline = NEVER;
        keepaliveDeadline = NEVER;
        timeWaitDeadline = NEVER;
        stack.remove(this);
    }

    /** Whether a SYN for a new incarnation may reuse this TIME_WAIT connection (RFC 9293 section 3.10.7.4 note). */
    boolean mayReopen(TcpHeader h, TcpOptions o) {
        if (state != TcpState.TIME_WAIT) {
            return false;
        }
        if (tsOk && o.hasTimestamps()) {
            return Seq.gt(o.tsVal(), tsRecent);
        }
        return Seq.gt(h.seqNumber(), rcvNxt());
    }

    void closeForReuse() {
        enterClosed(0);
    }

    @Override
    public String toString() {
        return "TcpConnection[" + localPort + ">" + remotePort + " " + state + "]";
    }
}
