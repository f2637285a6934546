package dev.jdemi.inet.tcp.pkt;

import dev.jdemi.inet.tcp.OutboundSegment;
import dev.jdemi.inet.tcp.TcpConfig;
import dev.jdemi.inet.tcp.TcpConnection;
import dev.jdemi.inet.tcp.TcpListener;
import dev.jdemi.inet.tcp.TcpStack;
import dev.jdemi.inet.tcp.TcpState;
import dev.jdemi.inet.tcp.pkt.PktScript.Event;
import dev.jdemi.inet.tcp.pkt.PktScript.Opt;
import dev.jdemi.inet.tcp.pkt.PktScript.Packet;
import dev.jdemi.inet.tcp.pkt.PktScript.Syscall;
import dev.jdemi.wire.TcpHeader;
import dev.jdemi.wire.TcpOptions;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one {@link PktScript} against a {@link TcpStack} in deterministic mode, on a virtual clock starting at 0.
 * Local is 192.168.1.1 ({@code bind} gives port 12345, an unbound connect the first ephemeral port 65535); the peer
 * is 192.168.1.2 port 23456 (or the port of a {@code TCP:port} line).
 *
 * <p>Semantics, stricter than upstream's simulator where it costs nothing: timers fire at their exact virtual
 * deadlines; every segment the stack emits is queued with its emission time and must be matched, in order, by a
 * {@code TCP >} line whose time is within the tolerance (4 ms unless configured); a segment still queued when a
 * non-{@code >} event runs, or at the end, fails the script. Payload bytes are {@code seq mod 256} both ways and are
 * checked on output and on read. {@code wait} does not advance time: the operation must already be complete.
 */
final class PktRunner {
    static final int LOCAL = 0xC0A80101;
    static final int REMOTE = 0xC0A80102;
    static final int REMOTE_PORT = 23456;
    static final int BIND_PORT = 12345;
    private static final long MS = 1_000_000L;

    /** An emitted segment: a copy of its bytes and when it was sent. */
    private record Out(long atNs, byte[] bytes) {
    }

    /** A socket of the script. */
    private static final class Sock {
        final int fd;
        int localPort;
        TcpListener listener;
        TcpConnection conn;
        boolean nodelay;
        boolean keepalive;
        long userTimeoutNs = -1;
        boolean linger0;
        long pushed;

        Sock(int fd) {
            this.fd = fd;
        }
    }

    /** An operation started by accept, connect, push, pop or close, completed by {@code wait}. */
    private static final class Op {
        final String kind;
        final Sock sock;
        final String expected;
        int remaining;
        int max;
        boolean done;
        int errno;
        int count;

        Op(String kind, Sock sock, String expected) {
            this.kind = kind;
            this.sock = sock;
            this.expected = expected;
        }
    }

    private final PktScript script;
    private final TcpConfig config = new TcpConfig().deterministic(true);
    private long toleranceNs = 4 * MS;
    private final TcpStack tcp;
    private long nowNs;
    private final ArrayDeque<Out> outbound = new ArrayDeque<>();
    private final Map<Integer, Sock> socks = new HashMap<>();
    private final Map<String, Integer> vars = new HashMap<>();
    private final List<Op> inflight = new ArrayList<>();
    private int currentLocalPort = BIND_PORT;
    private Event event;
    private final MemorySegment rx = MemorySegment.ofArray(new byte[70_000]);

    PktRunner(PktScript script) {
        this.script = script;
        for (String c : script.config) {
            configure(c);
        }
        tcp = new TcpStack(config, this::capture, 1, 2);
    }

