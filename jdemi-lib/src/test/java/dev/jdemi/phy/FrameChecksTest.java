package dev.jdemi.phy;

import dev.jdemi.Errno;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The frame checks the devices share: each refusal frees the frame and counts its own drop. */
class FrameChecksTest {
    private static final int MAX = 1514;
    private final BufferPool pool = new BufferPool(0);
    private final PhyStats stats = new PhyStats();

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void aFrameThatFitsIsNeitherFreedNorCounted() {
        DemiBuffer frame = pool.allocate(60);
        assertThat(FrameChecks.refuseTransmit(stats, frame, false, MAX)).isZero();
        assertThat(frame.isLive()).isTrue();
        assertThat(stats.dropsTotal()).isZero();
        frame.free();
    }

    @Test
    void eachRefusalFreesTheFrameAndCountsItsDrop() {
        DemiBuffer closed = pool.allocate(60);
        assertThat(FrameChecks.refuseTransmit(stats, closed, true, MAX)).isEqualTo(-Errno.EBADF);
        DemiBuffer oversize = pool.allocate(MAX + 1);
        assertThat(FrameChecks.refuseTransmit(stats, oversize, false, MAX)).isEqualTo(-Errno.EMSGSIZE);
        DemiBuffer runt = pool.allocate(Capabilities.ETHERNET_HEADER_BYTES - 1);
        assertThat(FrameChecks.refuseTransmit(stats, runt, false, MAX)).isEqualTo(-Errno.EINVAL);
        assertThat(closed.isLive() || oversize.isLive() || runt.isLive()).isFalse();
        assertThat(stats.drops(PhyDrop.CLOSED)).isEqualTo(1);
        assertThat(stats.drops(PhyDrop.OVERSIZE)).isEqualTo(1);
        assertThat(stats.drops(PhyDrop.RUNT)).isEqualTo(1);
    }

    @Test
    void receivedLengthsOutsideTheBoundsAreRuntOrOversize() {
        assertThat(FrameChecks.receivedLengthDrop(Capabilities.ETHERNET_HEADER_BYTES - 1, MAX)).isEqualTo(PhyDrop.RUNT);
        assertThat(FrameChecks.receivedLengthDrop(Capabilities.ETHERNET_HEADER_BYTES, MAX)).isNull();
        assertThat(FrameChecks.receivedLengthDrop(MAX, MAX)).isNull();
        assertThat(FrameChecks.receivedLengthDrop(MAX + 1, MAX)).isEqualTo(PhyDrop.OVERSIZE);
    }

    @Test
    void aFullQueueIsToldFromAFailedSend() {
        assertThat(FrameChecks.sendFailed(stats, -Errno.EAGAIN)).isEqualTo(-Errno.EAGAIN);
        assertThat(FrameChecks.sendFailed(stats, -Errno.ENOBUFS)).isEqualTo(-Errno.ENOBUFS);
        assertThat(FrameChecks.sendFailed(stats, -Errno.EINVAL)).isEqualTo(-Errno.EINVAL);
        assertThat(stats.drops(PhyDrop.QUEUE_FULL)).isEqualTo(2);
        assertThat(stats.drops(PhyDrop.SEND_FAILED)).isEqualTo(1);
    }
}
