package dev.jdemi.tools.examples;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.LibOS;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * {@code jdemi tcp-ping-pong}: the client sends a message and waits for it to come back, round after round.
 */
@Command(name = "tcp-ping-pong", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Upstream's tcp-ping-pong: --iterations rounds of one --bufsize message (all 0x65). The server "
                + "pushes back each piece it pops and prints 'pong i' when a whole message went back; the client "
                + "checks each reply and prints 'ping i'."})
public final class TcpPingPongCommand extends Example {
    @Option(names = "--iterations", paramLabel = "N", defaultValue = "1024",
            description = "How many rounds (default ${DEFAULT-VALUE}).")
    private long iterations;

    @Override
    long iterations() {
        return iterations;
    }

    @Override
    void server(LibOS os, PrintWriter out) {
        QResult result = new QResult();
        int listenQd = Io.listen(os, peer().address(), out);
        int qd = Io.acceptOne(os, listenQd, result);
        for (long i = 1; i <= iterations; i++) {
            int echoed = 0;
            while (echoed < bufsize()) {
                Io.await(os, os.pop(qd, bufsize() - echoed), result, Opcode.POP, "pop", LibOS.WAIT_FOREVER);
                Sga sga = result.sga();
                int length = sga.length();
                long qt;
                try {
                    if (length == 0) {
                        throw new DemiException(Errno.ECONNRESET, "the client closed the connection in round " + i);
                    }
                    qt = os.push(qd, sga);
                } finally {
                    os.sgaFree(sga);
                }
                Io.await(os, qt, result, Opcode.PUSH, "push", LibOS.WAIT_FOREVER);
                echoed += length;
            }
            out.println("pong " + i);
        }
        os.close(qd);
        os.close(listenQd);
    }

    @Override
    void client(LibOS os, PrintWriter out) {
        QResult result = new QResult();
        int qd = Io.connect(os, peer().address(), result);
        for (long i = 1; i <= iterations; i++) {
            Sga request = Io.filled(os, bufsize());
            long qt = os.push(qd, request);
            os.sgaFree(request);
            Io.await(os, qt, result, Opcode.PUSH, "push", LibOS.WAIT_FOREVER);
            int received = 0;
            while (received < bufsize()) {
                Io.await(os, os.pop(qd, bufsize() - received), result, Opcode.POP, "pop", LibOS.WAIT_FOREVER);
                Sga reply = result.sga();
                try {
                    if (reply.length() == 0) {
                        throw new DemiException(Errno.ECONNRESET, "the server closed the connection in round " + i);
                    }
                    Io.checkFilled(reply, "reply " + i);
                    received += reply.length();
                } finally {
                    os.sgaFree(reply);
                }
            }
            out.println("ping " + i);
        }
        os.close(qd);
    }
}
