package dev.jdemi.inet;

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
import dev.jdemi.wire.DropReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.jdemi.inet.RawFrames.ALICE_IP;
import static dev.jdemi.inet.RawFrames.PROBE_IP;
import static dev.jdemi.inet.RawFrames.bytes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frames a device marks as checksum-trusted ({@link DemiBuffer#markChecksumTrusted()}: what the AF_PACKET device does
 * for a kernel peer's partial checksums) pass without their checksums verified; unmarked frames with the same bytes
 * are dropped and counted; the mark never outlives its buffer.
 */
class TrustedChecksumTest {
    private final BufferPool pool = new BufferPool(BufferPool.STACK_HEADROOM);
    private final VirtualClock clock = new VirtualClock(1_000_000_000L);
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
        alice.close();
        assertThat(pool.liveBuffers()).as("buffers leaked").isZero();
        pool.close();
    }

    private void poll() {
        while (alice.runtime().pollOnce() > 0) {
            // Until quiet.
        }
    }

    /** A UDP frame whose checksum holds only the pseudo-header sum, as a kernel with tx-checksumming on sends it. */
    private static byte[] partialChecksumFrame(byte[] data) {
        byte[] frame = RawFrames.udpFrame(Corpus.BOUND_PORT, data);
        int udpLength = 8 + data.length;
        int partial = ~RawFrames.checksum(new byte[0], 0, 0, RawFrames.pseudo(PROBE_IP, ALICE_IP, 17, udpLength))
                & 0xffff;
        frame[14 + 20 + 6] = (byte) (partial >>> 8);
        frame[14 + 20 + 7] = (byte) partial;
        return frame;
    }

    @Test
    void aTrustedFrameWithAPartialChecksumIsDelivered() {
        device.injectTrusted(partialChecksumFrame(bytes(20, 3)));
        poll();
        QResult r = new QResult();
        assertThat(alice.wait(alice.pop(qd), r, 0)).isTrue();
        assertThat(r.sga().toArray()).isEqualTo(bytes(20, 3));
        alice.sgaFree(r.sga());
        assertThat(transport.stats().drops(DropReason.UDP_BAD_CHECKSUM)).isZero();
    }

    @Test
    void anUntrustedFrameWithThePartialChecksumIsDroppedAndCounted() {
        device.inject(partialChecksumFrame(bytes(20, 3)));
        poll();
        assertThat(transport.stats().drops(DropReason.UDP_BAD_CHECKSUM)).isEqualTo(1);
        QResult r = new QResult();
        assertThat(alice.wait(alice.pop(qd), r, 0)).isFalse();
    }

    @Test
    void theMarkDoesNotOutliveItsBuffer() {
        DemiBuffer frame = pool.allocate(100);
        frame.markChecksumTrusted();
        DemiBuffer clone = frame.cloneView();
        assertThat(frame.isChecksumTrusted()).isTrue();
        assertThat(clone.isChecksumTrusted()).as("a clone starts unmarked").isFalse();
        clone.free();
        frame.free();
        DemiBuffer again = pool.allocate(100);
        assertThat(again.isChecksumTrusted()).as("a recycled buffer starts unmarked").isFalse();
        again.free();
    }
}
