package dev.jdemi.inet.tcp;

/**
 * Tunables of the TCP, with defaults close to Linux's. A fluent, mutable holder: fill it in, hand it to
 * {@link TcpStack}, and do not change it afterwards (connections read it for their whole life). Times are in
 * nanoseconds of the caller's clock.
 */
public final class TcpConfig {
    /** The congestion controls on offer. */
    public enum Congestion {
        /** CUBIC (RFC 9438), the default. */
        CUBIC,
        /** NewReno (RFC 5681 and RFC 6582). */
        NEW_RENO
    }

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private int mss = 1460;
    private int windowScale = 7;
    private int receiveBufferBytes = 256 * 1024;
    private int sendBufferBytes = 256 * 1024;
    private int oooMaxRanges = 16;
    private boolean sack = true;
    private boolean timestamps = true;
    private boolean nodelay;
    private long delayedAckNs = 40 * MS;
    private long mslNs = 30 * S;
    private long initialRtoNs = S;
    private long minRtoNs = 200 * MS;
    private long maxRtoNs = 60 * S;
    private int maxRetries = 15;
    private int synRetries = 6;
    private long userTimeoutNs;
    private boolean keepalive;
    private long keepIdleNs = 7200 * S;
    private long keepIntervalNs = 75 * S;
    private int keepCount = 9;
    private Congestion congestion = Congestion.CUBIC;
    private int initialCwndSegments = 10;
    private boolean deterministic;
    private boolean synCookies = true;
    private int challengeAcksPerSecond = 1000;
    private int maxDupThresh = 3;
    private boolean rack = true;

    /** Creates a holder with the defaults. */
    public TcpConfig() {
    }

    /**
     * Our maximum segment size, announced in SYNs (default 1460, an Ethernet MTU of 1500 less 40 bytes).
     *
     * @return bytes
     */
    public int mss() {
        return mss;
    }

    /**
     * Sets our MSS.
     *
     * @param bytes 64..65495
     * @return this
     */
    public TcpConfig mss(int bytes) {
        this.mss = check(bytes, 64, 65495, "mss");
        return this;
    }

    /**
     * The window shift we announce (RFC 7323 section 2; default 7).
     *
     * @return 0..14
     */
    public int windowScale() {
        return windowScale;
    }

    /**
     * Sets the window shift we announce.
     *
     * @param shift 0..14
     * @return this
     */
    public TcpConfig windowScale(int shift) {
        this.windowScale = check(shift, 0, 14, "windowScale");
        return this;
    }

    /**
     * The receive buffer, which bounds the advertised window and out-of-order data (default 256 KiB).
     *
     * @return bytes
     */
    public int receiveBufferBytes() {
        return receiveBufferBytes;
    }

    /**
     * Sets the receive buffer.
     *
     * @param bytes 1 KiB..1 GiB
     * @return this
     */
    public TcpConfig receiveBufferBytes(int bytes) {
        this.receiveBufferBytes = check(bytes, 1024, 1 << 30, "receiveBufferBytes");
        return this;
    }

    /**
     * The send buffer: unacknowledged plus unsent data (default 256 KiB; at least one 65,535-byte push).
     *
     * @return bytes
     */
    public int sendBufferBytes() {
        return sendBufferBytes;
    }

    /**
     * Sets the send buffer.
     *
     * @param bytes 1 KiB..1 GiB
     * @return this
     */
    public TcpConfig sendBufferBytes(int bytes) {
        this.sendBufferBytes = check(bytes, 1024, 1 << 30, "sendBufferBytes");
        return this;
    }

    /**
     * The most disjoint out-of-order ranges kept; a segment that would need more is dropped (default 16).
     *
     * @return ranges
     */
    public int oooMaxRanges() {
        return oooMaxRanges;
    }

    /**
     * Sets the most out-of-order ranges kept.
     *
     * @param ranges 1..1024
     * @return this
     */
    public TcpConfig oooMaxRanges(int ranges) {
        this.oooMaxRanges = check(ranges, 1, 1024, "oooMaxRanges");
        return this;
    }

    /**
     * Whether we offer SACK (RFC 2018; default on).
     *
     * @return {@code true} when offered
     */
    public boolean sack() {
        return sack;
    }

    /**
     * Offers SACK or not.
     *
     * @param on whether to offer it
     * @return this
     */
    public TcpConfig sack(boolean on) {
        this.sack = on;
        return this;
    }

    /**
     * Whether we offer timestamps (RFC 7323; default on).
     *
     * @return {@code true} when offered
     */
    public boolean timestamps() {
        return timestamps;
    }

    /**
     * Offers timestamps or not.
     *
     * @param on whether to offer them
     * @return this
     */
    public TcpConfig timestamps(boolean on) {
        this.timestamps = on;
        return this;
    }

    /**
     * Whether Nagle's algorithm is off (TCP_NODELAY; default off, that is Nagle on).
     *
     * @return {@code true} when Nagle is disabled
     */
    public boolean nodelay() {
        return nodelay;
    }

