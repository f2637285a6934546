package dev.jdemi.inet.tcp;

/**
 * Why the TCP dropped an inbound segment that passed the header checks of {@code dev.jdemi.wire}: codes counted per
 * stack by {@link TcpStack#drops(int)}. Codes are small ints so counting allocates nothing.
 */
public final class TcpDrop {
    /** A header, checksum or option-list error reported by {@code TcpHeader.validate}. */
    public static final int MALFORMED = 0;
    /** No connection and no listener (answered with RST unless it was a RST). */
    public static final int NO_SOCKET = 1;
    /** Outside the receive window (RFC 9293 section 3.10.7.4, first check; answered with an ACK). */
    public static final int OUT_OF_WINDOW = 2;
    /** Old timestamp (PAWS, RFC 7323 section 5). */
    public static final int PAWS = 3;
    /** A RST that was in the window but not exactly at RCV.NXT (RFC 5961 section 3.2; challenge ACK). */
    public static final int RST_NOT_EXACT = 4;
    /** A SYN on a synchronized connection (RFC 5961 section 4.2; challenge ACK). */
    public static final int SYN_IN_WINDOW = 5;
    /** An unacceptable ACK (RFC 5961 section 5.2, or acknowledging unsent data). */
    public static final int BAD_ACK = 6;
    /** No ACK bit on a synchronized connection. */
    public static final int NO_ACK = 7;
    /** Out-of-order data beyond the reassembly range limit. */
    public static final int OOO_LIMIT = 8;
    /** A SYN to a listener whose backlog is full, with SYN cookies off. */
    public static final int BACKLOG_FULL = 9;
    /** An ACK to a listener that is not a valid SYN cookie. */
    public static final int BAD_COOKIE = 10;
    /** A segment a state ignores (for example no SYN in SYN_SENT). */
    public static final int IGNORED = 11;
    /** The number of codes. */
    public static final int COUNT = 12;

    private TcpDrop() {
    }
}
