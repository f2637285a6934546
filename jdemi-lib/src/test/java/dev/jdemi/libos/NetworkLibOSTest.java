package dev.jdemi.libos;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.SockAddr;
import dev.jdemi.SocketOption;
import dev.jdemi.WaitPolicy;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.Operation;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.runtime.VirtualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The parts of {@link NetworkLibOS} that no real backend can be made to show on demand (a failing {@code close(2)}),
 * and its thread confinement, over a transport scripted by the test.
 */
class NetworkLibOSTest {
    private static final long LOCAL = SockAddr.pack(0x7f000001, 4000);

    private final ScriptedTransport transport = new ScriptedTransport();
    private final NetworkLibOS libos = new NetworkLibOS(LibOSName.CATNAP,
            new Runtime(new VirtualClock(), new BufferPool(0), WaitPolicy.SPIN), transport);

    @AfterEach
    void closeLibOS() {
        libos.close();
    }

    @Test
    @DisplayName("a close the backend fails throws the backend's errno, and the qd is released all the same")
    void failedCloseIsReported() {
        int qd = libos.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
        libos.bind(qd, LOCAL);
        transport.closeErrno = Errno.EIO;

        assertThatThrownBy(() -> libos.close(qd))
                .isInstanceOfSatisfying(DemiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
        assertThatThrownBy(() -> libos.pop(qd))
                .isInstanceOfSatisfying(DemiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
        // The address was given back with the qd: a new socket can bind it.
        transport.closeErrno = 0;
        int again = libos.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
        libos.bind(again, LOCAL);
        assertThat(libos.getSockName(again)).isEqualTo(SockAddr.toInet(LOCAL));
    }

    @Test
    @DisplayName("an asyncClose the backend fails completes FAILED with the backend's errno")
    void failedAsyncCloseCompletesFailed() {
        int qd = libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
        transport.closeErrno = Errno.EIO;

        long qt = libos.asyncClose(qd);
        QResult out = new QResult();

        assertThat(libos.wait(qt, out, 0)).isTrue();
        assertThat(out.opcode()).isEqualTo(Opcode.FAILED);
        assertThat(out.ret()).isEqualTo(Errno.EIO);
        assertThat(out.qd()).isEqualTo(qd);
    }

    @Test
    @DisplayName("a call from a thread other than the one that opened the LibOS fails with EPERM and changes nothing")
    void callsFromAnotherThreadFailWithEperm() throws InterruptedException, ExecutionException {
        int qd = libos.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);

        CompletableFuture<Throwable> fromOther = new CompletableFuture<>();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                libos.bind(qd, LOCAL);
                fromOther.complete(null);
            } catch (Throwable t) {
                fromOther.complete(t);
            }
        });
        other.join();

        assertThat(fromOther.get()).isInstanceOfSatisfying(DemiException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EPERM));
        assertThat(transport.binds).isZero();
        libos.bind(qd, LOCAL);
        assertThat(transport.binds).isOne();
    }

    @Test
    @DisplayName("an unknown LIBOS name fails with EINVAL naming the value and the accepted names")
    void unknownLibOSName() {
        assertThatThrownBy(() -> LibOSName.parse("catnipp"))
                .isInstanceOfSatisfying(DemiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                .hasMessageContaining("'catnipp'")
                .hasMessageContaining("catnap, catcollar, catpowder, catnip, catmem, catloop");
        assertThatThrownBy(() -> LibOSName.parse(null))
                .isInstanceOfSatisfying(DemiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        assertThat(LibOSName.parse(" CatNap ")).isEqualTo(LibOSName.CATNAP);
    }

    /** A transport whose sockets do nothing but record calls, and whose close fails with a chosen errno. */
    private static final class ScriptedTransport implements Transport {
        private TransportHost host;
        private int nextSd = 3;
        int closeErrno;
        int binds;
        long bound = SockAddr.NONE;

        @Override
        public void attach(TransportHost host, Runtime runtime) {
            this.host = host;
        }

        @Override
        public int socket(int type) {
            return nextSd++;
        }

        @Override
        public void bind(int sd, long local) {
            binds++;
            bound = local;
        }

        @Override
        public void listen(int sd, int backlog) {
        }

        @Override
        public void accept(int sd, Operation op) {
        }

        @Override
        public void connect(int sd, Operation op) {
        }

        @Override
        public void push(int sd, Operation op) {
        }

        @Override
        public void pop(int sd, Operation op) {
        }

        @Override
        public void close(int sd, Operation op) {
            host.closed(op, closeErrno);
        }

        @Override
        public void setOption(int sd, SocketOption<?> option, Object value) {
        }

        @Override
        public Object getOption(int sd, SocketOption<?> option) {
            return null;
        }

        @Override
        public long localAddress(int sd) {
            return bound;
        }

        @Override
        public long peerAddress(int sd) {
            throw new DemiException(Errno.ENOTCONN, "not connected");
        }

        @Override
        public void close() {
        }
    }
}
