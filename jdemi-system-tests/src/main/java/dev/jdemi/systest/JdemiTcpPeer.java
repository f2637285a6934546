package dev.jdemi.systest;

import dev.jdemi.Config;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.Linger;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SocketOption;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The jdemi side of the TCP system tests, run as a child process inside a network namespace: a catpowder LibOS on one
 * interface with jdemi's user-space TCP, either echoing TCP connections or echoing through a kernel server.
 *
 * <p>Usage: {@code JdemiTcpPeer INTERFACE IPV4 MAC v2|v3 server PORT} listens on the port and echoes each accepted
 * connection, one at a time, until the client's FIN, then closes it and prints {@code CLOSED n} (bytes echoed); it
 * also answers HTTP/1.1 on port 80 ({@link #page()} for any request, then closes, printing {@code SERVED n}); it
 * prints {@code READY} once listening and quits when stdin ends. {@code JdemiTcpPeer INTERFACE IPV4 MAC v2|v3 client
 * HOST PORT BYTES} connects, sends BYTES bytes of a fixed pattern while reading the peer's echo, checks the echo byte
 * for byte, waits for the peer's FIN, closes (lingering until its FIN is acknowledged), and prints
 * {@code OK n SHA256} or {@code FAIL reason}.
 */
public final class JdemiTcpPeer {
    private static final long SLICE_NS = 1_000_000L;
    private static final long STALL_NS = 20_000_000_000L;
    private static final int CHUNK = 65_535;
    private static final int HTTP_PORT = 80;

    private JdemiTcpPeer() {
    }

    /**
     * Runs the peer.
     *
     * @param args interface, IPv4 address, MAC address, device ({@link PeerDevice}), then {@code server PORT} or
     *     {@code client HOST PORT BYTES}
     * @throws Exception when the LibOS fails; the exit status is then non-zero
     */
    public static void main(String[] args) throws Exception {
        String yaml = "demikernel:\n  local_ipv4_addr: \"" + args[1] + "\"\n  local_link_addr: \"" + args[2]
                + "\"\nraw_socket:\n  linux_interface_name: \"" + args[0] + "\"\njdemi:\n"
                + PeerDevice.jdemiKeys(args[3]) + "  wait_policy: spin\n";
        try (LibOS libos = LibOS.open(LibOSName.CATPOWDER, Config.parse(yaml))) {
            if (args[4].equals("server")) {
                AtomicBoolean quit = new AtomicBoolean();
                Thread.ofPlatform().daemon().start(() -> awaitEndOfInput(quit));
                server(libos, new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[5])), quit);
            } else {
                System.out.println(client(libos, new InetSocketAddress(InetAddress.getByName(args[5]),
                        Integer.parseInt(args[6])), Long.parseLong(args[7])));
            }
        }
        System.out.println("BYE");
        System.out.flush();
    }

    private static void awaitEndOfInput(AtomicBoolean quit) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // Any line is ignored; only the end of input matters.
            }
        } catch (java.io.IOException e) {
            System.err.println("stdin: " + e);
        }
        quit.set(true);
    }

    private static void server(LibOS libos, InetSocketAddress local, AtomicBoolean quit) {
        int listenQd = listen(libos, local);
        int httpQd = listen(libos, new InetSocketAddress(local.getAddress(), HTTP_PORT));
        System.out.println("READY");
        System.out.flush();
        QResult result = new QResult();
        long[] accepts = {libos.accept(listenQd), libos.accept(httpQd)};
        while (!quit.get()) {
            int index = libos.waitAny(accepts, result, SLICE_NS);
            if (index < 0) {
                continue;
            }
            if (result.opcode() != Opcode.ACCEPT || result.ret() != 0) {
                System.out.println("FAIL accept " + result);
                System.out.flush();
                return;
            }
            int qd = result.acceptedQd();
            if (index == 0) {
                long echoed = echo(libos, qd, result, quit);
                System.out.println(echoed >= 0 ? "CLOSED " + echoed : "FAIL echo " + result);
            } else {
                int served = http(libos, qd, result);
                System.out.println(served >= 0 ? "SERVED " + served : "FAIL http " + result);
            }
            System.out.flush();
            libos.close(qd);
            accepts[index] = libos.accept(index == 0 ? listenQd : httpQd);
        }
        libos.close(listenQd);
        libos.close(httpQd);
    }

    private static int listen(LibOS libos, InetSocketAddress local) {
        int qd = libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
        libos.bind(qd, local);
        libos.listen(qd, 16);
        return qd;
    }

    /** {@return the body the HTTP responder serves: about 10 kB, so that it takes several segments} */
    public static String page() {
        StringBuilder body = new StringBuilder("<html><body>\n");
        for (int i = 0; i < 400; i++) {
            body.append("<p>jdemi line ").append(i).append("</p>\n");
        }
        return body.append("</body></html>\n").toString();
    }

    /** Reads one request head, answers it with {@link #page()}; returns the body length, or -1 on an error. */
    private static int http(LibOS libos, int qd, QResult result) {
        StringBuilder request = new StringBuilder();
        while (request.indexOf("\r\n\r\n") < 0) {
            if (!libos.wait(libos.pop(qd), result, STALL_NS) || result.ret() != 0) {
                return -1;
            }
            Sga piece = result.sga();
            byte[] bytes = new byte[piece.length()];
            piece.read(0, bytes, 0, bytes.length);
            libos.sgaFree(piece);
            if (bytes.length == 0) {
                return -1;
            }
            request.append(new String(bytes, StandardCharsets.ISO_8859_1));
        }
        byte[] body = page().getBytes(StandardCharsets.US_ASCII);
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        Sga response = libos.sgaAlloc(head.length + body.length);
        response.write(0, head, 0, head.length);
        response.write(head.length, body, 0, body.length);
        long pushQt = libos.push(qd, response);
        libos.sgaFree(response);
        if (!libos.wait(pushQt, result, STALL_NS) || result.ret() != 0) {
            return -1;
        }
        return body.length;
    }

    /** Echoes until the peer's FIN; returns the bytes echoed, or -1 on an error (left in {@code result}). */
    private static long echo(LibOS libos, int qd, QResult result, AtomicBoolean quit) {
        long echoed = 0;
        while (!quit.get()) {
            if (!libos.wait(libos.pop(qd), result, STALL_NS) || result.ret() != 0) {
                return -1;
            }
            Sga piece = result.sga();
            int length = piece.length();
            if (length == 0) {
                libos.sgaFree(piece);
                return echoed;
            }
            long pushQt = libos.push(qd, piece);
            libos.sgaFree(piece);
            if (!libos.wait(pushQt, result, STALL_NS) || result.ret() != 0) {
                return -1;
            }
            echoed += length;
        }
        return echoed;
    }

    /** The byte at offset {@code i} of the stream the client sends: not periodic within a chunk. */
    static byte pattern(long i) {
        return (byte) (i * 131 + (i >>> 9) * 7 + (i >>> 17));
    }

    private static String client(LibOS libos, InetSocketAddress remote, long total) throws Exception {
        int qd = libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
        QResult result = new QResult();
        if (!libos.wait(libos.connect(qd, remote), result, STALL_NS) || result.ret() != 0) {
            return "FAIL connect " + result;
        }
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[CHUNK];
        byte[] piece = new byte[CHUNK];
        long pushed = 0;
        long have = 0;
        long[] qts = {libos.pop(qd), 0};
        int count = 1;
        while (have < total) {
            if (count == 1 && pushed < total) {
                int length = (int) Math.min(CHUNK, total - pushed);
                for (int i = 0; i < length; i++) {
                    chunk[i] = pattern(pushed + i);
                }
                sent.update(chunk, 0, length);
                Sga sga = libos.sgaAlloc(length);
                sga.write(0, chunk, 0, length);
                qts[1] = libos.push(qd, sga);
                libos.sgaFree(sga);
                pushed += length;
                count = 2;
            }
            int index = libos.waitAny(qts, count, result, STALL_NS);
            if (index < 0) {
                return "FAIL stalled: pushed " + pushed + " received " + have;
            }
            if (result.ret() != 0) {
                return "FAIL " + result;
            }
            if (index == 1) {
                count = 1;
                continue;
            }
            Sga sga = result.sga();
            int length = sga.length();
            if (length == 0 || have + length > pushed) {
                libos.sgaFree(sga);
                return "FAIL echo " + (length == 0 ? "cut short" : "longer than sent") + " at " + have;
            }
            sga.read(0, piece, 0, length);
            libos.sgaFree(sga);
            for (int i = 0; i < length; i++) {
                if (piece[i] != pattern(have + i)) {
                    return "FAIL echo differs at byte " + (have + i);
                }
            }
            received.update(piece, 0, length);
            have += length;
            qts[0] = libos.pop(qd);
        }
        if (count == 2 && (!libos.wait(qts[1], result, STALL_NS) || result.ret() != 0)) {
            return "FAIL last push " + result;
        }
        // The kernel's server closes first once it has echoed everything: wait for its FIN, then close with a linger
        // so that the LibOS outlives our FIN's acknowledgement (closing the LibOS aborts what is still open, RST).
        if (!libos.wait(qts[0], result, STALL_NS) || result.ret() != 0 || result.sga().length() != 0) {
            return "FAIL no end of stream after the echo: " + result;
        }
        libos.sgaFree(result.sga());
        libos.setSockOpt(qd, SocketOption.SO_LINGER, new Linger(true, 10));
        if (!libos.wait(libos.asyncClose(qd), result, STALL_NS) || result.ret() != 0) {
            return "FAIL close " + result;
        }
        String hash = HexFormat.of().formatHex(sent.digest());
        String back = HexFormat.of().formatHex(received.digest());
        return hash.equals(back) ? "OK " + have + " " + hash : "FAIL digests " + hash + " " + back;
    }
}
