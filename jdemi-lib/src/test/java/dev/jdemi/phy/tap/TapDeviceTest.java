package dev.jdemi.phy.tap;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.MacAddress;
import dev.jdemi.phy.PhyDrop;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.sys.Ethtool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.jdemi.phy.LinkCommands.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The TAP device against the kernel on real TAP interfaces in the root namespace (without IPv6, so the kernel stays
 * quiet on them): the interface is created (not persistent) or attached (persistent, with its MTU); frames the device
 * writes arrive on the kernel's interface; UDP datagrams the kernel sends to jdemi's address (a permanent neighbour
 * entry for jdemi's MAC) are read whole, with the pool's headroom, allocating nothing in the steady state; every drop
 * path the kernel lets a test reach is counted. Needs root; tests that need it skip with the reason otherwise.
 */
class TapDeviceTest {
    private static final MacAddress JDEMI_MAC = MacAddress.parse("02:00:00:00:0a:01");
    private static String skipReason;
    private final BufferPool pool = new BufferPool(BufferPool.STACK_HEADROOM);
    private final List<TapDevice> devices = new ArrayList<>();
    private final List<String> persistent = new ArrayList<>();
    private final DemiBuffer[] received = new DemiBuffer[64];

    @BeforeAll
    static void checkRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:") && !line.split("\\s+")[2].equals("0")) {
                skipReason = "not root (a TAP device needs CAP_NET_ADMIN)";
                System.out.println("TapDeviceTest: TAP tests skipped: " + skipReason);
            }
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        devices.forEach(TapDevice::close);
        for (String name : persistent) {
            run(List.of("ip", "link", "del", name));
        }
        assertThat(pool.liveBuffers()).as("buffers leaked").isZero();
        pool.close();
    }

    private static String name(String suffix) {
        return "jdtp" + suffix + ProcessHandle.current().pid() % 100_000;
    }

    private TapDevice open(String name) {
        Assumptions.assumeTrue(skipReason == null, skipReason);
        TapDevice device = TapDevice.open(name, JDEMI_MAC, pool);
        devices.add(device);
        return device;
    }


    private static boolean exists(String name) {
        return Files.exists(Path.of("/sys/class/net", name));
    }

    private static long counter(String name, String counter) throws IOException {
        return Long.parseLong(Files.readString(Path.of("/sys/class/net", name, "statistics", counter)).strip());
    }

    /** A broadcast frame of an experimental ethertype, written without making a segment per frame. */
    private DemiBuffer frame(int length) {
        DemiBuffer frame = pool.allocate(length);
        MemorySegment memory = frame.memory();
        int at = frame.dataOffset();
        for (int i = 0; i < length; i++) {
            memory.set(ValueLayout.JAVA_BYTE, at + i, (byte) (i < 6 ? 0xff : i));
        }
        if (length >= 14) {
            memory.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), at + 12, (short) 0x88b5);
        }
        return frame;
    }

    @Test
    void aMissingInterfaceIsCreatedAndGoesAwayWithTheDevice() {
        String name = name("c");
        TapDevice device = open(name);
        assertThat(exists(name)).isTrue();
        assertThat(device.createdInterface()).isTrue();
        assertThat(device.interfaceName()).isEqualTo(name);
        assertThat(device.capabilities().mtuBytes()).isEqualTo(1500);
        assertThat(device.capabilities().macAddress()).isEqualTo(JDEMI_MAC);
        assertThat(device.capabilities().rxChecksumOffload()).isFalse();
        assertThat(device.capabilities().txChecksumOffload()).isFalse();
        assertThat(device.offloads().txChecksumming()).as("no virtio-net header: no checksum left undone").isFalse();
        assertThat(device.toString()).contains(name).contains("not persistent").contains("tx-checksumming off");
        device.close();
        assertThat(exists(name)).isFalse();
    }

    @Test
    void aPersistentInterfaceIsAttachedWithItsMtuAndOutlivesTheDevice() throws Exception {
        Assumptions.assumeTrue(skipReason == null, skipReason);
        String name = name("p");
        run(List.of("ip", "tuntap", "add", "dev", name, "mode", "tap"));
        persistent.add(name);
        run(List.of("ip", "link", "set", name, "mtu", "9000"));
        TapDevice device = open(name);
        assertThat(device.createdInterface()).isFalse();
        assertThat(device.capabilities().mtuBytes()).isEqualTo(9000);
        device.close();
        assertThat(exists(name)).isTrue();
        assertThat(Ethtool.read(name).toString()).contains("tx-checksumming off");
    }

    @Test
    void aTunInterfaceIsEinval() throws Exception {
        Assumptions.assumeTrue(skipReason == null, skipReason);
        String name = name("d");
        run(List.of("ip", "tuntap", "add", "dev", name, "mode", "tun"));
        persistent.add(name);
        assertThatThrownBy(() -> open(name))
                .isInstanceOfSatisfying(DemiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                .hasMessageContaining("TUNSETIFF").hasMessageContaining("TAP device");
    }

    @Test
    void aMacIsRequired() {
        assertThatThrownBy(() -> TapDevice.open(name("m"), null, pool))
                .isInstanceOfSatisfying(DemiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                .hasMessageContaining("local_link_addr");
    }

    @Test
    void framesWrittenReachTheKernelsInterface() throws Exception {
        String name = name("w");
        TapDevice device = open(name);
        run(List.of("sysctl", "-qw", "net.ipv6.conf." + name + ".disable_ipv6=1"));
        run(List.of("ip", "link", "set", name, "up"));
        long before = counter(name, "rx_packets");
        assertThat(device.transmit(frame(60), 0)).isZero();
        assertThat(device.transmit(frame(1514), 0)).isZero();
        DemiBuffer[] batch = {frame(64), frame(100), frame(1000)};
        assertThat(device.transmit(batch, batch.length, 0)).isZero();
        assertThat(counter(name, "rx_packets") - before).isEqualTo(5);
        assertThat(device.stats().framesTx()).isEqualTo(5);
        assertThat(device.stats().bytesTx()).isEqualTo(60 + 1514 + 64 + 100 + 1000);
    }

    /** Opens a device on a new interface with the kernel at 10.99.0.2 and jdemi's MAC for 10.99.0.1. */
    private TapDevice openWithKernelPeer(String name) throws Exception {
        return openWithKernelPeer(name, pool);
    }

    private TapDevice openWithKernelPeer(String name, BufferPool from) throws Exception {
        Assumptions.assumeTrue(skipReason == null, skipReason);
        TapDevice device = TapDevice.open(name, JDEMI_MAC, from);
        devices.add(device);
        run(List.of("sysctl", "-qw", "net.ipv6.conf." + name + ".disable_ipv6=1"));
        run(List.of("ip", "addr", "add", "10.99." + (ProcessHandle.current().pid() % 200) + ".2/24", "dev", name));
        run(List.of("ip", "link", "set", name, "up"));
        run(List.of("ip", "neigh", "replace", jdemiIp(), "lladdr", JDEMI_MAC.toString(), "dev", name, "nud",
                "permanent"));
        return device;
    }

    private static String jdemiIp() {
        return "10.99." + (ProcessHandle.current().pid() % 200) + ".1";
    }

    /** Receives until {@code count} UDP frames arrived (sleeping in the device's poll) or 5 s passed. */
    private List<byte[]> receiveUdp(TapDevice device, int count) {
        List<byte[]> frames = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (frames.size() < count && System.nanoTime() < deadline) {
            int n = device.receive(received, received.length, 0);
            for (int i = 0; i < n; i++) {
                assertThat(received[i].headroom()).isEqualTo(BufferPool.STACK_HEADROOM);
                byte[] bytes = received[i].toArray();
                received[i].free();
                if (bytes.length > 23 && bytes[12] == 0x08 && bytes[13] == 0x00 && bytes[23] == 17) {
                    frames.add(bytes);
                }
            }
            if (n == 0) {
                device.block(10_000_000L);
            }
        }
        return frames;
    }

    @Test
    void datagramsTheKernelSendsAreReadWhole() throws Exception {
        TapDevice device = openWithKernelPeer(name("r"));
        try (DatagramChannel channel = DatagramChannel.open()) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(jdemiIp()), 9);
            for (int size : new int[] {1, 100, 1472}) {
                channel.send(ByteBuffer.wrap(new byte[size]), to);
            }
            List<byte[]> frames = receiveUdp(device, 3);
            assertThat(frames).extracting(f -> f.length).containsExactly(14 + 28 + 1, 14 + 28 + 100, 1514);
            assertThat(frames.getFirst()).startsWith(bytes(JDEMI_MAC));
        }
        assertThat(device.stats().dropsTotal()).isZero();
    }

    @Test
    void sendingAndReceivingAllocateNothingInTheSteadyState() throws Exception {
        TapDevice device = openWithKernelPeer(name("s"));
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        ByteBuffer payload = ByteBuffer.allocateDirect(64);
        List<Long> windows = new ArrayList<>();
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.connect(new InetSocketAddress(InetAddress.getByName(jdemiIp()), 9));
            for (int window = 0; window < 12; window++) {
                long allocated = 0;
                int frames = 0;
                for (int round = 0; round < 2_000; round++) {
                    for (int i = 0; i < 8; i++) {
                        payload.clear();
                        channel.write(payload);
                    }
                    DemiBuffer outgoing = frame(60);
                    long beforeTx = threads.getCurrentThreadAllocatedBytes();
                    int sent = device.transmit(outgoing, 0);
                    allocated += threads.getCurrentThreadAllocatedBytes() - beforeTx;
                    assertThat(sent).isZero();
                    for (int spins = 0; spins < 100 && frames < (round + 1) * 8; spins++) {
                        long before = threads.getCurrentThreadAllocatedBytes();
                        int n = device.receive(received, received.length, 0);
                        for (int i = 0; i < n; i++) {
                            received[i].free();
                        }
                        allocated += threads.getCurrentThreadAllocatedBytes() - before;
                        frames += n;
                    }
                }
                assertThat(frames).isEqualTo(16_000);
                windows.add(allocated);
                if (allocated < 1024) {
                    break;
                }
            }
        }
        assertThat(windows.getLast()).as("bytes allocated by receive and transmit per window of 16,000 frames in,"
                + " 2,000 out: %s", windows).isLessThan(1024);
    }

    @Test
    void framesLongerThanTheMtuAreDroppedAsOversize() throws Exception {
        String name = name("g");
        TapDevice device = openWithKernelPeer(name);
        run(List.of("ip", "link", "set", name, "mtu", "9000"));
        try (DatagramChannel channel = DatagramChannel.open()) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(jdemiIp()), 9);
            channel.send(ByteBuffer.wrap(new byte[3000]), to);
            channel.send(ByteBuffer.wrap(new byte[100]), to);
            List<byte[]> frames = receiveUdp(device, 1);
            assertThat(frames).extracting(f -> f.length).containsExactly(14 + 28 + 100);
        }
        assertThat(device.stats().drops(PhyDrop.OVERSIZE)).isEqualTo(1);
    }

    @Test
    void framesThePoolHasNoBufferForAreReadAndCounted() throws Exception {
        BufferPool small = new BufferPool(BufferPool.STACK_HEADROOM, 256 * 1024);
        List<DemiBuffer> hog = new ArrayList<>();
        try {
            while (hog.size() < 10_000) {
                hog.add(small.allocate(1515));
            }
        } catch (DemiException e) {
            // The pool is exhausted.
        }
        try {
            TapDevice device = openWithKernelPeer(name("n"), small);
            try (DatagramChannel channel = DatagramChannel.open()) {
                InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(jdemiIp()), 9);
                for (int i = 0; i < 3; i++) {
                    channel.send(ByteBuffer.wrap(new byte[10]), to);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (device.stats().drops(PhyDrop.NO_BUFFER) < 3 && System.nanoTime() < deadline) {
                assertThat(device.receive(received, received.length, 0)).isZero();
                device.block(10_000_000L);
            }
            assertThat(device.stats().drops(PhyDrop.NO_BUFFER)).isEqualTo(3);
            device.close();
        } finally {
            hog.forEach(DemiBuffer::free);
            small.close();
        }
    }

    @Test
    void aDownInterfaceRefusesFramesAsSendFailed() {
        TapDevice device = open(name("f"));
        assertThat(device.transmit(frame(60), 0)).isEqualTo(-Errno.EIO);
        assertThat(device.stats().drops(PhyDrop.SEND_FAILED)).isEqualTo(1);
    }

    private static byte[] bytes(MacAddress mac) {
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) (mac.value() >>> (40 - 8 * i));
        }
        return bytes;
    }

    @Test
    void runtsAndOversizedFramesAreDroppedAndCounted() {
        TapDevice device = open(name("o"));
        assertThat(device.transmit(frame(13), 0)).isEqualTo(-Errno.EINVAL);
        assertThat(device.transmit(frame(1515), 0)).isEqualTo(-Errno.EMSGSIZE);
        assertThat(device.stats().drops(PhyDrop.RUNT)).isEqualTo(1);
        assertThat(device.stats().drops(PhyDrop.OVERSIZE)).isEqualTo(1);
        assertThat(device.stats().framesTx()).isZero();
    }

    @Test
    void aClosedDeviceDropsTransmitsAndReceivesNothing() {
        TapDevice device = open(name("x"));
        device.close();
        device.close();
        assertThat(device.transmit(frame(60), 0)).isEqualTo(-Errno.EBADF);
        assertThat(device.stats().drops(PhyDrop.CLOSED)).isEqualTo(1);
        assertThat(device.receive(received, received.length, 0)).isZero();
        device.block(1_000_000L);
    }

    @Test
    void anIdleReceiveAllocatesNothing() {
        TapDevice device = open(name("i"));
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        List<Long> windows = new ArrayList<>();
        for (int window = 0; window < 12; window++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 20_000; i++) {
                device.receive(received, received.length, 0);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            windows.add(allocated);
            if (allocated < 1024) {
                break;
            }
        }
        assertThat(windows.getLast()).as("bytes allocated per 20,000 idle receives: %s", windows).isLessThan(1024);
        assertThat(pool.liveBuffers()).as("one spare buffer held for the next read").isEqualTo(1);
    }
}
