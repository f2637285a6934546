package dev.jdemi.phy;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.jdemi.phy.Frames.ALICE;
import static dev.jdemi.phy.Frames.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The seeded fault injector: each fault, its counter, reproducibility, release times and no leaks. */
class FaultInjectorTest {
    private static final long MS = 1_000_000;

    private final BufferPool alicePool = new BufferPool(BufferPool.STACK_HEADROOM);
    private final BufferPool bobPool = new BufferPool(BufferPool.STACK_HEADROOM);
    private final MemoryWire wire = new MemoryWire();
    private final DemiBuffer[] frames = new DemiBuffer[64];
    private PhysicalLayer bobDevice;

    @AfterEach
    void closeAll() {
        wire.close();
        if (bobDevice != null) {
            bobDevice.close();
        }
        assertThat(alicePool.liveBuffers()).as("alice's buffers leaked").isZero();
        assertThat(bobPool.liveBuffers()).as("bob's buffers leaked").isZero();
        alicePool.close();
        bobPool.close();
    }

    private PhysicalLayer alice() {
        return wire.attach(alicePool, Capabilities.ethernet(1500, ALICE));
    }

    private FaultInjector bob(FaultInjector.Direction direction, FaultInjector.Faults faults, long seed) {
        FaultInjector injector = new FaultInjector(wire.attach(bobPool, Capabilities.ethernet(1500, BOB)), bobPool,
                direction, faults, seed);
        bobDevice = injector;
        return injector;
    }

    private void send(PhysicalLayer port, int count, long nowNs) {
        for (int i = 0; i < count; i++) {
            assertThat(port.transmit(Frames.frame(alicePool, BOB, ALICE, i, 100), nowNs)).isZero();
        }
    }

    /** Receives everything due at {@code nowNs}, frees it, and returns the sequence numbers. */
    private List<Integer> drain(PhysicalLayer port, long nowNs) {
        List<Integer> sequences = new ArrayList<>();
        int count;
        while ((count = port.receive(frames, frames.length, nowNs)) > 0) {
            for (int i = 0; i < count; i++) {
                sequences.add(Frames.sequence(frames[i]));
                frames[i].free();
            }
        }
        return sequences;
    }

    @Test
    void noFaultsPassEverythingInOrder() {
        PhysicalLayer alice = alice();
        FaultInjector bob = bob(FaultInjector.Direction.RECEIVE, FaultInjector.Faults.NONE, 1);
        send(alice, 10, 0);

        assertThat(drain(bob, 0)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(bob.lost() + bob.duplicated() + bob.reordered() + bob.corrupted() + bob.delayed()).isZero();
    }

    @Test
    void lossDropsAboutTheRateAndCountsEachDrop() {
        PhysicalLayer alice = alice();
        FaultInjector bob = bob(FaultInjector.Direction.RECEIVE, FaultInjector.Faults.NONE.withLoss(0.3), 42);
        send(alice, 1000, 0);

        List<Integer> received = drain(bob, 0);

        assertThat(bob.lost()).isBetween(230L, 370L);
        assertThat(received).hasSize(1000 - (int) bob.lost());
        assertThat(bob.stats().drops(PhyDrop.FAULT_LOSS)).isEqualTo(bob.lost());
        assertThat(received).isSorted();
    }

    @Test
    void theSameSeedGivesTheSameFaults() {
        FaultInjector.Faults faults = new FaultInjector.Faults(0.2, 0.2, 0.2, 0, 0, 0, MS);
        List<List<Integer>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (MemoryWire own = new MemoryWire()) {
                PhysicalLayer a = own.attach(alicePool, Capabilities.ethernet(1500, ALICE));
                FaultInjector b = new FaultInjector(own.attach(bobPool, Capabilities.ethernet(1500, BOB)), bobPool,
                        FaultInjector.Direction.RECEIVE, faults, 7);
                send(a, 200, 0);
                List<Integer> got = drain(b, 0);
                got.addAll(drain(b, 10 * MS));
                runs.add(got);
                b.close();
            }
        }
        assertThat(runs.get(0)).isEqualTo(runs.get(1));
        assertThat(runs.get(0)).as("faults happened").hasSizeBetween(150, 250)
                .isNotEqualTo(runs.get(0).stream().sorted().toList());
    }

    @Test
    void duplicationDeliversACopyRightAfterTheOriginal() {
        PhysicalLayer alice = alice();
        FaultInjector bob = bob(FaultInjector.Direction.RECEIVE, FaultInjector.Faults.NONE.withDuplication(1), 3);
        send(alice, 3, 0);

        assertThat(drain(bob, 0)).containsExactly(0, 0, 1, 1, 2, 2);
        assertThat(bob.duplicated()).isEqualTo(3);
    }

    @Test
    void reorderingSwapsAFrameWithTheNextOne() {
        PhysicalLayer alice = alice();
        FaultInjector bob = bob(FaultInjector.Direction.RECEIVE, FaultInjector.Faults.NONE.withReordering(1), 3);
        send(alice, 4, 0);

        assertThat(drain(bob, 0)).containsExactly(1, 0, 3, 2);
        assertThat(bob.reordered()).isEqualTo(2);
    }

