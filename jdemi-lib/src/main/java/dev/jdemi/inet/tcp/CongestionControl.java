package dev.jdemi.inet.tcp;

/**
 * A congestion control: the congestion window and slow-start threshold of one connection and how ACKs and losses
 * change them (RFC 5681 section 3). Fast recovery itself (window inflation, partial ACKs, the SACK pipe) lives in
 * {@link TcpConnection}; this class owns growth and the reaction to a loss. Allocation-free; not thread-safe.
 */
abstract class CongestionControl {
    int mss;
    long cwnd;
    long ssthresh = Integer.MAX_VALUE;

    static CongestionControl create(TcpConfig.Congestion kind) {
        return kind == TcpConfig.Congestion.NEW_RENO ? new NewReno() : new Cubic();
    }

    /** Sets the initial window (RFC 6928: {@code segments} segments) once the MSS is known. */
    void init(int mss, int segments) {
        this.mss = mss;
        this.cwnd = (long) segments * mss;
    }

    private long savedCwnd;
    private long savedSsthresh;

    /** Remembers the window before a reduction, so a spurious one can be undone. */
    void save() {
        savedCwnd = cwnd;
        savedSsthresh = ssthresh;
    }

    /** Undoes the last reduction (RFC 4015 section 3.2: restore cwnd and ssthresh after a spurious retransmit). */
    void undo() {
        cwnd = Math.max(cwnd, savedCwnd);
        ssthresh = Math.max(ssthresh, savedSsthresh);
    }

    boolean isSlowStart() {
        return cwnd < ssthresh;
    }

    /** New data acknowledged outside recovery. */
    abstract void onAck(int ackedBytes, long nowNs, long srttNs);

    /** A loss detected by duplicate ACKs or SACK: set ssthresh, and cwnd to ssthresh. */
    abstract void onCongestion(long flightBytes, long nowNs);

    /**
     * A retransmission timeout. RFC 5681 equation (4) sets ssthresh to {@code max(FlightSize / 2, 2 * SMSS)} (the
     * algorithm's own reduction here) and section 3.1 sets cwnd to the loss window of one segment.
     */
    void onTimeout(long flightBytes, long nowNs) {
        onCongestion(flightBytes, nowNs);
        cwnd = mss;
    }

    /** Slow start: RFC 5681 section 3.1, "cwnd += min (N, SMSS)" per ACK. */
    final void slowStart(int ackedBytes) {
        cwnd += Math.min(ackedBytes, mss);
    }

    /** NewReno's window (RFC 5681 section 3.1, with appropriate byte counting in congestion avoidance). */
    static final class NewReno extends CongestionControl {
        private long bytesAcked;

        @Override
        void onAck(int ackedBytes, long nowNs, long srttNs) {
            if (isSlowStart()) {
                slowStart(ackedBytes);
                return;
            }
            // RFC 5681 section 3.1: about one SMSS per RTT, counted in bytes acknowledged (RFC 3465).
            bytesAcked += ackedBytes;
            if (bytesAcked >= cwnd) {
                bytesAcked -= cwnd;
                cwnd += mss;
            }
        }

        @Override
        void onCongestion(long flightBytes, long nowNs) {
            // RFC 5681 equation (4): ssthresh = max (FlightSize / 2, 2*SMSS).
            ssthresh = Math.max(flightBytes / 2, 2L * mss);
            cwnd = ssthresh;
            bytesAcked = 0;
        }
    }

    /** CUBIC (RFC 9438): a cubic window growth in time since the last reduction, with a Reno-friendly floor. */
    static final class Cubic extends CongestionControl {
        /** RFC 9438 section 4.6: beta_cubic = 0.7. */
        private static final double BETA = 0.7;
        /** RFC 9438 section 5: C = 0.4 (segments per second cubed). */
        private static final double C = 0.4;
        /** RFC 9438 section 4.3: alpha_cubic = 3 (1 - beta) / (1 + beta). */
        private static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

        private double wMax;
        private double k;
        private double wEst;
        private long epochStartNs = -1;
        private double cwndSegments;

        @Override
        void init(int mss, int segments) {
            super.init(mss, segments);
            cwndSegments = segments;
        }

        @Override
        void onAck(int ackedBytes, long nowNs, long srttNs) {
            if (isSlowStart()) {
                slowStart(ackedBytes);
                cwndSegments = (double) cwnd / mss;
                return;
            }
            double acked = (double) ackedBytes / mss;
            cwndSegments = (double) cwnd / mss;
            if (epochStartNs < 0) {
                // RFC 9438 section 4.2: a new congestion-avoidance epoch starts; K from W_max and cwnd_epoch.
                epochStartNs = nowNs;
                if (cwndSegments < wMax) {
                    k = Math.cbrt((wMax - cwndSegments) / C);
                } else {
                    k = 0;
                    wMax = cwndSegments;
                }
                wEst = cwndSegments;
            }
            double t = (nowNs - epochStartNs + srttNs) / 1e9;
            double target = C * (t - k) * (t - k) * (t - k) + wMax;
            // RFC 9438 section 4.2: the target stays within [cwnd, 1.5 cwnd].
            target = Math.max(cwndSegments, Math.min(target, 1.5 * cwndSegments));
            // RFC 9438 section 4.3: W_est grows like Reno with alpha_cubic.
            wEst += ALPHA * acked / cwndSegments;
            if (target < wEst) {
                cwndSegments = Math.max(cwndSegments, wEst);
            } else {
                // RFC 9438 section 4.4/4.5: cwnd grows by (target - cwnd) / cwnd per acknowledged segment.
                cwndSegments += (target - cwndSegments) / cwndSegments * acked;
            }
            cwnd = Math.max(mss, (long) (cwndSegments * mss));
        }

        private double savedWMax;
        private double savedK;
        private long savedEpochStartNs;

        @Override
        void save() {
            super.save();
            savedWMax = wMax;
            savedK = k;
            savedEpochStartNs = epochStartNs;
        }

        @Override
        void undo() {
            super.undo();
            wMax = savedWMax;
            k = savedK;
            epochStartNs = savedEpochStartNs;
            cwndSegments = (double) cwnd / mss;
        }

        @Override
        void onCongestion(long flightBytes, long nowNs) {
            double current = (double) cwnd / mss;
            // RFC 9438 section 4.7, fast convergence: remember less than the current window when it shrank.
            wMax = current < wMax ? current * (1 + BETA) / 2 : current;
            ssthresh = Math.max((long) (current * BETA * mss), 2L * mss);
            cwnd = ssthresh;
            cwndSegments = (double) cwnd / mss;
            epochStartNs = -1;
        }
    }
}
