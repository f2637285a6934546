package dev.jdemi.inet;

import dev.jdemi.wire.DropReason;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static dev.jdemi.inet.RawFrames.ALICE_IP;
import static dev.jdemi.inet.RawFrames.ALICE_MAC;
import static dev.jdemi.inet.RawFrames.BROADCAST_IP;
import static dev.jdemi.inet.RawFrames.BROADCAST_MAC;
import static dev.jdemi.inet.RawFrames.PROBE_IP;
import static dev.jdemi.inet.RawFrames.PROBE_MAC;
import static dev.jdemi.inet.RawFrames.arp;
import static dev.jdemi.inet.RawFrames.bytes;
import static dev.jdemi.inet.RawFrames.ethernet;
import static dev.jdemi.inet.RawFrames.icmp;
import static dev.jdemi.inet.RawFrames.ip;
import static dev.jdemi.inet.RawFrames.ipFrame;
import static dev.jdemi.inet.RawFrames.ipv4;
import static dev.jdemi.inet.RawFrames.udp;
import static dev.jdemi.inet.RawFrames.udpFrame;

/**
 * The malformed-input corpus: hand-made frames sent from the probe (192.168.1.9, 02:00:00:00:00:99) to alice, each
 * with the reason it must be dropped for and how many frames alice may send in answer (an ICMP error).
 */
final class Corpus {
    /** Alice's UDP socket in the corpus tests. */
    static final int BOUND_PORT = 7000;
    private static final int ETH = 14;

    /**
     * One frame of the corpus.
     *
     * @param name what is wrong with it
     * @param frame the bytes
     * @param reason the drop counter that must grow by one
     * @param replies frames alice sends back (an ICMP error), 0 or 1
     */
    record Case(String name, byte[] frame, int reason, int replies) {
        @Override
        public String toString() {
            return InetDrop.name(reason) + ": " + name;
        }
    }

    private Corpus() {
    }

    static List<Case> all() {
        List<Case> c = new ArrayList<>();
        ethernetCases(c);
        arpCases(c);
        ipv4Cases(c);
        icmpCases(c);
        udpCases(c);
        return c;
    }

    private static void ethernetCases(List<Case> c) {
        byte[] good = udpFrame(BOUND_PORT, bytes(20, 1));
        for (int length : new int[] {0, 1, 6, 12, 13}) {
            c.add(new Case("a frame of " + length + " bytes", java.util.Arrays.copyOf(good, length),
                    DropReason.ETHERNET_TRUNCATED, 0));
        }
        for (int type : new int[] {0x0000, 0x05DC, 0x05FF}) {
            c.add(new Case("an 802.3 length 0x" + Integer.toHexString(type) + " in the type field",
                    ethernet(ALICE_MAC, PROBE_MAC, type, new byte[46]), DropReason.ETHERNET_NOT_TYPE_II, 0));
        }
        c.add(new Case("unicast to another station", ethernet(0x0200_0000_0077L, PROBE_MAC, 0x0800,
                ipv4(PROBE_IP, ALICE_IP, 17, 1, 0, udp(PROBE_IP, ALICE_IP, 1, BOUND_PORT, new byte[4]))),
                InetDrop.ETH_NOT_FOR_US, 0));
        c.add(new Case("to an IPv4 multicast MAC", ethernet(0x0100_5E00_0001L, PROBE_MAC, 0x0800, new byte[46]),
                InetDrop.ETH_NOT_FOR_US, 0));
        c.add(new Case("to the zero MAC", ethernet(0, PROBE_MAC, 0x0800, new byte[46]), InetDrop.ETH_NOT_FOR_US, 0));
        c.add(new Case("from the broadcast MAC", with(good, b -> putMac(b, 6, BROADCAST_MAC)),
                InetDrop.ETH_BAD_SOURCE, 0));
        c.add(new Case("from alice's own MAC", with(good, b -> putMac(b, 6, ALICE_MAC)), InetDrop.ETH_BAD_SOURCE, 0));
        for (int type : new int[] {0x86DD, 0x8100, 0x88B5, 0x0600}) {
            c.add(new Case("EtherType 0x" + Integer.toHexString(type), ethernet(ALICE_MAC, PROBE_MAC, type,
                    new byte[46]), InetDrop.ETH_UNSUPPORTED_TYPE, 0));
        }
    }

    private static byte[] arpFrame(byte[] arp) {
        return ethernet(BROADCAST_MAC, PROBE_MAC, 0x0806, arp);
    }

