package dev.jdemi.catmem;

import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;

import java.net.InetSocketAddress;

/**
 * A catloop echo server in another process: binds and listens on the address it is given, accepts one connection,
 * echoes until end of stream, prints the bytes echoed and exits.
 */
public final class CatloopEchoChild {
    private CatloopEchoChild() {
    }

    /**
     * Runs the server.
     *
     * @param args IP and port
     */
    public static void main(String[] args) {
        try (LibOS libos = LibOS.open(LibOSName.CATLOOP)) {
            int listener = libos.socket(LibOS.AF_INET, LibOS.SOCK_STREAM, 0);
            libos.bind(listener, new InetSocketAddress(args[0], Integer.parseInt(args[1])));
            libos.listen(listener, 4);
            QResult result = new QResult();
            libos.wait(libos.accept(listener), result);
            int qd = result.acceptedQd();
            long bytes = 0;
            while (true) {
                libos.wait(libos.pop(qd), result);
                if (result.opcode() != Opcode.POP) {
                    System.out.println("pop failed: errno " + result.ret());
                    System.exit(1);
                }
                Sga data = result.sga();
                if (data.length() == 0) {
                    libos.sgaFree(data);
                    break;
                }
                bytes += data.length();
                libos.wait(libos.push(qd, data), result);
                libos.sgaFree(data);
            }
            libos.close(qd);
            libos.close(listener);
            System.out.println("echoed " + bytes + " bytes");
        }
    }
}