    /**
     * Sets TCP_NODELAY for new connections.
     *
     * @param on {@code true} to disable Nagle
     * @return this
     */
    public TcpConfig nodelay(boolean on) {
        this.nodelay = on;
        return this;
    }

    /**
     * The delayed-ACK timeout (default 40 ms; RFC 9293 MUST-40 caps it at 500 ms).
     *
     * @return nanoseconds
     */
    public long delayedAckNs() {
        return delayedAckNs;
    }

    /**
     * Sets the delayed-ACK timeout; 0 acknowledges every segment at once.
     *
     * @param ns 0..500 ms
     * @return this
     */
    public TcpConfig delayedAckNs(long ns) {
        this.delayedAckNs = check(ns, 0, 500 * MS, "delayedAckNs");
        return this;
    }

    /**
     * The maximum segment lifetime; TIME_WAIT lasts twice this (default 30 s, so 60 s as Linux).
     *
     * @return nanoseconds
     */
    public long mslNs() {
        return mslNs;
    }

    /**
     * Sets the MSL.
     *
     * @param ns 0..10 min
     * @return this
     */
    public TcpConfig mslNs(long ns) {
        this.mslNs = check(ns, 0, 600 * S, "mslNs");
        return this;
    }

    /**
     * The RTO before the first RTT sample (RFC 6298 section 2.1: 1 s).
     *
     * @return nanoseconds
     */
    public long initialRtoNs() {
        return initialRtoNs;
    }

    /**
     * Sets the initial RTO.
     *
     * @param ns 1 ms..60 s
     * @return this
     */
    public TcpConfig initialRtoNs(long ns) {
        this.initialRtoNs = check(ns, MS, 60 * S, "initialRtoNs");
        return this;
    }

    /**
     * The RTO floor (default 200 ms as Linux; RFC 6298 section 2.4 suggests 1 s).
     *
     * @return nanoseconds
     */
    public long minRtoNs() {
        return minRtoNs;
    }

    /**
     * Sets the RTO floor.
     *
     * @param ns 1 ms..60 s
     * @return this
     */
    public TcpConfig minRtoNs(long ns) {
        this.minRtoNs = check(ns, MS, 60 * S, "minRtoNs");
        return this;
    }

    /**
     * The RTO ceiling for back-off (default 60 s, the least RFC 6298 section 2.5 allows).
     *
     * @return nanoseconds
     */
    public long maxRtoNs() {
        return maxRtoNs;
    }

    /**
     * Sets the RTO ceiling.
     *
     * @param ns 1 ms..10 min
     * @return this
     */
    public TcpConfig maxRtoNs(long ns) {
        this.maxRtoNs = check(ns, MS, 600 * S, "maxRtoNs");
        return this;
    }

    /**
     * How many times a data segment is retransmitted by timeout before the connection is aborted (default 15, as
     * Linux's tcp_retries2).
     *
     * @return retries
     */
    public int maxRetries() {
        return maxRetries;
    }

    /**
     * Sets the retransmission limit.
     *
     * @param retries 1..100
     * @return this
     */
    public TcpConfig maxRetries(int retries) {
        this.maxRetries = check(retries, 1, 100, "maxRetries");
        return this;
    }

    /**
     * How many times a SYN or SYN-ACK is retransmitted before giving up (default 6).
     *
     * @return retries
     */
    public int synRetries() {
        return synRetries;
    }

    /**
     * Sets the SYN retransmission limit.
     *
     * @param retries 1..100
     * @return this
     */
    public TcpConfig synRetries(int retries) {
        this.synRetries = check(retries, 1, 100, "synRetries");
        return this;
    }

    /**
     * The user timeout (RFC 9293 section 3.8.3, TCP_USER_TIMEOUT): how long sent data may stay unacknowledged before
     * the connection is aborted; 0 (the default) leaves it to {@link #maxRetries()}.
     *
     * @return nanoseconds
     */
    public long userTimeoutNs() {
        return userTimeoutNs;
    }

    /**
     * Sets the user timeout.
     *
     * @param ns 0 (off) or more
     * @return this
     */
    public TcpConfig userTimeoutNs(long ns) {
        this.userTimeoutNs = check(ns, 0, Long.MAX_VALUE / 4, "userTimeoutNs");
        return this;
    }

    /**
     * Whether keepalive probes are sent on idle connections (SO_KEEPALIVE; default off).
     *
     * @return {@code true} when on
     */
    public boolean keepalive() {
        return keepalive;
    }

    /**
     * Turns keepalive on or off.
     *
     * @param on whether to probe idle connections
     * @return this
     */
    public TcpConfig keepalive(boolean on) {
        this.keepalive = on;
        return this;
    }

    /**
     * Idle time before the first keepalive probe (default 2 h, the least RFC 9293 MUST-27 allows as default).
     *
     * @return nanoseconds
     */
    public long keepIdleNs() {
        return keepIdleNs;
    }