    private static byte[] request() {
        return arp(1, PROBE_MAC, PROBE_IP, 0, ALICE_IP);
    }

    private static void arpCases(List<Case> c) {
        for (int length : new int[] {0, 8, 27}) {
            c.add(new Case("an ARP packet of " + length + " bytes",
                    arpFrame(java.util.Arrays.copyOf(request(), length)),
                    DropReason.ARP_TRUNCATED, 0));
        }
        for (int htype : new int[] {0, 6, 0xFFFF}) {
            c.add(new Case("hardware type " + htype, arpFrame(with(request(), b -> put16(b, 0, htype))),
                    DropReason.ARP_BAD_HTYPE, 0));
        }
        for (int ptype : new int[] {0x86DD, 0}) {
            c.add(new Case("protocol type 0x" + Integer.toHexString(ptype), arpFrame(with(request(),
                    b -> put16(b, 2, ptype))), DropReason.ARP_BAD_PTYPE, 0));
        }
        for (int hlen : new int[] {0, 8}) {
            c.add(new Case("hardware length " + hlen, arpFrame(with(request(), b -> b[4] = (byte) hlen)),
                    DropReason.ARP_BAD_HLEN, 0));
        }
        for (int plen : new int[] {0, 16}) {
            c.add(new Case("protocol length " + plen, arpFrame(with(request(), b -> b[5] = (byte) plen)),
                    DropReason.ARP_BAD_PLEN, 0));
        }
        for (int op : new int[] {0, 3, 8}) {
            c.add(new Case("opcode " + op, arpFrame(with(request(), b -> put16(b, 6, op))), DropReason.ARP_BAD_OP, 0));
        }
        c.add(new Case("sender MAC zero", arpFrame(arp(1, 0, PROBE_IP, 0, ALICE_IP)), InetDrop.ARP_BAD_SENDER, 0));
        c.add(new Case("sender MAC broadcast", arpFrame(arp(1, BROADCAST_MAC, PROBE_IP, 0, ALICE_IP)),
                InetDrop.ARP_BAD_SENDER, 0));
        c.add(new Case("sender MAC alice's", arpFrame(arp(1, ALICE_MAC, PROBE_IP, 0, ALICE_IP)),
                InetDrop.ARP_BAD_SENDER, 0));
        c.add(new Case("sender IP alice's", arpFrame(arp(1, PROBE_MAC, ALICE_IP, 0, ALICE_IP)),
                InetDrop.ARP_BAD_SENDER, 0));
        c.add(new Case("sender IP broadcast", arpFrame(arp(1, PROBE_MAC, BROADCAST_IP, 0, ALICE_IP)),
                InetDrop.ARP_BAD_SENDER, 0));
        c.add(new Case("sender IP multicast", arpFrame(arp(1, PROBE_MAC, ip(224, 0, 0, 1), 0, ALICE_IP)),
                InetDrop.ARP_BAD_SENDER, 0));
        c.add(new Case("a request for another address", arpFrame(arp(1, 0x0200_0000_0055L, ip(192, 168, 1, 55), 0,
                ip(192, 168, 1, 77))), InetDrop.ARP_NOT_FOR_US, 0));
        c.add(new Case("a reply to another host", ethernet(BROADCAST_MAC, 0x0200_0000_0055L, 0x0806,
                arp(2, 0x0200_0000_0055L, ip(192, 168, 1, 55), 0x0200_0000_0033L, ip(192, 168, 1, 3))),
                InetDrop.ARP_NOT_FOR_US, 0));
        c.add(new Case("an unsolicited reply to alice", ethernet(ALICE_MAC, 0x0200_0000_0055L, 0x0806,
                arp(2, 0x0200_0000_0055L, ip(192, 168, 1, 55), ALICE_MAC, ALICE_IP)),
                InetDrop.ARP_UNSOLICITED_REPLY, 0));
    }

    private static byte[] udpPacket() {
        return ipv4(PROBE_IP, ALICE_IP, 17, 1, 0, udp(PROBE_IP, ALICE_IP, 5555, BOUND_PORT, bytes(12, 3)));
    }