    @Test
    void aFrameWaitingToBeOvertakenGoesAloneAfterTheWindow() {
        PhysicalLayer alice = alice();
        FaultInjector bob = bob(FaultInjector.Direction.RECEIVE,
                FaultInjector.Faults.NONE.withReordering(1).withReorderWindow(5 * MS), 3);
        send(alice, 1, 0);

        assertThat(drain(bob, 0)).isEmpty();
        assertThat(bob.heldFrames()).isEqualTo(1);
        assertThat(bob.nextEventNs()).isEqualTo(5 * MS);
        assertThat(drain(bob, 5 * MS - 1)).isEmpty();
        assertThat(drain(bob, 5 * MS)).containsExactly(0);
        assertThat(bob.reordered()).isZero();
    }

    @Test
    void corruptionFlipsOneBitPastTheEthernetHeaderOfACopy() {
        PhysicalLayer alice = alice();
        FaultInjector bob = bob(FaultInjector.Direction.TRANSMIT, FaultInjector.Faults.NONE.withCorruption(1), 11);
        PhysicalLayer plainAlice = alice;
        byte[] original = Frames.bytes(ALICE, BOB, 5, 200);
        DemiBuffer frame = Frames.frame(bobPool, original);
        DemiBuffer kept = frame.cloneView();

        assertThat(bob.transmit(frame, 0)).isZero();
        assertThat(plainAlice.receive(frames, 1, 0)).isEqualTo(1);
        byte[] received = Frames.content(frames[0]);
        frames[0].free();

        int differingBits = 0;
        int firstDiff = -1;
        for (int i = 0; i < original.length; i++) {
            int bits = Integer.bitCount((original[i] ^ received[i]) & 0xFF);
            if (bits != 0 && firstDiff < 0) {
                firstDiff = i;
            }
            differingBits += bits;
        }
        assertThat(differingBits).isEqualTo(1);
        assertThat(firstDiff).isGreaterThanOrEqualTo(Capabilities.ETHERNET_HEADER_BYTES);
        assertThat(Frames.content(kept)).as("the clone sharing the original bytes").isEqualTo(original);
        assertThat(bob.corrupted()).isEqualTo(1);
        kept.free();
    }

    @Test
    void delayHoldsFramesUntilTheirTimeAndNeverReorders() {
        PhysicalLayer alice = alice();
        FaultInjector bob = bob(FaultInjector.Direction.RECEIVE,
                FaultInjector.Faults.NONE.withDelay(2 * MS, MS), 5);
        send(alice, 20, 0);

        assertThat(drain(bob, 0)).isEmpty();
        long next = bob.nextEventNs();
        assertThat(next).isBetween(2 * MS, 3 * MS);
        List<Integer> all = new ArrayList<>();
        long now = next;
        while (all.size() < 20) {
            all.addAll(drain(bob, now));
            long following = bob.nextEventNs();
            if (following == Long.MAX_VALUE) {
                break;
            }
            assertThat(following).isGreaterThan(now);
            now = following;
        }
        assertThat(now).isLessThanOrEqualTo(3 * MS);
        assertThat(all).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
        assertThat(bob.delayed()).isEqualTo(20);
    }

    @Test
    void transmitDirectionDelaysUntilTheNextUse() {
        PhysicalLayer alice = alice();
        FaultInjector bob = bob(FaultInjector.Direction.TRANSMIT, FaultInjector.Faults.NONE.withDelay(MS, 0), 5);
        assertThat(bob.transmit(Frames.frame(bobPool, ALICE, BOB, 1, 64), 0)).isZero();

        assertThat(drain(alice, 0)).isEmpty();
        assertThat(bob.nextEventNs()).isEqualTo(MS);
        assertThat(bob.receive(frames, frames.length, MS)).isZero();
        assertThat(drain(alice, MS)).containsExactly(1);
    }

    @Test
    void closeFreesHeldFramesAndLaterTransmitsAreDropped() {
        PhysicalLayer alice = alice();
        FaultInjector bob = bob(FaultInjector.Direction.RECEIVE, FaultInjector.Faults.NONE.withDelay(MS, 0), 5);
        send(alice, 5, 0);
        assertThat(drain(bob, 0)).isEmpty();
        assertThat(bob.heldFrames()).isEqualTo(5);

        bob.close();

        assertThat(bob.transmit(Frames.frame(bobPool, ALICE, BOB, 1, 64), 0)).isEqualTo(-Errno.EBADF);
        assertThat(bob.stats().drops(PhyDrop.CLOSED)).isEqualTo(1);
        assertThat(bob.receive(frames, frames.length, MS)).isZero();
    }

    @Test
    void invalidFaultsAreEinval() {
        assertThatThrownBy(() -> FaultInjector.Faults.NONE.withLoss(1.5))
                .isInstanceOfSatisfying(DemiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                .hasMessageContaining("lossRate");
        assertThatThrownBy(() -> FaultInjector.Faults.NONE.withDelay(-1, 0))
                .isInstanceOf(DemiException.class).hasMessageContaining("delayNs");
        assertThatThrownBy(() -> FaultInjector.Faults.NONE.withCorruption(Double.NaN))
                .isInstanceOf(DemiException.class).hasMessageContaining("corruptRate");
    }
}