    private void configure(String block) {
        for (String kv : block.split("\\s+")) {
            if (kv.isEmpty()) {
                continue;
            }
            String[] p = kv.split("=", 2);
            String k = p[0];
            String v = p.length > 1 ? p[1] : "true";
            switch (k) {
                case "mss" -> config.mss(Integer.parseInt(v));
                case "wscale" -> config.windowScale(Integer.parseInt(v));
                case "rcvbuf" -> config.receiveBufferBytes(Integer.parseInt(v));
                case "sndbuf" -> config.sendBufferBytes(Integer.parseInt(v));
                case "ooo" -> config.oooMaxRanges(Integer.parseInt(v));
                case "sack" -> config.sack(Boolean.parseBoolean(v));
                case "rack" -> config.rack(Boolean.parseBoolean(v));
                case "ts" -> config.timestamps(Boolean.parseBoolean(v));
                case "nodelay" -> config.nodelay(Boolean.parseBoolean(v));
                case "delack" -> config.delayedAckNs(seconds(v));
                case "msl" -> config.mslNs(seconds(v));
                case "rto_init" -> config.initialRtoNs(seconds(v));
                case "rto_min" -> config.minRtoNs(seconds(v));
                case "rto_max" -> config.maxRtoNs(seconds(v));
                case "retries" -> config.maxRetries(Integer.parseInt(v));
                case "syn_retries" -> config.synRetries(Integer.parseInt(v));
                case "user_timeout" -> config.userTimeoutNs(seconds(v));
                case "keepalive" -> config.keepalive(Boolean.parseBoolean(v));
                case "keepidle" -> config.keepIdleNs(seconds(v));
                case "keepintvl" -> config.keepIntervalNs(seconds(v));
                case "keepcnt" -> config.keepCount(Integer.parseInt(v));
                case "cc" -> config.congestion(TcpConfig.Congestion.valueOf(v.toUpperCase(java.util.Locale.ROOT)));
                case "iw" -> config.initialCwndSegments(Integer.parseInt(v));
                case "syncookies" -> config.synCookies(Boolean.parseBoolean(v));
                case "challenge" -> config.challengeAcksPerSecond(Integer.parseInt(v));
                case "tolerance" -> toleranceNs = seconds(v);
                default -> throw new IllegalArgumentException("unknown tcp setting " + k);
            }
        }
    }

    private static long seconds(String v) {
        return Math.round(Double.parseDouble(v) * 1e9);
    }

    private void capture(OutboundSegment s) {
        byte[] bytes = new byte[s.length()];
        s.write(MemorySegment.ofArray(bytes), 0);
        if (s.srcAddr() != LOCAL || s.dstAddr() != REMOTE) {
            throw new AssertionError("segment to unexpected addresses " + s);
        }
        outbound.add(new Out(nowNs, bytes));
    }

    /**
     * Runs script files given as arguments and prints one line per file (for writing scripts without Maven).
     *
     * @param args paths of {@code .pkt} files
     * @throws java.io.IOException when a file cannot be read
     */
    public static void main(String[] args) throws java.io.IOException {
        int failed = 0;
        for (String f : args) {
            try {
                new PktRunner(PktScript.parse(java.nio.file.Files.readString(java.nio.file.Path.of(f)))).run();
                System.out.println("PASS " + f);
            } catch (AssertionError | RuntimeException e) {
                failed++;
                System.out.println("FAIL " + f + "\n  " + e.getMessage());
            }
        }
        System.out.println(args.length - failed + "/" + args.length + " passed");
    }

