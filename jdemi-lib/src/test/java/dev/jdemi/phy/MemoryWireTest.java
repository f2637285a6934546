package dev.jdemi.phy;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.MacAddress;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.jdemi.phy.Frames.ALICE;
import static dev.jdemi.phy.Frames.BOB;
import static dev.jdemi.phy.Frames.CARRIE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The in-memory hub: delivery, copying between pools, FIFO order, drops and their counters, no leaks. */
class MemoryWireTest {
    private final BufferPool alicePool = new BufferPool(BufferPool.STACK_HEADROOM);
    private final BufferPool bobPool = new BufferPool(BufferPool.STACK_HEADROOM);
    private final BufferPool carriePool = new BufferPool(BufferPool.STACK_HEADROOM);
    private final MemoryWire wire = new MemoryWire();
    private final DemiBuffer[] frames = new DemiBuffer[64];

    @AfterEach
    void closeAll() {
        wire.close();
        assertThat(alicePool.liveBuffers()).as("alice's buffers leaked").isZero();
        assertThat(bobPool.liveBuffers()).as("bob's buffers leaked").isZero();
        assertThat(carriePool.liveBuffers()).as("carrie's buffers leaked").isZero();
        alicePool.close();
        bobPool.close();
        carriePool.close();
    }

    private PhysicalLayer attach(BufferPool pool, MacAddress mac) {
        return wire.attach(pool, Capabilities.ethernet(1500, mac));
    }

    /** Receives everything a port holds, frees it, and returns the contents. */
    private List<byte[]> drain(PhysicalLayer port, long nowNs) {
        List<byte[]> contents = new ArrayList<>();
        int count;
        while ((count = port.receive(frames, frames.length, nowNs)) > 0) {
            for (int i = 0; i < count; i++) {
                contents.add(Frames.content(frames[i]));
                frames[i].free();
            }
        }
        return contents;
    }

    @Test
    void twoPortsDeliverToTheOtherPortOnly() {
        PhysicalLayer alice = attach(alicePool, ALICE);
        PhysicalLayer bob = attach(bobPool, BOB);
        byte[] sent = Frames.bytes(BOB, ALICE, 7, 100);

        assertThat(alice.transmit(Frames.frame(alicePool, sent), 0)).isZero();

        assertThat(drain(alice, 0)).as("a station does not hear itself").isEmpty();
        assertThat(drain(bob, 0)).containsExactly(sent);
    }

    @Test
    void threePortsDeliverToEveryOtherPort() {
        PhysicalLayer alice = attach(alicePool, ALICE);
        PhysicalLayer bob = attach(bobPool, BOB);
        PhysicalLayer carrie = attach(carriePool, CARRIE);
        byte[] fromBob = Frames.bytes(MacAddress.BROADCAST, BOB, 1, 60);
        byte[] fromCarrie = Frames.bytes(ALICE, CARRIE, 2, 61);

        bob.transmit(Frames.frame(bobPool, fromBob), 0);
        carrie.transmit(Frames.frame(carriePool, fromCarrie), 0);

        assertThat(drain(alice, 0)).containsExactly(fromBob, fromCarrie);
        assertThat(drain(bob, 0)).containsExactly(fromCarrie);
        assertThat(drain(carrie, 0)).containsExactly(fromBob);
        assertThat(wire.portCount()).isEqualTo(3);
    }

    @Test
    void framesArriveInTransmitOrder() {
        PhysicalLayer alice = attach(alicePool, ALICE);
        PhysicalLayer bob = attach(bobPool, BOB);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            sent.add(Frames.bytes(BOB, ALICE, i, 60 + i));
            alice.transmit(Frames.frame(alicePool, sent.getLast()), i);
        }