    /** A 20-byte TCP SYN from port 5555 to port 80 with a data offset of {@code dataOffset} words, checksum set. */
    private static byte[] tcpSegment(int src, int dst, int dataOffset) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(20);
        b.putShort((short) 5555).putShort((short) 80).putInt(1000).putInt(0).put((byte) (dataOffset << 4))
                .put((byte) 0x02).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        byte[] bytes = b.array();
        int sum = RawFrames.checksum(bytes, 0, bytes.length, RawFrames.pseudo(src, dst, 6, bytes.length));
        bytes[16] = (byte) (sum >>> 8);
        bytes[17] = (byte) sum;
        return bytes;
    }

    private static byte[] inFrame(byte[] ip) {
        return ethernet(ALICE_MAC, PROBE_MAC, 0x0800, ip);
    }

    /** An IPv4 packet changed by {@code change}, its checksum fixed afterwards. */
    private static byte[] ipChanged(Consumer<byte[]> change) {
        byte[] ip = udpPacket();
        change.accept(ip);
        RawFrames.fixIpv4Checksum(ip, 0);
        return inFrame(ip);
    }

    /** A UDP packet with {@code options} (a multiple of 4 bytes) after the fixed header, checksum fixed. */
    private static byte[] withOptions(byte... options) {
        byte[] plain = udpPacket();
        byte[] ip = new byte[plain.length + options.length];
        System.arraycopy(plain, 0, ip, 0, 20);
        System.arraycopy(options, 0, ip, 20, options.length);
        System.arraycopy(plain, 20, ip, 20 + options.length, plain.length - 20);
        ip[0] = (byte) (0x40 | (5 + options.length / 4));
        put16(ip, 2, ip.length);
        RawFrames.fixIpv4Checksum(ip, 0);
        return inFrame(ip);
    }

    private static void ipv4Cases(List<Case> c) {
        for (int length : new int[] {0, 10, 19}) {
            c.add(new Case("an IPv4 packet of " + length + " bytes", inFrame(java.util.Arrays.copyOf(udpPacket(),
                    length)), DropReason.IPV4_TRUNCATED, 0));
        }
        for (int version : new int[] {0, 6, 15}) {
            c.add(new Case("version " + version, ipChanged(b -> b[0] = (byte) (version << 4 | 5)),
                    DropReason.IPV4_BAD_VERSION, 0));
        }
        for (int ihl : new int[] {0, 4}) {
            c.add(new Case("IHL " + ihl, ipChanged(b -> b[0] = (byte) (0x40 | ihl)), DropReason.IPV4_BAD_IHL, 0));
        }
        c.add(new Case("IHL 15 in a 40-byte packet", ipChanged(b -> b[0] = (byte) 0x4F), DropReason.IPV4_BAD_IHL, 0));
        c.add(new Case("IHL 6 in a 20-byte packet", inFrame(with(java.util.Arrays.copyOf(udpPacket(), 20), b -> {
            b[0] = 0x46;
            put16(b, 2, 20);
            RawFrames.fixIpv4Checksum(b, 0);
        })), DropReason.IPV4_BAD_IHL, 0));
        for (int total : new int[] {0, 19}) {
            c.add(new Case("total length " + total, ipChanged(b -> put16(b, 2, total)),
                    DropReason.IPV4_BAD_TOTAL_LENGTH, 0));
        }
        c.add(new Case("total length past the frame", ipChanged(b -> put16(b, 2, 1000)),
                DropReason.IPV4_BAD_TOTAL_LENGTH, 0));
        c.add(new Case("total length below the header with options", with(withOptions((byte) 1, (byte) 1, (byte) 1,
                (byte) 0), b -> {
                    put16(b, ETH + 2, 22);
                    RawFrames.fixIpv4Checksum(b, ETH);
                }), DropReason.IPV4_BAD_TOTAL_LENGTH, 0));
        c.add(new Case("checksum off by one", with(inFrame(udpPacket()), b -> b[ETH + 11]++),
                DropReason.IPV4_BAD_CHECKSUM, 0));
        c.add(new Case("checksum zeroed", with(inFrame(udpPacket()), b -> put16(b, ETH + 10, 0)),
                DropReason.IPV4_BAD_CHECKSUM, 0));
        c.add(new Case("checksum 0xFFFF", with(inFrame(udpPacket()), b -> put16(b, ETH + 10, 0xFFFF)),
                DropReason.IPV4_BAD_CHECKSUM, 0));
        c.add(new Case("a flipped source bit, checksum not updated", with(inFrame(udpPacket()), b -> b[ETH + 15] ^= 4),
                DropReason.IPV4_BAD_CHECKSUM, 0));
        c.add(new Case("option length 0", withOptions((byte) 0x44, (byte) 0, (byte) 0, (byte) 0),
                DropReason.IPV4_BAD_OPTION, 0));
        c.add(new Case("option length 1", withOptions((byte) 0x94, (byte) 1, (byte) 0, (byte) 0),
                DropReason.IPV4_BAD_OPTION, 0));
        c.add(new Case("option running past the header", withOptions((byte) 0x94, (byte) 8, (byte) 0, (byte) 0),
                DropReason.IPV4_BAD_OPTION, 0));
        c.add(new Case("record route pointer 3", withOptions((byte) 7, (byte) 3, (byte) 3, (byte) 0),
                DropReason.IPV4_BAD_OPTION, 0));
        c.add(new Case("timestamp of length 3", withOptions((byte) 68, (byte) 3, (byte) 5, (byte) 0),
                DropReason.IPV4_BAD_OPTION, 0));
        c.add(new Case("a type byte with no room for its length", withOptions((byte) 1, (byte) 1, (byte) 1,
                (byte) 0x83), DropReason.IPV4_BAD_OPTION, 0));
        c.add(new Case("the reserved flag", ipChanged(b -> b[6] = (byte) 0x80), InetDrop.IPV4_RESERVED_FLAG, 0));
        c.add(new Case("the reserved flag with DF", ipChanged(b -> b[6] = (byte) 0xC0), InetDrop.IPV4_RESERVED_FLAG,
                0));
        for (int dst : new int[] {ip(192, 168, 1, 2), ip(10, 0, 0, 1), ip(224, 0, 0, 1), ip(192, 168, 1, 255)}) {
            c.add(new Case("to " + dotted(dst), ipChanged(b -> put32(b, 16, dst)), InetDrop.IPV4_NOT_FOR_US, 0));
        }
        for (int src : new int[] {0, BROADCAST_IP, ip(127, 0, 0, 1), ip(224, 0, 0, 5), ip(240, 0, 0, 1)}) {
            c.add(new Case("from " + dotted(src), ipChanged(b -> put32(b, 12, src)), InetDrop.IPV4_BAD_SOURCE, 0));
        }
        for (int protocol : new int[] {2, 41, 255}) {
            c.add(new Case("protocol " + protocol, ipFrame(protocol, bytes(16, protocol)),
                    InetDrop.IPV4_UNKNOWN_PROTOCOL, 1));
        }
        c.add(new Case("a non-final fragment of 7 bytes", inFrame(ipv4(PROBE_IP, ALICE_IP, 17, 9, 0x2000,
                bytes(7, 1))), InetDrop.IPV4_BAD_FRAGMENT, 0));
        c.add(new Case("a non-final fragment of 0 bytes", inFrame(ipv4(PROBE_IP, ALICE_IP, 17, 9, 0x2000,
                new byte[0])), InetDrop.IPV4_BAD_FRAGMENT, 0));
        c.add(new Case("a fragment ending past 65,535 bytes", inFrame(ipv4(PROBE_IP, ALICE_IP, 17, 9, 0x1FFF,
                bytes(100, 1))), InetDrop.IPV4_BAD_FRAGMENT, 0));
        // TCP segments the stack's TCP never sees: bad headers, and any TCP to a broadcast address (RFC 1122 4.2.3.10).
        c.add(new Case("a TCP segment of 12 bytes", ipFrame(6, bytes(12, 6)), DropReason.TCP_TRUNCATED, 0));
        c.add(new Case("a TCP segment with data offset 4", ipFrame(6, tcpSegment(PROBE_IP, ALICE_IP, 4)),
                DropReason.TCP_BAD_DATA_OFFSET, 0));
        byte[] badSum = tcpSegment(PROBE_IP, ALICE_IP, 5);
        badSum[16] ^= 0x55;
        c.add(new Case("a TCP segment with a bad checksum", ipFrame(6, badSum), DropReason.TCP_BAD_CHECKSUM, 0));
        c.add(new Case("a TCP SYN to the IPv4 broadcast", ethernet(BROADCAST_MAC, PROBE_MAC, 0x0800,
                ipv4(PROBE_IP, BROADCAST_IP, 6, 1, 0, tcpSegment(PROBE_IP, BROADCAST_IP, 5))),
                InetDrop.TRANSPORT_UNSUPPORTED, 0));
    }

    private static void icmpCases(List<Case> c) {
        byte[] echo = icmp(8, 0, 0x0001_0001, bytes(32, 8));
        for (int length : new int[] {0, 4, 7}) {
            c.add(new Case("an ICMP message of " + length + " bytes", ipFrame(1, java.util.Arrays.copyOf(echo,
                    length)), DropReason.ICMP_TRUNCATED, 0));
        }
        c.add(new Case("an echo request with a wrong checksum", ipFrame(1, with(echo, b -> b[3]++)),
                DropReason.ICMP_BAD_CHECKSUM, 0));
        c.add(new Case("an echo request with a zero checksum", ipFrame(1, with(echo, b -> put16(b, 2, 0))),
                DropReason.ICMP_BAD_CHECKSUM, 0));
        c.add(new Case("an echo reply nobody asked for", ipFrame(1, icmp(0, 0, 1, bytes(8, 1))),
                InetDrop.ICMP_IGNORED, 0));
        c.add(new Case("a destination unreachable", ipFrame(1, icmp(3, 3, 0, bytes(28, 1))), InetDrop.ICMP_IGNORED,
                0));
        c.add(new Case("a timestamp request", ipFrame(1, icmp(13, 0, 1, new byte[12])), InetDrop.ICMP_IGNORED, 0));
        c.add(new Case("type 200", ipFrame(1, icmp(200, 0, 0, new byte[4])), InetDrop.ICMP_IGNORED, 0));
        c.add(new Case("an echo request to the IPv4 broadcast", ethernet(BROADCAST_MAC, PROBE_MAC, 0x0800,
                ipv4(PROBE_IP, BROADCAST_IP, 1, 1, 0, echo)), InetDrop.ICMP_ECHO_TO_BROADCAST, 0));
        c.add(new Case("an echo request in a link broadcast", ethernet(BROADCAST_MAC, PROBE_MAC, 0x0800,
                ipv4(PROBE_IP, ALICE_IP, 1, 1, 0, echo)), InetDrop.ICMP_ECHO_TO_BROADCAST, 0));
    }

    private static void udpCases(List<Case> c) {
        byte[] data = bytes(12, 5);
        for (int length : new int[] {0, 7}) {
            c.add(new Case("a UDP datagram of " + length + " bytes", ipFrame(17, java.util.Arrays.copyOf(
                    udp(PROBE_IP, ALICE_IP, 5555, BOUND_PORT, data), length)), DropReason.UDP_TRUNCATED, 0));
        }
        for (int length : new int[] {0, 7, 100}) {
            c.add(new Case("UDP length " + length, ipFrame(17, with(udp(PROBE_IP, ALICE_IP, 5555, BOUND_PORT, data),
                    b -> put16(b, 4, length))), DropReason.UDP_BAD_LENGTH, 0));
        }
        c.add(new Case("UDP checksum off by one", ipFrame(17, with(udp(PROBE_IP, ALICE_IP, 5555, BOUND_PORT, data),
                b -> b[7]++)), DropReason.UDP_BAD_CHECKSUM, 0));
        c.add(new Case("a UDP payload bit flipped", ipFrame(17, with(udp(PROBE_IP, ALICE_IP, 5555, BOUND_PORT, data),
                b -> b[10] ^= 1)), DropReason.UDP_BAD_CHECKSUM, 0));
        c.add(new Case("UDP to port 0", ipFrame(17, udp(PROBE_IP, ALICE_IP, 5555, 0, data)), InetDrop.UDP_ZERO_PORT,
                0));
        c.add(new Case("UDP to a port nobody bound", udpFrame(BOUND_PORT + 1, data), InetDrop.UDP_NO_SOCKET, 1));
        c.add(new Case("UDP broadcast to a port nobody bound", ethernet(BROADCAST_MAC, PROBE_MAC, 0x0800,
                ipv4(PROBE_IP, BROADCAST_IP, 17, 1, 0, udp(PROBE_IP, BROADCAST_IP, 5555, BOUND_PORT + 1, data))),
                InetDrop.UDP_NO_SOCKET, 0));
    }

    static byte[] with(byte[] bytes, Consumer<byte[]> change) {
        byte[] copy = bytes.clone();
        change.accept(copy);
        return copy;
    }

    static void put16(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }

    static void put32(byte[] b, int at, int value) {
        put16(b, at, value >>> 16);
        put16(b, at + 2, value);
    }

    static void putMac(byte[] b, int at, long mac) {
        put16(b, at, (int) (mac >>> 32));
        put32(b, at + 2, (int) mac);
    }

    static String dotted(int ip) {
        return (ip >>> 24) + "." + (ip >>> 16 & 0xFF) + "." + (ip >>> 8 & 0xFF) + "." + (ip & 0xFF);
    }
}
