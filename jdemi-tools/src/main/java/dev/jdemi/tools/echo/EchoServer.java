package dev.jdemi.tools.echo;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.tools.options.Addresses;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * The server of upstream's tcp-echo: accepts connections and sends back every byte each one receives.
 *
 * <p>It keeps one accept and one pop outstanding per connection, plus the pushes in flight, and waits for all of them
 * with {@code waitAny}. A popped SGA is pushed back as it is and freed at once (the push holds its own reference), so
 * the server reassembles nothing: it echoes whatever arrives, in the pieces it arrives in. When a client closes its
 * side, the server closes the connection once the echoes in flight have left, so that none is cancelled.
 *
 * <p>Thread: the server runs on the thread that owns its LibOS; only {@link #stop()} may be called from another.
 * The loop allocates nothing per request once its arrays have grown to the number of connections.
 */
public final class EchoServer implements AutoCloseable {
    /** Upstream's tcp-echo listen backlog. */
    public static final int BACKLOG = 1024;
    /** How long one wait lasts at most, so that {@link #stop()} and the log interval are noticed. */
    private static final long POLL_NS = 100_000_000L;

    private final LibOS libos;
    private final PrintWriter out;
    private final Tokens tokens = new Tokens(16);
    private final QResult result = new QResult();
    private int listenQd = -1;
    private int[] open = new int[8];
    private int openCount;
    /** Pushes in flight, by qd: a connection whose client finished closes only after its echoes have left. */
    private int[] pushesInFlight = new int[1024];
    /** By qd: the client finished sending; close once the pushes in flight are done. */
    private boolean[] draining = new boolean[1024];
    private long accepted;
    private long bytes;
    private volatile boolean stopRequested;

    /**
     * Creates a server over a LibOS, which it does not own: the caller closes the LibOS after the server.
     *
     * @param libos the LibOS, owned by the calling thread
     * @param out where the server prints its {@code INFO:} lines
     */
    public EchoServer(LibOS libos, PrintWriter out) {
        this.libos = libos;
        this.out = out;
    }

    /**
     * Binds and listens, then prints {@code INFO: listening on IP:PORT}: from then on clients can connect.
     *
     * @param local the address to listen on (catnap needs a concrete address and port)
     * @param backlog the listen backlog
     * @throws DemiException the errno of a failed socket, bind or listen (EADDRINUSE, EADDRNOTAVAIL, ...)
     */
    public void listen(InetSocketAddress local, int backlog) {
        int qd = libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
        try {
            libos.bind(qd, local);
            libos.listen(qd, backlog);
        } catch (DemiException e) {
            libos.close(qd);
            throw e;
        }
        listenQd = qd;
        out.println("INFO: listening on " + Addresses.format(local));
    }

    /**
     * Echoes until every client that connected has gone (after at least one did), or {@link #stop()} is called.
     *
     * @param logIntervalNs how often to print {@code INFO: N clients connected}; 0 never
     * @return the number of bytes echoed
     */
    public long run(long logIntervalNs) {
        if (listenQd < 0) {
            throw new IllegalStateException("listen() first");
        }
        tokens.add(libos.accept(listenQd), listenQd);
        long nextLogNs = logIntervalNs > 0 ? System.nanoTime() + logIntervalNs : Long.MAX_VALUE;
        while (!stopRequested && (accepted == 0 || openCount > 0)) {
            if (logIntervalNs > 0 && System.nanoTime() >= nextLogNs) {
                out.println("INFO: " + openCount + " clients connected");
                nextLogNs += logIntervalNs;
            }
            int index = libos.waitAny(tokens.qts(), tokens.count(), result, POLL_NS);
            if (index >= 0) {
                handle(tokens.removeAt(index));
            }
        }
        out.println("INFO: stopping, " + bytes + " bytes transferred");
        return bytes;
    }

    /** Asks {@link #run} to return within about 100 ms; any thread may call this. */
    public void stop() {
        stopRequested = true;
    }

    /** {@return the number of connections accepted so far} */
    public long accepted() {
        return accepted;
    }

    /** Closes the remaining connections and the listening socket. */
    @Override
    public void close() {
        while (openCount > 0) {
            closeConnection(open[openCount - 1]);
        }
        if (listenQd >= 0) {
            tokens.orphan(listenQd);
            libos.close(listenQd);
            listenQd = -1;
        }
    }

    private void handle(int owner) {
        switch (result.opcode()) {
            case ACCEPT -> onAccept();
            case POP -> onPop(owner);
            case PUSH -> onPushed(owner);
            case FAILED -> onFailed(owner);
            default -> out.println("WARN: unexpected " + result + ", ignoring");
        }
    }

    private void onAccept() {
        int qd = result.acceptedQd();
        accepted++;
        addOpen(qd);
        ensureQdCapacity(qd);
        pushesInFlight[qd] = 0;
        draining[qd] = false;
        tokens.add(libos.accept(listenQd), listenQd);
        try {
            tokens.add(libos.pop(qd), qd);
        } catch (DemiException e) {
            out.println("WARN: cannot pop from a new connection (qd=" + qd + "): " + e.getMessage());
            closeConnection(qd);
        }
    }

    private void onPop(int qd) {
        Sga sga = result.sga();
        if (qd == Tokens.ORPHAN) {
            libos.sgaFree(sga);
            return;
        }
        int length = sga.length();
        if (length == 0) {
            libos.sgaFree(sga);
            out.println("INFO: client closed connection (qd=" + qd + ")");
            if (pushesInFlight[qd] == 0) {
                closeConnection(qd);
            } else {
                draining[qd] = true;
            }
            return;
        }
        long pushQt;
        try {
            pushQt = libos.push(qd, sga);
        } catch (DemiException e) {
            libos.sgaFree(sga);
            out.println("INFO: connection failed (qd=" + qd + "): " + e.getMessage());
            closeConnection(qd);
            return;
        }
        libos.sgaFree(sga);
        tokens.add(pushQt, qd);
        pushesInFlight[qd]++;
        bytes += length;
        try {
            tokens.add(libos.pop(qd), qd);
        } catch (DemiException e) {
            out.println("INFO: connection failed (qd=" + qd + "): " + e.getMessage());
            closeConnection(qd);
        }
    }

    private void onPushed(int qd) {
        if (qd == Tokens.ORPHAN) {
            return;
        }
        pushesInFlight[qd]--;
        if (draining[qd] && pushesInFlight[qd] == 0) {
            closeConnection(qd);
        }
    }

    private void onFailed(int owner) {
        if (owner == Tokens.ORPHAN) {
            return;
        }
        int errno = result.ret();
        if (owner == listenQd) {
            out.println("WARN: accept failed, retrying: " + Errno.name(errno));
            tokens.add(libos.accept(listenQd), listenQd);
            return;
        }
        if (Closed.isClosedErrno(errno)) {
            out.println("INFO: client reset connection (qd=" + owner + ", " + Errno.name(errno) + ")");
        } else {
            out.println("WARN: operation failed, closing (qd=" + owner + ", " + Errno.name(errno) + ")");
        }
        closeConnection(owner);
    }

    /**
     * Closes a connection. Its other tokens become orphans: the close completes them FAILED, and as a closed qd is
     * handed out again by the next accept, their completions must not be taken for the new connection's.
     */
    private void closeConnection(int qd) {
        removeOpen(qd);
        tokens.orphan(qd);
        try {
            libos.close(qd);
        } catch (DemiException e) {
            out.println("WARN: close failed (qd=" + qd + "): " + e.getMessage());
        }
    }

    private void ensureQdCapacity(int qd) {
        if (qd >= pushesInFlight.length) {
            int size = Math.max(qd + 1, pushesInFlight.length * 2);
            pushesInFlight = Arrays.copyOf(pushesInFlight, size);
            draining = Arrays.copyOf(draining, size);
        }
    }

    private void addOpen(int qd) {
        if (openCount == open.length) {
            open = Arrays.copyOf(open, openCount * 2);
        }
        open[openCount++] = qd;
    }

    private void removeOpen(int qd) {
        for (int i = 0; i < openCount; i++) {
            if (open[i] == qd) {
                open[i] = open[--openCount];
                return;
            }
        }
    }
}
