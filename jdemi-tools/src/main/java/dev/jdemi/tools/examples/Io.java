package dev.jdemi.tools.examples;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.tools.options.Addresses;

import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;

/**
 * The steps the examples share: waiting for one operation, filling and checking SGAs, the TCP set-up.
 */
final class Io {
    /** Upstream's fill byte for the examples' messages ({@code 'e'}). */
    static final byte FILL = 0x65;

    private Io() {
    }

    /**
     * Waits for an operation and checks that it completed as expected.
     *
     * @param libos the LibOS
     * @param qt the token
     * @param result filled with the result
     * @param expected the opcode of success
     * @param what the operation, for the error message
     * @param timeoutNs how long to wait; negative forever
     * @throws DemiException the operation's errno when it failed; ETIMEDOUT when it did not complete in time
     */
    static void await(LibOS libos, long qt, QResult result, Opcode expected, String what, long timeoutNs) {
        if (!libos.wait(qt, result, timeoutNs)) {
            throw new DemiException(Errno.ETIMEDOUT, what + ": nothing within " + timeoutNs / 1_000_000 + " ms");
        }
        if (result.failed()) {
            throw new DemiException(result.ret(), what + " failed");
        }
        if (result.opcode() != expected) {
            throw new IllegalStateException(what + ": unexpected " + result);
        }
    }

    /** Allocates an SGA of {@code size} bytes, all {@link #FILL}. */
    static Sga filled(LibOS libos, int size) {
        Sga sga = libos.sgaAlloc(size);
        sga.segment().fill(FILL);
        return sga;
    }

    /**
     * Checks that every byte of an SGA is {@link #FILL}.
     *
     * @throws DemiException EBADMSG naming the first wrong byte
     */
    static void checkFilled(Sga sga, String what) {
        MemorySegment data = sga.segment();
        for (long i = 0; i < data.byteSize(); i++) {
            byte b = data.get(ValueLayout.JAVA_BYTE, i);
            if (b != FILL) {
                throw new DemiException(Errno.EBADMSG, what + ": byte " + i + " is " + (b & 0xFF) + ", expected "
                        + FILL);
            }
        }
    }

    /** Opens a TCP socket, binds, listens and prints {@code INFO: listening on IP:PORT}; returns the socket. */
    static int listen(LibOS libos, InetSocketAddress local, PrintWriter out) {
        int qd = libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
        libos.bind(qd, local);
        libos.listen(qd, 16);
        out.println("INFO: listening on " + Addresses.format(local));
        return qd;
    }

    /** Accepts one connection and returns its qd. */
    static int acceptOne(LibOS libos, int listenQd, QResult result) {
        await(libos, libos.accept(listenQd), result, Opcode.ACCEPT, "accept", LibOS.WAIT_FOREVER);
        return result.acceptedQd();
    }

    /** Opens a TCP socket and connects it; returns its qd. */
    static int connect(LibOS libos, InetSocketAddress remote, QResult result) {
        int qd = libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
        await(libos, libos.connect(qd, remote), result, Opcode.CONNECT, "connect to " + Addresses.format(remote),
                LibOS.WAIT_FOREVER);
        return qd;
    }

    /** Opens a UDP socket bound to {@code local}; returns its qd. */
    static int bindUdp(LibOS libos, InetSocketAddress local) {
        int qd = libos.socket(LibOS.AF_INET, LibOS.SOCK_DGRAM, 0);
        libos.bind(qd, local);
        return qd;
    }
}
