package dev.jdemi.phy.afpacket;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.phy.LinkCommands;
import dev.jdemi.phy.PhyDrop;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.sys.PacketSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.jdemi.phy.LinkCommands.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The AF_PACKET device over a real veth pair in the root namespace (both ends without addresses or IPv6, so the
 * kernel stays quiet): frames sent on one end arrive intact and in order on the other, through both ring layouts,
 * one by one and in batches larger than one {@code sendmmsg}; every drop path the kernel lets a test reach is
 * counted. The pair needs root; tests that need it skip with the reason otherwise.
 */
class PacketDeviceTest {
    /** An ethertype from the IEEE "local experimental" range: nobody else sends it. */
    private static final short ETHERTYPE = (short) 0x88b5;
    private static String left;
    private static String right;
    private static String skipReason;
    private final BufferPool pool = new BufferPool(BufferPool.STACK_HEADROOM);
    private final List<PacketDevice> devices = new ArrayList<>();
    private final DemiBuffer[] received = new DemiBuffer[256];

    @BeforeAll
    static void createPair() throws Exception {
        skipReason = LinkCommands.notRoot("AF_PACKET needs CAP_NET_RAW; the veth pair needs CAP_NET_ADMIN");
        if (skipReason != null) {
            System.out.println("PacketDeviceTest: veth tests skipped: " + skipReason);
            return;
        }
        String tag = String.valueOf(ProcessHandle.current().pid() % 100_000);
        left = "jdpa" + tag;
        right = "jdpb" + tag;
        LinkCommands.createVethPair(left, right);
    }

    @AfterAll
    static void deletePair() throws Exception {
        if (left != null) {
            ip("link", "del", left);
        }
    }

    @AfterEach
    void closeAll() {
        devices.forEach(PacketDevice::close);
        assertThat(pool.liveBuffers()).as("buffers leaked").isZero();
        pool.close();
    }

    private static String ip(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        return run(command);
    }


    private PacketDevice open(String name, PacketDevice.Mode mode) {
        Assumptions.assumeTrue(skipReason == null, skipReason);
        PacketDevice device = PacketDevice.open(name, pool, mode);
        devices.add(device);
        return device;
    }

