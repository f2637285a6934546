package dev.jdemi.catmem;

import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;

/**
 * The reader in another process: opens a catmem pipe by name, pops until end of stream, pushes each message back
 * with its bytes reversed (so the parent can tell an echo from its own data), then prints the count and closes.
 */
public final class PipeEchoChild {
    private PipeEchoChild() {
    }

    /**
     * Runs the child.
     *
     * @param args the pipe's name
     */
    public static void main(String[] args) {
        try (LibOS libos = LibOS.open(LibOSName.CATMEM)) {
            int qd = libos.openPipe(args[0]);
            QResult result = new QResult();
            int messages = 0;
            while (true) {
                libos.wait(libos.pop(qd, Sga.MAX_SIZE), result);
                if (result.opcode() != Opcode.POP) {
                    System.out.println("pop failed: " + result);
                    System.exit(2);
                }
                Sga in = result.sga();
                if (in.length() == 0) {
                    libos.sgaFree(in);
                    break;
                }
                byte[] data = in.toArray();
                libos.sgaFree(in);
                byte[] reversed = new byte[data.length];
                for (int i = 0; i < data.length; i++) {
                    reversed[i] = data[data.length - 1 - i];
                }
                Sga out = libos.sgaAlloc(data.length);
                out.write(0, reversed, 0, reversed.length);
                libos.wait(libos.push(qd, out), result);
                libos.sgaFree(out);
                if (result.opcode() != Opcode.PUSH) {
                    System.out.println("push failed: " + result);
                    System.exit(3);
                }
                messages++;
            }
            libos.close(qd);
            System.out.println("echoed " + messages);
        }
    }
}
