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
 * {@code jdemi tcp-push-pop}: the client pushes messages, the server pops them; no replies.
 */
@Command(name = "tcp-push-pop", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Upstream's tcp-push-pop: the client pushes --iterations messages of --bufsize bytes (all "
                + "0x65) over one connection and prints 'push i'; the server pops and checks them and prints "
                + "'pop i' for each whole message."})
public final class TcpPushPopCommand extends Example {
    @Option(names = "--iterations", paramLabel = "N", defaultValue = "10",
            description = "How many messages (default ${DEFAULT-VALUE}).")
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
        long total = iterations * bufsize();
        long received = 0;
        long messages = 0;
        while (received < total) {
            int want = (int) Math.min(LibOS.DEFAULT_POP_SIZE, total - received);
            Io.await(os, os.pop(qd, want), result, Opcode.POP, "pop", LibOS.WAIT_FOREVER);
            Sga sga = result.sga();
            try {
                if (sga.length() == 0) {
                    throw new DemiException(Errno.ECONNRESET, "the client closed the connection after " + received
                            + " of " + total + " bytes");
                }
                Io.checkFilled(sga, "message " + (messages + 1));
                received += sga.length();
            } finally {
                os.sgaFree(sga);
            }
            while (received >= (messages + 1) * bufsize()) {
                messages++;
                out.println("pop " + messages);
            }
        }
        os.close(qd);
        os.close(listenQd);
    }

    @Override
    void client(LibOS os, PrintWriter out) {
        QResult result = new QResult();
        int qd = Io.connect(os, peer().address(), result);
        for (long i = 1; i <= iterations; i++) {
            Sga sga = Io.filled(os, bufsize());
            long qt = os.push(qd, sga);
            os.sgaFree(sga);
            Io.await(os, qt, result, Opcode.PUSH, "push", LibOS.WAIT_FOREVER);
            out.println("push " + i);
        }
        os.close(qd);
    }
}
