package dev.jdemi.systest;

import dev.jdemi.Config;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.Linger;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SocketOption;
import dev.jdemi.bootstrap.CatpowderProvider;
import dev.jdemi.inet.InetConfig;
import dev.jdemi.inet.tcp.TcpStack;
import dev.jdemi.inet.transport.InetTransport;
import dev.jdemi.libos.NetworkLibOS;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.runtime.SystemClock;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;

/**
 * The jdemi side of the bulk transfers, run as a child process inside a network namespace: a catpowder LibOS on one
 * interface (built here rather than by {@link LibOS#open} so that its TCP's counters can be read) that connects to a
 * kernel {@link KernelBulk} and either sends a {@link BulkStream} or receives one.
 *
 * <p>Usage: {@code JdemiBulkPeer INTERFACE IPV4 MAC DEVICE send HOST PORT BYTES SEED} pushes the stream, waits
 * for the kernel's FIN, then closes (lingering until our FIN is acknowledged);
 * {@code JdemiBulkPeer INTERFACE IPV4 MAC DEVICE recv HOST PORT} pops until the kernel's FIN, then closes likewise.
 * Either prints {@code OK bytes sha256 ns} (ns from the connect's completion until our FIN is acknowledged, so every
 * byte sent is acknowledged) and then {@code STATS retransmissions timeouts resets_sent tail_loss_probes}, or
 * {@code FAIL reason}; then {@code BYE}. DEVICE is a {@link PeerDevice} word.
 */
public final class JdemiBulkPeer {
    private static final long STALL_NS = 30_000_000_000L;

    private JdemiBulkPeer() {
    }

    /**
     * Runs the peer.
     *
     * @param args interface, IPv4 address, MAC address, device, then {@code send HOST PORT BYTES SEED} or
     *     {@code recv HOST PORT}
     * @throws Exception when the LibOS fails; the exit status is then non-zero
     */
    public static void main(String[] args) throws Exception {
        String yaml = "demikernel:\n  local_ipv4_addr: \"" + args[1] + "\"\n  local_link_addr: \"" + args[2]
                + "\"\nraw_socket:\n  linux_interface_name: \"" + args[0] + "\"\njdemi:\n"
                + PeerDevice.jdemiKeys(args[3]) + "  wait_policy: spin\n";
        Config config = Config.parse(yaml);
        CatpowderProvider.RawLink link = CatpowderProvider.openLink(config);
        InetConfig inet = InetConfig.from(config);
        inet = inet.withMtu(Math.min(inet.mtuBytes(), link.device().capabilities().mtuBytes()));
        InetTransport transport = new InetTransport(inet, link.device());
        Runtime runtime = new Runtime(new SystemClock(), link.pool(), config.jdemi().waitPolicy());
        try (LibOS libos = new NetworkLibOS(LibOSName.CATPOWDER, runtime, transport)) {
            InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName(args[5]), Integer.parseInt(args[6]));
            Peer peer = new Peer(libos, transport.tcp());
            String outcome = args[4].equals("send") ? peer.send(remote, Long.parseLong(args[7]),
                    Long.parseLong(args[8])) : peer.receive(remote);
            System.out.println(outcome);
            System.out.println(peer.stats);
            System.out.flush();
        }
        System.out.println("BYE");
        System.out.flush();
    }

    /** One transfer over one LibOS. */
    private static final class Peer {
        private final LibOS libos;
        private final TcpStack tcp;
        private final QResult result = new QResult();
        private String stats = "STATS unknown";

        Peer(LibOS libos, TcpStack tcp) {
            this.libos = libos;
            this.tcp = tcp;
        }

        private int connect(InetSocketAddress remote) {
            int qd = libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
            if (!libos.wait(libos.connect(qd, remote), result, STALL_NS) || result.ret() != 0) {
                return -1;
            }
            return qd;
        }

        String send(InetSocketAddress remote, long bytes, long seed) {
            int qd = connect(remote);
            if (qd < 0) {
                return "FAIL connect " + result;
            }
            long start = System.nanoTime();
            BulkStream stream = new BulkStream(seed, bytes);
            long pending = 0;
            int length;
            while ((length = stream.next()) > 0) {
                // The next chunk is drawn while the previous push still fills the send buffer.
                Sga sga = libos.sgaAlloc(length);
                sga.write(0, stream.chunk(), 0, length);
                if (pending != 0 && (!libos.wait(pending, result, STALL_NS) || result.ret() != 0)) {
                    return "FAIL push at " + (bytes - stream.remaining()) + ": " + result;
                }
                pending = libos.push(qd, sga);
                libos.sgaFree(sga);
            }
            if (pending != 0 && (!libos.wait(pending, result, STALL_NS) || result.ret() != 0)) {
                return "FAIL last push " + result;
            }
            String sha = stream.sha256Hex();
            // The kernel closes first once it has every byte; we close on its FIN (see KernelBulk).
            if (!libos.wait(libos.pop(qd), result, STALL_NS) || result.ret() != 0 || result.sga().length() != 0) {
                return "FAIL no end of stream after the last byte: " + result;
            }
            libos.sgaFree(result.sga());
            return close(qd, start, "OK " + bytes + " " + sha);
        }

        String receive(InetSocketAddress remote) {
            int qd = connect(remote);
            if (qd < 0) {
                return "FAIL connect " + result;
            }
            long start = System.nanoTime();
            MessageDigest digest = BulkStream.sha256();
            byte[] piece = new byte[Sga.MAX_SIZE];
            long total = 0;
            while (true) {
                if (!libos.wait(libos.pop(qd), result, STALL_NS) || result.ret() != 0) {
                    return "FAIL pop at " + total + ": " + result;
                }
                Sga sga = result.sga();
                int length = sga.length();
                sga.read(0, piece, 0, length);
                libos.sgaFree(sga);
                if (length == 0) {
                    break;
                }
                digest.update(piece, 0, length);
                total += length;
            }
            return close(qd, start, "OK " + total + " " + BulkStream.hex(digest));
        }

        /** Closes with a linger, so that the LibOS outlives the FIN's acknowledgement; appends the time. */
        private String close(int qd, long start, String outcome) {
            // Counted before the close: a connection's counters leave the sums when its state goes.
            long retransmissions = tcp.retransmissions();
            long timeouts = tcp.timeouts();
            long probes = tcp.tailLossProbes();
            libos.setSockOpt(qd, SocketOption.SO_LINGER, new Linger(true, 10));
            boolean closed = libos.wait(libos.asyncClose(qd), result, STALL_NS) && result.ret() == 0;
            long ns = System.nanoTime() - start;
            stats = "STATS " + retransmissions + " " + timeouts + " " + tcp.resetsSent() + " " + probes;
            return closed ? outcome + " " + ns : "FAIL close " + result;
        }
    }
}
