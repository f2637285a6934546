package dev.jdemi.nativeabi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;

import org.junit.jupiter.api.Test;

/**
 * Nothing thrown leaves an upcall target: an unexpected failure (here, a context C never registered, which only a
 * jdemi bug could produce) becomes EIO, an {@link OutOfMemoryError} ENOMEM, a {@link DemiException} its errno.
 */
class CApiTest {
    private static final int NO_SUCH_CONTEXT = 15;

    @Test
    void everyTargetTurnsAnUnexpectedFailureIntoEio() {
        int ctx = NO_SUCH_CONTEXT;
        assertThat(CApi.socket(ctx, 2, 1, 0)).isEqualTo(-Errno.EIO);
        assertThat(CApi.listen(ctx, 500, 1)).isEqualTo(-Errno.EIO);
        assertThat(CApi.bind(ctx, 500, 0, 16)).isEqualTo(-Errno.EIO);
        assertThat(CApi.accept(ctx, 0, 500)).isEqualTo(-Errno.EIO);
        assertThat(CApi.connect(ctx, 0, 500, 0, 16)).isEqualTo(-Errno.EIO);
        assertThat(CApi.close(ctx, 500)).isEqualTo(-Errno.EIO);
        assertThat(CApi.push(ctx, 0, 500, 0)).isEqualTo(-Errno.EIO);
        assertThat(CApi.pushTo(ctx, 0, 500, 0, 0, 16)).isEqualTo(-Errno.EIO);
        assertThat(CApi.pop(ctx, 0, 500)).isEqualTo(-Errno.EIO);
        assertThat(CApi.waitFor(ctx, 0, 1, 0)).isEqualTo(-Errno.EIO);
        assertThat(CApi.waitAny(ctx, 0, 0, 0, 0)).isEqualTo(-Errno.EIO);
        assertThat(CApi.waitNextN(ctx, 0, 1, 0)).isEqualTo(-Errno.EIO);
        assertThat(CApi.sgaAlloc(ctx, 64, 0)).isEqualTo(-Errno.EIO);
        assertThat(CApi.sgaFree(ctx, 0)).isEqualTo(-Errno.EIO);
        assertThat(CApi.setSockOpt(ctx, 500, 1, 13, 0, 8)).isEqualTo(-Errno.EIO);
        assertThat(CApi.getSockOpt(ctx, 500, 1, 13, 0, 0)).isEqualTo(-Errno.EIO);
        assertThat(CApi.getPeerName(ctx, 500, 0)).isEqualTo(-Errno.EIO);
        assertThat(CApi.getSockName(ctx, 500, 0)).isEqualTo(-Errno.EIO);
        assertThat(CApi.createPipe(ctx, 0)).isEqualTo(-Errno.EIO);
        assertThat(CApi.openPipe(ctx, 0)).isEqualTo(-Errno.EIO);
    }

    @Test
    void failuresMapToErrnos() {
        assertThat(Failures.guard("demi_test", new DemiException(Errno.EBADF, "bad qd"))).isEqualTo(-Errno.EBADF);
        assertThat(Failures.guard("demi_test", new OutOfMemoryError("test"))).isEqualTo(-Errno.ENOMEM);
        assertThat(Failures.guard("demi_test", new IllegalStateException("test"))).isEqualTo(-Errno.EIO);
        assertThat(Failures.guard("demi_test", new StackOverflowError())).isEqualTo(-Errno.EIO);
    }
}