    private DemiBuffer frame(int length, int sequence) {
        DemiBuffer frame = pool.allocate(length);
        MemorySegment bytes = frame.segment();
        bytes.fill((byte) 0);
        for (int i = 0; i < Math.min(6, length); i++) {
            bytes.set(ValueLayout.JAVA_BYTE, i, (byte) 0xff);
        }
        if (length < 14) {
            return frame;
        }
        bytes.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 12, ETHERTYPE);
        if (length >= 18) {
            bytes.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 14, sequence);
        }
        for (int i = 18; i < length; i++) {
            bytes.set(ValueLayout.JAVA_BYTE, i, (byte) (sequence + i));
        }
        return frame;
    }

    /** Receives until {@code count} test frames arrived (sleeping in the device's poll) or 5 s passed. */
    private List<byte[]> receiveTestFrames(PacketDevice device, int count) {
        List<byte[]> frames = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (frames.size() < count && System.nanoTime() < deadline) {
            int n = device.receive(received, received.length, 0);
            for (int i = 0; i < n; i++) {
                byte[] bytes = received[i].segment().toArray(ValueLayout.JAVA_BYTE);
                received[i].free();
                if (bytes.length >= 14 && bytes[12] == (byte) 0x88 && bytes[13] == (byte) 0xb5) {
                    frames.add(bytes);
                }
            }
            if (n == 0) {
                device.block(10_000_000L);
            }
        }
        return frames;
    }

    private static byte[] expected(int length, int sequence, PacketDeviceTest test) {
        DemiBuffer frame = test.frame(length, sequence);
        byte[] bytes = frame.segment().toArray(ValueLayout.JAVA_BYTE);
        frame.free();
        return bytes;
    }

    @Test
    void anUnknownInterfaceIsEnodev() {
        assertThatThrownBy(() -> PacketDevice.open("jdemi-nope0", pool, PacketDevice.Mode.V3))
                .isInstanceOfSatisfying(DemiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV))
                .hasMessageContaining("jdemi-nope0");
    }

    @Test
    void ringModesAreValidated() {
        assertThatThrownBy(() -> new PacketDevice.Mode(3, 1)).isInstanceOf(DemiException.class)
                .hasMessageContaining("TPACKET_V2");
        assertThatThrownBy(() -> new PacketDevice.Mode(PacketSocket.TPACKET_V3, 0))
                .isInstanceOf(DemiException.class).hasMessageContaining("1..1000");
    }

    @Test
    void theRingHoldsTheLargestFrameOfTheInterface() {
        PacketSocket.Ring v2 = PacketDevice.geometry(PacketDevice.Mode.V2, 1514);
        assertThat(v2.frameBytes()).isEqualTo(2048);
        assertThat(v2.frames()).isEqualTo(1024);
        PacketSocket.Ring jumbo = PacketDevice.geometry(PacketDevice.Mode.V2, 9014);
        assertThat(jumbo.frameBytes()).isEqualTo(16384);
        PacketSocket.Ring v3 = PacketDevice.geometry(PacketDevice.Mode.V3, 65_535);
        assertThat(v3.blockBytes()).isGreaterThanOrEqualTo(2 * 65_535);
        assertThat(v3.blockBytes() % 4096).isZero();
        assertThat(v3.retireTimeoutMs()).isEqualTo(1);
    }

    @Test
    void capabilitiesComeFromTheInterface() throws Exception {
        PacketDevice device = open(left, PacketDevice.Mode.V3);
        String link = ip("-br", "link", "show", left);
        assertThat(device.capabilities().macAddress().toString()).isEqualToIgnoringCase(link.split("\\s+")[2]);
        assertThat(device.capabilities().mtuBytes()).isEqualTo(1500);
        assertThat(device.capabilities().rxChecksumOffload()).isFalse();
        assertThat(device.capabilities().txChecksumOffload()).isFalse();
        assertThat(device.interfaceName()).isEqualTo(left);
    }

    @Test
    void offloadsComeFromTheInterface() throws Exception {
        Assumptions.assumeTrue(skipReason == null, skipReason);
        run(List.of("ethtool", "-K", left, "gro", "on", "tx", "on"));
        try {
            PacketDevice device = open(left, PacketDevice.Mode.V2);
            assertThat(device.offloads().genericReceive()).isTrue();
            assertThat(device.offloads().mergesReceived()).isTrue();
            assertThat(device.offloads().txChecksumming()).isTrue();
            assertThat(device.toString()).contains(left).contains("gro on").contains("tx-checksumming on");
        } finally {
            run(List.of("ethtool", "-K", left, "gro", "off"));
        }
        assertThat(open(left, PacketDevice.Mode.V2).offloads().genericReceive()).isFalse();
    }

    /**
     * A UDP datagram from a kernel socket leaves through an interface with tx-checksumming on with only the
     * pseudo-header sum in its checksum (TP_STATUS_CSUMNOTREADY): the receiving device marks it trusted. With
     * tx-checksumming off the kernel fills the checksum in and the frame is left to the stack to verify.
     */
    @Test
    void aKernelSendersPartialChecksumIsMarkedTrusted() throws Exception {
        Assumptions.assumeTrue(skipReason == null, skipReason);
        String subnet = "10.98." + (ProcessHandle.current().pid() % 200);
        ip("addr", "add", subnet + ".2/24", "dev", left);
        try (java.nio.channels.DatagramChannel channel = java.nio.channels.DatagramChannel.open()) {
            ip("neigh", "replace", subnet + ".1", "lladdr", "02:00:00:00:0b:01", "dev", left, "nud", "permanent");
            channel.connect(new java.net.InetSocketAddress(java.net.InetAddress.getByName(subnet + ".1"), 9));
            PacketDevice receiver = open(right, PacketDevice.Mode.V2);
            run(List.of("ethtool", "-K", left, "tx", "on"));
            DemiBuffer partial = sendAndReceiveUdp(channel, receiver);
            assertThat(partial.isChecksumTrusted()).as("partial checksum marked trusted").isTrue();
            assertThat(udpChecksumHolds(partial)).as("the checksum field holds only the pseudo-header sum").isFalse();
            partial.free();
            run(List.of("ethtool", "-K", left, "tx", "off"));
            DemiBuffer complete = sendAndReceiveUdp(channel, receiver);
            assertThat(complete.isChecksumTrusted()).as("a complete checksum is left to the stack").isFalse();
            assertThat(udpChecksumHolds(complete)).isTrue();
            complete.free();
        } finally {
            run(List.of("ethtool", "-K", left, "tx", "on"));
            ip("addr", "del", subnet + ".2/24", "dev", left);
        }
    }

    private DemiBuffer sendAndReceiveUdp(java.nio.channels.DatagramChannel channel, PacketDevice receiver)
            throws IOException {
        channel.write(java.nio.ByteBuffer.wrap("partial or not".getBytes(StandardCharsets.US_ASCII)));
        DemiBuffer found = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (found == null && System.nanoTime() < deadline) {
            int n = receiver.receive(received, received.length, 0);
            for (int i = 0; i < n; i++) {
                MemorySegment bytes = received[i].segment();
                boolean udp = received[i].length() > 42 && bytes.get(ValueLayout.JAVA_BYTE, 12) == 0x08
                        && bytes.get(ValueLayout.JAVA_BYTE, 13) == 0x00 && bytes.get(ValueLayout.JAVA_BYTE, 23) == 17;
                if (udp && found == null) {
                    found = received[i];
                } else {
                    received[i].free();
                }
            }
            if (n == 0) {
                receiver.block(10_000_000L);
            }
        }
        assertThat(found).as("the kernel's datagram").isNotNull();
        return found;
    }

    /** {@return whether the UDP checksum of a frame (20-byte IPv4 header) verifies: RFC 768, with the pseudo-header} */
    private static boolean udpChecksumHolds(DemiBuffer frame) {
        byte[] b = frame.toArray();
        int udpLength = b.length - 34;
        long sum = 17 + udpLength;
        for (int i = 26; i < 34; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        for (int i = 34; i < b.length; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (i + 1 < b.length ? b[i + 1] & 0xff : 0);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return sum == 0xffff;
    }

    @Test
    void framesCrossThePairThroughAV3Ring() {
        crossThePair(PacketDevice.Mode.V3);
    }

    @Test
    void framesCrossThePairThroughAV2Ring() {
        crossThePair(PacketDevice.Mode.V2);
    }

    private void crossThePair(PacketDevice.Mode mode) {
        PacketDevice sender = open(left, mode);
        PacketDevice receiver = open(right, mode);
        assertThat(sender.transmit(frame(60, 0), 0)).isZero();
        assertThat(sender.transmit(frame(1514, 1), 0)).isZero();
        DemiBuffer[] batch = new DemiBuffer[150];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = frame(64 + i, 2 + i);
        }
        assertThat(sender.transmit(batch, batch.length, 0)).isZero();

        List<byte[]> frames = receiveTestFrames(receiver, 152);
        assertThat(frames).hasSize(152);
        assertThat(frames.get(0)).isEqualTo(expected(60, 0, this));
        assertThat(frames.get(1)).isEqualTo(expected(1514, 1, this));
        for (int i = 0; i < batch.length; i++) {
            assertThat(frames.get(2 + i)).as("batch frame %d", i).isEqualTo(expected(64 + i, 2 + i, this));
        }
        assertThat(sender.stats().framesTx()).isEqualTo(152);
        assertThat(receiver.stats().framesRx()).isGreaterThanOrEqualTo(152);
        assertThat(sender.stats().dropsTotal()).isZero();
    }

    @Test
    void framesTheKernelDropsOnAFullRingAreCountedAsQueueFull() {
        PacketDevice sender = open(left, PacketDevice.Mode.V2);
        PacketDevice receiver = open(right, PacketDevice.Mode.V2);
        int slots = PacketDevice.geometry(PacketDevice.Mode.V2, 1514).frames();
        DemiBuffer[] batch = new DemiBuffer[100];
        int sent = (slots / batch.length + 3) * batch.length;
        for (int done = 0; done < sent; done += batch.length) {
            for (int i = 0; i < batch.length; i++) {
                batch[i] = frame(60, done + i);
            }
            assertThat(sender.transmit(batch, batch.length, 0)).isZero();
        }
        List<byte[]> first = receiveTestFrames(receiver, slots);
        assertThat(first).hasSize(slots);
        // The ring has room again: the next frame carries TP_STATUS_LOSING, which makes the device read the count.
        assertThat(sender.transmit(frame(60, sent), 0)).isZero();
        assertThat(receiveTestFrames(receiver, 1)).hasSize(1);
        assertThat(receiver.stats().drops(PhyDrop.QUEUE_FULL)).isEqualTo(sent - slots);
        assertThat(receiver.collectKernelDrops()).as("nothing left to collect").isZero();
    }

    @Test
    void sendingAndReceivingAllocateNothingInTheSteadyState() {
        PacketDevice sender = open(left, PacketDevice.Mode.V2);
        PacketDevice receiver = open(right, PacketDevice.Mode.V2);
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        DemiBuffer[] batch = new DemiBuffer[8];
        // Until C2 has compiled them, FFM downcalls allocate a little per call; the steady state is reached when a
        // window of 5,000 rounds allocates (next to) nothing. Up to 12 windows, on a loaded machine.
        List<Long> windows = new ArrayList<>();
        for (int window = 0; window < 12; window++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            int received = roundTrips(sender, receiver, batch, 5_000);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(received).isEqualTo(5_000 * (1 + batch.length));
            windows.add(allocated);
            if (allocated < 1024) {
                break;
            }
        }
        assertThat(windows.getLast()).as("bytes allocated per window of 45,000 frames sent and received: %s",
                windows).isLessThan(1024);
    }

    /** Sends one frame and a batch, receives them all (not copying them out); returns how many test frames came. */
    private int roundTrips(PacketDevice sender, PacketDevice receiver, DemiBuffer[] batch, int rounds) {
        int count = 0;
        for (int r = 0; r < rounds; r++) {
            sender.transmit(rawFrame(), 0);
            for (int i = 0; i < batch.length; i++) {
                batch[i] = rawFrame();
            }
            sender.transmit(batch, batch.length, 0);
            int wanted = count + 1 + batch.length;
            for (int spins = 0; count < wanted && spins < 1000; spins++) {
                int n = receiver.receive(received, received.length, 0);
                for (int i = 0; i < n; i++) {
                    DemiBuffer frame = received[i];
                    if (frame.memory().get(ValueLayout.JAVA_BYTE, frame.dataOffset() + 12) == (byte) 0x88) {
                        count++;
                    }
                    frame.free();
                }
                if (n == 0) {
                    receiver.block(1_000_000L);
                }
            }
        }
        return count;
    }

    /** A 60-byte broadcast test frame written without making a segment per frame. */
    private DemiBuffer rawFrame() {
        DemiBuffer frame = pool.allocate(60);
        MemorySegment memory = frame.memory();
        int at = frame.dataOffset();
        for (int i = 0; i < 6; i++) {
            memory.set(ValueLayout.JAVA_BYTE, at + i, (byte) 0xff);
        }
        memory.set(ValueLayout.JAVA_BYTE, at + 12, (byte) 0x88);
        memory.set(ValueLayout.JAVA_BYTE, at + 13, (byte) 0xb5);
        return frame;
    }

    @Test
    void runtsAndOversizedFramesAreDroppedAndCounted() {
        PacketDevice device = open(left, PacketDevice.Mode.V2);
        assertThat(device.transmit(frame(13, 0), 0)).isEqualTo(-Errno.EINVAL);
        assertThat(device.transmit(frame(1515, 0), 0)).isEqualTo(-Errno.EMSGSIZE);
        DemiBuffer[] batch = {frame(60, 1), frame(10, 2), frame(2000, 3), frame(60, 4)};
        assertThat(device.transmit(batch, batch.length, 0)).isEqualTo(-Errno.EINVAL);
        assertThat(device.stats().drops(PhyDrop.RUNT)).isEqualTo(2);
        assertThat(device.stats().drops(PhyDrop.OVERSIZE)).isEqualTo(2);
        assertThat(device.stats().framesTx()).isEqualTo(2);
    }

    @Test
    void aLinkThatIsDownRefusesFramesAsSendFailed() throws Exception {
        PacketDevice device = open(left, PacketDevice.Mode.V2);
        ip("link", "set", left, "down");
        try {
            assertThat(device.transmit(frame(60, 0), 0)).isEqualTo(-Errno.ENETDOWN);
            DemiBuffer[] batch = {frame(60, 1), frame(60, 2)};
            assertThat(device.transmit(batch, 2, 0)).isEqualTo(-Errno.ENETDOWN);
            assertThat(device.stats().drops(PhyDrop.SEND_FAILED)).isEqualTo(3);
        } finally {
            ip("link", "set", left, "up");
        }
    }

    @Test
    void aClosedDeviceDropsTransmitsAndReceivesNothing() {
        PacketDevice device = open(left, PacketDevice.Mode.V3);
        device.close();
        device.close();
        assertThat(device.transmit(frame(60, 0), 0)).isEqualTo(-Errno.EBADF);
        DemiBuffer[] batch = {frame(60, 1)};
        assertThat(device.transmit(batch, 1, 0)).isEqualTo(-Errno.EBADF);
        assertThat(device.stats().drops(PhyDrop.CLOSED)).isEqualTo(2);
        assertThat(device.receive(received, received.length, 0)).isZero();
        device.block(1_000_000L);
    }
}
