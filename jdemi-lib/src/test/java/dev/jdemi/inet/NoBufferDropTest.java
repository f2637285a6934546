package dev.jdemi.inet;

import dev.jdemi.DemiException;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.MacAddress;
import dev.jdemi.QResult;
import dev.jdemi.SockAddr;
import dev.jdemi.WaitPolicy;
import dev.jdemi.inet.transport.InetTransport;
import dev.jdemi.libos.NetworkLibOS;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.runtime.VirtualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.jdemi.inet.RawFrames.ALICE_IP;
import static dev.jdemi.inet.RawFrames.ALICE_MAC;
import static dev.jdemi.inet.RawFrames.PROBE_IP;
import static dev.jdemi.inet.RawFrames.PROBE_MAC;
import static dev.jdemi.inet.RawFrames.bytes;
import static dev.jdemi.inet.RawFrames.ethernet;
import static dev.jdemi.inet.RawFrames.ipv4;
import static dev.jdemi.inet.RawFrames.udp;
import static dev.jdemi.inet.RawFrames.udpFrame;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link InetDrop#NO_BUFFER} paths: a pool at its memory limit makes the stack drop and count what it cannot
 * allocate, leak nothing, and carry on once buffers come back.
 *
 * <p>The pool reserves memory per size class in chunks; its limit here is one chunk of the smallest class (up to 448
 * bytes of data) and one of the next (up to 2048), so a buffer of a larger class can never be had, and, once a
 * 2048-byte buffer is taken, the smallest class runs dry when the test holds all of its slots.
 */
class NoBufferDropTest {
    private static final long SECOND = 1_000_000_000L;
    /** One chunk of the 448-byte class (409 slots of 640 bytes) and one of the 2048-byte class (117 of 2240). */
    private static final long LIMIT_BYTES = 409L * 640 + 117L * 2240;

    private final BufferPool pool = new BufferPool(BufferPool.STACK_HEADROOM, LIMIT_BYTES);
    private final VirtualClock clock = new VirtualClock(SECOND);
    private final List<DemiBuffer> held = new ArrayList<>();
    private ScriptedDevice device;
    private NetworkLibOS alice;
    private InetTransport transport;
    private int qd;

    @BeforeEach
    void openAlice() {
        device = new ScriptedDevice(pool, MacAddress.parse(TestHosts.ALICE_MAC));
        InetConfig config = InetConfig.from(TestHosts.config(TestHosts.ALICE_IP, TestHosts.ALICE_MAC,
                "  arp_table:\n    \"02:00:00:00:00:99\": \"192.168.1.9\"\n"));
        transport = new InetTransport(config, device);
        alice = new NetworkLibOS(LibOSName.CATPOWDER, new Runtime(clock, pool, WaitPolicy.SPIN), transport);
        qd = alice.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
        alice.bind(qd, SockAddr.pack(ALICE_IP, Corpus.BOUND_PORT));
    }

    @AfterEach
    void close() {
        held.forEach(DemiBuffer::free);
        alice.close();
        assertThat(pool.liveBuffers()).as("buffers leaked").isZero();
        pool.close();
    }

    private void poll() {
        while (alice.runtime().pollOnce() > 0) {
            // Until quiet.
        }
    }

    /** Takes every free slot of the smallest size class. */
    private void exhaustSmallBuffers() {
        while (true) {
            try {
                held.add(pool.allocate(64));
            } catch (DemiException e) {
                return;
            }
        }
    }

    @Test
    void anIcmpErrorThatCannotBeAllocatedIsDroppedAndCounted() {
        // 500 data bytes: the frame itself takes a 2048-byte buffer, the port-unreachable reply needs a small one.
        device.inject(udpFrame(Corpus.BOUND_PORT + 1, bytes(500, 3)));
        exhaustSmallBuffers();
        poll();

        assertThat(transport.stats().drops(InetDrop.NO_BUFFER)).isEqualTo(1);
        assertThat(device.transmitted()).as("no ICMP error went out").isEmpty();

        // With buffers back, the same datagram is answered.
        held.remove(held.size() - 1).free();
        clock.advance(10 * SECOND);
        device.inject(udpFrame(Corpus.BOUND_PORT + 1, bytes(500, 4)));
        poll();
        assertThat(device.transmitted()).as("the port unreachable").hasSize(1);
        assertThat(transport.stats().drops(InetDrop.NO_BUFFER)).isEqualTo(1);
    }

    @Test
    void aReassembledDatagramThatCannotBeAllocatedIsDroppedAndItsFragmentsFreed() {
        int before = pool.liveBuffers();
        // 3000 data bytes in fragments of 1480: each fragment fits a 2048-byte buffer, the whole datagram does not.
        byte[] datagram = udp(PROBE_IP, ALICE_IP, 5555, Corpus.BOUND_PORT, bytes(3000, 9));
        for (int from = 0; from < datagram.length; from += 1480) {
            int to = Math.min(datagram.length, from + 1480);
            int flags = (to < datagram.length ? 0x2000 : 0) | (from / 8);
            device.inject(ethernet(ALICE_MAC, PROBE_MAC, 0x0800, ipv4(PROBE_IP, ALICE_IP, 17, 41, flags,
                    Arrays.copyOfRange(datagram, from, to))));
        }
        poll();

        // Reassembly counts each fragment it lets go.
        assertThat(transport.stats().drops(InetDrop.NO_BUFFER)).isEqualTo(3);
        assertThat(transport.stats().datagramsReassembled()).isZero();
        assertThat(alice.wait(alice.pop(qd), new QResult(), 0)).as("nothing to pop").isFalse();
        assertThat(pool.liveBuffers()).as("the fragments were freed").isEqualTo(before);
    }
}
