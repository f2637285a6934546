package dev.jdemi.inet;

import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.Linger;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.SocketOption;
import dev.jdemi.bootstrap.MemoryNetwork;
import dev.jdemi.inet.tcp.TcpDrop;
import dev.jdemi.libos.NetworkLibOS;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TCP wired into the user-space stack (InetTransport): RST for closed ports, TCP timers driven by the runtime on
 * a virtual clock, SO_LINGER, and pushes larger than every buffer, between two full LibOSes on the memory wire.
 */
class InetTcpTest {
    private static final long S = 1_000_000_000L;
    private TestNetwork network;
    private MemoryNetwork.Host alice;
    private MemoryNetwork.Host bob;

    @BeforeEach
    void open() {
        network = new TestNetwork();
        alice = network.add(TestHosts.alice());
        bob = network.add(TestHosts.bob());
    }

    @AfterEach
    void close() {
        network.close();
    }

    private static InetSocketAddress address(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private QResult await(MemoryNetwork.Host host, long qt) {
        QResult r = network.await(host.libos(), qt);
        assertThat(r).as("completed within the virtual-time limit").isNotNull();
        return r;
    }

    /** Alice listens on a port, bob connects; returns {alice's accepted qd, bob's qd}. */
    private int[] connect(int port) {
        NetworkLibOS a = alice.libos();
        NetworkLibOS b = bob.libos();
        int listen = a.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
        a.bind(listen, address(TestHosts.ALICE_IP, port));
        a.listen(listen, 4);
        long accept = a.accept(listen);
        int qd = b.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
        assertThat(await(bob, b.connect(qd, address(TestHosts.ALICE_IP, port))).opcode()).isEqualTo(Opcode.CONNECT);
        QResult accepted = await(alice, accept);
        assertThat(accepted.opcode()).isEqualTo(Opcode.ACCEPT);
        return new int[] {accepted.acceptedQd(), qd};
    }

    @Test
    void aConnectToAClosedPortIsRefusedByAnRst() {
        NetworkLibOS b = bob.libos();
        int qd = b.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
        QResult r = await(bob, b.connect(qd, address(TestHosts.ALICE_IP, 9)));
        assertThat(r.opcode()).isEqualTo(Opcode.FAILED);
        assertThat(r.ret()).isEqualTo(Errno.ECONNREFUSED);
        assertThat(alice.transport().tcp().resetsSent()).isEqualTo(1);
        assertThat(alice.transport().tcp().drops(TcpDrop.NO_SOCKET)).isEqualTo(1);
    }

    @Test
    void aSilentPeerTimesTheConnectOutOnTheVirtualClockAfterEverySynRetry() {
        NetworkLibOS b = bob.libos();
        int qd = b.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
        long start = network.clock().nowNs();
        // TEST-NET-1: nobody answers ARP, so no SYN ever leaves; the TCP's retransmission timer still runs.
        QResult r = await(bob, b.connect(qd, address("192.0.2.1", 80)));
        assertThat(r.opcode()).isEqualTo(Opcode.FAILED);
        assertThat(r.ret()).isEqualTo(Errno.ETIMEDOUT);
        // RFC 6298 back-off from 1 s over 6 retries: 1 + 2 + 4 + 8 + 16 + 32 s, then the last wait, capped at 60 s.
        assertThat(network.clock().nowNs() - start).isGreaterThanOrEqualTo(123 * S).isLessThan(124 * S);
    }

    @Test
    void lingerZeroClosesWithAnRstThePeerSeesAsAReset() {
        int[] qds = connect(7001);
        alice.libos().setSockOpt(qds[0], SocketOption.SO_LINGER, new Linger(true, 0));
        long pop = bob.libos().pop(qds[1]);
        assertThat(await(alice, alice.libos().asyncClose(qds[0])).opcode()).isEqualTo(Opcode.CLOSE);
        QResult r = await(bob, pop);
        assertThat(r.opcode()).isEqualTo(Opcode.FAILED);
        assertThat(r.ret()).isEqualTo(Errno.ECONNRESET);
    }

    @Test
    void aCloseThatLeavesDataUnreadResetsTheConnection() {
        int[] qds = connect(7004);
        NetworkLibOS b = bob.libos();
        // The test hosts' file turns SO_LINGER 0 on; off, the reset can only come from the unread data.
        alice.libos().setSockOpt(qds[0], SocketOption.SO_LINGER, Linger.OFF);
        Sga sga = b.sgaAlloc(100);
        sga.write(0, new byte[100], 0, 100);
        assertThat(await(bob, b.push(qds[1], sga)).opcode()).isEqualTo(Opcode.PUSH);
        b.sgaFree(sga);
        long pop = b.pop(qds[1]);
        // Let the 100 bytes arrive at alice, who never pops them.
        QResult probe = new QResult();
        assertThat(b.wait(pop, probe, S)).isFalse();
        assertThat(await(alice, alice.libos().asyncClose(qds[0])).opcode()).isEqualTo(Opcode.CLOSE);
        QResult r = await(bob, pop);
        assertThat(r.opcode()).isEqualTo(Opcode.FAILED);
        assertThat(r.ret()).isEqualTo(Errno.ECONNRESET);
    }

    @Test
    void dataThatArrivesAfterACloseResetsTheConnection() {
        int[] qds = connect(7005);
        NetworkLibOS b = bob.libos();
        // The test hosts' file turns SO_LINGER 0 on (an abort on every close); this close must be an orderly one.
        alice.libos().setSockOpt(qds[0], SocketOption.SO_LINGER, Linger.OFF);
        assertThat(await(alice, alice.libos().asyncClose(qds[0])).opcode()).isEqualTo(Opcode.CLOSE);
        QResult eof = await(bob, b.pop(qds[1]));
        assertThat(eof.sga().length()).as("alice's FIN").isZero();
        b.sgaFree(eof.sga());
        assertThat(alice.transport().tcp().connectionCount()).as("alice in FIN_WAIT_2").isEqualTo(1);
        // Half-close: bob may still send, but alice's application is gone, so nobody would ever read it.
        Sga sga = b.sgaAlloc(100);
        sga.write(0, new byte[100], 0, 100);
        assertThat(await(bob, b.push(qds[1], sga)).opcode()).isEqualTo(Opcode.PUSH);
        b.sgaFree(sga);
        network.runFor(alice.libos(), S);
        // Without the reset alice would sit in FIN_WAIT_2 and bob would push into a window that never reopens.
        assertThat(alice.transport().tcp().connectionCount()).as("alice reset the connection").isZero();
        assertThat(bob.transport().tcp().connectionCount()).as("bob got the RST").isZero();
    }

    @Test
    void lingerWithATimeoutSendsEverythingAndThePeerSeesEndOfStream() {
        int[] qds = connect(7002);
        NetworkLibOS a = alice.libos();
        a.setSockOpt(qds[0], SocketOption.SO_LINGER, new Linger(true, 5));
        Sga sga = a.sgaAlloc(5000);
        sga.write(0, new byte[5000], 0, 5000);
        assertThat(await(alice, a.push(qds[0], sga)).opcode()).isEqualTo(Opcode.PUSH);
        a.sgaFree(sga);
        long closeQt = a.asyncClose(qds[0]);
        int got = 0;
        while (true) {
            QResult r = await(bob, bob.libos().pop(qds[1]));
            assertThat(r.opcode()).isEqualTo(Opcode.POP);
            int length = r.sga().length();
            bob.libos().sgaFree(r.sga());
            if (length == 0) {
                break;
            }
            got += length;
        }
        assertThat(got).isEqualTo(5000);
        assertThat(await(alice, closeQt).opcode()).isEqualTo(Opcode.CLOSE);
        assertThat(alice.transport().tcp().resetsSent()).isZero();
    }

    @Test
    void pushesBeyondEveryBufferAreHeldNotDroppedAndArriveIntact() throws NoSuchAlgorithmException {
        int[] qds = connect(7003);
        NetworkLibOS a = alice.libos();
        NetworkLibOS b = bob.libos();
        int pushes = 32;
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < pushes; i++) {
            byte[] data = new byte[Sga.MAX_SIZE];
            for (int j = 0; j < data.length; j++) {
                data[j] = (byte) (i * 31 + j * 7);
            }
            sent.update(data);
            Sga sga = b.sgaAlloc(data.length);
            sga.write(0, data, 0, data.length);
            tokens.add(b.push(qds[1], sga));
            b.sgaFree(sga);
        }
        // Nobody pops yet: after alice's receive window and bob's send buffer fill, the remaining pushes wait.
        QResult probe = new QResult();
        assertThat(b.wait(tokens.getLast(), probe, 5 * S)).as("the last push is held back by flow control").isFalse();
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        long total = (long) pushes * Sga.MAX_SIZE;
        long have = 0;
        while (have < total) {
            QResult r = await(alice, a.pop(qds[0]));
            assertThat(r.opcode()).isEqualTo(Opcode.POP);
            byte[] piece = r.sga().toArray();
            a.sgaFree(r.sga());
            assertThat(piece).isNotEmpty();
            received.update(piece);
            have += piece.length;
        }
        assertThat(have).isEqualTo(total);
        assertThat(received.digest()).isEqualTo(sent.digest());
        for (long qt : tokens) {
            assertThat(await(bob, qt).opcode()).isEqualTo(Opcode.PUSH);
        }
    }
}
