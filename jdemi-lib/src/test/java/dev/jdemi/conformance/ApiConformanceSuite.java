package dev.jdemi.conformance;

import static dev.jdemi.Errno.EADDRINUSE;
import static dev.jdemi.Errno.EADDRNOTAVAIL;
import static dev.jdemi.Errno.EBADF;
import static dev.jdemi.Errno.ECONNREFUSED;
import static dev.jdemi.Errno.EDESTADDRREQ;
import static dev.jdemi.Errno.EINPROGRESS;
import static dev.jdemi.Errno.EINVAL;
import static dev.jdemi.Errno.EISCONN;
import static dev.jdemi.Errno.ENOTCONN;
import static dev.jdemi.Errno.ENOTSUP;
import static dev.jdemi.Errno.EOPNOTSUPP;
import static dev.jdemi.Errno.ETIMEDOUT;
import static dev.jdemi.LibOS.AF_INET;
import static dev.jdemi.LibOS.SOCK_DGRAM;
import static dev.jdemi.LibOS.SOCK_STREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.Linger;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SockAddr;
import dev.jdemi.SocketOption;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The API conformance suite that every LibOS runs: the behaviour of {@link LibOS} that an application relies on,
 * as the project's API semantics decide it (upstream's spec §1.2-1.6 and §2.8, with jdemi's recorded deviations).
 *
 * <p><b>Fixture.</b> Each test gets two fresh LibOS instances, {@link #server} and {@link #client}, opened by the
 * subclass and closed after the test. Tests start operations on both and then wait for the one they need; while
 * they wait, they keep polling the other side's outstanding operations ({@link #complete(PendingOp, PendingOp...)})
 * so a LibOS that only progresses inside its own calls is never starved. {@link #patience()} is a safety net that
 * turns a hang into a failure; no test uses time to synchronise.
 *
 * <p><b>Joining.</b> A LibOS extends this class in its own test package and implements the hooks: how to open the
 * two instances, a fresh bindable address, an address that refuses connections, a non-local address, and an
 * address that never answers a connection request (so a connect stays pending). A LibOS without UDP answers
 * {@link #hasUdp()} with false; the UDP tests are then skipped.
 */
public abstract class ApiConformanceSuite {
    /** A qd no LibOS hands out in these tests: far above the few hundred queues any test opens. */
    protected static final int BAD_QD = 4242;
    /** How long a probe waits to decide that an operation is held back (not a synchronisation: see its uses). */
    private static final long HELD_BACK_NS = 20_000_000L;
    /** How long a wait for one operation lasts before the other LibOS's operations are polled again. */
    private static final long SLICE_NS = 1_000_000L;
    private static final InetAddress WILDCARD = ipv4(0, 0, 0, 0);

    /** The LibOS that binds, listens and accepts. */
    protected LibOS server;
    /** The LibOS that connects and sends. */
    protected LibOS client;

    /**
     * Opens the server's LibOS; called before each test, closed after it.
     *
     * @return a new LibOS, confined to the test's thread
     */
    protected abstract LibOS openServer();

    /**
     * Opens the client's LibOS; called before each test, closed after it.
     *
     * @return a new LibOS, independent of the server's, confined to the test's thread
     */
    protected abstract LibOS openClient();

    /**
     * Returns an address the server may bind, TCP and UDP; different on each call and unused by anything else.
     *
     * @return a fresh local address with a non-zero port
     */
    protected abstract InetSocketAddress serverAddress();

    /**
     * Returns an address where nothing listens: a connect to it completes FAILED with ECONNREFUSED.
     *
     * @return the address
     */
    protected abstract InetSocketAddress refusingAddress();

    /**
     * Returns an address with an IP that is not local to the server: bind gives EADDRNOTAVAIL.
     *
     * @return the address
     */
    protected abstract InetSocketAddress nonLocalAddress();

    /**
     * Returns an address that never answers a connection request during the test, so a connect to it stays in the
     * connecting state until its socket is closed.
     *
     * @return the address
     */
    protected abstract InetSocketAddress silentAddress();

    /**
     * The longest a wait for an operation that must complete may take before the test fails. It only turns a hang
     * into a failure; tests never rely on it to order events.
     *
     * @return the patience, 10 s unless the LibOS needs more
     */
    protected Duration patience() {
        return Duration.ofSeconds(10);
    }

    /** {@return whether the LibOS has UDP sockets; the UDP tests are skipped without} */
    protected boolean hasUdp() {
        return true;
    }

    /**
     * Returns the largest UDP payload the LibOS sends in one datagram between the two instances.
     *
     * @return 65,507 (the IPv4 limit) unless the LibOS neither fragments nor has a link that large
     */
    protected int maxUdpPayload() {
        return 65_507;
    }

    /**
     * Returns the local address for the client's UDP sockets, which must be bound to receive.
     *
     * @return the wildcard address with port 0 (the system picks a port) unless the LibOS needs another
     */
    protected InetSocketAddress clientUdpAddress() {
        return new InetSocketAddress(WILDCARD, 0);
    }

    @BeforeEach
    final void openLibOSes() {
        server = openServer();
        client = openClient();
    }

    @AfterEach
    final void closeLibOSes() {
        RuntimeException failure = null;
        for (LibOS libos : new LibOS[] {client, server}) {
            if (libos == null) {
                continue;
            }
            try {
                libos.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        client = null;
        server = null;
        if (failure != null) {
            throw failure;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers for subclasses and the nested groups.
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Asserts that a call throws a {@link DemiException} with an errno.
     *
     * @param errno the expected errno
     * @param call the call
     */
    protected static void assertErrno(int errno, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(DemiException.class,
                e -> assertThat(e.errno()).as("errno of \"%s\"", e.getMessage()).isEqualTo(errno));
    }

    /**
     * Asserts that a call throws a {@link DemiException} with an errno, naming the call in the failure.
     *
     * @param errno the expected errno
     * @param what a description of the call
     * @param call the call
     */
    protected static void assertErrno(int errno, String what, ThrowingCallable call) {
        assertThatThrownBy(call).as(what).isInstanceOfSatisfying(DemiException.class,
                e -> assertThat(e.errno()).as("errno of %s: \"%s\"", what, e.getMessage()).isEqualTo(errno));
    }

    /** {@return an IPv4 address from its four bytes} */
    protected static InetAddress ipv4(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** {@return the IPv6 loopback address with a port} */
    protected static InetSocketAddress ipv6Loopback(int port) {
        byte[] bytes = new byte[16];
        bytes[15] = 1;
        try {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** {@return a new TCP socket of a LibOS} */
    protected static int tcpSocket(LibOS libos) {
        return libos.socket(AF_INET, SOCK_STREAM, 0);
    }

    /** {@return a new UDP socket of a LibOS} */
    protected static int udpSocket(LibOS libos) {
        return libos.socket(AF_INET, SOCK_DGRAM, 0);
    }

    /**
     * Starts tracking an operation.
     *
     * @param libos the LibOS that returned the token
     * @param qt the token
     * @return the pending operation
     */
    protected static PendingOp start(LibOS libos, long qt) {
        return new PendingOp(libos, qt);
    }

    /**
     * Waits until an operation completes, polling other outstanding operations meanwhile so that no LibOS starves.
     *
     * @param target the operation to wait for
     * @param drive operations (of any LibOS) to keep polling while waiting; those that complete keep their result
     * @return the target's result
     */
    protected final QResult complete(PendingOp target, PendingOp... drive) {
        long deadline = System.nanoTime() + patience().toNanos();
        while (true) {
            boolean othersPending = false;
            for (PendingOp op : drive) {
                othersPending |= !op.poll(0);
            }
            long left = deadline - System.nanoTime();
            if (target.poll(Math.max(0, othersPending ? Math.min(SLICE_NS, left) : left))) {
                return target.result();
            }
            if (left <= 0) {
                return fail("operation %s did not complete within %s", Long.toUnsignedString(target.qt()),
                        patience());
            }
        }
    }

    /**
     * Waits until an operation completes.
     *
     * @param libos the LibOS that returned the token
     * @param qt the token
     * @return the result
     */
    protected final QResult complete(LibOS libos, long qt) {
        return complete(start(libos, qt));
    }

    /**
     * Asserts that a result is a success of an opcode.
     *
     * @param opcode the expected opcode
     * @param result the result
     * @return the result
     */
    protected static QResult expect(Opcode opcode, QResult result) {
        assertThat(result.opcode()).as("opcode of %s", result).isEqualTo(opcode);
        assertThat(result.ret()).as("ret of %s", result).isZero();
        return result;
    }

    /**
     * Asserts that a result is a failure with an errno.
     *
     * @param errno the expected errno
     * @param result the result
     * @return the result
     */
    protected static QResult expectFailed(int errno, QResult result) {
        assertThat(result.opcode()).as("opcode of %s", result).isEqualTo(Opcode.FAILED);
        assertThat(result.ret()).as("errno of %s (%s)", result, Errno.name(errno)).isEqualTo(errno);
        return result;
    }

    /**
     * Allocates an SGA holding bytes.
     *
     * @param libos the LibOS
     * @param data the bytes, 1..65,535 of them
     * @return the SGA, owned by the caller
     */
    protected static Sga sgaOf(LibOS libos, byte[] data) {
        Sga sga = libos.sgaAlloc(data.length);
        sga.write(0, data, 0, data.length);
        return sga;
    }

    /**
     * Pops until exactly {@code size} bytes arrived, reassembling them, and frees every popped SGA.
     *
     * @param libos the receiving LibOS
     * @param qd the receiving queue
     * @param size how many bytes to expect
     * @param maxBytes the size of each pop
     * @param drive operations to keep polling meanwhile (typically the sender's push)
     * @return the bytes
     */
    protected final byte[] receive(LibOS libos, int qd, int size, int maxBytes, PendingOp... drive) {
        byte[] out = new byte[size];
        int have = 0;
        while (have < size) {
            QResult r = expect(Opcode.POP, complete(start(libos, libos.pop(qd, maxBytes)), drive));
            Sga sga = r.sga();
            int length = sga.length();
            try {
                assertThat(length).as("pop %s after %d of %d bytes", r, have, size).isPositive()
                        .isLessThanOrEqualTo(Math.min(maxBytes, size - have));
                sga.read(0, out, have, length);
            } finally {
                libos.sgaFree(sga);
            }
            have += length;
        }
        return out;
    }

    /**
     * Sends bytes over a TCP connection and receives them on the other end.
     *
     * @param from the sending LibOS
     * @param fromQd the sending queue
     * @param to the receiving LibOS
     * @param toQd the receiving queue
     * @param data the bytes
     * @param maxBytes the size of each pop
     * @return the bytes the receiver got
     */
    protected final byte[] transfer(LibOS from, int fromQd, LibOS to, int toQd, byte[] data, int maxBytes) {
        Sga sga = sgaOf(from, data);
        PendingOp push = start(from, from.push(fromQd, sga));
        byte[] received = receive(to, toQd, data.length, maxBytes, push);
        expect(Opcode.PUSH, complete(push));
        from.sgaFree(sga);
        return received;
    }

    /**
     * Sends one datagram and pops it at the receiver, which must be bound.
     *
     * @param from the sending LibOS
     * @param fromQd the sending UDP socket
     * @param to the receiving LibOS
     * @param toQd the receiving UDP socket
     * @param data the payload
     * @param dest where to send it
     * @return the pop's result; the caller frees its SGA
     */
    protected final QResult datagram(LibOS from, int fromQd, LibOS to, int toQd, byte[] data,
            InetSocketAddress dest) {
        PendingOp pop = start(to, to.pop(toQd, Sga.MAX_SIZE));
        Sga sga = sgaOf(from, data);
        PendingOp push = start(from, from.pushTo(fromQd, sga, dest));
        expect(Opcode.PUSH, complete(push, pop));
        from.sgaFree(sga);
        return expect(Opcode.POP, complete(pop));
    }

    /**
     * Pops a datagram's bytes and frees the SGA.
     *
     * @param libos the receiving LibOS
     * @param result a POP result
     * @return a copy of the payload
     */
    protected static byte[] take(LibOS libos, QResult result) {
        Sga sga = result.sga();
        byte[] data = sga.toArray();
        libos.sgaFree(sga);
        return data;
    }

    /**
     * A TCP connection between the server and the client.
     *
     * @param address the address the server listens on
     * @param listenQd the server's listening queue
     * @param serverQd the server's accepted queue
     * @param clientQd the client's connected queue
     * @param clientSeen the client's address as the accept reported it
     */
    protected record Connection(InetSocketAddress address, int listenQd, int serverQd, int clientQd,
            InetSocketAddress clientSeen) {
    }

    /**
     * Makes the server listen on a fresh address.
     *
     * @param backlog the backlog
     * @return the listening qd; its address is {@link LibOS#getSockName}
     */
    protected final int listener(int backlog) {
        int qd = tcpSocket(server);
        server.bind(qd, serverAddress());
        server.listen(qd, backlog);
        return qd;
    }

    /**
     * Connects the client to the server: accept and connect are started on both sides, then both are awaited.
     *
     * @return the connection
     */
    protected final Connection connection() {
        int listenQd = listener(16);
        InetSocketAddress address = server.getSockName(listenQd);
        PendingOp accept = start(server, server.accept(listenQd));
        int clientQd = tcpSocket(client);
        PendingOp connect = start(client, client.connect(clientQd, address));
        expect(Opcode.CONNECT, complete(connect, accept));
        QResult accepted = expect(Opcode.ACCEPT, complete(accept));
        return new Connection(address, listenQd, accepted.acceptedQd(), clientQd, accepted.address());
    }

    /**
     * Makes the client start connecting to {@link #silentAddress()}; the connect stays pending.
     *
     * @return the connecting qd and its pending connect
     */
    protected final Connecting connecting() {
        int qd = tcpSocket(client);
        PendingOp connect = start(client, client.connect(qd, silentAddress()));
        assertThat(connect.poll(HELD_BACK_NS)).as("a connect to the silent address completed: %s", connect.result())
                .isFalse();
        return new Connecting(qd, connect);
    }

    /**
     * A client socket whose connect is pending.
     *
     * @param qd the socket
     * @param connect its connect
     */
    protected record Connecting(int qd, PendingOp connect) {
    }

    /**
     * Makes a bound UDP socket on the server.
     *
     * @return the qd; its address is {@link LibOS#getSockName}
     */
    protected final int udpServer() {
        assumeTrue(hasUdp(), "this LibOS has no UDP");
        int qd = udpSocket(server);
        server.bind(qd, serverAddress());
        return qd;
    }

    /**
     * Makes a bound UDP socket on the client.
     *
     * @return the qd
     */
    protected final int udpClient() {
        assumeTrue(hasUdp(), "this LibOS has no UDP");
        int qd = udpSocket(client);
        client.bind(qd, clientUdpAddress());
        return qd;
    }

    /**
     * Returns a client socket on which pushTo's address checks can run: a bound UDP socket, or, for a LibOS without
     * UDP, a connected TCP socket (pushTo checks the address before anything that depends on the socket's type).
     *
     * @return the qd
     */
    protected final int addressCheckSocket() {
        return hasUdp() ? udpClient() : connection().clientQd();
    }

    /**
     * Asserts that every call that takes a qd fails on one with an errno.
     *
     * @param libos the LibOS
     * @param qd the qd
     * @param errno the expected errno
     */
    protected final void assertEveryQueueCallFails(LibOS libos, int qd, int errno) {
        Sga sga = sgaOf(libos, new byte[] {1, 2, 3});
        try {
            Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
            calls.put("bind", () -> libos.bind(qd, serverAddress()));
            calls.put("listen", () -> libos.listen(qd, 16));
            calls.put("accept", () -> libos.accept(qd));
            calls.put("connect", () -> libos.connect(qd, refusingAddress()));
            calls.put("push", () -> libos.push(qd, sga));
            calls.put("pushTo", () -> libos.pushTo(qd, sga, refusingAddress()));
            calls.put("pop", () -> libos.pop(qd));
            calls.put("pop(100)", () -> libos.pop(qd, 100));
            calls.put("setSockOpt", () -> libos.setSockOpt(qd, SocketOption.TCP_NODELAY, true));
            calls.put("getSockOpt", () -> libos.getSockOpt(qd, SocketOption.TCP_NODELAY));
            calls.put("getPeerName", () -> libos.getPeerName(qd));
            calls.put("getSockName", () -> libos.getSockName(qd));
            calls.put("asyncClose", () -> libos.asyncClose(qd));
            calls.put("close", () -> libos.close(qd));
            calls.forEach((name, call) -> assertErrno(errno, name + "(" + qd + ")", call));
        } finally {
            libos.sgaFree(sga);
        }
    }

    /**
     * Pushes on a connection whose receiver never pops until a push is held back by flow control.
     *
     * @param libos the sender
     * @param qd the sender's connected queue
     * @return the held-back push
     */
    private PendingOp heldBackPush(LibOS libos, int qd) {
        Sga sga = sgaOf(libos, BytePattern.bytes(9, Sga.MAX_SIZE));
        try {
            // Nobody pops, so the peer's receive window and this side's buffers fill after a bounded number of
            // pushes (a few MB at most); the first push still pending after a probe is the one flow control holds.
            for (int i = 0; i < 1024; i++) {
                PendingOp push = start(libos, libos.push(qd, sga));
                if (!push.poll(HELD_BACK_NS)) {
                    return push;
                }
                expect(Opcode.PUSH, push.result());
            }
            return fail("1024 pushes of 64 KiB completed although the receiver never popped");
        } finally {
            libos.sgaFree(sga);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 1. Queue descriptors.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("queue descriptors")
    class QueueDescriptors {
        @Test
        @DisplayName("the first queue of a LibOS is 500")
        void firstQueueIs500() {
            assertThat(tcpSocket(server)).isEqualTo(500);
        }

        @Test
        @DisplayName("a freed qd is handed out again before a new one, the last freed first")
        void freedQdsAreReusedLastInFirstOut() {
            int a = tcpSocket(server);
            int b = tcpSocket(server);
            int c = tcpSocket(server);
            server.close(a);
            server.close(c);
            assertThat(tcpSocket(server)).isEqualTo(c);
            assertThat(tcpSocket(server)).isEqualTo(a);
            assertThat(tcpSocket(server)).isNotIn(a, b, c);
        }

        @ParameterizedTest(name = "qd {0}")
        @ValueSource(ints = {-1, 0, 1, 499, 500, 501, BAD_QD, Integer.MAX_VALUE, Integer.MIN_VALUE})
        @DisplayName("every call on a qd the LibOS never handed out fails with EBADF")
        void unknownQd(int qd) {
            assertEveryQueueCallFails(server, qd, EBADF);
        }

        @Test
        @DisplayName("every call on a closed qd fails with EBADF")
        void closedQd() {
            int qd = listener(4);
            server.close(qd);
            assertEveryQueueCallFails(server, qd, EBADF);
        }

        @Test
        @DisplayName("200 sockets get distinct qds, and after closing them the same qds come back")
        void manySockets() {
            Set<Integer> first = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                int qd = i % 2 == 0 || !hasUdp() ? tcpSocket(server) : udpSocket(server);
                assertThat(qd).isGreaterThanOrEqualTo(500);
                assertThat(first.add(qd)).as("qd %d handed out twice", qd).isTrue();
            }
            for (int qd : first) {
                server.close(qd);
            }
            Set<Integer> second = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                second.add(tcpSocket(server));
            }
            assertThat(second).isEqualTo(first);
            for (int qd : second) {
                server.close(qd);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 2. socket.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("socket")
    class Sockets {
        @ParameterizedTest(name = "domain {0}")
        @ValueSource(ints = {-1, 0, 1, 10, 16, 17, 44, 1 << 16})
        @DisplayName("a domain other than AF_INET fails with ENOTSUP")
        void unsupportedDomain(int domain) {
            assertErrno(ENOTSUP, () -> server.socket(domain, SOCK_STREAM, 0));
            assertErrno(ENOTSUP, () -> server.socket(domain, SOCK_DGRAM, 0));
        }

        @ParameterizedTest(name = "type {0}")
        @ValueSource(ints = {-1, 0, 3, 4, 5, 6, 10, SOCK_STREAM | 2048, SOCK_DGRAM | 2048, SOCK_STREAM | 524_288,
            SOCK_DGRAM | 524_288})
        @DisplayName("a type other than exactly SOCK_STREAM or SOCK_DGRAM (flag bits too) fails with ENOTSUP")
        void unsupportedType(int type) {
            assertErrno(ENOTSUP, () -> server.socket(AF_INET, type, 0));
        }

        @Test
        @DisplayName("the protocol argument is ignored")
        void protocolIgnored() {
            Set<Integer> qds = new HashSet<>();
            qds.add(server.socket(AF_INET, SOCK_STREAM, 0));
            qds.add(server.socket(AF_INET, SOCK_STREAM, 6));
            if (hasUdp()) {
                qds.add(server.socket(AF_INET, SOCK_DGRAM, 0));
                qds.add(server.socket(AF_INET, SOCK_DGRAM, 17));
            }
            assertThat(qds).hasSize(hasUdp() ? 4 : 2).allSatisfy(qd -> assertThat(qd).isGreaterThanOrEqualTo(500));
        }

        @Test
        @DisplayName("a new socket is usable: it binds and closes")
        void newSocketBindsAndCloses() {
            int qd = tcpSocket(server);
            InetSocketAddress address = serverAddress();
            server.bind(qd, address);
            assertThat(server.getSockName(qd)).isEqualTo(address);
            server.close(qd);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 3. bind.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("bind")
    class Bind {
        @Test
        @DisplayName("an IPv6 address fails with EINVAL, for TCP and UDP")
        void ipv6() {
            int tcp = tcpSocket(server);
            assertErrno(EINVAL, () -> server.bind(tcp, ipv6Loopback(serverAddress().getPort())));
            if (hasUdp()) {
                int udp = udpSocket(server);
                assertErrno(EINVAL, () -> server.bind(udp, ipv6Loopback(serverAddress().getPort())));
            }
        }

        @Test
        @DisplayName("the IPv6 check comes before the qd check")
        void ipv6BeforeQd() {
            assertErrno(EINVAL, () -> server.bind(BAD_QD, ipv6Loopback(serverAddress().getPort())));
        }

        @Test
        @DisplayName("a null address fails with EINVAL")
        void nullAddress() {
            int qd = tcpSocket(server);
            assertErrno(EINVAL, () -> server.bind(qd, (InetSocketAddress) null));
        }

        @Test
        @DisplayName("TCP on the wildcard address fails with ENOTSUP")
        void tcpWildcardAddress() {
            int qd = tcpSocket(server);
            assertErrno(ENOTSUP, () -> server.bind(qd, new InetSocketAddress(WILDCARD, serverAddress().getPort())));
        }

        @Test
        @DisplayName("TCP on port 0 fails with ENOTSUP")
        void tcpPortZero() {
            int qd = tcpSocket(server);
            assertErrno(ENOTSUP, () -> server.bind(qd, new InetSocketAddress(serverAddress().getAddress(), 0)));
            assertErrno(ENOTSUP, () -> server.bind(qd, new InetSocketAddress(WILDCARD, 0)));
        }

        @Test
        @DisplayName("a TCP address another live socket holds fails with EADDRINUSE")
        void tcpAddressInUse() {
            InetSocketAddress address = serverAddress();
            int first = tcpSocket(server);
            server.bind(first, address);
            int second = tcpSocket(server);
            assertErrno(EADDRINUSE, () -> server.bind(second, address));
        }

        @Test
        @DisplayName("a UDP address another live socket holds fails with EADDRINUSE")
        void udpAddressInUse() {
            int first = udpServer();
            InetSocketAddress address = server.getSockName(first);
            int second = udpSocket(server);
            assertErrno(EADDRINUSE, () -> server.bind(second, address));
        }

        @Test
        @DisplayName("the address-in-use check comes before the qd check")
        void addressInUseBeforeQd() {
            InetSocketAddress address = serverAddress();
            server.bind(tcpSocket(server), address);
            assertErrno(EADDRINUSE, () -> server.bind(BAD_QD, address));
        }

        @Test
        @DisplayName("a bad qd fails with EBADF")
        void badQd() {
            assertErrno(EBADF, () -> server.bind(BAD_QD, serverAddress()));
        }

        @Test
        @DisplayName("binding a bound socket again fails with EINVAL")
        void alreadyBound() {
            int qd = tcpSocket(server);
            server.bind(qd, serverAddress());
            assertErrno(EINVAL, () -> server.bind(qd, serverAddress()));
        }

        @Test
        @DisplayName("binding a listening socket fails with EINVAL")
        void listening() {
            int qd = listener(4);
            assertErrno(EINVAL, () -> server.bind(qd, serverAddress()));
        }

        @Test
        @DisplayName("binding a connecting socket fails with EINVAL")
        void connectingSocket() {
            Connecting c = connecting();
            assertErrno(EINVAL, () -> client.bind(c.qd(), serverAddress()));
        }

        @Test
        @DisplayName("binding a connected socket fails with EISCONN, on either end")
        void connected() {
            Connection c = connection();
            assertErrno(EISCONN, () -> client.bind(c.clientQd(), serverAddress()));
            assertErrno(EISCONN, () -> server.bind(c.serverQd(), serverAddress()));
        }

        @Test
        @DisplayName("a non-local IP fails with EADDRNOTAVAIL, and the socket can still bind elsewhere")
        void nonLocal() {
            int qd = tcpSocket(server);
            assertErrno(EADDRNOTAVAIL, () -> server.bind(qd, nonLocalAddress()));
            InetSocketAddress address = serverAddress();
            server.bind(qd, address);
            assertThat(server.getSockName(qd)).isEqualTo(address);
        }

        @Test
        @DisplayName("an address is free again once its socket is closed")
        void addressFreedByClose() {
            InetSocketAddress address = serverAddress();
            int first = tcpSocket(server);
            server.bind(first, address);
            server.listen(first, 4);
            server.close(first);
            int second = tcpSocket(server);
            server.bind(second, address);
            server.listen(second, 4);
            assertThat(server.getSockName(second)).isEqualTo(address);
        }

        @Test
        @DisplayName("UDP may bind the wildcard address with port 0; the system picks a port")
        void udpWildcardPortZero() {
            assumeTrue(hasUdp(), "this LibOS has no UDP");
            int qd = udpSocket(server);
            server.bind(qd, new InetSocketAddress(WILDCARD, 0));
            InetSocketAddress bound = server.getSockName(qd);
            assertThat(bound.getAddress()).isEqualTo(WILDCARD);
            assertThat(bound.getPort()).isPositive();
        }

        @Test
        @DisplayName("UDP may bind port 0 on a local IP; getSockName tells the picked port and keeps the IP")
        void udpPortZero() {
            assumeTrue(hasUdp(), "this LibOS has no UDP");
            InetAddress ip = serverAddress().getAddress();
            int qd = udpSocket(server);
            server.bind(qd, new InetSocketAddress(ip, 0));
            InetSocketAddress bound = server.getSockName(qd);
            assertThat(bound.getAddress()).isEqualTo(ip);
            assertThat(bound.getPort()).isPositive();
        }

        @Test
        @DisplayName("a C sockaddr_in binds like the Java address")
        void rawSockaddr() {
            InetSocketAddress address = serverAddress();
            int qd = tcpSocket(server);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sockaddr = arena.allocate(SockAddr.SOCKADDR_IN_SIZE);
                SockAddr.write(sockaddr, 0, SockAddr.of(address));
                server.bind(qd, sockaddr, SockAddr.SOCKADDR_IN_SIZE);
            }
            assertThat(server.getSockName(qd)).isEqualTo(address);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 4. listen.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("listen")
    class Listen {
        @ParameterizedTest(name = "backlog {0}")
        @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
        @DisplayName("a backlog below 1 fails with EINVAL, before the qd check")
        void badBacklog(int backlog) {
            int qd = tcpSocket(server);
            server.bind(qd, serverAddress());
            assertErrno(EINVAL, () -> server.listen(qd, backlog));
            assertErrno(EINVAL, () -> server.listen(BAD_QD, backlog));
            server.listen(qd, 1);
        }

        @Test
        @DisplayName("a bad qd fails with EBADF")
        void badQd() {
            assertErrno(EBADF, () -> server.listen(BAD_QD, 16));
        }

        @Test
        @DisplayName("an unbound socket fails with EDESTADDRREQ")
        void unbound() {
            int qd = tcpSocket(server);
            assertErrno(Errno.EDESTADDRREQ, () -> server.listen(qd, 16));
        }

        @Test
        @DisplayName("listening again fails with EADDRINUSE")
        void listeningAgain() {
            int qd = listener(4);
            assertErrno(EADDRINUSE, () -> server.listen(qd, 4));
        }

        @Test
        @DisplayName("a connecting socket fails with EADDRINUSE")
        void connectingSocket() {
            Connecting c = connecting();
            assertErrno(EADDRINUSE, () -> client.listen(c.qd(), 4));
        }

        @Test
        @DisplayName("a connected socket fails with EISCONN, on either end")
        void connected() {
            Connection c = connection();
            assertErrno(EISCONN, () -> client.listen(c.clientQd(), 4));
            assertErrno(EISCONN, () -> server.listen(c.serverQd(), 4));
        }

        @Test
        @DisplayName("a UDP socket fails with ENOTSUP")
        void udp() {
            int qd = udpServer();
            assertErrno(ENOTSUP, () -> server.listen(qd, 4));
        }

        @Test
        @DisplayName("a backlog above SOMAXCONN is cut, not refused, and the socket accepts")
        void hugeBacklog() {
            int qd = tcpSocket(server);
            server.bind(qd, serverAddress());
            server.listen(qd, Integer.MAX_VALUE);
            PendingOp accept = start(server, server.accept(qd));
            int clientQd = tcpSocket(client);
            expect(Opcode.CONNECT, complete(start(client, client.connect(clientQd, server.getSockName(qd))), accept));
            expect(Opcode.ACCEPT, complete(accept));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 5. accept.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("accept")
    class Accept {
        @Test
        @DisplayName("a bad qd fails with EBADF")
        void badQd() {
            assertErrno(EBADF, () -> server.accept(BAD_QD));
        }

        @Test
        @DisplayName("an unbound or merely bound socket fails with EINVAL")
        void notListening() {
            int qd = tcpSocket(server);
            assertErrno(EINVAL, () -> server.accept(qd));
            server.bind(qd, serverAddress());
            assertErrno(EINVAL, () -> server.accept(qd));
        }

        @Test
        @DisplayName("a connected socket fails with EINVAL, on either end")
        void connected() {
            Connection c = connection();
            assertErrno(EINVAL, () -> client.accept(c.clientQd()));
            assertErrno(EINVAL, () -> server.accept(c.serverQd()));
        }

        @Test
        @DisplayName("a UDP socket fails with EINVAL")
        void udp() {
            int qd = udpServer();
            assertErrno(EINVAL, () -> server.accept(qd));
        }

        @Test
        @DisplayName("the result names the listening qd, a new qd and the client's address")
        void result() {
            int listenQd = listener(4);
            long qt = server.accept(listenQd);
            PendingOp accept = start(server, qt);
            int clientQd = tcpSocket(client);
            expect(Opcode.CONNECT, complete(start(client, client.connect(clientQd, server.getSockName(listenQd))),
                    accept));
            QResult r = expect(Opcode.ACCEPT, complete(accept));
            assertThat(r.qd()).isEqualTo(listenQd);
            assertThat(r.qt()).isEqualTo(qt);
            assertThat(r.acceptedQd()).isGreaterThanOrEqualTo(500).isNotEqualTo(listenQd);
            assertThat(r.address()).isEqualTo(client.getSockName(clientQd));
            assertThat(server.getPeerName(r.acceptedQd())).isEqualTo(r.address());
        }

        @Test
        @DisplayName("an accept stays pending until a client connects")
        void pendingUntilConnect() {
            int listenQd = listener(4);
            PendingOp accept = start(server, server.accept(listenQd));
            assertThat(accept.poll(0)).isFalse();
            assertThat(accept.poll(HELD_BACK_NS)).isFalse();
            int clientQd = tcpSocket(client);
            expect(Opcode.CONNECT, complete(start(client, client.connect(clientQd, server.getSockName(listenQd))),
                    accept));
            expect(Opcode.ACCEPT, complete(accept));
        }

        @Test
        @DisplayName("16 concurrent accepts each get one of 16 connections")
        void manyConcurrentAccepts() {
            int n = 16;
            int listenQd = listener(64);
            InetSocketAddress address = server.getSockName(listenQd);
            List<PendingOp> accepts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                accepts.add(start(server, server.accept(listenQd)));
            }
            PendingOp[] acceptArray = accepts.toArray(PendingOp[]::new);
            Set<InetSocketAddress> clients = new HashSet<>();
            for (int i = 0; i < n; i++) {
                int clientQd = tcpSocket(client);
                expect(Opcode.CONNECT, complete(start(client, client.connect(clientQd, address)), acceptArray));
                clients.add(client.getSockName(clientQd));
            }
            Set<Integer> acceptedQds = new HashSet<>();
            Set<InetSocketAddress> peers = new HashSet<>();
            for (PendingOp accept : accepts) {
                QResult r = expect(Opcode.ACCEPT, complete(accept));
                assertThat(r.qd()).isEqualTo(listenQd);
                acceptedQds.add(r.acceptedQd());
                peers.add(r.address());
            }
            assertThat(acceptedQds).hasSize(n).doesNotContain(listenQd);
            assertThat(peers).isEqualTo(clients);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 6. connect.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("connect")
    class Connect {
        @Test
        @DisplayName("an IPv6 address fails at once with EINVAL, before the qd check")
        void ipv6() {
            int qd = tcpSocket(client);
            assertErrno(EINVAL, () -> client.connect(qd, ipv6Loopback(serverAddress().getPort())));
            assertErrno(EINVAL, () -> client.connect(BAD_QD, ipv6Loopback(serverAddress().getPort())));
        }

        @Test
        @DisplayName("a null address fails with EINVAL")
        void nullAddress() {
            int qd = tcpSocket(client);
            assertErrno(EINVAL, () -> client.connect(qd, (InetSocketAddress) null));
        }

        @Test
        @DisplayName("a bad qd fails with EBADF")
        void badQd() {
            assertErrno(EBADF, () -> client.connect(BAD_QD, refusingAddress()));
        }

        @Test
        @DisplayName("a listening socket fails with EOPNOTSUPP")
        void listening() {
            int qd = listener(4);
            assertErrno(EOPNOTSUPP, () -> server.connect(qd, refusingAddress()));
        }

        @Test
        @DisplayName("a connecting socket fails with EINPROGRESS")
        void connectingSocket() {
            Connecting c = connecting();
            assertErrno(EINPROGRESS, () -> client.connect(c.qd(), silentAddress()));
            assertThat(c.connect().poll(0)).as("the first connect is still pending").isFalse();
        }

        @Test
        @DisplayName("a connected socket fails with EISCONN, on either end")
        void connected() {
            Connection c = connection();
            assertErrno(EISCONN, () -> client.connect(c.clientQd(), c.address()));
            assertErrno(EISCONN, () -> server.connect(c.serverQd(), c.address()));
        }

        @Test
        @DisplayName("a successful connect completes CONNECT with ret 0, and the peer is the server")
        void result() {
            int listenQd = listener(4);
            InetSocketAddress address = server.getSockName(listenQd);
            PendingOp accept = start(server, server.accept(listenQd));
            int qd = tcpSocket(client);
            long qt = client.connect(qd, address);
            QResult r = expect(Opcode.CONNECT, complete(start(client, qt), accept));
            assertThat(r.qd()).isEqualTo(qd);
            assertThat(r.qt()).isEqualTo(qt);
            assertThat(client.getPeerName(qd)).isEqualTo(address);
            expect(Opcode.ACCEPT, complete(accept));
        }

        @Test
        @DisplayName("a refused connect completes FAILED with ECONNREFUSED; wait returns it, it does not throw")
        void refused() {
            int qd = tcpSocket(client);
            long qt = client.connect(qd, refusingAddress());
            QResult r = expectFailed(ECONNREFUSED, complete(client, qt));
            assertThat(r.qd()).isEqualTo(qd);
            assertThat(r.qt()).isEqualTo(qt);
        }

        @Test
        @DisplayName("after a failed connect the socket is unusable (EBADF) but still closes")
        void failedConnectLeavesSocketClosable() {
            int qd = tcpSocket(client);
            expectFailed(ECONNREFUSED, complete(client, client.connect(qd, refusingAddress())));
            Sga sga = sgaOf(client, new byte[] {1});
            assertErrno(EBADF, "push", () -> client.push(qd, sga));
            assertErrno(EBADF, "pop", () -> client.pop(qd));
            assertErrno(EBADF, "connect", () -> client.connect(qd, refusingAddress()));
            client.sgaFree(sga);
            client.close(qd);
            assertErrno(EBADF, "second close", () -> client.close(qd));
        }

        @Test
        @DisplayName("a UDP connect completes CONNECT; the socket then pushes to its peer and pops its replies")
        void udpConnect() {
            int serverQd = udpServer();
            InetSocketAddress address = server.getSockName(serverQd);
            int qd = udpSocket(client);
            expect(Opcode.CONNECT, complete(client, client.connect(qd, address)));
            assertThat(client.getPeerName(qd)).isEqualTo(address);

            PendingOp serverPop = start(server, server.pop(serverQd));
            Sga hello = sgaOf(client, BytePattern.bytes(1, 100));
            expect(Opcode.PUSH, complete(start(client, client.push(qd, hello)), serverPop));
            client.sgaFree(hello);
            QResult got = expect(Opcode.POP, complete(serverPop));
            InetSocketAddress sender = got.address();
            BytePattern.assertMatches(take(server, got), 1, 100);
            assertThat(sender.getPort()).isPositive();

            PendingOp clientPop = start(client, client.pop(qd));
            Sga reply = sgaOf(server, BytePattern.bytes(2, 50));
            expect(Opcode.PUSH, complete(start(server, server.pushTo(serverQd, reply, sender)), clientPop));
            server.sgaFree(reply);
            QResult back = expect(Opcode.POP, complete(clientPop));
            assertThat(back.address()).isEqualTo(address);
            BytePattern.assertMatches(take(client, back), 2, 50);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 7. close and asyncClose.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("close")
    class Close {
        @Test
        @DisplayName("a bad qd fails with EBADF, for close and asyncClose")
        void badQd() {
            assertErrno(EBADF, () -> server.close(BAD_QD));
            assertErrno(EBADF, () -> server.asyncClose(BAD_QD));
            assertErrno(EBADF, () -> server.close(-1));
        }

        @Test
        @DisplayName("closing twice fails with EBADF the second time")
        void twice() {
            int qd = tcpSocket(server);
            server.close(qd);
            assertErrno(EBADF, () -> server.close(qd));
            assertErrno(EBADF, () -> server.asyncClose(qd));
        }

        @Test
        @DisplayName("a socket closes in every state: unbound, bound, listening, connected, connecting, UDP")
        void everyState() {
            int unbound = tcpSocket(server);
            int bound = tcpSocket(server);
            server.bind(bound, serverAddress());
            int listening = listener(4);
            Connection c = connection();
            Connecting connecting = connecting();
            server.close(unbound);
            server.close(bound);
            server.close(listening);
            server.close(c.serverQd());
            client.close(c.clientQd());
            client.close(connecting.qd());
            if (hasUdp()) {
                server.close(udpServer());
                client.close(udpSocket(client));
            }
            assertThat(server.getSockName(c.listenQd())).isEqualTo(c.address());
        }

        @Test
        @DisplayName("a pending pop completes FAILED with EBADF, and its token is waitable after the close")
        void pendingPop() {
            Connection c = connection();
            long qt = server.pop(c.serverQd());
            server.close(c.serverQd());
            QResult r = expectFailed(EBADF, complete(server, qt));
            assertThat(r.qd()).isEqualTo(c.serverQd());
            assertThat(r.qt()).isEqualTo(qt);
        }

        @Test
        @DisplayName("a pending accept completes FAILED with EBADF")
        void pendingAccept() {
            int qd = listener(4);
            long qt = server.accept(qd);
            server.close(qd);
            assertThat(expectFailed(EBADF, complete(server, qt)).qd()).isEqualTo(qd);
        }

        @Test
        @DisplayName("a pending connect completes FAILED with EBADF")
        void pendingConnect() {
            Connecting c = connecting();
            client.close(c.qd());
            expectFailed(EBADF, complete(c.connect()));
        }

        @Test
        @DisplayName("a push held back by flow control completes FAILED with EBADF")
        void pendingPush() {
            Connection c = connection();
            PendingOp push = heldBackPush(client, c.clientQd());
            client.close(c.clientQd());
            expectFailed(EBADF, complete(push));
        }

        @Test
        @DisplayName("a pending UDP pop completes FAILED with EBADF")
        void pendingUdpPop() {
            int qd = udpServer();
            long qt = server.pop(qd);
            server.close(qd);
            expectFailed(EBADF, complete(server, qt));
        }

        @Test
        @DisplayName("close completes the pending operations before it returns: a zero-timeout wait gets them")
        void closeCompletesPendingOperations() {
            Connection c = connection();
            PendingOp pop = start(server, server.pop(c.serverQd()));
            PendingOp accept = start(server, server.accept(c.listenQd()));
            server.close(c.serverQd());
            server.close(c.listenQd());
            assertThat(pop.poll(0)).as("pop completed by the close").isTrue();
            assertThat(accept.poll(0)).as("accept completed by the close").isTrue();
            expectFailed(EBADF, pop.result());
            expectFailed(EBADF, accept.result());
        }

        @Test
        @DisplayName("asyncClose completes CLOSE with ret 0, and fails the pending operations with EBADF")
        void asyncClose() {
            Connection c = connection();
            PendingOp pop = start(server, server.pop(c.serverQd()));
            long qt = server.asyncClose(c.serverQd());
            QResult r = expect(Opcode.CLOSE, complete(server, qt));
            assertThat(r.qd()).isEqualTo(c.serverQd());
            assertThat(r.qt()).isEqualTo(qt);
            expectFailed(EBADF, complete(pop));
            assertErrno(EBADF, () -> server.close(c.serverQd()));
        }

        @Test
        @DisplayName("while an asyncClose is pending, another close or asyncClose fails at once with EBADF")
        void closeWhileClosing() {
            int qd = listener(4);
            long qt = server.asyncClose(qd);
            assertErrno(EBADF, "asyncClose", () -> server.asyncClose(qd));
            assertErrno(EBADF, "close", () -> server.close(qd));
            expect(Opcode.CLOSE, complete(server, qt));
        }

        @Test
        @DisplayName("a reused qd does not inherit the operations of the queue that had it before")
        void reusedQdIsFresh() {
            int old = udpServer();
            long oldPop = server.pop(old);
            server.close(old);
            int reused = udpSocket(server);
            assertThat(reused).isEqualTo(old);
            server.bind(reused, serverAddress());
            PendingOp newPop = start(server, server.pop(reused));
            expectFailed(EBADF, complete(server, oldPop));
            assertThat(newPop.poll(0)).as("the new queue's pop is untouched").isFalse();

            int sender = udpClient();
            Sga sga = sgaOf(client, BytePattern.bytes(3, 10));
            expect(Opcode.PUSH, complete(start(client, client.pushTo(sender, sga, server.getSockName(reused))),
                    newPop));
            client.sgaFree(sga);
            BytePattern.assertMatches(take(server, expect(Opcode.POP, complete(newPop))), 3, 10);
        }

        @Test
        @DisplayName("closing one end makes the other end's pop see end of stream")
        void peerSeesEndOfStream() {
            Connection c = connection();
            PendingOp pop = start(server, server.pop(c.serverQd()));
            client.close(c.clientQd());
            QResult r = expect(Opcode.POP, complete(pop));
            assertThat(r.sga()).isNotNull();
            assertThat(r.sga().length()).isZero();
            server.sgaFree(r.sga());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 8. push.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("push")
    class Push {
        @Test
        @DisplayName("a null SGA fails with EINVAL, before the qd check")
        void nullSga() {
            Connection c = connection();
            assertErrno(EINVAL, () -> client.push(c.clientQd(), null));
            assertErrno(EINVAL, () -> client.push(BAD_QD, null));
        }

        @Test
        @DisplayName("a freed SGA fails with EINVAL")
        void freedSga() {
            Connection c = connection();
            Sga sga = sgaOf(client, new byte[] {1, 2, 3});
            client.sgaFree(sga);
            assertErrno(EINVAL, () -> client.push(c.clientQd(), sga));
        }

        @Test
        @DisplayName("an SGA of another LibOS fails with EINVAL")
        void foreignSga() {
            Connection c = connection();
            Sga foreign = sgaOf(server, new byte[] {1, 2, 3});
            assertErrno(EINVAL, () -> client.push(c.clientQd(), foreign));
            server.sgaFree(foreign);
        }

        @Test
        @DisplayName("an SGA narrowed to zero bytes fails with EINVAL")
        void emptySga() {
            Connection c = connection();
            Sga sga = sgaOf(client, new byte[] {1, 2, 3});
            sga.narrow(3, 0);
            assertErrno(EINVAL, () -> client.push(c.clientQd(), sga));
            client.sgaFree(sga);
        }

        @Test
        @DisplayName("a bad qd fails with EBADF")
        void badQd() {
            Sga sga = sgaOf(client, new byte[] {1});
            assertErrno(EBADF, () -> client.push(BAD_QD, sga));
            client.sgaFree(sga);
        }

        @Test
        @DisplayName("a TCP socket that is not connected (unbound, bound, listening) fails with ENOTCONN")
        void tcpNotConnected() {
            int unbound = tcpSocket(server);
            int bound = tcpSocket(server);
            server.bind(bound, serverAddress());
            int listening = listener(4);
            Sga sga = sgaOf(server, new byte[] {1});
            assertErrno(ENOTCONN, "unbound", () -> server.push(unbound, sga));
            assertErrno(ENOTCONN, "bound", () -> server.push(bound, sga));
            assertErrno(ENOTCONN, "listening", () -> server.push(listening, sga));
            server.sgaFree(sga);
        }

        @Test
        @DisplayName("a push on an unconnected UDP socket completes FAILED with EDESTADDRREQ")
        void udpNotConnected() {
            int bound = udpClient();
            int unbound = udpSocket(client);
            Sga sga = sgaOf(client, new byte[] {1});
            expectFailed(EDESTADDRREQ, complete(client, client.push(bound, sga)));
            expectFailed(EDESTADDRREQ, complete(client, client.push(unbound, sga)));
            client.sgaFree(sga);
        }

        @Test
        @DisplayName("a completed push is PUSH with ret 0 on its qd")
        void result() {
            Connection c = connection();
            Sga sga = sgaOf(client, BytePattern.bytes(4, 10));
            long qt = client.push(c.clientQd(), sga);
            PendingOp push = start(client, qt);
            BytePattern.assertMatches(receive(server, c.serverQd(), 10, 8192, push), 4, 10);
            QResult r = expect(Opcode.PUSH, complete(push));
            assertThat(r.qd()).isEqualTo(c.clientQd());
            assertThat(r.qt()).isEqualTo(qt);
            client.sgaFree(sga);
        }

        @Test
        @DisplayName("the SGA may be freed right after push returns; the peer still gets the original bytes")
        void freeProtection() {
            Connection c = connection();
            int size = 1000;
            Sga sga = sgaOf(client, BytePattern.bytes(5, size));
            PendingOp push = start(client, client.push(c.clientQd(), sga));
            client.sgaFree(sga);
            // Reallocating and overwriting makes it likely that the freed memory is reused, so a push that did not
            // keep its own reference would send these bytes instead.
            List<Sga> scribbles = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                scribbles.add(sgaOf(client, BytePattern.bytes(66, size)));
            }
            BytePattern.assertMatches(receive(server, c.serverQd(), size, 8192, push), 5, size);
            expect(Opcode.PUSH, complete(push));
            scribbles.forEach(client::sgaFree);
        }

        @Test
        @DisplayName("a narrowed SGA sends exactly the narrowed bytes")
        void narrowedSga() {
            Connection c = connection();
            byte[] data = BytePattern.bytes(6, 100);
            Sga sga = sgaOf(client, data);
            sga.narrow(10, 50);
            PendingOp push = start(client, client.push(c.clientQd(), sga));
            byte[] received = receive(server, c.serverQd(), 50, 8192, push);
            expect(Opcode.PUSH, complete(push));
            client.sgaFree(sga);
            assertThat(received).isEqualTo(Arrays.copyOfRange(data, 10, 60));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 9. pushTo.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("pushTo")
    class PushTo {
        @Test
        @DisplayName("a null address fails with EINVAL")
        void nullAddress() {
            int qd = addressCheckSocket();
            Sga sga = sgaOf(client, new byte[] {1});
            assertErrno(EINVAL, () -> client.pushTo(qd, sga, (InetSocketAddress) null));
            client.sgaFree(sga);
        }

        @Test
        @DisplayName("an unresolved address fails with EINVAL")
        void unresolvedAddress() {
            int qd = addressCheckSocket();
            Sga sga = sgaOf(client, new byte[] {1});
            assertErrno(EINVAL, () -> client.pushTo(qd, sga, InetSocketAddress.createUnresolved("jdemi.invalid", 9)));
            client.sgaFree(sga);
        }

        @Test
        @DisplayName("an IPv6 address fails with EINVAL, for UDP and TCP")
        void ipv6() {
            Connection c = connection();
            Sga sga = sgaOf(client, new byte[] {1});
            if (hasUdp()) {
                int udp = udpClient();
                assertErrno(EINVAL, "udp", () -> client.pushTo(udp, sga, ipv6Loopback(9)));
            }
            assertErrno(EINVAL, "tcp", () -> client.pushTo(c.clientQd(), sga, ipv6Loopback(9)));
            client.sgaFree(sga);
        }

        @Test
        @DisplayName("after the address, the push checks apply: null SGA EINVAL, bad qd EBADF")
        void pushChecks() {
            int qd = addressCheckSocket();
            InetSocketAddress to = serverAddress();
            assertErrno(EINVAL, () -> client.pushTo(qd, null, to));
            Sga sga = sgaOf(client, new byte[] {1});
            assertErrno(EBADF, () -> client.pushTo(BAD_QD, sga, to));
            Sga empty = sgaOf(client, new byte[] {1});
            empty.narrow(0, 0);
            assertErrno(EINVAL, () -> client.pushTo(qd, empty, to));
            client.sgaFree(sga);
            client.sgaFree(empty);
        }

        @Test
        @DisplayName("a raw sockaddr: NULL fails with EINVAL")
        void rawNull() {
            int qd = addressCheckSocket();
            Sga sga = sgaOf(client, new byte[] {1});
            assertErrno(EINVAL, () -> client.pushTo(qd, sga, MemorySegment.NULL, SockAddr.SOCKADDR_IN_SIZE));
            client.sgaFree(sga);
        }

        @ParameterizedTest(name = "size {0}")
        @ValueSource(ints = {-1, 0, 1})
        @DisplayName("a raw sockaddr: a size below 2 fails with EINVAL")
        void rawTooSmall(int size) {
            rawPushToFails(SockAddr.AF_INET, size, EINVAL);
        }

        @ParameterizedTest(name = "size {0}")
        @ValueSource(ints = {2, 8, 15, 17, 28})
        @DisplayName("a raw sockaddr: AF_INET with a size other than 16 fails with EINVAL")
        void rawInetWrongSize(int size) {
            rawPushToFails(SockAddr.AF_INET, size, EINVAL);
        }

        @ParameterizedTest(name = "size {0}")
        @ValueSource(ints = {2, 16, 27, 29})
        @DisplayName("a raw sockaddr: AF_INET6 with a size other than 28 fails with EINVAL")
        void rawInet6WrongSize(int size) {
            rawPushToFails(SockAddr.AF_INET6, size, EINVAL);
        }

        @Test
        @DisplayName("a raw sockaddr: a well-formed AF_INET6 address fails with EINVAL")
        void rawInet6() {
            rawPushToFails(SockAddr.AF_INET6, SockAddr.SOCKADDR_IN6_SIZE, EINVAL);
        }

        @ParameterizedTest(name = "family {0}")
        @ValueSource(ints = {0, 1, 17, 44})
        @DisplayName("a raw sockaddr: a family other than AF_INET and AF_INET6 fails with ENOTSUP")
        void rawOtherFamily(int family) {
            rawPushToFails(family, SockAddr.SOCKADDR_IN_SIZE, ENOTSUP);
        }

        private void rawPushToFails(int family, int size, int errno) {
            int qd = addressCheckSocket();
            Sga sga = sgaOf(client, new byte[] {1});
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sockaddr = arena.allocate(64);
                SockAddr.write(sockaddr, 0, SockAddr.of(serverAddress()));
                sockaddr.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) family);
                assertErrno(errno, () -> client.pushTo(qd, sga, sockaddr, size));
            }
            client.sgaFree(sga);
        }

        @Test
        @DisplayName("a raw sockaddr_in delivers the datagram like the Java address")
        void rawSockaddr() {
            int serverQd = udpServer();
            int qd = udpClient();
            PendingOp pop = start(server, server.pop(serverQd));
            Sga sga = sgaOf(client, BytePattern.bytes(7, 33));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sockaddr = arena.allocate(SockAddr.SOCKADDR_IN_SIZE);
                SockAddr.write(sockaddr, 0, SockAddr.of(server.getSockName(serverQd)));
                expect(Opcode.PUSH, complete(start(client,
                        client.pushTo(qd, sga, sockaddr, SockAddr.SOCKADDR_IN_SIZE)), pop));
            }
            client.sgaFree(sga);
            BytePattern.assertMatches(take(server, expect(Opcode.POP, complete(pop))), 7, 33);
        }

        @Test
        @DisplayName("UDP: the datagram goes to the given address and its source is the sender")
        void udpToAddress() {
            int serverQd = udpServer();
            int qd = udpClient();
            QResult r = datagram(client, qd, server, serverQd, BytePattern.bytes(8, 77), server.getSockName(serverQd));
            assertThat(r.qd()).isEqualTo(serverQd);
            assertThat(r.address().getPort()).isEqualTo(client.getSockName(qd).getPort());
            BytePattern.assertMatches(take(server, r), 8, 77);
        }

        @Test
        @DisplayName("UDP: pushTo binds an unbound socket to an ephemeral port, so it can pop the reply")
        void udpUnboundGetsAPort() {
            int serverQd = udpServer();
            int qd = udpSocket(client);
            assertErrno(Errno.EDESTADDRREQ, () -> client.pop(qd));
            Sga sga = sgaOf(client, BytePattern.bytes(6, 3));
            PendingOp request = start(server, server.pop(serverQd));
            expect(Opcode.PUSH, complete(start(client, client.pushTo(qd, sga, server.getSockName(serverQd))),
                    request));
            client.sgaFree(sga);
            QResult received = expect(Opcode.POP, complete(request));
            assertThat(received.address().getPort()).isNotZero()
                    .isEqualTo(client.getSockName(qd).getPort());
            Sga echo = received.sga();
            PendingOp reply = start(client, client.pop(qd));
            expect(Opcode.PUSH, complete(start(server, server.pushTo(serverQd, echo, received.address())), reply));
            server.sgaFree(echo);
            BytePattern.assertMatches(take(client, expect(Opcode.POP, complete(reply))), 6, 3);
        }

        @Test
        @DisplayName("UDP: on a connected socket the given address overrides the peer")
        void udpOverridesPeer() {
            int peerQd = udpServer();
            int otherQd = udpServer();
            int qd = udpSocket(client);
            expect(Opcode.CONNECT, complete(client, client.connect(qd, server.getSockName(peerQd))));
            PendingOp peerPop = start(server, server.pop(peerQd));
            PendingOp otherPop = start(server, server.pop(otherQd));
            Sga sga = sgaOf(client, BytePattern.bytes(9, 20));
            expect(Opcode.PUSH, complete(start(client, client.pushTo(qd, sga, server.getSockName(otherQd))),
                    otherPop));
            client.sgaFree(sga);
            BytePattern.assertMatches(take(server, expect(Opcode.POP, complete(otherPop))), 9, 20);
            assertThat(peerPop.poll(0)).as("the connected peer got nothing").isFalse();
        }

        @Test
        @DisplayName("TCP: the address is ignored and the data goes to the peer")
        void tcpIgnoresAddress() {
            Connection c = connection();
            Sga sga = sgaOf(client, BytePattern.bytes(10, 40));
            PendingOp push = start(client, client.pushTo(c.clientQd(), sga, refusingAddress()));
            BytePattern.assertMatches(receive(server, c.serverQd(), 40, 8192, push), 10, 40);
            expect(Opcode.PUSH, complete(push));
            client.sgaFree(sga);
        }

        @Test
        @DisplayName("TCP: an unconnected socket fails with ENOTCONN")
        void tcpNotConnected() {
            int qd = tcpSocket(client);
            Sga sga = sgaOf(client, new byte[] {1});
            assertErrno(ENOTCONN, () -> client.pushTo(qd, sga, serverAddress()));
            client.sgaFree(sga);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 10. pop.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("pop")
    class Pop {
        @ParameterizedTest(name = "maxBytes {0}")
        @ValueSource(ints = {0, -1, 65_536, Integer.MAX_VALUE, Integer.MIN_VALUE})
        @DisplayName("a size outside 1..65535 fails with EINVAL, before the qd check")
        void badSize(int maxBytes) {
            Connection c = connection();
            assertErrno(EINVAL, () -> server.pop(c.serverQd(), maxBytes));
            assertErrno(EINVAL, () -> server.pop(BAD_QD, maxBytes));
        }

        @Test
        @DisplayName("the sizes 1 and 65535 are accepted")
        void boundarySizes() {
            Connection c = connection();
            byte[] data = BytePattern.bytes(11, 3);
            Sga sga = sgaOf(client, data);
            PendingOp push = start(client, client.push(c.clientQd(), sga));
            QResult one = expect(Opcode.POP, complete(start(server, server.pop(c.serverQd(), 1)), push));
            assertThat(take(server, one)).containsExactly(data[0]);
            byte[] rest = receive(server, c.serverQd(), 2, Sga.MAX_SIZE, push);
            assertThat(rest).containsExactly(data[1], data[2]);
            expect(Opcode.PUSH, complete(push));
            client.sgaFree(sga);
        }

        @Test
        @DisplayName("a bad qd fails with EBADF")
        void badQd() {
            assertErrno(EBADF, () -> server.pop(BAD_QD));
        }

        @Test
        @DisplayName("a TCP socket that is not connected (unbound, bound, listening) fails with ENOTCONN")
        void tcpNotConnected() {
            int unbound = tcpSocket(server);
            int bound = tcpSocket(server);
            server.bind(bound, serverAddress());
            int listening = listener(4);
            assertErrno(ENOTCONN, "unbound", () -> server.pop(unbound));
            assertErrno(ENOTCONN, "bound", () -> server.pop(bound));
            assertErrno(ENOTCONN, "listening", () -> server.pop(listening));
        }

        @Test
        @DisplayName("a UDP socket that is neither bound nor connected fails with EDESTADDRREQ")
        void udpUnbound() {
            assumeTrue(hasUdp(), "this LibOS has no UDP");
            int qd = udpSocket(server);
            assertErrno(EDESTADDRREQ, () -> server.pop(qd));
        }

        @Test
        @DisplayName("a pop completes with what is available; it does not wait to fill its size")
        void completesWithWhatIsAvailable() {
            Connection c = connection();
            Sga sga = sgaOf(client, BytePattern.bytes(12, 10));
            PendingOp push = start(client, client.push(c.clientQd(), sga));
            QResult r = expect(Opcode.POP, complete(start(server, server.pop(c.serverQd(), Sga.MAX_SIZE)), push));
            assertThat(r.qd()).isEqualTo(c.serverQd());
            BytePattern.assertMatches(take(server, r), 12, 10);
            expect(Opcode.PUSH, complete(push));
            client.sgaFree(sga);
        }

        @Test
        @DisplayName("a pop never returns more than its size; the rest comes with the next pops")
        void neverMoreThanMaxBytes() {
            Connection c = connection();
            byte[] received = transfer(client, c.clientQd(), server, c.serverQd(), BytePattern.bytes(13, 100), 30);
            BytePattern.assertMatches(received, 13, 100);
        }

        @Test
        @DisplayName("UDP: the result names the sender, and a datagram longer than the size is cut to it")
        void udpSenderAndTruncation() {
            int serverQd = udpServer();
            int qd = udpClient();
            InetSocketAddress to = server.getSockName(serverQd);
            PendingOp pop = start(server, server.pop(serverQd, 10));
            Sga big = sgaOf(client, BytePattern.bytes(14, 100));
            expect(Opcode.PUSH, complete(start(client, client.pushTo(qd, big, to)), pop));
            client.sgaFree(big);
            QResult r = expect(Opcode.POP, complete(pop));
            assertThat(r.address().getPort()).isEqualTo(client.getSockName(qd).getPort());
            assertThat(take(server, r)).isEqualTo(Arrays.copyOf(BytePattern.bytes(14, 100), 10));
            QResult next = datagram(client, qd, server, serverQd, BytePattern.bytes(15, 5), to);
            BytePattern.assertMatches(take(server, next), 15, 5);
        }

        @Test
        @DisplayName("end of stream is a zero-length POP, and every later pop is one too")
        void endOfStream() {
            Connection c = connection();
            byte[] last = transfer(client, c.clientQd(), server, c.serverQd(), BytePattern.bytes(16, 5), 8192);
            BytePattern.assertMatches(last, 16, 5);
            client.close(c.clientQd());
            for (int i = 0; i < 3; i++) {
                QResult r = expect(Opcode.POP, complete(server, server.pop(c.serverQd())));
                assertThat(r.sga()).as("pop %d after the peer closed", i).isNotNull();
                assertThat(r.sga().length()).as("pop %d after the peer closed", i).isZero();
                server.sgaFree(r.sga());
            }
        }

        @Test
        @DisplayName("a popped SGA belongs to the application: it frees once, and a second free fails with EINVAL")
        void poppedSgaIsOwned() {
            Connection c = connection();
            Sga sga = sgaOf(client, BytePattern.bytes(17, 8));
            PendingOp push = start(client, client.push(c.clientQd(), sga));
            QResult r = expect(Opcode.POP, complete(start(server, server.pop(c.serverQd())), push));
            Sga popped = r.sga();
            assertThat(popped.length()).isPositive();
            assertThat(popped.segment().byteSize()).isEqualTo(popped.length());
            server.sgaFree(popped);
            assertErrno(EINVAL, () -> server.sgaFree(popped));
            expect(Opcode.PUSH, complete(push));
            client.sgaFree(sga);
        }

        @Test
        @DisplayName("a popped SGA can be pushed back as it is (echo) and freed right after the push")
        void echo() {
            Connection c = connection();
            int size = 3000;
            Sga sga = sgaOf(client, BytePattern.bytes(18, size));
            PendingOp push = start(client, client.push(c.clientQd(), sga));
            int echoed = 0;
            List<PendingOp> echoes = new ArrayList<>();
            byte[] back = new byte[size];
            int have = 0;
            while (echoed < size) {
                QResult r = expect(Opcode.POP, complete(start(server, server.pop(c.serverQd())), push));
                Sga popped = r.sga();
                echoed += popped.length();
                assertThat(popped.length()).isPositive();
                echoes.add(start(server, server.push(c.serverQd(), popped)));
                server.sgaFree(popped);
            }
            PendingOp[] drive = echoes.toArray(PendingOp[]::new);
            while (have < size) {
                QResult r = expect(Opcode.POP, complete(start(client, client.pop(c.clientQd())), drive));
                Sga popped = r.sga();
                assertThat(have + popped.length()).isLessThanOrEqualTo(size);
                popped.read(0, back, have, popped.length());
                have += popped.length();
                client.sgaFree(popped);
            }
            BytePattern.assertMatches(back, 18, size);
            for (PendingOp echo : echoes) {
                expect(Opcode.PUSH, complete(echo));
            }
            expect(Opcode.PUSH, complete(push));
            client.sgaFree(sga);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 11. wait.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("wait")
    class Wait {
        @ParameterizedTest(name = "token {0}")
        @ValueSource(longs = {0L, 1L, -1L, 0xDEAD_BEEFL, Long.MAX_VALUE, Long.MIN_VALUE})
        @DisplayName("an unknown token (0 too) fails with EINVAL")
        void unknownToken(long qt) {
            assertErrno(EINVAL, () -> server.wait(qt, new QResult(), 0));
            assertErrno(EINVAL, () -> server.wait(qt, new QResult(), 1_000_000L));
        }

        @Test
        @DisplayName("a consumed token fails with EINVAL")
        void consumedToken() {
            int qd = listener(4);
            long qt = server.accept(qd);
            server.close(qd);
            expectFailed(EBADF, complete(server, qt));
            assertErrno(EINVAL, () -> server.wait(qt, new QResult(), 0));
            assertErrno(EINVAL, () -> server.wait(qt, Duration.ofMillis(1)));
        }

        @Test
        @DisplayName("a token of one LibOS is unknown to another")
        void tokenOfAnotherLibOS() {
            int qd = listener(4);
            long qt = server.accept(qd);
            assertErrno(EINVAL, () -> client.wait(qt, new QResult(), 0));
        }

        @Test
        @DisplayName("a timeout returns false without cancelling the operation; a later wait gets its result")
        void timeoutDoesNotCancel() {
            Connection c = connection();
            long qt = server.pop(c.serverQd());
            QResult out = new QResult();
            assertThat(server.wait(qt, out, 0)).isFalse();
            assertThat(server.wait(qt, out, HELD_BACK_NS)).isFalse();
            Sga sga = sgaOf(client, BytePattern.bytes(19, 6));
            PendingOp push = start(client, client.push(c.clientQd(), sga));
            QResult r = expect(Opcode.POP, complete(start(server, qt), push));
            BytePattern.assertMatches(take(server, r), 19, 6);
            expect(Opcode.PUSH, complete(push));
            client.sgaFree(sga);
        }

        @Test
        @DisplayName("wait with a Duration throws ETIMEDOUT on timeout, and the token stays waitable")
        void durationTimeout() {
            int qd = listener(4);
            long qt = server.accept(qd);
            assertErrno(ETIMEDOUT, () -> server.wait(qt, Duration.ofMillis(5)));
            assertErrno(ETIMEDOUT, () -> server.wait(qt, Duration.ZERO));
            int clientQd = tcpSocket(client);
            PendingOp accept = start(server, qt);
            expect(Opcode.CONNECT, complete(start(client, client.connect(clientQd, server.getSockName(qd))),
                    accept));
            expect(Opcode.ACCEPT, complete(accept));
        }

        @Test
        @DisplayName("wait with a Duration returns the result of a completed operation")
        void durationResult() {
            int qd = listener(4);
            long qt = server.accept(qd);
            server.close(qd);
            QResult r = server.wait(qt, patience());
            expectFailed(EBADF, r);
            assertThat(r.qt()).isEqualTo(qt);
        }

        @Test
        @DisplayName("wait without a timeout waits until the operation completes and fills the given result")
        void forever() {
            int serverQd = udpServer();
            int qd = udpClient();
            Sga sga = sgaOf(client, BytePattern.bytes(20, 12));
            long push = client.pushTo(qd, sga, server.getSockName(serverQd));
            QResult out = new QResult();
            assertThat(client.wait(push, out)).isSameAs(out);
            expect(Opcode.PUSH, out);
            client.sgaFree(sga);
            long pop = server.pop(serverQd);
            QResult popped = new QResult();
            assertThat(server.wait(pop, popped, LibOS.WAIT_FOREVER)).isTrue();
            BytePattern.assertMatches(take(server, expect(Opcode.POP, popped)), 20, 12);
        }

        @Test
        @DisplayName("a failed operation is returned, not thrown: true, FAILED, ret = errno, its qd and token")
        void failedOperationIsReturned() {
            int qd = tcpSocket(client);
            long qt = client.connect(qd, refusingAddress());
            QResult out = new QResult();
            assertThat(client.wait(qt, out, patience().toNanos())).as("completed within %s", patience()).isTrue();
            assertThat(out.opcode()).isEqualTo(Opcode.FAILED);
            assertThat(out.failed()).isTrue();
            assertThat(out.ret()).isEqualTo(ECONNREFUSED);
            assertThat(out.qd()).isEqualTo(qd);
            assertThat(out.qt()).isEqualTo(qt);
        }

        @Test
        @DisplayName("one QResult can be reused for every wait")
        void reusedResult() {
            Connection c = connection();
            QResult out = new QResult();
            for (int i = 0; i < 5; i++) {
                Sga sga = sgaOf(client, BytePattern.bytes(21 + i, 4 + i));
                long push = client.push(c.clientQd(), sga);
                assertThat(client.wait(push, out, patience().toNanos())).isTrue();
                expect(Opcode.PUSH, out);
                client.sgaFree(sga);
                BytePattern.assertMatches(receive(server, c.serverQd(), 4 + i, 8192), 21 + i, 4 + i);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 12. waitAny.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("waitAny")
    class WaitAny {
        @Test
        @DisplayName("a negative count fails with EINVAL")
        void negativeCount() {
            long qt = server.accept(listener(4));
            assertErrno(EINVAL, () -> server.waitAny(new long[] {qt}, -1, new QResult(), 0));
        }

        @Test
        @DisplayName("a count above the number of tokens fails with EINVAL")
        void countAboveLength() {
            long qt = server.accept(listener(4));
            assertErrno(EINVAL, () -> server.waitAny(new long[] {qt}, 2, new QResult(), 0));
            assertErrno(EINVAL, () -> server.waitAny(new long[0], 1, new QResult(), 0));
        }

        @Test
        @DisplayName("count 0 waits out the timeout and returns -1")
        void countZero() {
            long timeoutNs = 10_000_000L;
            long begin = System.nanoTime();
            assertThat(server.waitAny(new long[0], 0, new QResult(), timeoutNs)).isEqualTo(-1);
            assertThat(System.nanoTime() - begin).isGreaterThanOrEqualTo(timeoutNs);
            long qt = server.accept(listener(4));
            assertThat(server.waitAny(new long[] {qt}, 0, new QResult(), 0)).isEqualTo(-1);
        }

        @Test
        @DisplayName("an unknown token fails with EINVAL")
        void unknownToken() {
            long qt = server.accept(listener(4));
            assertErrno(EINVAL, () -> server.waitAny(new long[] {qt, 0xDEAD_BEEFL}, new QResult(), 0));
            assertErrno(EINVAL, () -> server.waitAny(new long[] {0L}, new QResult(), 0));
        }

        @Test
        @DisplayName("it returns the index of the completed token, consumes it, and leaves the others pending")
        void returnsIndex() {
            int[] qds = {udpServer(), udpServer(), udpServer()};
            long[] qts = new long[qds.length];
            for (int i = 0; i < qds.length; i++) {
                qts[i] = server.pop(qds[i]);
            }
            int qd = udpClient();
            Sga sga = sgaOf(client, BytePattern.bytes(22, 9));
            expect(Opcode.PUSH, complete(client, client.pushTo(qd, sga, server.getSockName(qds[1]))));
            client.sgaFree(sga);
            QResult out = new QResult();
            assertThat(server.waitAny(qts, out, patience().toNanos())).isEqualTo(1);
            expect(Opcode.POP, out);
            assertThat(out.qt()).isEqualTo(qts[1]);
            assertThat(out.qd()).isEqualTo(qds[1]);
            BytePattern.assertMatches(take(server, out), 22, 9);
            assertErrno(EINVAL, () -> server.wait(qts[1], new QResult(), 0));
            assertThat(server.wait(qts[0], new QResult(), 0)).isFalse();
            assertThat(server.wait(qts[2], new QResult(), 0)).isFalse();
        }

        @Test
        @DisplayName("a timeout returns -1 without cancelling the operations")
        void timeout() {
            int qd = listener(4);
            long[] qts = {server.accept(qd), server.accept(qd)};
            assertThat(server.waitAny(qts, new QResult(), HELD_BACK_NS)).isEqualTo(-1);
            server.close(qd);
            expectFailed(EBADF, complete(server, qts[0]));
            expectFailed(EBADF, complete(server, qts[1]));
        }

        @Test
        @DisplayName("only the first count tokens are considered")
        void onlyFirstCount() {
            int pendingQd = listener(4);
            int closedQd = listener(4);
            long[] qts = {server.accept(pendingQd), server.accept(closedQd)};
            server.close(closedQd);
            assertThat(server.waitAny(qts, 1, new QResult(), HELD_BACK_NS)).isEqualTo(-1);
            QResult out = new QResult();
            assertThat(server.waitAny(qts, 2, out, patience().toNanos())).isEqualTo(1);
            expectFailed(EBADF, out);
            assertThat(out.qd()).isEqualTo(closedQd);
        }

        @Test
        @DisplayName("a token that already completed is returned at once, even with timeout 0")
        void alreadyCompleted() {
            int pendingQd = listener(4);
            int closedQd = listener(4);
            long[] qts = {server.accept(pendingQd), server.accept(closedQd)};
            server.close(closedQd);
            QResult out = new QResult();
            assertThat(server.waitAny(qts, out, 0)).isEqualTo(1);
            expectFailed(EBADF, out);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 13. waitNextN.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("waitNextN")
    class WaitNextN {
        private QResult[] results(int n) {
            QResult[] out = new QResult[n];
            for (int i = 0; i < n; i++) {
                out[i] = new QResult();
            }
            return out;
        }

        @ParameterizedTest(name = "n {0}")
        @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
        @DisplayName("n below 1 fails with EINVAL")
        void badN(int n) {
            assertErrno(EINVAL, () -> server.waitNextN(results(2), n, 0));
        }

        @Test
        @DisplayName("an output array shorter than n fails with EINVAL")
        void shortArray() {
            assertErrno(EINVAL, () -> server.waitNextN(results(2), 3, 0));
            assertErrno(EINVAL, () -> server.waitNextN(new QResult[0], 1, 0));
        }

        @Test
        @DisplayName("with nothing outstanding it returns 0 after the timeout")
        void nothingOutstanding() {
            assertThat(server.waitNextN(results(4), 4, 1_000_000L)).isZero();
        }

        @Test
        @DisplayName("it collects an accept and pops of several queues, and consumes their tokens")
        void collectsAcceptAndPops() {
            int listenQd = listener(4);
            int udpA = udpServer();
            int udpB = udpServer();
            Set<Long> expected = new HashSet<>();
            expected.add(server.accept(listenQd));
            expected.add(server.pop(udpA));
            expected.add(server.pop(udpB));

            int clientQd = tcpSocket(client);
            expect(Opcode.CONNECT, complete(client, client.connect(clientQd, server.getSockName(listenQd))));
            int sender = udpClient();
            for (int qd : new int[] {udpA, udpB}) {
                Sga sga = sgaOf(client, BytePattern.bytes(qd, 7));
                expect(Opcode.PUSH, complete(client, client.pushTo(sender, sga, server.getSockName(qd))));
                client.sgaFree(sga);
            }

            QResult[] out = results(3);
            int got = 0;
            long deadline = System.nanoTime() + patience().toNanos();
            while (got < 3 && System.nanoTime() < deadline) {
                QResult[] part = results(3 - got);
                int n = server.waitNextN(part, part.length, SLICE_NS * 10);
                System.arraycopy(part, 0, out, got, n);
                got += n;
            }
            assertThat(got).isEqualTo(3);
            Set<Long> seen = new HashSet<>();
            int accepts = 0;
            for (QResult r : out) {
                seen.add(r.qt());
                if (r.opcode() == Opcode.ACCEPT) {
                    accepts++;
                    assertThat(r.qd()).isEqualTo(listenQd);
                } else {
                    expect(Opcode.POP, r);
                    BytePattern.assertMatches(take(server, r), r.qd(), 7);
                }
            }
            assertThat(accepts).isEqualTo(1);
            assertThat(seen).isEqualTo(expected);
            for (long qt : expected) {
                assertErrno(EINVAL, () -> server.wait(qt, new QResult(), 0));
            }
        }

        @Test
        @DisplayName("results come oldest completion first")
        void oldestFirst() {
            int first = listener(4);
            int second = listener(4);
            long a = server.accept(first);
            long b = server.accept(second);
            server.close(second);
            server.close(first);
            QResult[] out = results(2);
            assertThat(server.waitNextN(out, 2, patience().toNanos())).isEqualTo(2);
            assertThat(out[0].qt()).isEqualTo(b);
            assertThat(out[1].qt()).isEqualTo(a);
            expectFailed(EBADF, out[0]);
            expectFailed(EBADF, out[1]);
        }

        @Test
        @DisplayName("on timeout it returns fewer than n, with the results it has")
        void timeoutReturnsFewer() {
            int pending = listener(4);
            int closed = listener(4);
            server.accept(pending);
            long done = server.accept(closed);
            server.close(closed);
            QResult[] out = results(2);
            assertThat(server.waitNextN(out, 2, HELD_BACK_NS)).isEqualTo(1);
            assertThat(out[0].qt()).isEqualTo(done);
            expectFailed(EBADF, out[0]);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 14. SGAs.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("SGA allocation")
    class SgaAllocation {
        @ParameterizedTest(name = "size {0}")
        @ValueSource(ints = {0, -1, 65_536, Integer.MAX_VALUE, Integer.MIN_VALUE})
        @DisplayName("a size outside 1..65535 fails with EINVAL")
        void badSize(int size) {
            assertErrno(EINVAL, () -> server.sgaAlloc(size));
        }

        @ParameterizedTest(name = "size {0}")
        @ValueSource(ints = {1, 2, 64, 1280, 8192, 65_535})
        @DisplayName("an SGA has exactly the requested size, and its segment and address agree")
        void exactSize(int size) {
            Sga sga = server.sgaAlloc(size);
            assertThat(sga.length()).isEqualTo(size);
            assertThat(sga.segment().byteSize()).isEqualTo(size);
            assertThat(sga.address()).isEqualTo(sga.segment().address());
            server.sgaFree(sga);
        }

        @Test
        @DisplayName("bytes written to an SGA read back the same")
        void writeRead() {
            Sga sga = sgaOf(server, BytePattern.bytes(23, 500));
            BytePattern.assertMatches(sga.toArray(), 23, 500);
            server.sgaFree(sga);
        }

        @Test
        @DisplayName("freeing null fails with EINVAL")
        void freeNull() {
            assertErrno(EINVAL, () -> server.sgaFree(null));
        }

        @Test
        @DisplayName("freeing twice fails with EINVAL")
        void doubleFree() {
            Sga sga = server.sgaAlloc(64);
            server.sgaFree(sga);
            assertErrno(EINVAL, () -> server.sgaFree(sga));
        }

        @Test
        @DisplayName("freeing an SGA of another LibOS fails with EINVAL")
        void freeForeign() {
            Sga sga = client.sgaAlloc(64);
            assertErrno(EINVAL, () -> server.sgaFree(sga));
            client.sgaFree(sga);
        }

        @Test
        @DisplayName("narrowing keeps a part of the data; a part outside it fails with EINVAL")
        void narrow() {
            Sga sga = sgaOf(server, BytePattern.bytes(24, 100));
            assertErrno(EINVAL, () -> sga.narrow(-1, 10));
            assertErrno(EINVAL, () -> sga.narrow(0, 101));
            assertErrno(EINVAL, () -> sga.narrow(90, 11));
            assertErrno(EINVAL, () -> sga.narrow(101, 0));
            sga.narrow(20, 30);
            assertThat(sga.length()).isEqualTo(30);
            assertThat(sga.toArray()).isEqualTo(Arrays.copyOfRange(BytePattern.bytes(24, 100), 20, 50));
            assertErrno(EINVAL, () -> sga.narrow(0, 31));
            server.sgaFree(sga);
        }

        @Test
        @DisplayName("200,000 alloc/free pairs do not run out of memory")
        void tightLoop() {
            for (int i = 0; i < 100_000; i++) {
                server.sgaFree(server.sgaAlloc(64));
                server.sgaFree(server.sgaAlloc(1280));
            }
            Sga last = server.sgaAlloc(65_535);
            assertThat(last.length()).isEqualTo(65_535);
            server.sgaFree(last);
        }

        @Test
        @DisplayName("rounds of 1,000 allocations then 1,000 frees do not run out of memory")
        void decoupledLoop() {
            Sga[] held = new Sga[1000];
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < held.length; i++) {
                    held[i] = server.sgaAlloc(i % 2 == 0 ? 64 : 1280);
                }
                for (Sga sga : held) {
                    server.sgaFree(sga);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 15. Socket options.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("socket options")
    class SocketOptions {
        @Test
        @DisplayName("SO_LINGER reads back what was set")
        void linger() {
            int qd = tcpSocket(server);
            server.setSockOpt(qd, SocketOption.SO_LINGER, new Linger(true, 7));
            assertThat(server.getSockOpt(qd, SocketOption.SO_LINGER)).isEqualTo(new Linger(true, 7));
            server.setSockOpt(qd, SocketOption.SO_LINGER, Linger.OFF);
            assertThat(server.getSockOpt(qd, SocketOption.SO_LINGER).enabled()).isFalse();
        }

        @Test
        @DisplayName("SO_KEEPALIVE reads back what was set")
        void keepalive() {
            int qd = tcpSocket(server);
            server.setSockOpt(qd, SocketOption.SO_KEEPALIVE, true);
            assertThat(server.getSockOpt(qd, SocketOption.SO_KEEPALIVE)).isTrue();
            server.setSockOpt(qd, SocketOption.SO_KEEPALIVE, false);
            assertThat(server.getSockOpt(qd, SocketOption.SO_KEEPALIVE)).isFalse();
        }

        @Test
        @DisplayName("TCP_NODELAY reads back what was set")
        void noDelay() {
            int qd = tcpSocket(server);
            server.setSockOpt(qd, SocketOption.TCP_NODELAY, true);
            assertThat(server.getSockOpt(qd, SocketOption.TCP_NODELAY)).isTrue();
            server.setSockOpt(qd, SocketOption.TCP_NODELAY, false);
            assertThat(server.getSockOpt(qd, SocketOption.TCP_NODELAY)).isFalse();
        }

        @Test
        @DisplayName("options round-trip on connected sockets, on either end")
        void connected() {
            Connection c = connection();
            client.setSockOpt(c.clientQd(), SocketOption.TCP_NODELAY, true);
            server.setSockOpt(c.serverQd(), SocketOption.SO_KEEPALIVE, true);
            server.setSockOpt(c.serverQd(), SocketOption.SO_LINGER, new Linger(true, 3));
            assertThat(client.getSockOpt(c.clientQd(), SocketOption.TCP_NODELAY)).isTrue();
            assertThat(server.getSockOpt(c.serverQd(), SocketOption.SO_KEEPALIVE)).isTrue();
            assertThat(server.getSockOpt(c.serverQd(), SocketOption.SO_LINGER)).isEqualTo(new Linger(true, 3));
        }

        @Test
        @DisplayName("a null value fails with EINVAL")
        void nullValue() {
            int qd = tcpSocket(server);
            assertErrno(EINVAL, () -> server.setSockOpt(qd, SocketOption.SO_LINGER, null));
            assertErrno(EINVAL, () -> server.setSockOpt(qd, SocketOption.TCP_NODELAY, null));
            assertErrno(EINVAL, () -> server.setSockOpt(qd, SocketOption.SO_KEEPALIVE, null));
        }

        @Test
        @DisplayName("a bad qd fails with EBADF, for set and get")
        void badQd() {
            assertErrno(EBADF, () -> server.setSockOpt(BAD_QD, SocketOption.SO_LINGER, Linger.OFF));
            assertErrno(EBADF, () -> server.getSockOpt(BAD_QD, SocketOption.SO_LINGER));
            assertErrno(EBADF, () -> server.getSockOpt(BAD_QD, SocketOption.TCP_NODELAY));
        }

        @Test
        @DisplayName("TCP_NODELAY and SO_KEEPALIVE on a UDP socket fail with ENOTSUP")
        void tcpOptionsOnUdp() {
            int qd = udpServer();
            assertErrno(ENOTSUP, () -> server.setSockOpt(qd, SocketOption.TCP_NODELAY, true));
            assertErrno(ENOTSUP, () -> server.setSockOpt(qd, SocketOption.SO_KEEPALIVE, true));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 16. getPeerName and getSockName.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("names")
    class Names {
        @Test
        @DisplayName("getPeerName of a bad qd fails with EBADF")
        void peerNameBadQd() {
            assertErrno(EBADF, () -> server.getPeerName(BAD_QD));
        }

        @Test
        @DisplayName("getPeerName of a socket that is not connected (unbound, bound, listening) fails with ENOTCONN")
        void peerNameNotConnected() {
            int unbound = tcpSocket(server);
            int bound = tcpSocket(server);
            server.bind(bound, serverAddress());
            int listening = listener(4);
            assertErrno(ENOTCONN, "unbound", () -> server.getPeerName(unbound));
            assertErrno(ENOTCONN, "bound", () -> server.getPeerName(bound));
            assertErrno(ENOTCONN, "listening", () -> server.getPeerName(listening));
        }

        @Test
        @DisplayName("getPeerName returns the peer, on the connecting and the accepted end")
        void peerNameConnected() {
            Connection c = connection();
            assertThat(client.getPeerName(c.clientQd())).isEqualTo(c.address());
            assertThat(server.getPeerName(c.serverQd())).isEqualTo(c.clientSeen());
        }

        @Test
        @DisplayName("getPeerName of a connected UDP socket returns its peer")
        void peerNameUdp() {
            int serverQd = udpServer();
            int qd = udpSocket(client);
            expect(Opcode.CONNECT, complete(client, client.connect(qd, server.getSockName(serverQd))));
            assertThat(client.getPeerName(qd)).isEqualTo(server.getSockName(serverQd));
        }

        @Test
        @DisplayName("getSockName of a bad qd fails with EBADF")
        void sockNameBadQd() {
            assertErrno(EBADF, () -> server.getSockName(BAD_QD));
        }

        @Test
        @DisplayName("getSockName of an unbound socket is 0.0.0.0:0, for TCP and UDP")
        void sockNameUnbound() {
            InetSocketAddress none = new InetSocketAddress(WILDCARD, 0);
            assertThat(server.getSockName(tcpSocket(server))).isEqualTo(none);
            if (hasUdp()) {
                assertThat(server.getSockName(udpSocket(server))).isEqualTo(none);
            }
        }

        @Test
        @DisplayName("getSockName returns the bound address, bound and listening")
        void sockNameBound() {
            InetSocketAddress address = serverAddress();
            int qd = tcpSocket(server);
            server.bind(qd, address);
            assertThat(server.getSockName(qd)).isEqualTo(address);
            server.listen(qd, 4);
            assertThat(server.getSockName(qd)).isEqualTo(address);
        }

        @Test
        @DisplayName("getSockName of a UDP socket bound to port 0 names the port it got, where datagrams arrive")
        void sockNameUdpPortZero() {
            int serverQd = udpServer();
            int qd = udpSocket(client);
            client.bind(qd, clientUdpAddress());
            int port = client.getSockName(qd).getPort();
            assertThat(port).isPositive();
            QResult r = datagram(client, qd, server, serverQd, BytePattern.bytes(25, 3), server.getSockName(serverQd));
            assertThat(r.address().getPort()).isEqualTo(port);
            InetSocketAddress back = r.address();
            take(server, r);
            QResult reply = datagram(server, serverQd, client, qd, BytePattern.bytes(26, 4), back);
            BytePattern.assertMatches(take(client, reply), 26, 4);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 17. Tokens.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("tokens")
    class Tokens {
        @Test
        @DisplayName("tokens are non-zero and never reused, across completions and closes")
        void uniqueAndNonZero() {
            Set<Long> seen = new HashSet<>();
            for (int round = 0; round < 20; round++) {
                int qd = listener(4);
                for (int i = 0; i < 10; i++) {
                    long qt = server.accept(qd);
                    assertThat(qt).isNotZero();
                    assertThat(seen.add(qt)).as("token %s handed out twice", Long.toUnsignedString(qt)).isTrue();
                }
                long close = server.asyncClose(qd);
                assertThat(close).isNotZero();
                assertThat(seen.add(close)).as("close token handed out twice").isTrue();
                QResult[] out = new QResult[11];
                for (int i = 0; i < out.length; i++) {
                    out[i] = new QResult();
                }
                int got = 0;
                long deadline = System.nanoTime() + patience().toNanos();
                while (got < out.length && System.nanoTime() < deadline) {
                    QResult[] part = Arrays.copyOfRange(out, got, out.length);
                    got += server.waitNextN(part, part.length, SLICE_NS * 10);
                }
                assertThat(got).isEqualTo(out.length);
            }
            assertThat(seen).hasSize(20 * 11);
        }

        @Test
        @DisplayName("tokens of data operations are unique over 100 exchanges")
        void uniqueOverExchanges() {
            Connection c = connection();
            // Tokens are unique within a LibOS; the two LibOSes may well hand out the same numbers.
            Set<Long> clientTokens = new HashSet<>();
            Set<Long> serverTokens = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                Sga sga = sgaOf(client, new byte[] {(byte) i});
                long push = client.push(c.clientQd(), sga);
                long pop = server.pop(c.serverQd());
                assertThat(push).isNotZero();
                assertThat(pop).isNotZero();
                assertThat(clientTokens.add(push)).as("client token %d reused", push).isTrue();
                assertThat(serverTokens.add(pop)).as("server token %d reused", pop).isTrue();
                PendingOp pushOp = start(client, push);
                QResult r = expect(Opcode.POP, complete(start(server, pop), pushOp));
                assertThat(take(server, r)).containsExactly((byte) i);
                expect(Opcode.PUSH, complete(pushOp));
                client.sgaFree(sga);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Data transfer.
    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("TCP data transfer")
    class TcpTransfer {
        @Test
        @DisplayName("100 round trips of varied sizes arrive intact both ways")
        void pingPong() {
            Connection c = connection();
            for (int i = 0; i < 100; i++) {
                int size = 1 + (i * 37) % 300;
                byte[] ping = transfer(client, c.clientQd(), server, c.serverQd(), BytePattern.bytes(i, size), 8192);
                BytePattern.assertMatches(ping, i, size);
                byte[] pong = transfer(server, c.serverQd(), client, c.clientQd(), ping, 8192);
                BytePattern.assertMatches(pong, i, size);
            }
        }

        @ParameterizedTest(name = "{0} bytes")
        @ValueSource(ints = {1, 2, 63, 64, 1000, 1460, 1461, 8192, 8193, 32_768, 65_535})
        @DisplayName("one push from the client arrives intact through default-size pops")
        void clientToServer(int size) {
            Connection c = connection();
            byte[] got = transfer(client, c.clientQd(), server, c.serverQd(), BytePattern.bytes(size, size),
                    LibOS.DEFAULT_POP_SIZE);
            BytePattern.assertMatches(got, size, size);
        }

        @ParameterizedTest(name = "{0} bytes")
        @ValueSource(ints = {1, 2, 63, 64, 1000, 1460, 1461, 8192, 8193, 32_768, 65_535})
        @DisplayName("one push from the accepted end arrives intact through 65535-byte pops")
        void serverToClient(int size) {
            Connection c = connection();
            byte[] got = transfer(server, c.serverQd(), client, c.clientQd(), BytePattern.bytes(size + 1, size),
                    Sga.MAX_SIZE);
            BytePattern.assertMatches(got, size + 1, size);
        }

        @Test
        @DisplayName("several pushes in flight arrive in order")
        void pushesInOrder() {
            Connection c = connection();
            int count = 10;
            int size = 5000;
            List<PendingOp> pushes = new ArrayList<>();
            List<Sga> sgas = new ArrayList<>();
            byte[] all = new byte[count * size];
            for (int i = 0; i < count; i++) {
                byte[] part = BytePattern.bytes(40 + i, size);
                System.arraycopy(part, 0, all, i * size, size);
                Sga sga = sgaOf(client, part);
                sgas.add(sga);
                pushes.add(start(client, client.push(c.clientQd(), sga)));
            }
            byte[] got = receive(server, c.serverQd(), all.length, 8192, pushes.toArray(PendingOp[]::new));
            assertThat(got).isEqualTo(all);
            for (PendingOp push : pushes) {
                expect(Opcode.PUSH, complete(push));
            }
            sgas.forEach(client::sgaFree);
        }

        @Test
        @DisplayName("both ends push 32 KiB at once and each receives the other's bytes")
        void bothDirections() {
            Connection c = connection();
            int size = 32_768;
            Sga fromClient = sgaOf(client, BytePattern.bytes(50, size));
            Sga fromServer = sgaOf(server, BytePattern.bytes(51, size));
            PendingOp clientPush = start(client, client.push(c.clientQd(), fromClient));
            PendingOp serverPush = start(server, server.push(c.serverQd(), fromServer));
            BytePattern.assertMatches(receive(server, c.serverQd(), size, 8192, clientPush, serverPush), 50, size);
            BytePattern.assertMatches(receive(client, c.clientQd(), size, 8192, clientPush, serverPush), 51, size);
            expect(Opcode.PUSH, complete(clientPush));
            expect(Opcode.PUSH, complete(serverPush));
            client.sgaFree(fromClient);
            server.sgaFree(fromServer);
        }

        @Test
        @DisplayName("8 connections at once keep their data apart")
        void manyConnections() {
            int n = 8;
            List<Connection> connections = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                connections.add(connection());
            }
            List<PendingOp> pushes = new ArrayList<>();
            List<Sga> sgas = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Sga sga = sgaOf(client, BytePattern.bytes(60 + i, 2000 + i));
                sgas.add(sga);
                pushes.add(start(client, client.push(connections.get(i).clientQd(), sga)));
            }
            PendingOp[] drive = pushes.toArray(PendingOp[]::new);
            for (int i = n - 1; i >= 0; i--) {
                byte[] got = receive(server, connections.get(i).serverQd(), 2000 + i, 8192, drive);
                BytePattern.assertMatches(got, 60 + i, 2000 + i);
            }
            for (PendingOp push : pushes) {
                expect(Opcode.PUSH, complete(push));
            }
            sgas.forEach(client::sgaFree);
        }
    }

    // UDP over IPv4 carries at most 65,507 bytes (65,535 - 20 IPv4 - 8 UDP), so the sizes stop there. Loopback's
    // MTU is 65,536 bytes, so catnap sends even that unfragmented; a LibOS that neither fragments nor has such an
    // MTU lowers maxUdpPayload() and the larger sizes are skipped.
    @Nested
    @DisplayName("UDP data transfer")
    class UdpTransfer {
        @Test
        @DisplayName("100 round trips of varied sizes arrive intact both ways")
        void pingPong() {
            int serverQd = udpServer();
            int qd = udpClient();
            InetSocketAddress to = server.getSockName(serverQd);
            for (int i = 0; i < 100; i++) {
                int size = 1 + (i * 53) % 1400;
                QResult ping = datagram(client, qd, server, serverQd, BytePattern.bytes(i, size), to);
                InetSocketAddress sender = ping.address();
                byte[] data = take(server, ping);
                BytePattern.assertMatches(data, i, size);
                QResult pong = datagram(server, serverQd, client, qd, data, sender);
                assertThat(pong.address()).isEqualTo(to);
                BytePattern.assertMatches(take(client, pong), i, size);
            }
        }

        @ParameterizedTest(name = "{0} bytes")
        @ValueSource(ints = {1, 2, 64, 1472, 1473, 8192, 8193, 32_768, 65_507})
        @DisplayName("one datagram arrives whole in one pop")
        void sizes(int size) {
            assumeTrue(size <= maxUdpPayload(), "larger than this LibOS's largest datagram");
            int serverQd = udpServer();
            int qd = udpClient();
            QResult r = datagram(client, qd, server, serverQd, BytePattern.bytes(size, size),
                    server.getSockName(serverQd));
            BytePattern.assertMatches(take(server, r), size, size);
        }

        @Test
        @DisplayName("datagram boundaries are kept: each pop returns one datagram")
        void boundaries() {
            int serverQd = udpServer();
            int qd = udpClient();
            InetSocketAddress to = server.getSockName(serverQd);
            int[] sizes = {10, 300, 1};
            for (int i = 0; i < sizes.length; i++) {
                Sga sga = sgaOf(client, BytePattern.bytes(70 + i, sizes[i]));
                expect(Opcode.PUSH, complete(client, client.pushTo(qd, sga, to)));
                client.sgaFree(sga);
            }
            for (int i = 0; i < sizes.length; i++) {
                QResult r = expect(Opcode.POP, complete(server, server.pop(serverQd, Sga.MAX_SIZE)));
                BytePattern.assertMatches(take(server, r), 70 + i, sizes[i]);
            }
        }
    }
}
