package dev.jdemi.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

/**
 * Real frames, byte for byte, for the golden tests.
 *
 * <p>Provenance: captured with an AF_PACKET socket on a veth pair between two Linux 6.18 network namespaces
 * (host 10.0.2.15 / 52:54:00:12:34:56, peer 10.0.2.2 / 52:54:00:ab:cd:ef), with transmit checksum offload turned off
 * on both ends so the kernel wrote complete checksums. The ARP exchange, TCP handshake, UDP datagrams and echo reply
 * were produced by the kernels; the echo request's ICMP bytes were written by the capture script the way ping lays
 * them out (16-byte timeval, then 0x10..0x37) and sent through a raw socket; the two SACK segments are the peer
 * kernel's duplicate ACKs for injected out-of-order data. Every IPv4, ICMP, UDP and TCP checksum below was checked
 * with an independent Python script, not with the code under test. To regenerate (values such as sequence numbers
 * and timestamps will differ): {@code src/test/resources/wire/capture-golden-frames.sh out.txt}, then
 * {@code golden_frames.py verify out.txt}.
 */
final class GoldenFrames {
    static final long HOST_MAC = 0x5254_0012_3456L;
    static final long PEER_MAC = 0x5254_00AB_CDEFL;
    /** 10.0.2.15. */
    static final int HOST_IP = 0x0A00_020F;
    /** 10.0.2.2. */
    static final int PEER_IP = 0x0A00_0202;

    /** Who has 10.0.2.2? Tell 10.0.2.15 (unpadded, as veth delivers it). */
    static final byte[] ARP_REQUEST = hex(
            "ffffffffffff 525400123456 0806",  // Ethernet
            "00010800 06040001 52540012 34560a00 020f0000 00000000 0a000202");  // ARP

    /** 10.0.2.2 is at 52:54:00:ab:cd:ef. */
    static final byte[] ARP_REPLY = hex(
            "525400123456 525400abcdef 0806",  // Ethernet
            "00010800 06040002 525400ab cdef0a00 02025254 00123456 0a00020f");  // ARP

    /** Linux SYN: MSS 1460, SACK-permitted, timestamps, NOP, window scale 10. */
    static final byte[] TCP_SYN = hex(
            "525400abcdef 525400123456 0800",  // Ethernet
            "4500003c 923c4000 4006906f 0a00020f 0a000202",  // IPv4
            "bdde0050 3b50f780 00000000 a002faf0 ff8f0000",  // TCP
            "020405b4 0402080a 180f2c5d 00000000 0103030a");  // TCP options

    /** Linux SYN-ACK answering {@link #TCP_SYN}. */
    static final byte[] TCP_SYN_ACK = hex(
            "525400123456 525400abcdef 0800",  // Ethernet
            "4500003c 00004000 400622ac 0a000202 0a00020f",  // IPv4
            "0050bdde 8b99765a 3b50f781 a012fe88 ee770000",  // TCP
            "020405b4 0402080a fa9710e3 180f2c5d 0103030a");  // TCP options

    /** The third segment of the handshake: NOP, NOP, timestamps. */
    static final byte[] TCP_ACK = hex(
            "525400abcdef 525400123456 0800",  // Ethernet
            "45000034 923d4000 40069076 0a00020f 0a000202",  // IPv4
            "bdde0050 3b50f781 8b99765b 8010003f 1b900000",  // TCP
            "0101080a 180f2c5e fa9710e3");  // TCP options

    /** Duplicate ACK with timestamps and one SACK block. */
    static final byte[] TCP_SACK1 = hex(
            "525400123456 525400abcdef 0800",  // Ethernet
            "45000040 b9594000 4006694e 0a000202 0a00020f",  // IPv4
            "0050828a f3802fda 50808f33 b0100040 c7080000",  // TCP
            "0101080a e551a4ba b39ed61c 0101050a 5080931b 5080937f");  // TCP options

    /** Duplicate ACK with timestamps and two SACK blocks, the newest first. */
    static final byte[] TCP_SACK2 = hex(
            "525400123456 525400abcdef 0800",  // Ethernet
            "45000048 b95a4000 40066945 0a000202 0a00020f",  // IPv4
            "0050828a f3802fda 50808f33 d0100040 cf8a0000",  // TCP
            "0101080a e551a4ec b39ed61c 01010512 50809aeb 50809b4f 5080931b 5080937f");  // TCP options

