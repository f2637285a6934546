package dev.jdemi.wire;

import static dev.jdemi.wire.GoldenFrames.HOST_IP;
import static dev.jdemi.wire.GoldenFrames.HOST_MAC;
import static dev.jdemi.wire.GoldenFrames.PEER_IP;
import static dev.jdemi.wire.GoldenFrames.PEER_MAC;
import static dev.jdemi.wire.GoldenFrames.TCP_SYN;
import static dev.jdemi.wire.GoldenFrames.UDP;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * A smoke check, not a benchmark: parsing and building frames with reused flyweights must not allocate per packet.
 */
class NoAllocationTest {
    private static final int WARM_UP = 20_000;
    private static final int ROUNDS = 100_000;
    private static final long BOUND_BYTES = 64 * 1024;

    private final EthernetHeader eth = new EthernetHeader();
    private final Ipv4Header ip = new Ipv4Header();
    private final TcpHeader tcp = new TcpHeader();
    private final UdpHeader udp = new UdpHeader();
    private final TcpOptions options = new TcpOptions();

    /** Parses and validates the SYN and the datagram, then rebuilds the SYN; returns a value that depends on all. */
    private long once(MemorySegment syn, MemorySegment datagram, MemorySegment out, int round) {
        long acc = eth.wrap(syn, 0, TCP_SYN.length).validate();
        acc += ip.wrap(syn, eth.payloadOffset(), eth.payloadLength()).validate(true);
        acc += tcp.wrap(syn, ip.payloadOffset(), ip.payloadLength()).validate(ip.srcAddr(), ip.dstAddr(), true);
        acc += tcp.parseOptions(options) + options.mss() + options.tsVal();

        acc += eth.wrap(datagram, 0, UDP.length).validate();
        acc += ip.wrap(datagram, eth.payloadOffset(), eth.payloadLength()).validate(true);
        acc += udp.wrap(datagram, ip.payloadOffset(), ip.payloadLength()).validate(ip.srcAddr(), ip.dstAddr(), true);

        eth.wrap(out, 0, TCP_SYN.length).dstAddr(PEER_MAC).srcAddr(HOST_MAC).etherType(EthernetHeader.ETHER_TYPE_IPV4);
        ip.wrap(out, 14, TCP_SYN.length - 14).version(4).ihl(5).totalLength(60).identification(round)
                .flags(Ipv4Header.FLAG_DF).ttl(64).protocol(Ipv4Header.PROTOCOL_TCP)
                .srcAddr(HOST_IP).dstAddr(PEER_IP).computeHeaderChecksum();
        options.clear().mss(1460).sackPermitted(true).timestamps(round, 0).windowScale(10);
        tcp.wrap(out, 34, 40).srcPort(48606).dstPort(80).seqNumber(round).ackNumber(0)
                .flags(TcpHeader.FLAG_SYN).window(64240).writeOptions(options).computeChecksum(HOST_IP, PEER_IP);
        return acc + ip.headerChecksum() + tcp.checksum();
    }

    @Test
    void parsingAndBuildingAllocateNothingPerPacket() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment syn = arena.allocate(TCP_SYN.length);
            syn.copyFrom(MemorySegment.ofArray(TCP_SYN));
            MemorySegment datagram = arena.allocate(UDP.length);
            datagram.copyFrom(MemorySegment.ofArray(UDP));
            MemorySegment out = arena.allocate(TCP_SYN.length);

            long sink = 0;
            for (int i = 0; i < WARM_UP; i++) {
                sink += once(syn, datagram, out, i);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < ROUNDS; i++) {
                sink += once(syn, datagram, out, i);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;

            assertThat(allocated).as("bytes allocated by %d parse+build rounds", ROUNDS).isLessThan(BOUND_BYTES);
            assertThat(sink).isNotZero();
            // The last round rebuilt a valid SYN.
            assertThat(ip.wrap(out, 14, 60).validate(true)).isEqualTo(DropReason.NONE);
            assertThat(tcp.wrap(out, 34, 40).validate(HOST_IP, PEER_IP, true)).isEqualTo(DropReason.NONE);
        }
    }
}
