package dev.jdemi.inet;

/**
 * The counters of one stack: frames in and out, ICMP messages sent, and drops by reason ({@link InetDrop} codes,
 * which include the wire's {@link dev.jdemi.wire.DropReason} codes).
 *
 * <p>Thread: confined to the stack's thread. Recording allocates nothing.
 */
public final class InetStats {
    private final long[] drops = new long[InetDrop.COUNT];
    private long framesIn;
    private long framesOut;
    private long datagramsDelivered;
    private long datagramsReassembled;
    private long fragmentsSent;
    private long arpRequestsSent;
    private long arpRepliesSent;
    private long icmpEchoRepliesSent;
    private long icmpErrorsSent;
    private long icmpErrorsRateLimited;

    /**
     * Records a drop.
     *
     * @param code the reason, {@code 1 <= code < InetDrop.COUNT}
     */
    public void drop(int code) {
        drops[code]++;
    }

    /**
     * Returns the drops for one reason.
     *
     * @param code the reason
     * @return how many frames were dropped for it
     */
    public long drops(int code) {
        return drops[code];
    }

    /** {@return all drops together} */
    public long dropsTotal() {
        long total = 0;
        for (long count : drops) {
            total += count;
        }
        return total;
    }

    void frameIn() {
        framesIn++;
    }

    void frameOut() {
        framesOut++;
    }

    void delivered() {
        datagramsDelivered++;
    }

    void reassembled() {
        datagramsReassembled++;
    }

    void fragmentSent() {
        fragmentsSent++;
    }

    void arpRequestSent() {
        arpRequestsSent++;
    }

    void arpReplySent() {
        arpRepliesSent++;
    }

    void echoReplySent() {
        icmpEchoRepliesSent++;
    }

    void icmpErrorSent() {
        icmpErrorsSent++;
    }

    void icmpErrorRateLimited() {
        icmpErrorsRateLimited++;
    }

    /** {@return frames taken from the device (and the loopback)} */
    public long framesIn() {
        return framesIn;
    }

    /** {@return frames handed to the device (and the loopback)} */
    public long framesOut() {
        return framesOut;
    }

    /** {@return IPv4 datagrams handed to a transport} */
    public long datagramsDelivered() {
        return datagramsDelivered;
    }

    /** {@return datagrams put together from fragments} */
    public long datagramsReassembled() {
        return datagramsReassembled;
    }

    /** {@return fragments sent for datagrams longer than the MTU} */
    public long fragmentsSent() {
        return fragmentsSent;
    }

    /** {@return ARP requests sent} */
    public long arpRequestsSent() {
        return arpRequestsSent;
    }

    /** {@return ARP replies sent} */
    public long arpRepliesSent() {
        return arpRepliesSent;
    }

    /** {@return ICMP echo replies sent} */
    public long icmpEchoRepliesSent() {
        return icmpEchoRepliesSent;
    }

    /** {@return ICMP error messages sent} */
    public long icmpErrorsSent() {
        return icmpErrorsSent;
    }

    /** {@return ICMP errors not sent because of the rate limit} */
    public long icmpErrorsRateLimited() {
        return icmpErrorsRateLimited;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("InetStats[in=").append(framesIn).append(" out=").append(framesOut)
                .append(" delivered=").append(datagramsDelivered);
        for (int code = 1; code < InetDrop.COUNT; code++) {
            if (drops[code] != 0) {
                sb.append(' ').append(InetDrop.name(code)).append('=').append(drops[code]);
            }
        }
        return sb.append(']').toString();
    }
}
