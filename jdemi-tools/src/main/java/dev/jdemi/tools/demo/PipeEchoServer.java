package dev.jdemi.tools.demo;

import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;

/**
 * The echo server of the catmem demo, run in its own process by {@link PipeEcho}: opens the pipe, pushes back every
 * message it pops, and exits at the end of the stream.
 */
public final class PipeEchoServer {
    private PipeEchoServer() {
    }

    /**
     * Runs the server.
     *
     * @param args the pipe's name
     */
    public static void main(String[] args) {
        try (LibOS libos = LibOS.open(LibOSName.CATMEM)) {
            int qd = libos.openPipe(args[0]);
            QResult result = new QResult();
            long echoed = 0;
            while (true) {
                libos.wait(libos.pop(qd, Sga.MAX_SIZE), result);
                if (result.opcode() != Opcode.POP) {
                    System.err.println("pipe-echo server: pop failed with errno " + result.ret());
                    System.exit(1);
                }
                Sga data = result.sga();
                if (data.length() == 0) {
                    libos.sgaFree(data);
                    break;
                }
                libos.wait(libos.push(qd, data), result);
                libos.sgaFree(data);
                echoed++;
            }
            libos.close(qd);
            System.out.println("pipe-echo server: echoed " + echoed + " messages");
        }
    }
}
