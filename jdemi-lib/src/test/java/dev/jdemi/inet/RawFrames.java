package dev.jdemi.inet;

import java.nio.ByteBuffer;

/**
 * Hand-made frames for the stack tests: Ethernet, ARP, IPv4, ICMP and UDP written byte by byte, with their own
 * checksum code (RFC 1071), independent of the {@code wire} flyweights under test.
 */
final class RawFrames {
    static final long ALICE_MAC = 0x1223_4567_89ABL;
    static final long PROBE_MAC = 0x0200_0000_0099L;
    static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;
    static final int ALICE_IP = ip(192, 168, 1, 1);
    static final int PROBE_IP = ip(192, 168, 1, 9);
    static final int BROADCAST_IP = 0xFFFF_FFFF;

    private RawFrames() {
    }

    static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    static byte[] ethernet(long dst, long src, int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        putMac(b, dst);
        putMac(b, src);
        b.putShort((short) type);
        b.put(payload);
        return b.array();
    }

    static byte[] arp(int op, long sha, int spa, long tha, int tpa) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) op);
        putMac(b, sha);
        b.putInt(spa);
        putMac(b, tha);
        b.putInt(tpa);
        return b.array();
    }

    /** An IPv4 header without options and its payload, with a correct checksum. */
    static byte[] ipv4(int src, int dst, int protocol, int id, int flagsAndOffset, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putShort((short) id)
                .putShort((short) flagsAndOffset).put((byte) 64).put((byte) protocol).putShort((short) 0).putInt(src)
                .putInt(dst).put(payload);
        byte[] bytes = b.array();
        fixIpv4Checksum(bytes, 0);
        return bytes;
    }

    /** Recomputes the header checksum of the IPv4 header at {@code at}, by its IHL. */
    static void fixIpv4Checksum(byte[] bytes, int at) {
        bytes[at + 10] = 0;
        bytes[at + 11] = 0;
        // A header longer than the bytes (a malformed IHL) is summed as far as it goes.
        int ihl = Math.min((bytes[at] & 0xF) * 4, bytes.length - at);
        int sum = checksum(bytes, at, ihl, 0);
        bytes[at + 10] = (byte) (sum >>> 8);
        bytes[at + 11] = (byte) sum;
    }

    static byte[] udp(int src, int dst, int srcPort, int dstPort, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + data.length)).putShort((short) 0)
                .put(data);
        byte[] bytes = b.array();
        int sum = checksum(bytes, 0, bytes.length, pseudo(src, dst, 17, bytes.length));
        if (sum == 0) {
            sum = 0xFFFF;
        }
        bytes[6] = (byte) (sum >>> 8);
        bytes[7] = (byte) sum;
        return bytes;
    }

    static byte[] icmp(int type, int code, int rest, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.put((byte) type).put((byte) code).putShort((short) 0).putInt(rest).put(data);
        byte[] bytes = b.array();
        int sum = checksum(bytes, 0, bytes.length, 0);
        bytes[2] = (byte) (sum >>> 8);
        bytes[3] = (byte) sum;
        return bytes;
    }

    /** A UDP datagram from the probe to alice, in a whole frame. */
    static byte[] udpFrame(int dstPort, byte[] data) {
        return ethernet(ALICE_MAC, PROBE_MAC, 0x0800,
                ipv4(PROBE_IP, ALICE_IP, 17, 1, 0, udp(PROBE_IP, ALICE_IP, 5555, dstPort, data)));
    }

    /** An IPv4 packet from the probe to alice, in a whole frame. */
    static byte[] ipFrame(int protocol, byte[] payload) {
        return ethernet(ALICE_MAC, PROBE_MAC, 0x0800, ipv4(PROBE_IP, ALICE_IP, protocol, 1, 0, payload));
    }

    static int pseudo(int src, int dst, int protocol, int length) {
        return (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + protocol + length;
    }

    /** RFC 1071: the ones' complement of the ones' complement sum of 16-bit words. */
    static int checksum(byte[] bytes, int from, int length, int initial) {
        long sum = initial;
        for (int i = 0; i < length; i += 2) {
            int high = bytes[from + i] & 0xFF;
            int low = i + 1 < length ? bytes[from + i + 1] & 0xFF : 0;
            sum += high << 8 | low;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    static byte[] copy(byte[] bytes) {
        return bytes.clone();
    }

    static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed + i * 7);
        }
        return b;
    }

    private static void putMac(ByteBuffer b, long mac) {
        b.putShort((short) (mac >>> 32)).putInt((int) mac);
    }
}