        assertThat(drain(bob, 500)).containsExactlyElementsOf(sent);
    }

    @Test
    void theReceiverGetsACopyInItsOwnPool() {
        PhysicalLayer alice = attach(alicePool, ALICE);
        PhysicalLayer bob = attach(bobPool, BOB);
        byte[] sent = Frames.bytes(BOB, ALICE, 3, 1514);
        DemiBuffer frame = Frames.frame(alicePool, sent);

        alice.transmit(frame, 0);

        assertThat(frame.isLive()).as("the wire freed the sender's frame").isFalse();
        assertThat(alicePool.liveBuffers()).isZero();
        // Reuse alice's slot, so a shared slot would show the new bytes.
        DemiBuffer scribble = Frames.frame(alicePool, new byte[1514]);
        assertThat(bob.receive(frames, 1, 0)).isEqualTo(1);
        assertThat(frames[0].isFrom(bobPool)).isTrue();
        assertThat(frames[0].headroom()).isEqualTo(BufferPool.STACK_HEADROOM);
        assertThat(Frames.content(frames[0])).isEqualTo(sent);
        frames[0].free();
        scribble.free();
    }

    @Test
    void aFrameLongerThanTheSendersMtuIsDroppedAndCounted() {
        PhysicalLayer alice = attach(alicePool, ALICE);
        PhysicalLayer bob = attach(bobPool, BOB);

        assertThat(alice.transmit(Frames.frame(alicePool, BOB, ALICE, 1, 1514), 0)).isZero();
        assertThat(alice.transmit(Frames.frame(alicePool, BOB, ALICE, 2, 1515), 0)).isEqualTo(-Errno.EMSGSIZE);

        assertThat(alice.stats().drops(PhyDrop.OVERSIZE)).isEqualTo(1);
        assertThat(alice.stats().framesTx()).isEqualTo(1);
        assertThat(drain(bob, 0)).hasSize(1);
    }

    @Test
    void aFrameLongerThanTheReceiversMtuIsDroppedThere() {
        PhysicalLayer jumbo = wire.attach(alicePool, Capabilities.ethernet(9000, ALICE));
        PhysicalLayer bob = attach(bobPool, BOB);
        PhysicalLayer carrie = wire.attach(carriePool, Capabilities.ethernet(9000, CARRIE));

        assertThat(jumbo.transmit(Frames.frame(alicePool, CARRIE, ALICE, 1, 9014), 0)).isZero();

        assertThat(drain(bob, 0)).isEmpty();
        assertThat(bob.stats().drops(PhyDrop.OVERSIZE)).isEqualTo(1);
        assertThat(drain(carrie, 0)).hasSize(1);
    }

    @Test
    void aFrameShorterThanTheEthernetHeaderIsARunt() {
        PhysicalLayer alice = attach(alicePool, ALICE);
        PhysicalLayer bob = attach(bobPool, BOB);

        assertThat(alice.transmit(Frames.frame(alicePool, new byte[13]), 0)).isEqualTo(-Errno.EINVAL);
        assertThat(alice.transmit(Frames.frame(alicePool, new byte[14]), 0)).isZero();

        assertThat(alice.stats().drops(PhyDrop.RUNT)).isEqualTo(1);
        assertThat(drain(bob, 0)).hasSize(1);
    }

    @Test
    void aFullReceiveQueueDropsAndCounts() {
        try (MemoryWire small = new MemoryWire(8, false)) {
            PhysicalLayer alice = small.attach(alicePool, Capabilities.ethernet(1500, ALICE));
            PhysicalLayer bob = small.attach(bobPool, Capabilities.ethernet(1500, BOB));
            for (int i = 0; i < 11; i++) {
                assertThat(alice.transmit(Frames.frame(alicePool, BOB, ALICE, i, 64), 0))
                        .as("the sender cannot see the receiver's queue").isZero();
            }

            assertThat(bob.stats().drops(PhyDrop.QUEUE_FULL)).isEqualTo(3);
            assertThat(bobPool.liveBuffers()).isEqualTo(8);
            List<byte[]> received = drain(bob, 0);
            assertThat(received).hasSize(8);
            assertThat(received.getLast()).isEqualTo(Frames.bytes(BOB, ALICE, 7, 64));
        }
    }

    @Test
    void receiveTakesAtMostMaxFramesPerCall() {
        PhysicalLayer alice = attach(alicePool, ALICE);
        PhysicalLayer bob = attach(bobPool, BOB);
        for (int i = 0; i < 10; i++) {
            alice.transmit(Frames.frame(alicePool, BOB, ALICE, i, 64), 0);
        }
        DemiBuffer untouched = Frames.frame(bobPool, new byte[20]);
        frames[4] = untouched;

        assertThat(bob.receive(frames, 4, 0)).isEqualTo(4);
        assertThat(frames[4]).as("past the count nothing is written").isSameAs(untouched);
        assertThat(((MemoryWire.Port) bob).queuedFrames()).isEqualTo(6);
        int[] sequences = new int[10];
        for (int i = 0; i < 4; i++) {
            sequences[i] = Frames.sequence(frames[i]);
            frames[i].free();
        }
        assertThat(bob.receive(frames, 0, 0)).isZero();
        DemiBuffer[] small = new DemiBuffer[3];
        assertThat(bob.receive(small, 100, 0)).as("max is capped by the array").isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            sequences[4 + i] = Frames.sequence(small[i]);
            small[i].free();
        }
        assertThat(bob.receive(frames, 64, 0)).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            sequences[7 + i] = Frames.sequence(frames[i]);
            frames[i].free();
        }
        assertThat(sequences).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        untouched.free();
    }

    @Test
    void statsCountFramesAndBytes() {
        PhysicalLayer alice = attach(alicePool, ALICE);
        PhysicalLayer bob = attach(bobPool, BOB);
        alice.transmit(Frames.frame(alicePool, BOB, ALICE, 1, 100), 0);
        alice.transmit(Frames.frame(alicePool, BOB, ALICE, 2, 200), 0);
        bob.receive(frames, 1, 0);
        frames[0].free();

        assertThat(alice.stats().framesTx()).isEqualTo(2);
        assertThat(alice.stats().bytesTx()).isEqualTo(300);
        assertThat(bob.stats().framesRx()).as("counted when handed over").isEqualTo(1);
        assertThat(bob.stats().bytesRx()).isEqualTo(100);
        assertThat(bob.stats().dropsTotal()).isZero();
        assertThat(alice.stats().toString()).contains("tx=2/300B");
    }

    @Test
    void closingAPortFreesItsQueueAndUnplugsIt() {
        PhysicalLayer alice = attach(alicePool, ALICE);
        PhysicalLayer bob = attach(bobPool, BOB);
        alice.transmit(Frames.frame(alicePool, BOB, ALICE, 1, 100), 0);
        assertThat(bobPool.liveBuffers()).isEqualTo(1);

        bob.close();
        bob.close();

        assertThat(bobPool.liveBuffers()).isZero();
        assertThat(wire.portCount()).isEqualTo(1);
        assertThat(bob.receive(frames, 1, 0)).isZero();
        assertThat(bob.transmit(Frames.frame(bobPool, ALICE, BOB, 1, 100), 0)).isEqualTo(-Errno.EBADF);
        assertThat(bob.stats().drops(PhyDrop.CLOSED)).isEqualTo(1);
        assertThat(drain(alice, 0)).isEmpty();
    }

    @Test
    void closingTheWireFreesEveryQueuedFrame() {
        PhysicalLayer alice = attach(alicePool, ALICE);
        attach(bobPool, BOB);
        attach(carriePool, CARRIE);
        for (int i = 0; i < 100; i++) {
            alice.transmit(Frames.frame(alicePool, BOB, ALICE, i, 1000), 0);
        }
        assertThat(bobPool.liveBuffers()).isEqualTo(100);

        wire.close();

        assertThat(bobPool.liveBuffers()).isZero();
        assertThat(carriePool.liveBuffers()).isZero();
        assertThatThrownBy(() -> wire.attach(alicePool, Capabilities.ethernet(1500, null)))
                .isInstanceOfSatisfying(DemiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
    }

    @Test
    void nextEventIsTheArrivalOfTheOldestWaitingFrame() {
        PhysicalLayer alice = attach(alicePool, ALICE);
        PhysicalLayer bob = attach(bobPool, BOB);
        assertThat(bob.nextEventNs()).isEqualTo(Long.MAX_VALUE);

        alice.transmit(Frames.frame(alicePool, BOB, ALICE, 1, 64), 1_000);
        alice.transmit(Frames.frame(alicePool, BOB, ALICE, 2, 64), 2_000);

        assertThat(bob.nextEventNs()).isEqualTo(1_000);
        bob.receive(frames, 1, 2_000);
        frames[0].free();
        assertThat(bob.nextEventNs()).isEqualTo(2_000);
        assertThat(drain(bob, 2_000)).hasSize(1);
        assertThat(bob.nextEventNs()).isEqualTo(Long.MAX_VALUE);
        assertThat(alice.nextEventNs()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void filteringDeliversUnicastToItsStationAndGroupFramesToAll() {
        try (MemoryWire switched = new MemoryWire(16, true)) {
            PhysicalLayer alice = switched.attach(alicePool, Capabilities.ethernet(1500, ALICE));
            PhysicalLayer bob = switched.attach(bobPool, Capabilities.ethernet(1500, BOB));
            PhysicalLayer sniffer = switched.attach(carriePool, Capabilities.ethernet(1500, null));
            MacAddress multicast = MacAddress.parse("01:00:5e:00:00:01");

            alice.transmit(Frames.frame(alicePool, BOB, ALICE, 1, 64), 0);
            alice.transmit(Frames.frame(alicePool, CARRIE, ALICE, 2, 64), 0);
            alice.transmit(Frames.frame(alicePool, MacAddress.BROADCAST, ALICE, 3, 64), 0);
            alice.transmit(Frames.frame(alicePool, multicast, ALICE, 4, 64), 0);

            assertThat(drain(bob, 0)).containsExactly(Frames.bytes(BOB, ALICE, 1, 64),
                    Frames.bytes(MacAddress.BROADCAST, ALICE, 3, 64), Frames.bytes(multicast, ALICE, 4, 64));
            assertThat(bob.stats().drops(PhyDrop.FILTERED)).isEqualTo(1);
            assertThat(drain(sniffer, 0)).as("a port without an address hears everything").hasSize(4);
        }
    }

    @Test
    void anExhaustedReceiverPoolDropsAsNoBuffer() {
        PhysicalLayer alice = attach(alicePool, ALICE);
        PhysicalLayer bob = attach(bobPool, BOB);
        BufferPool closedPool = new BufferPool(0);
        closedPool.close();
        PhysicalLayer broken = wire.attach(closedPool, Capabilities.ethernet(1500, CARRIE));

        assertThat(alice.transmit(Frames.frame(alicePool, BOB, ALICE, 1, 64), 0)).isZero();

        assertThat(broken.stats().drops(PhyDrop.NO_BUFFER)).isEqualTo(1);
        assertThat(drain(bob, 0)).as("other stations are not affected").hasSize(1);
    }

    @Test
    void batchTransmitSendsAllAndReportsTheFirstError() {
        PhysicalLayer alice = attach(alicePool, ALICE);
        PhysicalLayer bob = attach(bobPool, BOB);
        DemiBuffer[] batch = {
            Frames.frame(alicePool, BOB, ALICE, 1, 64),
            Frames.frame(alicePool, BOB, ALICE, 2, 2000),
            Frames.frame(alicePool, new byte[3]),
            Frames.frame(alicePool, BOB, ALICE, 4, 64)
        };

        assertThat(alice.transmit(batch, batch.length, 0)).isEqualTo(-Errno.EMSGSIZE);

        assertThat(alicePool.liveBuffers()).as("every frame was taken").isZero();
        assertThat(drain(bob, 0)).hasSize(2);
        assertThat(alice.stats().dropsTotal()).isEqualTo(2);
    }

    @Test
    void aWireCaptureRecordsEachFrameOnce(@TempDir Path directory) throws IOException {
        PhysicalLayer alice = attach(alicePool, ALICE);
        PhysicalLayer bob = attach(bobPool, BOB);
        attach(carriePool, CARRIE);
        PcapWriter capture = wire.capture(directory.resolve("wire.pcap"));
        alice.transmit(Frames.frame(alicePool, BOB, ALICE, 1, 64), 1_000);
        bob.transmit(Frames.frame(bobPool, ALICE, BOB, 2, 80), 2_000);
        alice.transmit(Frames.frame(alicePool, BOB, ALICE, 3, 999), 3_000);

        capture.flush();

        List<PcapFile.Packet> packets = PcapFile.read(directory.resolve("wire.pcap"));
        assertThat(packets).extracting(PcapFile.Packet::timestampNs).containsExactly(1_000L, 2_000L, 3_000L);
        assertThat(packets.get(1).bytes()).isEqualTo(Frames.bytes(ALICE, BOB, 2, 80));
        assertThat(packets.get(2).originalLength()).isEqualTo(999);
        drain(alice, 3_000);
        drain(bob, 3_000);
    }

    @Test
    void attachRejectsNullArguments() {
        assertThatThrownBy(() -> wire.attach(null, Capabilities.ethernet(1500, null)))
                .isInstanceOf(DemiException.class).hasMessageContaining("pool");
        assertThatThrownBy(() -> wire.attach(alicePool, null))
                .isInstanceOf(DemiException.class).hasMessageContaining("capabilities");
        assertThatThrownBy(() -> new MemoryWire(0, false))
                .isInstanceOf(DemiException.class).hasMessageContaining("queueFrames");
    }
}
