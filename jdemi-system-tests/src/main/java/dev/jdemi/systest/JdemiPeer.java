package dev.jdemi.systest;

import dev.jdemi.Config;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SockAddr;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The jdemi side of the system tests, run as a child process inside a network namespace: a catpowder LibOS on one
 * interface, echoing every UDP datagram that reaches its port, and sending datagrams when told to on stdin.
 *
 * <p>Usage: {@code JdemiPeer INTERFACE IPV4 MAC PORT v2|v3 [quiet] [block]}. It prints {@code READY} once the LibOS is
 * open and the
 * port bound. Commands, one per line on stdin: {@code send IPV4 PORT HEX} sends a datagram from the bound port
 * (printing {@code SENT n} when the push completes, after ARP if needed); {@code quit} (or end of input) closes the
 * LibOS and exits 0. Each echo prints {@code ECHO n} unless {@code quiet} (for measurements); {@code block} selects
 * the block
 * wait policy (sleep in {@code poll(2)} on the packet socket when idle) instead of spinning.
 */
public final class JdemiPeer {
    private static final long WAIT_SLICE_NS = 1_000_000L;

    private JdemiPeer() {
    }

    /**
     * Runs the peer.
     *
     * @param args interface, IPv4 address, MAC address, UDP port, device ({@link PeerDevice}), optionally
     *         {@code quiet} and {@code block}
     * @throws Exception when the LibOS fails; the exit status is then non-zero
     */
    public static void main(String[] args) throws Exception {
        String yaml = "demikernel:\n  local_ipv4_addr: \"" + args[1] + "\"\n  local_link_addr: \"" + args[2]
                + "\"\nraw_socket:\n  linux_interface_name: \"" + args[0] + "\"\n";
        int port = Integer.parseInt(args[3]);
        java.util.List<String> flags = java.util.List.of(args).subList(5, args.length);
        boolean quiet = flags.contains("quiet");
        yaml += "jdemi:\n" + PeerDevice.jdemiKeys(args[4]) + "  wait_policy: "
                + (flags.contains("block") ? "block" : "spin") + "\n";
        ConcurrentLinkedQueue<String> commands = new ConcurrentLinkedQueue<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> readCommands(commands));
        try (LibOS libos = LibOS.open(LibOSName.CATPOWDER, Config.parse(yaml))) {
            int qd = libos.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
            libos.bind(qd, new InetSocketAddress(InetAddress.getByName(args[1]), port));
            System.out.println("READY");
            System.out.flush();
            serve(libos, qd, commands, quiet);
        }
        reader.interrupt();
        System.out.println("BYE");
        System.out.flush();
    }

    private static void readCommands(ConcurrentLinkedQueue<String> commands) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                commands.add(line.strip());
            }
        } catch (java.io.IOException e) {
            System.err.println("stdin: " + e);
        }
        commands.add("quit");
    }

    private static void serve(LibOS libos, int qd, ConcurrentLinkedQueue<String> commands, boolean quiet)
            throws Exception {
        QResult result = new QResult();
        long popQt = libos.pop(qd);
        while (true) {
            String command = commands.poll();
            if (command != null) {
                if (command.equals("quit")) {
                    return;
                }
                send(libos, qd, command, result);
                continue;
            }
            if (!libos.wait(popQt, result, WAIT_SLICE_NS)) {
                continue;
            }
            if (result.ret() != 0) {
                throw new IllegalStateException("pop failed: errno " + result.ret());
            }
            Sga datagram = result.sga();
            int length = datagram.length();
            long to = result.addr();
            long pushQt = libos.pushTo(qd, datagram, to);
            libos.sgaFree(datagram);
            popQt = libos.pop(qd);
            libos.wait(pushQt, result, Long.MAX_VALUE);
            if (!quiet || result.ret() != 0) {
                System.out.println("ECHO " + length + (result.ret() == 0 ? "" : " push errno " + result.ret()));
                System.out.flush();
            }
        }
    }

    private static void send(LibOS libos, int qd, String command, QResult result) throws Exception {
        String[] words = command.split(" ");
        if (words.length != 4 || !words[0].equals("send")) {
            System.out.println("ERROR unknown command: " + command);
            System.out.flush();
            return;
        }
        byte[] payload = HexFormat.of().parseHex(words[3]);
        Sga sga = libos.sgaAlloc(payload.length);
        sga.write(0, payload, 0, payload.length);
        long to = SockAddr.of(new InetSocketAddress(InetAddress.getByName(words[1]), Integer.parseInt(words[2])));
        long qt = libos.pushTo(qd, sga, to);
        libos.sgaFree(sga);
        libos.wait(qt, result, Long.MAX_VALUE);
        System.out.println(result.ret() == 0 ? "SENT " + payload.length : "ERROR push errno " + result.ret());
        System.out.flush();
    }
}
