package dev.jdemi.tools.bench;

import dev.jdemi.Config;
import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.WaitPolicy;

import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * A jdemi LibOS with a wait policy, written as the LibOS is meant to be used: one pop outstanding per connection,
 * every token waited for with {@code waitAny}, a popped SGA pushed back as it is. The configuration comes from the
 * environment ({@code CONFIG_PATH}), as for every jdemi command; catnap needs none.
 */
final class JdemiEcho implements EchoTransport {
    /** How long one {@code waitAny} lasts at most, so that the end of the window is noticed without traffic. */
    private static final long POLL_NS = 10_000_000L;

    private final LibOSName name;
    private final WaitPolicy policy;

    /**
     * Creates the transport.
     *
     * @param name the LibOS
     * @param policy how it waits
     */
    JdemiEcho(LibOSName name, WaitPolicy policy) {
        this.name = name;
        this.policy = policy;
    }

    private LibOS open() {
        return LibOS.open(name, Config.fromEnvironment().withWaitPolicy(policy));
    }

    @Override
    public void serve(InetSocketAddress address, Runnable ready) {
        try (LibOS libos = open()) {
            int listenQd = libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
            libos.bind(listenQd, address);
            libos.listen(listenQd, 1024);
            ready.run();
            TokenSet tokens = new TokenSet();
            QResult result = new QResult();
            tokens.add(libos.accept(listenQd));
            while (true) {
                int index = libos.waitAny(tokens.qts, tokens.count, result, POLL_NS);
                if (index < 0) {
                    continue;
                }
                tokens.removeAt(index);
                int qd = result.qd();
                switch (result.opcode()) {
                    case ACCEPT -> {
                        tokens.add(libos.accept(listenQd));
                        tokens.add(libos.pop(result.acceptedQd()));
                    }
                    case POP -> {
                        Sga sga = result.sga();
                        if (sga.length() == 0) {
                            libos.sgaFree(sga);
                            libos.close(qd);
                            continue;
                        }
                        long pushQt = libos.push(qd, sga);
                        libos.sgaFree(sga);
                        tokens.add(pushQt);
                        tokens.add(libos.pop(qd));
                    }
                    case FAILED -> {
                        // A connection reset, or an operation of a connection closed above (EBADF): either way
                        // nothing is left to echo on it.
                        if (result.ret() != Errno.EBADF && qd != listenQd) {
                            closeQuietly(libos, qd);
                        }
                    }
                    default -> {
                        // A push completed: nothing to do.
                    }
                }
            }
        }
    }

    private static void closeQuietly(LibOS libos, int qd) {
        try {
            libos.close(qd);
        } catch (DemiException e) {
            // Already closed.
        }
    }

    @Override
    public void run(InetSocketAddress address, EchoScenario scenario, Recorder recorder, long warmupNs,
            long measureNs) {
        int conns = scenario.conns();
        int size = scenario.size();
        try (LibOS libos = open()) {
            QResult result = new QResult();
            int[] qds = new int[conns];
            Sga[] requests = new Sga[conns];
            for (int i = 0; i < conns; i++) {
                qds[i] = libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
                libos.wait(libos.connect(qds[i], address), result);
                if (result.opcode() != Opcode.CONNECT) {
                    throw new DemiException(Errno.ECONNREFUSED, "connect to " + address + " failed: " + result);
                }
                requests[i] = libos.sgaAlloc(size);
                requests[i].segment().fill((byte) 'j');
            }
            // Connections by qd: the results name their qd.
            int maxQd = Arrays.stream(qds).max().orElse(0);
            int[] connOf = new int[maxQd + 1];
            Arrays.fill(connOf, -1);
            for (int i = 0; i < conns; i++) {
                connOf[qds[i]] = i;
            }
            long[] sentNs = new long[conns];
            int[] received = new int[conns];
            TokenSet tokens = new TokenSet();
            recorder.begin(warmupNs, measureNs);
            for (int i = 0; i < conns; i++) {
                sentNs[i] = System.nanoTime();
                tokens.add(libos.push(qds[i], requests[i]));
                tokens.add(libos.pop(qds[i]));
            }
            loop:
            while (true) {
                int index = libos.waitAny(tokens.qts, tokens.count, result, POLL_NS);
                if (index < 0) {
                    if (recorder.over()) {
                        break;
                    }
                    continue;
                }
                tokens.removeAt(index);
                switch (result.opcode()) {
                    case PUSH -> {
                        // Sent: the reply will tell.
                    }
                    case POP -> {
                        int i = connOf[result.qd()];
                        Sga reply = result.sga();
                        int length = reply.length();
                        libos.sgaFree(reply);
                        if (length == 0) {
                            throw new DemiException(Errno.ECONNRESET, "the server closed the connection");
                        }
                        received[i] += length;
                        if (received[i] >= size) {
                            if (!recorder.complete(sentNs[i], System.nanoTime())) {
                                break loop;
                            }
                            received[i] = 0;
                            sentNs[i] = System.nanoTime();
                            tokens.add(libos.push(qds[i], requests[i]));
                        } else if (recorder.over()) {
                            break loop;
                        }
                        tokens.add(libos.pop(qds[i]));
                    }
                    case FAILED -> throw new DemiException(result.ret(), "an echo failed: " + result);
                    default -> throw new IllegalStateException("unexpected " + result);
                }
            }
            for (int i = 0; i < conns; i++) {
                libos.sgaFree(requests[i]);
                libos.close(qds[i]);
            }
        }
    }

    /** The outstanding tokens, in an array {@code waitAny} takes as it is; removal swaps the last one in. */
    private static final class TokenSet {
        long[] qts = new long[64];
        int count;

        void add(long qt) {
            if (count == qts.length) {
                qts = Arrays.copyOf(qts, count * 2);
            }
            qts[count++] = qt;
        }

        void removeAt(int index) {
            qts[index] = qts[--count];
        }
    }
}
