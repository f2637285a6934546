package dev.jdemi.catmem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SocketOption;
import dev.jdemi.conformance.BytePattern;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * catmem pipes through the public API: the errors of spec §5.4, data both ways, partial pops, end of stream, close
 * with pending operations, clean-up of {@code /dev/shm}, and a reader in another process.
 *
 * <p>The two ends are two catmem LibOSes in the test's thread (as two processes would have); every wait polls only
 * its own LibOS, which is enough because a pipe needs no progress from the other end to accept a push or deliver
 * what is already in the ring.
 */
@DisplayName("catmem pipes")
class CatmemPipeTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private LibOS creator;
    private LibOS opener;
    private String name;

    @BeforeEach
    void open() {
        creator = LibOS.open(LibOSName.CATMEM);
        opener = LibOS.open(LibOSName.CATMEM);
        name = "test-" + UUID.randomUUID();
    }

    @AfterEach
    void close() {
        opener.close();
        creator.close();
        assertThat(shmFile(name)).as("the creator's LibOS removed the pipe's object").doesNotExist();
    }

    private static Path shmFile(String pipe) {
        return Path.of("/dev/shm", PipeDescriptor.OBJECT_PREFIX.substring(1) + pipe);
    }

    private static void assertErrno(int errno, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(DemiException.class,
                e -> assertThat(e.errno()).as("errno of \"%s\"", e.getMessage()).isEqualTo(errno));
    }

    private static Sga sgaOf(LibOS libos, byte[] data) {
        Sga sga = libos.sgaAlloc(data.length);
        sga.write(0, data, 0, data.length);
        return sga;
    }

    private static QResult complete(LibOS libos, long qt) {
        return libos.wait(qt, PATIENCE);
    }

    private static void push(LibOS libos, int qd, byte[] data) {
        Sga sga = sgaOf(libos, data);
        QResult r = complete(libos, libos.push(qd, sga));
        libos.sgaFree(sga);
        assertThat(r.opcode()).as("push result %s", r).isEqualTo(Opcode.PUSH);
    }

    private static byte[] pop(LibOS libos, int qd, int maxBytes) {
        QResult r = complete(libos, libos.pop(qd, maxBytes));
        assertThat(r.opcode()).as("pop result %s", r).isEqualTo(Opcode.POP);
        byte[] data = r.sga().toArray();
        libos.sgaFree(r.sga());
        return data;
    }

    @Nested
    @DisplayName("createPipe and openPipe")
    class Names {
        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {"", "a/b", "/lead", "nul\u0000byte"})
        @DisplayName("an empty or malformed name fails with EINVAL, for create and open")
        void malformed(String bad) {
            assertErrno(Errno.EINVAL, () -> creator.createPipe(bad));
            assertErrno(Errno.EINVAL, () -> opener.openPipe(bad));
        }

        @Test
        @DisplayName("a null name fails with EINVAL")
        void nullName() {
            assertErrno(Errno.EINVAL, () -> creator.createPipe(null));
            assertErrno(Errno.EINVAL, () -> opener.openPipe(null));
        }

        @Test
        @DisplayName("a name longer than the object namespace allows fails with EINVAL")
        void tooLong() {
            assertErrno(Errno.EINVAL, () -> creator.createPipe("x".repeat(250)));
        }

        @Test
        @DisplayName("creating a name that exists fails with EEXIST, in this LibOS or another")
        void exists() {
            creator.createPipe(name);
            assertErrno(Errno.EEXIST, () -> creator.createPipe(name));
            assertErrno(Errno.EEXIST, () -> opener.createPipe(name));
        }

        @Test
        @DisplayName("opening a name nobody created fails with ENOENT")
        void missing() {
            assertErrno(Errno.ENOENT, () -> opener.openPipe(name));
        }

        @Test
        @DisplayName("the pipe is an object in /dev/shm while its creator has it, and gone after the close")
        void cleanUp() {
            int qd = creator.createPipe(name);
            assertThat(shmFile(name)).exists();
            int other = opener.openPipe(name);
            creator.close(qd);
            assertThat(shmFile(name)).doesNotExist();
            assertErrno(Errno.ENOENT, () -> opener.openPipe(name));
            opener.close(other);
        }

        @Test
        @DisplayName("a LibOS without pipes answers ENOTSUP")
        void catnapHasNoPipes() {
            try (LibOS catnap = LibOS.open(LibOSName.CATNAP)) {
                assertErrno(Errno.ENOTSUP, () -> catnap.createPipe(name));
                assertErrno(Errno.ENOTSUP, () -> catnap.openPipe(name));
            }
        }

        @Test
        @DisplayName("catmem has no sockets: socket fails with ENOTSUP")
        void noSockets() {
            assertErrno(Errno.ENOTSUP, () -> creator.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0));
            assertErrno(Errno.ENOTSUP, () -> creator.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0));
        }

        @Test
        @DisplayName("socket calls on a pipe fail with ENOTSUP, pushTo with EBADF")
        void socketCallsOnAPipe() {
            int qd = creator.createPipe(name);
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", 5000);
            assertErrno(Errno.ENOTSUP, () -> creator.bind(qd, address));
            assertErrno(Errno.ENOTSUP, () -> creator.listen(qd, 1));
            assertErrno(Errno.ENOTSUP, () -> creator.accept(qd));
            assertErrno(Errno.ENOTSUP, () -> creator.connect(qd, address));
            assertErrno(Errno.ENOTSUP, () -> creator.getPeerName(qd));
            assertErrno(Errno.ENOTSUP, () -> creator.getSockName(qd));
            assertErrno(Errno.ENOTSUP, () -> creator.setSockOpt(qd, SocketOption.TCP_NODELAY, true));
            Sga sga = sgaOf(creator, new byte[] {1});
            assertErrno(Errno.EBADF, () -> creator.pushTo(qd, sga, address));
            creator.sgaFree(sga);
        }

        @Test
        @DisplayName("a catloop socket's pipe is not a catmem pipe: opening it fails with EINVAL")
        void catloopAddressIsNotAPipe() {
            try (LibOS catloop = LibOS.open(LibOSName.CATLOOP)) {
                int qd = catloop.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
                InetSocketAddress address = new InetSocketAddress("127.9.8.7", 40000 + (int) (Math.random() * 9000));
                catloop.bind(qd, address);
                assertErrno(Errno.EINVAL, () -> opener.openPipe(
                        CatloopTransport.pipeName(dev.jdemi.SockAddr.of(address))));
            }
        }
    }

    @Nested
    @DisplayName("push and pop")
    class Data {
        @Test
        @DisplayName("messages go both ways, in order, with their boundaries")
        void bothWays() {
            int a = creator.createPipe(name);
            int b = opener.openPipe(name);
            for (int i = 1; i <= 50; i++) {
                push(creator, a, BytePattern.bytes(i, i * 13));
                push(opener, b, BytePattern.bytes(-i, i * 7));
            }
            for (int i = 1; i <= 50; i++) {
                BytePattern.assertMatches(pop(opener, b, Sga.MAX_SIZE), i, i * 13);
                BytePattern.assertMatches(pop(creator, a, Sga.MAX_SIZE), -i, i * 7);
            }
        }

        @Test
        @DisplayName("a pop smaller than the message gets its first bytes; the next pops get the rest")
        void partialPops() {
            int a = creator.createPipe(name);
            int b = opener.openPipe(name);
            byte[] data = BytePattern.bytes(5, 1000);
            push(creator, a, data);
            push(creator, a, BytePattern.bytes(6, 10));
            byte[] got = new byte[1000];
            for (int off = 0; off < 1000; off += 300) {
                byte[] part = pop(opener, b, 300);
                assertThat(part).hasSize(Math.min(300, 1000 - off));
                System.arraycopy(part, 0, got, off, part.length);
            }
            assertThat(got).isEqualTo(data);
            BytePattern.assertMatches(pop(opener, b, 300), 6, 10);
        }

        @ParameterizedTest(name = "{0} bytes")
        @ValueSource(ints = {1, 7, 8, 9, 4096, 65_535})
        @DisplayName("every size from 1 byte to the largest SGA arrives intact")
        void sizes(int size) {
            int a = creator.createPipe(name);
            int b = opener.openPipe(name);
            push(creator, a, BytePattern.bytes(size, size));
            BytePattern.assertMatches(pop(opener, b, Sga.MAX_SIZE), size, size);
        }

        @Test
        @DisplayName("more data than a ring holds flows through: pushes wait for the reader, then complete")
        void flowControl() {
            int a = creator.createPipe(name);
            int b = opener.openPipe(name);
            int count = 64;
            List<Long> pushes = new ArrayList<>();
            Sga sga = sgaOf(creator, BytePattern.bytes(9, 60_000));
            for (int i = 0; i < count; i++) {
                pushes.add(creator.push(a, sga));
            }
            creator.sgaFree(sga);
            QResult r = new QResult();
            assertThat(creator.wait(pushes.get(count - 1), r, 0)).as("the last push waits for room").isFalse();
            for (int i = 0; i < count; i++) {
                // Push i completes once the pops before it made room.
                assertThat(complete(creator, pushes.get(i)).opcode()).isEqualTo(Opcode.PUSH);
                BytePattern.assertMatches(pop(opener, b, Sga.MAX_SIZE), 9, 60_000);
            }
        }
    }

    @Nested
    @DisplayName("end of stream and close")
    class Closing {
        @Test
        @DisplayName("after the other end closes, pops get what was pushed before, then a zero-length SGA, again")
        void endOfStream() {
            int a = creator.createPipe(name);
            int b = opener.openPipe(name);
            push(opener, b, BytePattern.bytes(1, 100));
            opener.close(b);
            BytePattern.assertMatches(pop(creator, a, Sga.MAX_SIZE), 1, 100);
            assertThat(pop(creator, a, Sga.MAX_SIZE)).isEmpty();
            assertThat(pop(creator, a, Sga.MAX_SIZE)).isEmpty();
        }

        @Test
        @DisplayName("a pop pending when the other end closes completes with end of stream")
        void pendingPopSeesEndOfStream() {
            int a = creator.createPipe(name);
            int b = opener.openPipe(name);
            long qt = opener.pop(b);
            QResult r = new QResult();
            assertThat(opener.wait(qt, r, 0)).isFalse();
            creator.close(a);
            r = complete(opener, qt);
            assertThat(r.opcode()).isEqualTo(Opcode.POP);
            assertThat(r.sga().length()).isZero();
            opener.sgaFree(r.sga());
        }

        @Test
        @DisplayName("closing an end fails its pending pop with EBADF; the token stays waitable")
        void pendingPop() {
            int a = creator.createPipe(name);
            long qt = creator.pop(a);
            creator.close(a);
            QResult r = complete(creator, qt);
            assertThat(r.opcode()).isEqualTo(Opcode.FAILED);
            assertThat(r.ret()).isEqualTo(Errno.EBADF);
            assertThat(r.qd()).isEqualTo(a);
        }

        @Test
        @DisplayName("closing an end fails its pushes still waiting for room with EBADF")
        void pendingPush() {
            int a = creator.createPipe(name);
            opener.openPipe(name);
            Sga sga = sgaOf(creator, BytePattern.bytes(2, 65_535));
            List<Long> qts = new ArrayList<>();
            QResult r = new QResult();
            long held = 0;
            for (int i = 0; i < 16 && held == 0; i++) {
                long qt = creator.push(a, sga);
                if (creator.wait(qt, r, 0)) {
                    assertThat(r.opcode()).isEqualTo(Opcode.PUSH);
                } else {
                    held = qt;
                }
            }
            creator.sgaFree(sga);
            assertThat(held).as("a push was held back by the full ring").isNotZero();
            long closeQt = creator.asyncClose(a);
            r = complete(creator, held);
            assertThat(r.opcode()).isEqualTo(Opcode.FAILED);
            assertThat(r.ret()).isEqualTo(Errno.EBADF);
            assertThat(complete(creator, closeQt).opcode()).isEqualTo(Opcode.CLOSE);
            assertErrno(Errno.EBADF, () -> creator.close(a));
        }

        @Test
        @DisplayName("a push to an end whose reader closed fails with EPIPE once the ring is full")
        void readerGone() {
            int a = creator.createPipe(name);
            int b = opener.openPipe(name);
            opener.close(b);
            Sga sga = sgaOf(creator, BytePattern.bytes(3, 65_535));
            QResult r = new QResult();
            int failed = 0;
            for (int i = 0; i < 8; i++) {
                r = complete(creator, creator.push(a, sga));
                if (r.opcode() == Opcode.FAILED) {
                    assertThat(r.ret()).isEqualTo(Errno.EPIPE);
                    failed++;
                }
            }
            creator.sgaFree(sga);
            assertThat(failed).as("pushes beyond the ring's capacity fail").isPositive();
        }

        @Test
        @DisplayName("every call on a closed pipe fails with EBADF")
        void closedPipe() {
            int a = creator.createPipe(name);
            creator.close(a);
            Sga sga = sgaOf(creator, new byte[] {1});
            assertErrno(Errno.EBADF, () -> creator.push(a, sga));
            assertErrno(Errno.EBADF, () -> creator.pop(a));
            assertErrno(Errno.EBADF, () -> creator.close(a));
            assertErrno(Errno.EBADF, () -> creator.asyncClose(a));
            creator.sgaFree(sga);
        }

        @Test
        @DisplayName("closing the LibOS removes the objects of the pipes it created")
        void libosCloseCleansUp() {
            String other = name + "-2";
            creator.createPipe(other);
            assertThat(shmFile(other)).exists();
            creator.close();
            assertThat(shmFile(other)).doesNotExist();
            creator = LibOS.open(LibOSName.CATMEM);
        }
    }

    @Test
    @DisplayName("with the block wait policy, waiting on an idle pipe naps instead of spinning a core")
    void blockPolicyNaps() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (LibOS blocking = LibOS.open(LibOSName.CATMEM,
                dev.jdemi.Config.defaults().withWaitPolicy(dev.jdemi.WaitPolicy.BLOCK))) {
            int qd = blocking.createPipe(name + "-block");
            long pop = blocking.pop(qd);
            long cpuBefore = threads.getCurrentThreadCpuTime();
            long wallBefore = System.nanoTime();
            assertThat(blocking.wait(pop, new QResult(), 300_000_000L)).as("nothing arrives").isFalse();
            long wall = System.nanoTime() - wallBefore;
            long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
            assertThat(wall).isGreaterThanOrEqualTo(300_000_000L);
            assertThat((double) cpu / wall).as("share of a core used while waiting").isLessThan(0.3);
        }
    }

    @Test
    @DisplayName("a reader in another process: a child JVM opens the pipe, echoes 200 messages reversed, and ends")
    void readerInAnotherProcess() {
        int qd = creator.createPipe(name);
        ChildJvm child = ChildJvm.start(PipeEchoChild.class, name);
        try {
            for (int i = 1; i <= 200; i++) {
                byte[] data = BytePattern.bytes(i, 1 + (i * 331) % 3000);
                push(creator, qd, data);
                byte[] echo = pop(creator, qd, Sga.MAX_SIZE);
                byte[] expected = new byte[data.length];
                for (int j = 0; j < data.length; j++) {
                    expected[j] = data[data.length - 1 - j];
                }
                assertThat(echo).as("echo %d", i).isEqualTo(expected);
            }
            creator.close(qd);
            ChildJvm.Outcome outcome = child.await(60);
            assertThat(outcome.output()).contains("echoed 200");
            assertThat(outcome.exitCode()).isZero();
        } finally {
            child.kill();
        }
        assertThat(Files.exists(shmFile(name))).isFalse();
    }
}
