package dev.jdemi.bench;

import dev.jdemi.wire.Checksum;
import dev.jdemi.wire.EthernetHeader;
import dev.jdemi.wire.Ipv4Header;
import dev.jdemi.wire.TcpHeader;
import dev.jdemi.wire.TcpOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * The wire layer on one Ethernet + IPv4 + TCP frame with the SYN options and a payload: parse (wrap, validate with
 * both checksums, read the options) and emit (write every field, the options and both checksums); and the Internet
 * checksum alone over 20, 64 and 1460 bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class WireBenchmark {
    private static final long HOST_MAC = 0x5254_0012_3456L;
    private static final long PEER_MAC = 0x5254_00AB_CDEFL;
    private static final int HOST_IP = 0x0A00_020F;
    private static final int PEER_IP = 0x0A00_0202;
    private static final int ETH = 14;
    private static final int IP = 20;
    private static final int TCP = 40;

    /** The TCP payload of the frame, and the length the checksum benchmark sums. */
    @Param({"20", "64", "1460"})
    public int bytes;

    private final EthernetHeader eth = new EthernetHeader();
    private final Ipv4Header ip = new Ipv4Header();
    private final TcpHeader tcp = new TcpHeader();
    private final TcpOptions options = new TcpOptions();
    private Arena arena;
    private MemorySegment frame;
    private MemorySegment out;
    private int round;

    /** Builds the frame that {@link #parse} reads. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        int length = ETH + IP + TCP + bytes;
        frame = arena.allocate(length);
        for (int i = ETH + IP + TCP; i < length; i++) {
            frame.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        out = arena.allocate(length);
        out.copyFrom(frame);
        emitInto(frame, 1);
    }

    private long emitInto(MemorySegment segment, int seq) {
        int length = ETH + IP + TCP + bytes;
        eth.wrap(segment, 0, length).dstAddr(PEER_MAC).srcAddr(HOST_MAC).etherType(EthernetHeader.ETHER_TYPE_IPV4);
        ip.wrap(segment, ETH, length - ETH).version(4).ihl(5).totalLength(length - ETH).identification(seq)
                .flags(Ipv4Header.FLAG_DF).ttl(64).protocol(Ipv4Header.PROTOCOL_TCP).srcAddr(HOST_IP)
                .dstAddr(PEER_IP).computeHeaderChecksum();
        options.clear().mss(1460).sackPermitted(true).timestamps(seq, 0).windowScale(10);
        tcp.wrap(segment, ETH + IP, TCP + bytes).srcPort(48606).dstPort(80).seqNumber(seq).ackNumber(0)
                .flags(TcpHeader.FLAG_SYN).window(64240).writeOptions(options).computeChecksum(HOST_IP, PEER_IP);
        return ip.headerChecksum() + tcp.checksum();
    }

    /**
     * Parses and validates the frame, both checksums included, and reads its options.
     *
     * @return a value that depends on every step (0 drop reasons plus the options)
     */
    @Benchmark
    public long parse() {
        long acc = eth.wrap(frame, 0, (int) frame.byteSize()).validate();
        acc += ip.wrap(frame, eth.payloadOffset(), eth.payloadLength()).validate(true);
        acc += tcp.wrap(frame, ip.payloadOffset(), ip.payloadLength()).validate(ip.srcAddr(), ip.dstAddr(), true);
        acc += tcp.parseOptions(options) + options.mss() + options.tsVal();
        return acc;
    }

    /**
     * Writes the frame's headers, options and both checksums (over the payload too).
     *
     * @return the checksums
     */
    @Benchmark
    public long emit() {
        return emitInto(out, ++round);
    }

    /**
     * The Internet checksum of {@code bytes} bytes.
     *
     * @return the checksum
     */
    @Benchmark
    public int checksum() {
        return Checksum.compute(frame, ETH + IP + TCP, bytes);
    }

    /** Frees the frames. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }
}