    /**
     * Out-of-order data (PSH, ACK, timestamps, 100 bytes where byte i is (7i + 1000) mod 256), written by the capture
     * script with a Python-computed checksum; the peer kernel accepted it, answering with {@link #TCP_SACK1}.
     */
    static final byte[] TCP_DATA = hex(
            "525400abcdef 525400123456 0800",  // Ethernet
            "45000098 11114000 4006113f 0a00020f 0a000202",  // IPv4
            "828a0050 5080931b f3802fda 801801f6 59b60000",  // TCP
            "0101080a b39ed61d e551a3f1",  // TCP options
            "e8eff6fd 040b1219 20272e35 3c434a51 585f666d 747b8289",  // data
            "90979ea5 acb3bac1 c8cfd6dd e4ebf2f9 00070e15 1c232a31",
            "383f464d 545b6269 70777e85 8c939aa1 a8afb6bd c4cbd2d9",
            "e0e7eef5 fc030a11 181f262d 343b4249 50575e65 6c737a81",
            "888f969d");

    /** UDP 41234 to 53 with the payload "jdemi wire golden datagram\n". */
    static final byte[] UDP = hex(
            "525400abcdef 525400123456 0800",  // Ethernet
            "45000037 8fef4000 401192b6 0a00020f 0a000202",  // IPv4
            "a1120035 00231593",  // UDP
            "6a64656d 69207769 72652067 6f6c6465 6e206461 74616772 616d0a");  // data

    /** UDP with an IPv4 NOP and a Record Route option whose first slot the kernel filled with its own address. */
    static final byte[] IPV4_RR = hex(
            "525400abcdef 525400123456 0800",  // Ethernet
            "4800002a 8ff84000 4011779c 0a00020f 0a000202",  // IPv4
            "01070b08 0a00020f 00000000",  // IPv4 options: NOP, RR len 11 ptr 8, two slots
            "a1130035 000ad40e",  // UDP
            "7272");  // data

    /** ICMP echo request, identifier 0x1c2b, sequence 1, 56 data bytes. */
    static final byte[] ICMP_REQUEST = hex(
            "525400abcdef 525400123456 0800",  // Ethernet
            "45000054 4f574000 4001d341 0a00020f 0a000202",  // IPv4
            "0800b634 1c2b0001",  // ICMP
            "00812469 00000000 40e20100 00000000 10111213 14151617",  // data
            "18191a1b 1c1d1e1f 20212223 24252627 28292a2b 2c2d2e2f",
            "30313233 34353637");

    /** The peer kernel's echo reply to {@link #ICMP_REQUEST}. */
    static final byte[] ICMP_REPLY = hex(
            "525400123456 525400abcdef 0800",  // Ethernet
            "45000054 fbf30000 400166a5 0a000202 0a00020f",  // IPv4
            "0000be34 1c2b0001",  // ICMP
            "00812469 00000000 40e20100 00000000 10111213 14151617",  // data
            "18191a1b 1c1d1e1f 20212223 24252627 28292a2b 2c2d2e2f",
            "30313233 34353637");

    /** Where the IPv4 header starts in an Ethernet frame. */
    static final int IP = EthernetHeader.HEADER_LENGTH;
    /** Where the transport header starts after a 20-byte IPv4 header. */
    static final int L4 = IP + Ipv4Header.MIN_HEADER_LENGTH;

    private GoldenFrames() {
    }

    static byte[] hex(String... parts) {
        return HexFormat.of().parseHex(String.join("", parts).replace(" ", ""));
    }

    /** A fresh heap segment holding a copy of the frame, so tests never modify the constants. */
    static MemorySegment copy(byte[] frame) {
        return MemorySegment.ofArray(frame.clone());
    }

    /** A fresh segment with {@code before} junk bytes, the frame, then {@code after} junk bytes. */
    static MemorySegment copyAt(byte[] frame, int before, int after) {
        byte[] bytes = new byte[before + frame.length + after];
        java.util.Arrays.fill(bytes, (byte) 0xA5);
        System.arraycopy(frame, 0, bytes, before, frame.length);
        return MemorySegment.ofArray(bytes);
    }

    static String hexOf(MemorySegment segment) {
        return HexFormat.of().formatHex(segment.toArray(ValueLayout.JAVA_BYTE));
    }

    static String hexOf(byte[] bytes, int from, int to) {
        return HexFormat.of().formatHex(bytes, from, to);
    }

    static String hexOf(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
