package dev.jdemi.inet;

import dev.jdemi.LibOSName;
import dev.jdemi.MacAddress;
import dev.jdemi.WaitPolicy;
import dev.jdemi.inet.transport.InetTransport;
import dev.jdemi.libos.NetworkLibOS;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.runtime.VirtualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static dev.jdemi.inet.RawFrames.ALICE_IP;
import static dev.jdemi.inet.RawFrames.ALICE_MAC;
import static dev.jdemi.inet.RawFrames.PROBE_IP;
import static dev.jdemi.inet.RawFrames.PROBE_MAC;
import static dev.jdemi.inet.RawFrames.arp;
import static dev.jdemi.inet.RawFrames.bytes;
import static dev.jdemi.inet.RawFrames.ethernet;
import static dev.jdemi.inet.RawFrames.ipv4;
import static org.assertj.core.api.Assertions.assertThat;

/** The stack's memory bounds with small limits: reassembly bytes and fragments, and the ARP cache. */
class StackLimitsTest {
    private static final long MS = 1_000_000L;
    private final BufferPool pool = new BufferPool(BufferPool.STACK_HEADROOM);
    private final VirtualClock clock = new VirtualClock(1_000 * MS);
    private NetworkLibOS alice;
    private InetTransport transport;

    private void open(int arpCacheEntries, int reassemblyMemoryBytes) {
        InetConfig config = new InetConfig(ALICE_IP, MacAddress.parse(TestHosts.ALICE_MAC), 1500, false, Map.of(),
                2, 1000 * MS, 600_000 * MS, arpCacheEntries, 4, 4, InetConfig.DEFAULT_REASSEMBLY_TIMEOUT_NS,
                reassemblyMemoryBytes, 100 * MS, 10, 16);
        transport = new InetTransport(config, new ScriptedDevice(pool, MacAddress.parse(TestHosts.ALICE_MAC)));
        alice = new NetworkLibOS(LibOSName.CATPOWDER, new Runtime(clock, pool, WaitPolicy.SPIN), transport);
    }

    @AfterEach
    void close() {
        alice.close();
        assertThat(pool.liveBuffers()).as("buffers leaked").isZero();
        pool.close();
    }

    private ScriptedDevice device() {
        return (ScriptedDevice) transport.stack().device();
    }

    private void poll() {
        while (alice.runtime().pollOnce() > 0) {
            // Until quiet.
        }
    }

    private static byte[] fragment(int id, int offsetBytes, boolean more, byte[] data) {
        return ethernet(ALICE_MAC, PROBE_MAC, 0x0800, ipv4(PROBE_IP, ALICE_IP, 17, id,
                (more ? 0x2000 : 0) | offsetBytes / 8, data));
    }

    @Test
    void reassemblyStopsAtItsMemoryCap() {
        open(16, 1000);
        for (int i = 0; i < 3; i++) {
            device().inject(fragment(1, i * 400, true, bytes(400, i)));
        }
        poll();
        // Two frames of 14 + 20 + 400 bytes fit in 1000; the third does not.
        assertThat(transport.stack().reassemblyHeldBytes()).isEqualTo(2 * 434);
        assertThat(transport.stats().drops(InetDrop.IPV4_REASSEMBLY_OVERFLOW)).isEqualTo(1);
    }

    @Test
    void aDatagramHasAtMost64Fragments() {
        open(16, 1 << 20);
        for (int i = 0; i <= 64; i++) {
            device().inject(fragment(2, i * 8, true, bytes(8, i)));
        }
        poll();
        assertThat(transport.stats().drops(InetDrop.IPV4_REASSEMBLY_OVERFLOW)).isEqualTo(1);
        assertThat(transport.stack().reassemblyHeldBytes()).isEqualTo(64 * (14 + 20 + 8));
    }

    @Test
    void theArpCacheIsBoundedAndReplacesTheOldestLearnedEntry() {
        open(4, 1 << 20);
        for (int host = 10; host < 16; host++) {
            clock.advance(MS);
            long mac = 0x0200_0000_0000L | host;
            device().inject(ethernet(0xFFFF_FFFF_FFFFL, mac, 0x0806, arp(1, mac, RawFrames.ip(192, 168, 1, host), 0,
                    ALICE_IP)));
            poll();
        }
        assertThat(transport.stack().arpCacheSize()).isEqualTo(4);
        long now = clock.nowNs();
        int[] present = new int[16];
        for (int host = 10; host < 16; host++) {
            present[host] = transport.stack().arpLookup(RawFrames.ip(192, 168, 1, host), now) >= 0 ? 1 : 0;
        }
        assertThat(Arrays.copyOfRange(present, 10, 16)).as("the two oldest were replaced")
                .containsExactly(0, 0, 1, 1, 1, 1);
        assertThat(transport.stats().arpRepliesSent()).isEqualTo(6);
    }
}