    void run() {
        for (Event e : script.events) {
            event = e;
            if (e.packet() != null && !e.packet().inbound()) {
                expect(e.packet(), e.timeNs());
            } else {
                advance(e.timeNs());
                noUnexpected();
                if (e.packet() != null) {
                    inject(e.packet());
                } else {
                    syscall(e.syscall());
                }
                service();
            }
        }
        event = null;
        noUnexpected();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Time.

    /** Fires every timer due up to {@code t} at its own deadline, then sets the clock to {@code t}. */
    private void advance(long t) {
        for (int guard = 0; guard < 100_000; guard++) {
            long d = tcp.nextDeadlineNs();
            if (d > t) {
                break;
            }
            nowNs = Math.max(nowNs, d);
            tcp.poll(nowNs);
            service();
        }
        nowNs = Math.max(nowNs, t);
    }

    /** Like {@link #advance} but stops at the first timer that emits a segment. */
    private void advanceUntilOutput(long t) {
        for (int guard = 0; guard < 100_000 && outbound.isEmpty(); guard++) {
            long d = tcp.nextDeadlineNs();
            if (d > t) {
                break;
            }
            nowNs = Math.max(nowNs, d);
            tcp.poll(nowNs);
            service();
        }
    }

    private void noUnexpected() {
        if (!outbound.isEmpty()) {
            Out o = outbound.peek();
            fail("unexpected outbound segment at " + seconds(o.atNs()) + ": " + describe(o.bytes()));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Packets.

    private void expect(Packet p, long t) {
        advanceUntilOutput(t);
        if (outbound.isEmpty()) {
            advanceUntilOutput(t + toleranceNs);
        }
        if (outbound.isEmpty()) {
            fail("expected an outbound segment by " + seconds(t + toleranceNs) + ", none sent");
        }
        Out o = outbound.poll();
        if (o.atNs() < t - toleranceNs) {
            fail("segment sent at " + seconds(o.atNs()) + ", expected at " + seconds(t) + ": " + describe(o.bytes()));
        }
        nowNs = Math.max(nowNs, t);
        MemorySegment m = MemorySegment.ofArray(o.bytes());
        TcpHeader h = new TcpHeader().wrap(m, 0, o.bytes().length);
        TcpOptions opts = new TcpOptions();
        h.parseOptions(opts);
        List<String> bad = new ArrayList<>();
        int wantFlags = flags(p.flags());
        if (h.flags() != wantFlags) {
            bad.add("flags");
        }
        if (h.srcPort() != currentLocalPort || h.dstPort() != p.remotePort()) {
            bad.add("ports");
        }
        if (!matchNumber(p.seq(), h.seqNumber())) {
            bad.add("seq");
        }
        if (h.payloadLength() != p.len()) {
            bad.add("len");
        }
        if (p.ack() != null && !matchNumber(p.ack(), h.ackNumber())) {
            bad.add("ack");
        }
        if (p.win() != null && h.window() != p.win()) {
            bad.add("win");
        }
        if (p.options() != null && !optionsMatch(p.options(), opts)) {
            bad.add("options");
        }
        if (bad.isEmpty() && h.payloadLength() > 0) {
            Sock s = sockFor(h.srcPort(), h.dstPort());
            if (s != null) {
                int iss = s.conn.iss();
                // A data segment's seq was checked above; its bytes follow from it.
                for (int i = 0; i < h.payloadLength(); i++) {
                    byte want = (byte) (h.seqNumber() + i - iss - 1);
                    if (m.get(java.lang.foreign.ValueLayout.JAVA_BYTE, h.payloadOffset() + i) != want) {
                        bad.add("payload byte " + i);
                        break;
                    }
                }
            }
        }
        if (!bad.isEmpty()) {
            fail("mismatch in " + bad + ": got " + describe(o.bytes()) + " at " + seconds(o.atNs()));
        }
    }

    /** Matches a script number; an unbound variable is bound to the value seen (SYN cookies, hashed ISNs). */
    private boolean matchNumber(String expr, int value) {
        if (expr.startsWith("$") && !expr.contains("+") && !vars.containsKey(expr)) {
            vars.put(expr, value);
            return true;
        }
        return resolve(expr) == value;
    }

    private int resolve(String expr) {
        if (!expr.startsWith("$")) {
            return (int) Long.parseLong(expr);
        }
        int plus = expr.indexOf('+');
        String name = plus < 0 ? expr : expr.substring(0, plus);
        Integer v = vars.get(name);
        if (v == null) {
            fail("variable " + name + " is not bound yet");
        }
        return v + (plus < 0 ? 0 : Integer.parseInt(expr.substring(plus + 1)));
    }

    private Sock sockFor(int localPort, int remotePort) {
        for (Sock s : socks.values()) {
            if (s.conn != null && s.conn.localPort() == localPort && s.conn.remotePort() == remotePort) {
                return s;
            }
        }
        return null;
    }

    private static boolean optionsMatch(List<Opt> want, TcpOptions got) {
        boolean mss = false;
        boolean ws = false;
        boolean sackOk = false;
        boolean ts = false;
        int blocks = 0;
        for (Opt o : want) {
            switch (o.kind()) {
                case "mss" -> {
                    mss = true;
                    if (!got.hasMss() || got.mss() != o.a()) {
                        return false;
                    }
                }
                case "wscale" -> {
                    ws = true;
                    if (!got.hasWindowScale() || got.windowScale() != o.a()) {
                        return false;
                    }
                }
                case "sackOK" -> sackOk = true;
                case "TS" -> {
                    ts = true;
                    if (!got.hasTimestamps() || got.tsVal() != (int) o.a() || got.tsEcr() != (int) o.b()) {
                        return false;
                    }
                }
                case "sack" -> {
                    long[] b = o.blocks();
                    blocks = b.length / 2;
                    if (got.sackBlockCount() != blocks) {
                        return false;
                    }
                    for (int i = 0; i < blocks; i++) {
                        if (got.sackLeft(i) != (int) b[2 * i] || got.sackRight(i) != (int) b[2 * i + 1]) {
                            return false;
                        }
                    }
                }
                default -> {
                    // nop and eol are padding: the layout is checked by the wire tests.
                }
            }
        }
        return mss == got.hasMss() && ws == got.hasWindowScale() && sackOk == got.isSackPermitted()
                && ts == got.hasTimestamps() && (blocks > 0 || got.sackBlockCount() == 0);
    }

    private void inject(Packet p) {
        byte[] optBytes = new byte[TcpOptions.MAX_LENGTH];
        MemorySegment om = MemorySegment.ofArray(optBytes);
        int n = 0;
        if (p.options() != null) {
            for (Opt o : p.options()) {
                n += switch (o.kind()) {
                    case "nop" -> TcpOptions.putNop(om, n);
                    case "eol" -> TcpOptions.putEol(om, n);
                    case "sackOK" -> TcpOptions.putSackPermitted(om, n);
                    case "mss" -> TcpOptions.putMss(om, n, (int) o.a());
                    case "wscale" -> TcpOptions.putWindowScale(om, n, (int) o.a());
                    case "TS" -> TcpOptions.putTimestamps(om, n, (int) o.a(), (int) o.b());
                    case "sack" -> {
                        int[] edges = new int[o.blocks().length];
                        for (int i = 0; i < edges.length; i++) {
                            edges[i] = (int) o.blocks()[i];
                        }
                        yield TcpOptions.putSack(om, n, edges, edges.length / 2);
                    }
                    default -> throw new IllegalArgumentException(o.kind());
                };
            }
            n = TcpOptions.padToWord(om, 0, n);
        }
        int hl = TcpHeader.MIN_HEADER_LENGTH + n;
        int total = hl + p.len();
        rx.fill((byte) 0);
        MemorySegment.copy(om, 0, rx, TcpHeader.MIN_HEADER_LENGTH, n);
        // The data of a SYN starts one after its sequence number.
        int first = resolve(p.seq()) + (p.flags().contains("S") ? 1 : 0);
        for (int i = 0; i < p.len(); i++) {
            rx.set(java.lang.foreign.ValueLayout.JAVA_BYTE, hl + i, (byte) (first + i));
        }
        TcpHeader h = new TcpHeader().wrap(rx, 0, total);
        h.srcPort(p.remotePort()).dstPort(currentLocalPort).seqNumber(resolve(p.seq()))
                .ackNumber(p.ack() == null ? 0 : resolve(p.ack())).flags(flags(p.flags()))
                .window(p.win() == null ? 65535 : p.win()).dataOffset(hl / 4);
        h.computeChecksum(REMOTE, LOCAL);
        tcp.receive(REMOTE, LOCAL, rx, 0, total, true, nowNs);
    }

    private static int flags(String f) {
        int v = 0;
        for (char c : f.toCharArray()) {
            v |= switch (c) {
                case 'S' -> TcpHeader.FLAG_SYN;
                case 'F' -> TcpHeader.FLAG_FIN;
                case 'P' -> TcpHeader.FLAG_PSH;
                case 'R' -> TcpHeader.FLAG_RST;
                case 'U' -> TcpHeader.FLAG_URG;
                case '.' -> TcpHeader.FLAG_ACK;
                default -> throw new IllegalArgumentException("flag " + c);
            };
        }
        return v;
    }

    // ---------------------------------------------------------------------------------------------------------
    // System calls.

    private void syscall(Syscall c) {
        List<String> a = c.args();
        switch (c.name()) {
            case "socket" -> {
                int fd = Integer.parseInt(c.result());
                if (!a.contains("SOCK_STREAM")) {
                    fail("only SOCK_STREAM sockets are supported");
                }
                socks.put(fd, new Sock(fd));
            }
            case "bind" -> {
                sock(a.get(0)).localPort = BIND_PORT;
                currentLocalPort = BIND_PORT;
                expectZero(c);
            }
            case "listen" -> {
                Sock s = sock(a.get(0));
                s.listener = tcp.listen(LOCAL, BIND_PORT, Integer.parseInt(a.get(1)));
                currentLocalPort = BIND_PORT;
                expectZero(c);
            }
            case "accept" -> start(new Op("accept", sock(a.get(0)), c.result()));
            case "connect" -> {
                Sock s = sock(a.get(0));
                s.conn = tcp.connect(LOCAL, s.localPort, REMOTE, REMOTE_PORT, nowNs);
                currentLocalPort = s.conn.localPort();
                applyOptions(s);
                start(new Op("connect", s, c.result()));
            }
            case "send", "write" -> {
                Sock s = sock(a.get(0));
                Op op = new Op("push", s, c.result());
                op.remaining = Integer.parseInt(a.get(2));
                op.max = op.remaining;
                start(op);
            }
            case "recv", "read" -> {
                Op op = new Op("pop", sock(a.get(0)), c.result());
                op.max = Integer.parseInt(a.get(2));
                start(op);
            }
            case "close" -> {
                Sock s = sock(a.get(0));
                if (s.listener != null) {
                    s.listener.close(nowNs);
                } else if (s.conn != null) {
                    if (s.linger0) {
                        s.conn.abort(nowNs);
                    } else {
                        s.conn.close(nowNs);
                    }
                }
                Op op = new Op("close", s, c.result());
                op.done = true;
                inflight.add(op);
            }
            case "wait" -> waitFor(c);
            case "setsockopt" -> setsockopt(c);
            case "state" -> {
                Sock s = sock(a.get(0));
                TcpState st = s.conn == null ? TcpState.CLOSED : s.conn.state();
                if (!st.name().equals(c.result())) {
                    fail("state is " + st + ", expected " + c.result());
                }
            }
            default -> fail("unsupported system call " + c.name());
        }
    }

    private void setsockopt(Syscall c) {
        Sock s = sock(c.args().get(0));
        String name = c.args().get(2);
        String v = c.args().get(3).replace("[", "").replace("]", "").trim();
        long value = Long.parseLong(v);
        switch (name) {
            case "TCP_NODELAY" -> s.nodelay = value != 0;
            case "SO_KEEPALIVE" -> s.keepalive = value != 0;
            case "TCP_USER_TIMEOUT" -> s.userTimeoutNs = value * MS;
            case "SO_LINGER" -> s.linger0 = value == 0;
            default -> fail("unsupported socket option " + name);
        }
        applyOptions(s);
        expectZero(c);
    }

    private void applyOptions(Sock s) {
        if (s.conn == null) {
            return;
        }
        if (s.nodelay) {
            s.conn.nodelay(true, nowNs);
        }
        if (s.keepalive) {
            s.conn.keepalive(true, nowNs);
        }
        if (s.userTimeoutNs >= 0) {
            s.conn.userTimeoutNs(s.userTimeoutNs);
        }
    }

    private void start(Op op) {
        inflight.add(op);
        service();
    }

    /** Makes progress on every pending operation, oldest first, as a blocked application thread would. */
    private void service() {
        List<Sock> pushing = new ArrayList<>();
        for (Op op : inflight) {
            if (op.done) {
                continue;
            }
            Sock s = op.sock;
            if (op.kind.equals("push") && pushing.contains(s)) {
                continue; // an earlier push on this socket still has bytes to hand over: keep the stream in order
            }
            switch (op.kind) {
                case "accept" -> {
                    if (s.listener.acceptable() > 0) {
                        TcpConnection c = s.listener.accept();
                        int fd = socks.keySet().stream().mapToInt(Integer::intValue).max().orElse(499) + 1;
                        Sock n = new Sock(fd);
                        n.conn = c;
                        n.nodelay = s.nodelay;
                        n.keepalive = s.keepalive;
                        n.userTimeoutNs = s.userTimeoutNs;
                        n.linger0 = s.linger0;
                        socks.put(fd, n);
                        applyOptions(n);
                        op.count = fd;
                        op.done = true;
                    }
                }
                case "connect" -> {
                    if (s.conn.state() == TcpState.SYN_SENT || s.conn.state() == TcpState.SYN_RECEIVED) {
                        break;
                    }
                    op.done = true;
                    op.errno = s.conn.error();
                }
                case "push" -> {
                    if (op.remaining > 0) {
                        byte[] data = new byte[op.remaining];
                        for (int i = 0; i < data.length; i++) {
                            data[i] = (byte) (s.pushed + i);
                        }
                        int n = s.conn.send(MemorySegment.ofArray(data), 0, data.length, nowNs);
                        if (n < 0) {
                            op.done = true;
                            op.errno = -n;
                            break;
                        }
                        s.pushed += n;
                        op.remaining -= n;
                        op.count = (int) s.pushed;
                        if (op.remaining > 0) {
                            pushing.add(s);
                        }
                    }
                    if (op.remaining == 0 && s.pushed - s.conn.unacknowledged() >= op.count) {
                        op.done = true;
                    } else if (s.conn.error() != 0) {
                        op.done = true;
                        op.errno = s.conn.error();
                    }
                }
                case "pop" -> {
                    if (s.conn.readable() > 0) {
                        int start = s.conn.rcvNxt() - s.conn.readable() - (finReceived(s.conn) ? 1 : 0);
                        byte[] buf = new byte[Math.min(op.max, s.conn.readable())];
                        int n = s.conn.read(MemorySegment.ofArray(buf), 0, buf.length, nowNs);
                        for (int i = 0; i < n; i++) {
                            if (buf[i] != (byte) (start + i)) {
                                fail("read byte " + i + " is " + buf[i] + ", expected " + (byte) (start + i));
                            }
                        }
                        op.count = n;
                        op.done = true;
                    } else if (s.conn.isEof()) {
                        op.count = 0;
                        op.done = true;
                    } else if (s.conn.error() != 0) {
                        op.errno = s.conn.error();
                        op.done = true;
                    }
                }
                default -> {
                }
            }
        }
    }

    private static boolean finReceived(TcpConnection c) {
        return switch (c.state()) {
            case CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT -> true;
            default -> false;
        };
    }

    private void waitFor(Syscall c) {
        if (inflight.isEmpty()) {
            fail("wait with no operation in flight");
        }
        Op op = inflight.remove(0);
        if (op.sock.fd != Integer.parseInt(c.args().get(0))) {
            fail("oldest operation is " + op.kind + " on " + op.sock.fd + ", not on " + c.args().get(0));
        }
        if (!op.done) {
            fail(op.kind + " on " + op.sock.fd + " has not completed");
        }
        String r = c.result();
        if (op.errno != 0) {
            if (!r.equals(errnoName(op.errno)) && !r.equals(Integer.toString(op.errno))) {
                fail(op.kind + " failed with " + errnoName(op.errno) + ", expected " + r);
            }
            return;
        }
        if (!r.equals("0") && !r.equals("...")) {
            fail(op.kind + " succeeded, expected " + r);
        }
        String want = op.expected;
        if (op.kind.equals("pop") && !want.equals("...") && Integer.parseInt(want) != op.count) {
            fail("read returned " + op.count + " bytes, expected " + want);
        }
        boolean anyFd = want.equals("...") || want.equals("0");
        if (op.kind.equals("accept") && !anyFd && Integer.parseInt(want) != op.count) {
            fail("accept returned fd " + op.count + ", expected " + want);
        }
    }

    private static String errnoName(int errno) {
        return switch (errno) {
            case TcpConnection.ECONNRESET -> "ECONNRESET";
            case TcpConnection.ECONNREFUSED -> "ECONNREFUSED";
            case TcpConnection.ETIMEDOUT -> "ETIMEDOUT";
            case TcpConnection.ENOTCONN -> "ENOTCONN";
            case TcpConnection.EPIPE -> "EPIPE";
            default -> Integer.toString(errno);
        };
    }

    private Sock sock(String fd) {
        Sock s = socks.get(Integer.parseInt(fd));
        if (s == null) {
            fail("no socket " + fd);
        }
        return s;
    }

    private void expectZero(Syscall c) {
        if (!c.result().equals("0")) {
            fail(c.name() + " succeeded, expected " + c.result());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reporting.

    private static String seconds(long ns) {
        return String.format(java.util.Locale.ROOT, "%.6f", ns / 1e9);
    }

    /** A segment in script syntax, to paste into a script once checked against the RFC. */
    static String describe(byte[] bytes) {
        MemorySegment m = MemorySegment.ofArray(bytes);
        TcpHeader h = new TcpHeader().wrap(m, 0, bytes.length);
        TcpOptions o = new TcpOptions();
        h.parseOptions(o);
        StringBuilder sb = new StringBuilder("TCP > ");
        int f = h.flags();
        sb.append((f & TcpHeader.FLAG_SYN) != 0 ? "S" : "").append((f & TcpHeader.FLAG_FIN) != 0 ? "F" : "")
                .append((f & TcpHeader.FLAG_PSH) != 0 ? "P" : "").append((f & TcpHeader.FLAG_RST) != 0 ? "R" : "")
                .append((f & TcpHeader.FLAG_ACK) != 0 ? "." : "");
        sb.append(" seq ").append(Integer.toUnsignedString(h.seqNumber())).append('(').append(h.payloadLength())
                .append(')');
        if (h.isAck()) {
            sb.append(" ack ").append(Integer.toUnsignedString(h.ackNumber()));
        }
        sb.append(" win ").append(h.window());
        List<String> opts = new ArrayList<>();
        if (o.hasMss()) {
            opts.add("mss " + o.mss());
        }
        if (o.isSackPermitted()) {
            opts.add("sackOK");
        }
        if (o.hasTimestamps()) {
            opts.add("TS val " + Integer.toUnsignedString(o.tsVal()) + " ecr " + Integer.toUnsignedString(o.tsEcr()));
        }
        if (o.hasWindowScale()) {
            opts.add("wscale " + o.windowScale());
        }
        if (o.sackBlockCount() > 0) {
            StringBuilder s = new StringBuilder("sack");
            for (int i = 0; i < o.sackBlockCount(); i++) {
                s.append(' ').append(Integer.toUnsignedString(o.sackLeft(i))).append(':')
                        .append(Integer.toUnsignedString(o.sackRight(i)));
            }
            opts.add(s.toString());
        }
        if (!opts.isEmpty()) {
            sb.append(" <").append(String.join(", ", opts)).append('>');
        }
        return sb.toString();
    }

    private void fail(String message) {
        throw new AssertionError((event == null ? "at end" : "line " + event.line() + " (" + event.text() + ")")
                + ": " + message + pendingHint());
    }

    private String pendingHint() {
        if (outbound.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("\n  also queued:");
        for (Out o : outbound) {
            sb.append("\n    ").append(seconds(o.atNs())).append(' ').append(describe(o.bytes()));
        }
        return sb.toString();
    }
}
