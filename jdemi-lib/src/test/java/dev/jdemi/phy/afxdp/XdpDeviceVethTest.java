package dev.jdemi.phy.afxdp;

import dev.jdemi.Config;
import dev.jdemi.DemiException;
import dev.jdemi.bootstrap.CatpowderProvider;
import dev.jdemi.Errno;
import dev.jdemi.phy.LinkCommands;
import dev.jdemi.phy.PhyDrop;
import dev.jdemi.phy.afpacket.PacketDevice;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.jdemi.phy.LinkCommands.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The AF_XDP device over a real veth pair in the root namespace, against the AF_PACKET device on the other end (both
 * ends without addresses or IPv6, so the kernel stays quiet): frames cross both ways intact and in order, received
 * frames lie in the UMEM, sent frames return to the pool on completion, foreign frames are copied, and frames the
 * kernel drops on an empty fill ring are counted. The pair, the XDP program and the sockets need root; the tests skip
 * with the reason otherwise.
 */
class XdpDeviceVethTest {
    /** An ethertype from the IEEE "local experimental" range: nobody else sends it. */
    private static final short ETHERTYPE = (short) 0x88b5;
    private static String left;
    private static String right;
    private static String skipReason;
    private final BufferPool umem = XdpDevice.newPool();
    private final BufferPool plain = new BufferPool(BufferPool.STACK_HEADROOM);
    private final List<AutoCloseable> devices = new ArrayList<>();
    private final DemiBuffer[] received = new DemiBuffer[256];

    @BeforeAll
    static void createPair() throws Exception {
        skipReason = cannotRun();
        if (skipReason != null) {
            System.out.println("XdpDeviceVethTest: veth tests skipped: " + skipReason);
            return;
        }
        String tag = String.valueOf(ProcessHandle.current().pid() % 100_000);
        left = "jdxa" + tag;
        right = "jdxb" + tag;
        LinkCommands.createVethPair(left, right);
    }

    @AfterAll
    static void deletePair() throws Exception {
        if (left != null) {
            run("ip", "link", "del", left);
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable device : devices) {
            device.close();
        }
        assertThat(umem.liveBuffers()).as("UMEM pool buffers leaked").isZero();
        assertThat(plain.liveBuffers()).as("plain pool buffers leaked").isZero();
        umem.close();
        plain.close();
    }

    private static String cannotRun() throws IOException {
        String notRoot = LinkCommands.notRoot("AF_XDP needs CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF");
        return notRoot != null ? notRoot : dev.jdemi.sys.Xsk.unavailable();
    }

    private XdpDevice xdp(BufferPool pool, XdpDevice.Attach attach) {
        Assumptions.assumeTrue(skipReason == null, skipReason);
        XdpDevice device = attach == null ? XdpDevice.open(left, pool) : XdpDevice.open(left, pool, attach);
        devices.add(device);
        return device;
    }

    private PacketDevice packet() {
        Assumptions.assumeTrue(skipReason == null, skipReason);
        PacketDevice device = PacketDevice.open(right, plain, PacketDevice.Mode.V2);
        devices.add(device);
        return device;
    }

