package dev.jdemi.nativeabi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.Sga;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

/** The handles C sees in {@code sga_buf}: never NULL, refused when stale, forged or another thread's. */
class SgaTableTest {
    /** An SGA over native memory that narrows as the library's do. */
    private static final class FakeSga implements Sga {
        private MemorySegment view;

        FakeSga(int size) {
            this.view = Arena.ofAuto().allocate(size);
        }

        @Override
        public MemorySegment segment() {
            return view;
        }

        @Override
        public int length() {
            return (int) view.byteSize();
        }

        @Override
        public long address() {
            return view.address();
        }

        @Override
        public void narrow(int offset, int length) {
            view = view.asSlice(offset, length);
        }
    }

    private static int errno(Runnable call) {
        try {
            call.run();
        } catch (DemiException e) {
            return e.errno();
        }
        throw new AssertionError("no DemiException");
    }

    @Test
    void aHandleResolvesToItsSgaUntilReleased() {
        SgaTable table = new SgaTable(0);
        FakeSga sga = new FakeSga(64);
        long handle = table.register(sga);
        assertThat(handle).isNotZero();
        int slot = table.slot(handle);
        assertThat(table.sga(slot)).isSameAs(sga);
        assertThat(table.live()).isEqualTo(1);
        assertThat(table.release(slot)).isSameAs(sga);
        assertThat(table.live()).isZero();
        assertThat(errno(() -> table.slot(handle))).isEqualTo(Errno.EINVAL);
    }

    @Test
    void aStaleHandleIsRefusedWhenItsSlotIsReused() {
        SgaTable table = new SgaTable(0);
        long first = table.register(new FakeSga(8));
        table.release(table.slot(first));
        long second = table.register(new FakeSga(8));
        assertThat(second).isNotEqualTo(first);
        assertThat(errno(() -> table.slot(first))).isEqualTo(Errno.EINVAL);
        assertThat(table.slot(second)).isGreaterThanOrEqualTo(0);
    }

    @Test
    void nullForgedAndOtherContextsHandlesAreRefused() {
        SgaTable mine = new SgaTable(0);
        SgaTable theirs = new SgaTable(1);
        long handle = theirs.register(new FakeSga(8));
        assertThat(errno(() -> mine.slot(0))).isEqualTo(Errno.EINVAL);
        assertThat(errno(() -> mine.slot(handle))).isEqualTo(Errno.EINVAL);
        assertThat(errno(() -> mine.slot(0x0001_0000_0000_0005L))).isEqualTo(Errno.EINVAL);
    }

    @Test
    void aSegmentNarrowsInPlaceOrAsksForACopyOrIsRefused() {
        SgaTable table = new SgaTable(0);
        FakeSga sga = new FakeSga(64);
        long base = sga.address();
        int slot = table.slot(table.register(sga));
        assertThat(table.view(slot, base, 64)).isSameAs(sga);
        assertThat(table.view(slot, base + 8, 16)).isSameAs(sga);
        assertThat(sga.address()).isEqualTo(base + 8);
        assertThat(sga.length()).isEqualTo(16);
        // Wider than the current view but inside the original buffer: the caller copies.
        assertThat(table.view(slot, base, 64)).isNull();
        assertThatThrownBy(() -> table.view(slot, base, 65)).isInstanceOf(DemiException.class);
        assertThat(errno(() -> table.view(slot, base - 1, 8))).isEqualTo(Errno.EINVAL);
        assertThat(errno(() -> table.view(slot, base + 60, 8))).isEqualTo(Errno.EINVAL);
        assertThat(errno(() -> table.view(slot, base + 8, 0))).isEqualTo(Errno.EINVAL);
    }

    @Test
    void theTableGrowsBeyondItsFirstCapacity() {
        SgaTable table = new SgaTable(3);
        long[] handles = new long[1000];
        for (int i = 0; i < handles.length; i++) {
            handles[i] = table.register(new FakeSga(1));
        }
        for (long handle : handles) {
            table.release(table.slot(handle));
        }
        assertThat(table.live()).isZero();
    }
}
