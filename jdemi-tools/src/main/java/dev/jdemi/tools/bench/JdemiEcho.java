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
    /** The owner of the listening socket's tokens; connections are numbered from 1. */
    private static final long LISTENER = -1;

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
            // Every token carries the connection it belongs to. A closed connection's qd is soon reused by the
            // next one accepted, and operations of the old one that completed before the close (a push that failed
            // with ECONNRESET) must not act on the new one.
            TokenSet tokens = new TokenSet();
            QResult result = new QResult();
            long[] connectionOfQd = new long[64];
            long connections = 0;
            tokens.add(libos.accept(listenQd), LISTENER);
            while (true) {
                int index = libos.waitAny(tokens.qts, tokens.count, result, POLL_NS);
                if (index < 0) {
                    continue;
                }
                long connection = tokens.removeAt(index);
                int qd = result.qd();
                boolean current = connection == LISTENER
                        || (qd < connectionOfQd.length && connectionOfQd[qd] == connection);
                switch (result.opcode()) {
                    case ACCEPT -> {
                        tokens.add(libos.accept(listenQd), LISTENER);
                        int accepted = result.acceptedQd();
                        if (accepted >= connectionOfQd.length) {
                            connectionOfQd = Arrays.copyOf(connectionOfQd, Math.max(accepted + 1,
                                    connectionOfQd.length * 2));
                        }
                        connectionOfQd[accepted] = ++connections;
                        try {
                            tokens.add(libos.pop(accepted), connections);
                        } catch (DemiException e) {
                            close(libos, accepted, connectionOfQd);
                        }
                    }
                    case POP -> {
                        Sga sga = result.sga();
                        try {
                            if (!current) {
                                continue;
                            }
                            if (sga.length() == 0) {
                                close(libos, qd, connectionOfQd);
                                continue;
                            }
                            tokens.add(libos.push(qd, sga), connection);
                            tokens.add(libos.pop(qd), connection);
                        } catch (DemiException e) {
                            // The client left while its echo was on the way.
                            close(libos, qd, connectionOfQd);
                        } finally {
                            libos.sgaFree(sga);
                        }
                    }
                    case FAILED -> {
                        if (connection == LISTENER) {
                            // A failed accept (the client gave up first): keep accepting.
                            tokens.add(libos.accept(listenQd), LISTENER);
                        } else if (current) {
                            // A connection reset: nothing is left to echo on it.
                            close(libos, qd, connectionOfQd);
                        }
                    }
                    default -> {
                        // A push completed: nothing to do.
                    }
                }
            }
        }
    }

    private static void close(LibOS libos, int qd, long[] connectionOfQd) {
        connectionOfQd[qd] = 0;
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

    /**
     * The outstanding tokens, in an array {@code waitAny} takes as it is, each with an owner, oldest first: removal
     * shifts the younger ones down. {@code waitAny} returns the first completed token in array order, so keeping the
     * oldest first serves connections in turn; with the last token swapped into the hole instead, a few connections
     * kept the front of the array and the others waited for milliseconds (p99 in ms with 8 and 32 connections).
     */
    private static final class TokenSet {
        long[] qts = new long[64];
        long[] owners = new long[64];
        int count;

        void add(long qt) {
            add(qt, 0);
        }

        void add(long qt, long owner) {
            if (count == qts.length) {
                qts = Arrays.copyOf(qts, count * 2);
                owners = Arrays.copyOf(owners, count * 2);
            }
            qts[count] = qt;
            owners[count++] = owner;
        }

        long removeAt(int index) {
            long owner = owners[index];
            count--;
            System.arraycopy(qts, index + 1, qts, index, count - index);
            System.arraycopy(owners, index + 1, owners, index, count - index);
            return owner;
        }
    }
}
