package dev.jdemi.tools.echo;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.tools.options.Addresses;

import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The client of upstream's tcp-echo: a closed loop of requests over one or more connections, measuring round trips.
 *
 * <p>Each request is {@code bufsize} bytes: an 8-byte {@link System#nanoTime()} stamp (big-endian) and then a fixed
 * pattern. The SGA is freed as soon as the push starts. The reply is reassembled with sized pops until
 * {@code bufsize} bytes came back; every byte is checked against what was sent, and the round trip goes into an
 * HdrHistogram. A connection then sends its next request, until it made {@code nrequests} or the run lasted
 * {@code durationNs}.
 *
 * <p>A zero-length pop, or a failure with ECONNRESET, ENOTCONN, ECANCELED or EBADF, means the server closed the
 * connection; closing before the connection's requests were done counts as an error.
 *
 * <p>Thread: runs on the thread that owns its LibOS. The request loop allocates nothing.
 */
public final class EchoClient {
    /** The size of the stamp at the start of each request. */
    public static final int STAMP_BYTES = Long.BYTES;
    private static final ValueLayout.OfLong STAMP = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** How long one wait lasts at most, so that the deadline and the log interval are noticed. */
    private static final long POLL_NS = 100_000_000L;

    /**
     * What a client run does.
     *
     * @param server the server's address
     * @param bufsize the size of a request and its reply, {@value #STAMP_BYTES}..65,535 bytes
     * @param nclients how many connections
     * @param nrequests requests per connection; 0 for no limit
     * @param durationNs how long to run; 0 for no limit (with no request limit either, the run lasts until the
     *     server closes the connections)
     * @param runMode how to open the connections
     * @param logIntervalNs how often to print the progress line; 0 never
     */
    public record Settings(InetSocketAddress server, int bufsize, int nclients, long nrequests, long durationNs,
                           RunMode runMode, long logIntervalNs) {
        /** Checks the settings; a bad one throws IllegalArgumentException naming the option. */
        public Settings {
            if (bufsize < STAMP_BYTES || bufsize > Sga.MAX_SIZE) {
                throw new IllegalArgumentException("--bufsize must be from " + STAMP_BYTES + " to " + Sga.MAX_SIZE
                        + " (a request starts with an 8-byte time stamp), was " + bufsize);
            }
            if (nclients < 1) {
                throw new IllegalArgumentException("--nclients must be at least 1, was " + nclients);
            }
            if (nrequests < 0 || durationNs < 0 || logIntervalNs < 0) {
                throw new IllegalArgumentException("--nrequests, the duration and --log must not be negative");
            }
        }
    }

    /**
     * The outcome of a run.
     *
     * @param connected how many connections were established
     * @param stats the completed requests, bytes and round trips
     * @param errors failed connects, corrupt replies and connections the server closed before they were done
     */
    public record Report(int connected, LatencyStats stats, int errors) {
        /** {@return whether anything went wrong} */
        public boolean failed() {
            return errors > 0 || connected == 0;
        }
    }

    private final LibOS libos;
    private final Settings settings;
    private final PrintWriter out;
    private final Tokens tokens;
    private final QResult result = new QResult();
    private final LatencyStats stats = new LatencyStats();
    private final MemorySegment pattern;
    private final int[] qds;
    private final long[] sentNs;
    private final int[] received;
    private final long[] done;
    private final boolean[] active;
    private int activeCount;
    private int pendingConnects;
    private int connected;
    private int errors;
    private boolean started;

    /**
     * Creates a client over a LibOS, which it does not own.
     *
     * @param libos the LibOS, owned by the calling thread
     * @param settings what to do
     * @param out where the client prints its {@code INFO:}, {@code WARN:} and {@code ERROR:} lines
     */
    public EchoClient(LibOS libos, Settings settings, PrintWriter out) {
        this.libos = libos;
        this.settings = settings;
        this.out = out;
        int n = settings.nclients();
        this.tokens = new Tokens(2 * n + 2);
        this.qds = new int[n];
        Arrays.fill(qds, -1);
        this.sentNs = new long[n];
        this.received = new int[n];
        this.done = new long[n];
        this.active = new boolean[n];
        this.pattern = MemorySegment.ofArray(patternBytes(settings.bufsize()));
    }

    /**
     * The bytes of a request after its stamp: printable letters, so that a captured stream is easy to read.
     *
     * @param bufsize the request size
     * @return {@code bufsize} bytes; the first {@value #STAMP_BYTES} are overwritten by the stamp
     */
    public static byte[] patternBytes(int bufsize) {
        byte[] bytes = new byte[bufsize];
        for (int i = 0; i < bufsize; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }

    /**
     * Connects, runs the requests, closes every connection and prints the final lines.
     *
     * @return the outcome
     */
    public Report run() {
        if (settings.runMode() == RunMode.SEQUENTIAL) {
            connectSequentially();
        } else {
            connectConcurrently();
        }
        long deadlineNs = settings.durationNs() > 0 ? System.nanoTime() + settings.durationNs() : Long.MAX_VALUE;
        long logNs = settings.logIntervalNs();
        long nextLogNs = logNs > 0 ? System.nanoTime() + logNs : Long.MAX_VALUE;
        boolean timed = deadlineNs != Long.MAX_VALUE || logNs > 0;
        while (activeCount + pendingConnects > 0) {
            if (timed) {
                long nowNs = System.nanoTime();
                if (nowNs - deadlineNs >= 0) {
                    break;
                }
                if (nowNs - nextLogNs >= 0) {
                    stats.printProgress(out, nowNs);
                    nextLogNs += logNs;
                }
            }
            int index = libos.waitAny(tokens.qts(), tokens.count(), result, POLL_NS);
            if (index >= 0) {
                handle(tokens.removeAt(index));
            }
        }
        long endNs = System.nanoTime();
        stats.stop(started ? endNs : 0);
        for (int c = 0; c < qds.length; c++) {
            if (qds[c] >= 0) {
                closeClient(c);
            }
        }
        stats.printProgress(out, started ? endNs : 0);
        out.println("INFO: stopping, " + stats.bytes() + " bytes transferred");
        return new Report(connected, stats, errors);
    }

    private void connectSequentially() {
        for (int c = 0; c < qds.length; c++) {
            qds[c] = libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
            long qt = libos.connect(qds[c], settings.server());
            libos.wait(qt, result);
            onConnect(c);
        }
    }

    private void connectConcurrently() {
        for (int c = 0; c < qds.length; c++) {
            qds[c] = libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
            tokens.add(libos.connect(qds[c], settings.server()), c);
            pendingConnects++;
        }
    }

    private void handle(int c) {
        if (c == Tokens.ORPHAN) {
            if (result.opcode() == Opcode.POP) {
                libos.sgaFree(result.sga());
            }
            return;
        }
        switch (result.opcode()) {
            case CONNECT, FAILED -> {
                if (qds[c] >= 0 && !active[c]) {
                    pendingConnects--;
                    onConnect(c);
                } else if (result.opcode() == Opcode.FAILED) {
                    onFailed(c);
                }
            }
            case POP -> onPop(c);
            case PUSH -> {
                // Nothing to do: the SGA was freed when the push started.
            }
            default -> out.println("WARN: unexpected " + result + ", ignoring");
        }
    }

    /** Handles the result of connection {@code c}'s connect, in {@link #result}. */
    private void onConnect(int c) {
        if (result.opcode() != Opcode.CONNECT) {
            errors++;
            out.println("ERROR: failed to connect to " + Addresses.format(settings.server()) + ": "
                    + (result.failed() ? Errno.name(result.ret()) : result.toString()));
            closeClient(c);
            return;
        }
        connected++;
        active[c] = true;
        activeCount++;
        out.println("INFO: " + connected + " clients connected");
        if (!started) {
            started = true;
            stats.start(System.nanoTime());
        }
        startRequest(c);
    }

    private void startRequest(int c) {
        int qd = qds[c];
        int bufsize = settings.bufsize();
        Sga sga = libos.sgaAlloc(bufsize);
        MemorySegment data = sga.segment();
        MemorySegment.copy(pattern, STAMP_BYTES, data, STAMP_BYTES, bufsize - STAMP_BYTES);
        long nowNs = System.nanoTime();
        data.set(STAMP, 0, nowNs);
        sentNs[c] = nowNs;
        received[c] = 0;
        long pushQt;
        try {
            pushQt = libos.push(qd, sga);
        } catch (DemiException e) {
            libos.sgaFree(sga);
            connectionLost(c, "push failed: " + e.getMessage());
            return;
        }
        libos.sgaFree(sga);
        tokens.add(pushQt, c);
        try {
            tokens.add(libos.pop(qd, bufsize), c);
        } catch (DemiException e) {
            connectionLost(c, "pop failed: " + e.getMessage());
        }
    }

    private void onPop(int c) {
        Sga sga = result.sga();
        int length = sga.length();
        if (length == 0) {
            libos.sgaFree(sga);
            connectionLost(c, "server closed connection");
            return;
        }
        int offset = received[c];
        int bad = firstMismatch(sga.segment(), offset, length, sentNs[c]);
        libos.sgaFree(sga);
        if (bad >= 0) {
            errors++;
            out.println("ERROR: corrupt reply on connection " + qds[c] + " at byte " + bad + " of a request");
            closeClient(c);
            return;
        }
        stats.addBytes(length);
        offset += length;
        int bufsize = settings.bufsize();
        if (offset < bufsize) {
            received[c] = offset;
            try {
                tokens.add(libos.pop(qds[c], bufsize - offset), c);
            } catch (DemiException e) {
                connectionLost(c, "pop failed: " + e.getMessage());
            }
            return;
        }
        long nowNs = System.nanoTime();
        stats.record(nowNs - sentNs[c], nowNs);
        done[c]++;
        if (settings.nrequests() > 0 && done[c] >= settings.nrequests()) {
            closeClient(c);
        } else {
            startRequest(c);
        }
    }

    /** {@return the offset in the request of the first byte that differs from what was sent, or -1} */
    private int firstMismatch(MemorySegment data, int offset, int length, long stamp) {
        for (int i = 0; i < length; i++) {
            int at = offset + i;
            byte expected = at < STAMP_BYTES ? (byte) (stamp >>> (56 - 8 * at))
                    : pattern.get(ValueLayout.JAVA_BYTE, at);
            if (data.get(ValueLayout.JAVA_BYTE, i) != expected) {
                return at;
            }
        }
        return -1;
    }

    private void onFailed(int c) {
        int errno = result.ret();
        if (Closed.isClosedErrno(errno)) {
            connectionLost(c, "server reset connection (" + Errno.name(errno) + ")");
        } else {
            errors++;
            out.println("ERROR: operation failed on connection " + qds[c] + ": " + Errno.name(errno));
            closeClient(c);
        }
    }

    private void connectionLost(int c, String why) {
        out.println("INFO: " + why + " (qd=" + qds[c] + ")");
        boolean unlimited = settings.nrequests() == 0 && settings.durationNs() == 0;
        boolean finished = unlimited || settings.nrequests() > 0 && done[c] >= settings.nrequests();
        if (!finished) {
            errors++;
            out.println("ERROR: connection " + qds[c] + " closed after " + done[c] + " requests");
        }
        closeClient(c);
    }

    private void closeClient(int c) {
        int qd = qds[c];
        if (qd < 0) {
            return;
        }
        if (active[c]) {
            active[c] = false;
            activeCount--;
        }
        qds[c] = -1;
        tokens.orphan(c);
        try {
            libos.close(qd);
        } catch (DemiException e) {
            out.println("WARN: close failed (qd=" + qd + "): " + e.getMessage());
        }
    }
}