    /**
     * Sets the keepalive idle time.
     *
     * @param ns at least 1 ms
     * @return this
     */
    public TcpConfig keepIdleNs(long ns) {
        this.keepIdleNs = check(ns, MS, Long.MAX_VALUE / 4, "keepIdleNs");
        return this;
    }

    /**
     * Time between unanswered keepalive probes (default 75 s).
     *
     * @return nanoseconds
     */
    public long keepIntervalNs() {
        return keepIntervalNs;
    }

    /**
     * Sets the keepalive interval.
     *
     * @param ns at least 1 ms
     * @return this
     */
    public TcpConfig keepIntervalNs(long ns) {
        this.keepIntervalNs = check(ns, MS, Long.MAX_VALUE / 4, "keepIntervalNs");
        return this;
    }

    /**
     * Unanswered keepalive probes before the connection is aborted (default 9).
     *
     * @return probes
     */
    public int keepCount() {
        return keepCount;
    }

    /**
     * Sets the keepalive probe count.
     *
     * @param probes 1..1000
     * @return this
     */
    public TcpConfig keepCount(int probes) {
        this.keepCount = check(probes, 1, 1000, "keepCount");
        return this;
    }

    /**
     * The congestion control (default CUBIC).
     *
     * @return the algorithm
     */
    public Congestion congestion() {
        return congestion;
    }

    /**
     * Selects the congestion control.
     *
     * @param algorithm CUBIC or NEW_RENO
     * @return this
     */
    public TcpConfig congestion(Congestion algorithm) {
        this.congestion = java.util.Objects.requireNonNull(algorithm, "congestion");
        return this;
    }

    /**
     * The initial congestion window in segments (default 10, RFC 6928).
     *
     * @return segments
     */
    public int initialCwndSegments() {
        return initialCwndSegments;
    }

    /**
     * Sets the initial congestion window.
     *
     * @param segments 1..100
     * @return this
     */
    public TcpConfig initialCwndSegments(int segments) {
        this.initialCwndSegments = check(segments, 1, 100, "initialCwndSegments");
        return this;
    }

    /**
     * Whether the deterministic test mode is on: every ISN is 0, timestamps carry no per-connection offset, and
     * ephemeral ports count
     * down from 65535, as upstream's tests assume. Off by default.
     *
     * @return {@code true} in test mode
     */
    public boolean deterministic() {
        return deterministic;
    }

    /**
     * Turns the deterministic test mode on or off.
     *
     * @param on whether to use it
     * @return this
     */
    public TcpConfig deterministic(boolean on) {
        this.deterministic = on;
        return this;
    }

    /**
     * Whether a listener whose backlog is full answers SYNs with SYN cookies (RFC 4987 section 3.6; default on)
     * rather than dropping them.
     *
     * @return {@code true} when on
     */
    public boolean synCookies() {
        return synCookies;
    }

    /**
     * Turns SYN cookies on or off.
     *
     * @param on whether to use them
     * @return this
     */
    public TcpConfig synCookies(boolean on) {
        this.synCookies = on;
        return this;
    }

    /**
     * The most challenge ACKs the stack sends per second (RFC 5961 section 7; default 1000).
     *
     * @return ACKs per second
     */
    public int challengeAcksPerSecond() {
        return challengeAcksPerSecond;
    }

    /**
     * Sets the challenge-ACK rate limit.
     *
     * @param perSecond 1..1,000,000
     * @return this
     */
    public TcpConfig challengeAcksPerSecond(int perSecond) {
        this.challengeAcksPerSecond = check(perSecond, 1, 1_000_000, "challengeAcksPerSecond");
        return this;
    }

    /**
     * The most the duplicate-ACK threshold may grow to after fast retransmits found spurious (reordering); 3, the
     * default, keeps RFC 5681's fixed DupThresh and only undoes the spurious reductions.
     *
     * @return segments
     */
    public int maxDupThresh() {
        return maxDupThresh;
    }

    /**
     * Sets the most the duplicate-ACK threshold may grow to.
     *
     * @param segments 3..64
     * @return this
     */
    public TcpConfig maxDupThresh(int segments) {
        this.maxDupThresh = check(segments, 3, 64, "maxDupThresh");
        return this;
    }

    /**
     * Whether RACK-TLP (RFC 8985) detects losses on connections with SACK: time-based loss marking (lost
     * retransmissions, losses in small windows) and tail loss probes; default on. Off leaves RFC 6675's DupThresh
     * and the retransmission timeout alone (what the older {@code .pkt} scripts assume).
     *
     * @return {@code true} when on
     */
    public boolean rack() {
        return rack;
    }

    /**
     * Turns RACK-TLP on or off.
     *
     * @param on whether to use it
     * @return this
     */
    public TcpConfig rack(boolean on) {
        this.rack = on;
        return this;
    }

    private static int check(int value, int min, int max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    private static long check(long value, long min, long max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }
}
