package dev.jdemi.inet.tcp.pkt;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed packetdrill-style script in upstream Demikernel's network-simulator dialect (spec section 6.4), with the
 * extensions listed in {@code docs/pkt.md}: absolute times, a {@code TCP:port} remote port, {@code <sack a:b ...>},
 * inbound options written in the order given, {@code state(fd) = NAME}, {@code setsockopt} for TCP_NODELAY,
 * SO_KEEPALIVE, TCP_USER_TIMEOUT and SO_LINGER, and a {@code `tcp key=value ...`} configuration block.
 */
final class PktScript {
    /** One option of a packet line; {@code kind} is the script keyword. */
    record Opt(String kind, long a, long b, long[] blocks) {
    }

    /** A {@code TCP <} or {@code TCP >} line. */
    record Packet(boolean inbound, int remotePort, String flags, String seq, int len, String ack, Integer win,
            List<Opt> options) {
    }

    /** A system-call line: name, raw arguments, expected result (raw text). */
    record Syscall(String name, List<String> args, String result) {
    }

    /** One event: its script time in nanoseconds (absolute from the start), the line, and the action. */
    record Event(int line, String text, long timeNs, Packet packet, Syscall syscall) {
    }

    final List<String> config = new ArrayList<>();
    final List<Event> events = new ArrayList<>();

    /** A sequence or acknowledgment number: digits, or a variable ({@code $name}) with an optional {@code +N}. */
    static final String NUM = "[0-9]+|\\$[A-Za-z_][A-Za-z0-9_]*(?:\\+[0-9]+)?";
    private static final Pattern TIME = Pattern.compile("^(\\+?)(-?[0-9]*\\.?[0-9]+)\\s+(.*)$");
    private static final Pattern TCP = Pattern.compile(
            "^TCP(?::([0-9]+))?\\s*([<>])\\s*([SFPRU.]*)\\s*seq\\s+(" + PktScript.NUM
                    + ")\\s*\\(\\s*([0-9]+)\\s*\\)(.*)$");
    private static final Pattern ACK = Pattern.compile("^\\s*ack\\s+(" + PktScript.NUM + ")(.*)$");
    private static final Pattern WIN = Pattern.compile("^\\s*win\\s+([0-9]+)(.*)$");
    private static final Pattern OPTS = Pattern.compile("^\\s*<(.*)>\\s*$");
    private static final Pattern SYSCALL = Pattern.compile(
            "^(?:\\.\\.\\.\\s*[0-9.]+\\s+)?([a-z_]+)\\s*\\((.*)\\)\\s*=\\s*(\\S+)\\s*$");

    static PktScript parse(String text) {
        PktScript s = new PktScript();
        String[] lines = text.split("\n", -1);
        long time = 0;
        for (int i = 0; i < lines.length; i++) {
            String raw = lines[i];
            String line = raw;
            int c = line.indexOf("//");
            if (c >= 0) {
                line = line.substring(0, c);
            }
            // Backtick blocks: `tcp key=value ...` configures the stack (an extension); others are ignored.
            int b;
            while ((b = line.indexOf('`')) >= 0) {
                int e = line.indexOf('`', b + 1);
                if (e < 0) {
                    throw error(i, "unterminated backtick block");
                }
                String block = line.substring(b + 1, e).trim();
                if (block.startsWith("tcp ") || block.equals("tcp")) {
                    s.config.add(block.substring(3).trim());
                }
                line = line.substring(0, b) + line.substring(e + 1);
            }
            line = line.trim();
            if (line.isEmpty()) {
                continue;
            }
            Matcher m = TIME.matcher(line);
            if (!m.matches()) {
                throw error(i, "expected a time: " + line);
            }
            long t = Math.round(Double.parseDouble(m.group(2)) * 1e9);
            time = m.group(1).isEmpty() ? t : time + t;
            String action = m.group(3).trim();
            if (action.startsWith("TCP")) {
                s.events.add(new Event(i + 1, raw.trim(), time, packet(i, action), null));
            } else if (action.startsWith("UDP")) {
                throw error(i, "UDP lines are not supported by this runner (TCP only)");
            } else {
                Matcher sm = SYSCALL.matcher(action);
                if (!sm.matches()) {
                    throw error(i, "cannot parse: " + action);
                }
                s.events.add(new Event(i + 1, raw.trim(), time, null,
                        new Syscall(sm.group(1), splitArgs(sm.group(2)), sm.group(3))));
            }
        }
        return s;
    }

    private static Packet packet(int line, String action) {
        Matcher m = TCP.matcher(action);
        if (!m.matches()) {
            throw error(line, "cannot parse packet: " + action);
        }
        int port = m.group(1) == null ? PktRunner.REMOTE_PORT : Integer.parseInt(m.group(1));
        boolean inbound = m.group(2).equals("<");
        String rest = m.group(6);
        String ack = null;
        Integer win = null;
        List<Opt> opts = null;
        Matcher am = ACK.matcher(rest);
        if (am.matches()) {
            ack = am.group(1);
            rest = am.group(2);
        }
        Matcher wm = WIN.matcher(rest);
        if (wm.matches()) {
            win = Integer.parseInt(wm.group(1));
            rest = wm.group(2);
        }
        if (!rest.isBlank()) {
            Matcher om = OPTS.matcher(rest);
            if (!om.matches()) {
                throw error(line, "cannot parse options: " + rest);
            }
            opts = options(line, om.group(1));
        }
        return new Packet(inbound, port, m.group(3), m.group(4), Integer.parseInt(m.group(5)), ack, win, opts);
    }

    private static List<Opt> options(int line, String text) {
        List<Opt> list = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] w = part.trim().split("\\s+");
            switch (w[0]) {
                case "..." -> {
                    return null;
                }
                case "nop", "eol", "sackOK" -> list.add(new Opt(w[0], 0, 0, null));
                case "mss", "wscale" -> list.add(new Opt(w[0], Long.parseLong(w[1]), 0, null));
                case "TS" -> {
                    if (w.length != 5 || !w[1].equals("val") || !w[3].equals("ecr")) {
                        throw error(line, "expected TS val N ecr N: " + part);
                    }
                    list.add(new Opt("TS", Long.parseLong(w[2]), Long.parseLong(w[4]), null));
                }
                case "sack" -> {
                    long[] blocks = new long[2 * (w.length - 1)];
                    for (int i = 1; i < w.length; i++) {
                        String[] ab = w[i].split(":");
                        blocks[2 * (i - 1)] = Long.parseLong(ab[0]);
                        blocks[2 * (i - 1) + 1] = Long.parseLong(ab[1]);
                    }
                    list.add(new Opt("sack", 0, 0, blocks));
                }
                default -> throw error(line, "unknown option: " + part.trim().toLowerCase(Locale.ROOT));
            }
        }
        return list;
    }

    private static List<String> splitArgs(String text) {
        List<String> args = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char ch : text.toCharArray()) {
            if (ch == '[') {
                depth++;
            } else if (ch == ']') {
                depth--;
            }
            if (ch == ',' && depth == 0) {
                args.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (!cur.isEmpty()) {
            args.add(cur.toString().trim());
        }
        return args;
    }

    private static IllegalArgumentException error(int line, String message) {
        return new IllegalArgumentException("line " + (line + 1) + ": " + message);
    }
}