    private static DemiBuffer frame(BufferPool pool, int length, int sequence) {
        DemiBuffer frame = pool.allocate(length);
        MemorySegment bytes = frame.segment();
        bytes.fill((byte) 0);
        for (int i = 0; i < 6; i++) {
            bytes.set(ValueLayout.JAVA_BYTE, i, (byte) 0xff);
        }
        bytes.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 12, ETHERTYPE);
        bytes.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 14, sequence);
        for (int i = 18; i < length; i++) {
            bytes.set(ValueLayout.JAVA_BYTE, i, (byte) (sequence + i));
        }
        return frame;
    }

    private byte[] expected(int length, int sequence) {
        DemiBuffer frame = frame(plain, length, sequence);
        byte[] bytes = frame.segment().toArray(ValueLayout.JAVA_BYTE);
        frame.free();
        return bytes;
    }

    /** Receives until {@code count} test frames arrived (sleeping in the device's poll) or 5 s passed. */
    private List<byte[]> receiveTestFrames(dev.jdemi.phy.PhysicalLayer device, int count, List<Long> umemOffsets) {
        List<byte[]> frames = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (frames.size() < count && System.nanoTime() < deadline) {
            int n = device.receive(received, received.length, 0);
            for (int i = 0; i < n; i++) {
                byte[] bytes = received[i].segment().toArray(ValueLayout.JAVA_BYTE);
                if (bytes.length >= 14 && bytes[12] == (byte) 0x88 && bytes[13] == (byte) 0xb5) {
                    frames.add(bytes);
                    if (umemOffsets != null) {
                        umemOffsets.add(umem.umemOffset(received[i]));
                    }
                }
                received[i].free();
            }
            if (n == 0) {
                device.block(10_000_000L);
            }
        }
        return frames;
    }

    @Test
    void anUnknownInterfaceIsEnodevAndAPoolWithoutUmemIsEinval() {
        Assumptions.assumeTrue(skipReason == null, skipReason);
        assertThatThrownBy(() -> XdpDevice.open("jdemi-nope0", umem))
                .isInstanceOfSatisfying(DemiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV))
                .hasMessageContaining("jdemi-nope0");
        assertThatThrownBy(() -> XdpDevice.open(left, plain))
                .isInstanceOfSatisfying(DemiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                .hasMessageContaining("UMEM");
    }

    @Test
    void aSecondDeviceOnTheSameQueueIsRefusedWithTheReason() {
        xdp(umem, null);
        try (BufferPool second = BufferPool.withUmem(BufferPool.STACK_HEADROOM, XdpDevice.CHUNK_BYTES, 64)) {
            assertThatThrownBy(() -> XdpDevice.open(left, second)).isInstanceOfSatisfying(DemiException.class,
                    e -> assertThat(e.errno()).isIn(Errno.EBUSY, Errno.EEXIST))
                    .hasMessageContaining("another XDP program");
        }
    }

    @Test
    void capabilitiesComeFromTheInterfaceAndVethTakesNativeXdp() throws Exception {
        XdpDevice device = xdp(umem, null);
        String link = run("ip", "-br", "link", "show", left);
        assertThat(device.capabilities().macAddress().toString()).isEqualToIgnoringCase(link.split("\\s+")[2]);
        assertThat(device.capabilities().mtuBytes()).isEqualTo(1500);
        assertThat(device.attach()).isEqualTo(XdpDevice.Attach.NATIVE);
        assertThat(device.toString()).contains("copy mode", "native", left);
        assertThat(run("ip", "link", "show", left)).as("libxdp attached its program").contains("xdp");
        device.close();
        assertThat(run("ip", "link", "show", left)).as("closing detaches it").doesNotContain("prog/xdp");
    }

    @Test
    void catpowderOpensTheDeviceWithItsUmemAsTheLibosPool() {
        Assumptions.assumeTrue(skipReason == null, skipReason);
        String yaml = "demikernel:\n  local_ipv4_addr: \"10.77.9.1\"\n  local_link_addr: \"02:00:00:00:00:01\"\n"
                + "raw_socket:\n  linux_interface_name: \"" + left + "\"\njdemi:\n  raw_device: af_xdp\n";
        try (CatpowderProvider.RawLink link = CatpowderProvider.openLink(Config.parse(yaml))) {
            assertThat(link.device()).isInstanceOf(XdpDevice.class);
            assertThat(link.pool().hasUmem()).isTrue();
            DemiBuffer frame = link.pool().allocate(60);
            assertThat(link.pool().umemOffset(frame)).as("frames are built in the UMEM").isNotNegative();
            frame.free();
        }
    }

    @Test
    void framesFromTheKernelArriveInTheUmemNatively() {
        framesArrive(XdpDevice.Attach.NATIVE);
    }

    @Test
    void framesFromTheKernelArriveInTheUmemGenerically() {
        framesArrive(XdpDevice.Attach.GENERIC);
    }

    private void framesArrive(XdpDevice.Attach attach) {
        XdpDevice receiver = xdp(umem, attach);
        PacketDevice sender = packet();
        assertThat(sender.transmit(frame(plain, 60, 0), 0)).isZero();
        assertThat(sender.transmit(frame(plain, 1514, 1), 0)).isZero();
        DemiBuffer[] batch = new DemiBuffer[150];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = frame(plain, 64 + i, 2 + i);
        }
        assertThat(sender.transmit(batch, batch.length, 0)).isZero();
        List<Long> offsets = new ArrayList<>();
        List<byte[]> frames = receiveTestFrames(receiver, 152, offsets);
        assertThat(frames).hasSize(152);
        assertThat(frames.get(0)).isEqualTo(expected(60, 0));
        assertThat(frames.get(1)).isEqualTo(expected(1514, 1));
        for (int i = 0; i < batch.length; i++) {
            assertThat(frames.get(2 + i)).as("batch frame %d", i).isEqualTo(expected(64 + i, 2 + i));
        }
        assertThat(offsets).as("every frame was handed up in its UMEM chunk").allMatch(offset -> offset >= 0);
        assertThat(receiver.stats().framesRx()).isGreaterThanOrEqualTo(152);
        assertThat(receiver.collectKernelDrops()).isZero();
    }

    @Test
    void framesFromTheUmemAndForeignFramesReachTheKernel() {
        XdpDevice sender = xdp(umem, null);
        PacketDevice receiver = packet();
        assertThat(sender.transmit(frame(umem, 60, 0), 0)).isZero();
        assertThat(sender.transmit(frame(plain, 1514, 1), 0)).as("a foreign frame").isZero();
        DemiBuffer[] batch = new DemiBuffer[150];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = frame(umem, 64 + i, 2 + i);
        }
        assertThat(sender.transmit(batch, batch.length, 0)).as("more than one sendto sends").isZero();
        List<byte[]> frames = receiveTestFrames(receiver, 152, null);
        assertThat(frames).hasSize(152);
        assertThat(frames.get(0)).isEqualTo(expected(60, 0));
        assertThat(frames.get(1)).isEqualTo(expected(1514, 1));
        for (int i = 0; i < batch.length; i++) {
            assertThat(frames.get(2 + i)).as("batch frame %d", i).isEqualTo(expected(64 + i, 2 + i));
        }
        assertThat(sender.foreignCopies()).isEqualTo(1);
        assertThat(sender.stats().framesTx()).isEqualTo(152);
        assertThat(sender.stats().dropsTotal()).isZero();
        sender.receive(received, received.length, 0);
        assertThat(umem.liveBuffers()).as("the completion ring returned every sent frame").isZero();
    }

    @Test
    void framesTheKernelDropsOnAnEmptyFillRingAreCountedAsNoBuffer() {
        try (BufferPool small = BufferPool.withUmem(BufferPool.STACK_HEADROOM, XdpDevice.CHUNK_BYTES, 64)) {
            XdpDevice receiver = xdp(small, null);
            PacketDevice sender = packet();
            // 64 chunks, 16 kept back: the kernel holds 48; held frames are not lent again.
            DemiBuffer[] batch = new DemiBuffer[100];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = frame(plain, 60, i);
            }
            assertThat(sender.transmit(batch, batch.length, 0)).isZero();
            List<DemiBuffer> held = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (held.size() < 48 && System.nanoTime() < deadline) {
                int n = receiver.receive(received, received.length, 0);
                for (int i = 0; i < n; i++) {
                    held.add(received[i]);
                }
            }
            assertThat(held).hasSize(48);
            assertThat(receiver.collectKernelDrops()).isEqualTo(52);
            assertThat(receiver.stats().drops(PhyDrop.NO_BUFFER)).isEqualTo(52);
            assertThat(receiver.kernelStatistics()[4]).as("rx_fill_ring_empty_descs").isEqualTo(52);
            held.forEach(DemiBuffer::free);
            receiver.close();
            assertThat(small.liveBuffers()).isZero();
            assertThat(small.umemFreeChunks()).as("every chunk came back").isEqualTo(64);
        }
    }

    @Test
    void sendingAndReceivingAllocateNothingInTheSteadyState() {
        XdpDevice xdp = xdp(umem, null);
        PacketDevice peer = packet();
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        List<Long> windows = new ArrayList<>();
        for (int window = 0; window < 12; window++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            int count = 0;
            for (int r = 0; r < 5_000; r++) {
                xdp.transmit(rawFrame(umem), 0);
                peer.transmit(rawFrame(plain), 0);
                count += drain(peer) + drain(xdp);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            windows.add(allocated);
            if (allocated < 1024) {
                break;
            }
        }
        assertThat(windows.getLast()).as("bytes allocated per window of 5,000 frames each way: %s", windows)
                .isLessThan(1024);
    }

    private int drain(dev.jdemi.phy.PhysicalLayer device) {
        int count = 0;
        for (int spins = 0; count == 0 && spins < 1000; spins++) {
            int n = device.receive(received, received.length, 0);
            for (int i = 0; i < n; i++) {
                received[i].free();
            }
            count += n;
        }
        return count;
    }

    private static DemiBuffer rawFrame(BufferPool pool) {
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
}
