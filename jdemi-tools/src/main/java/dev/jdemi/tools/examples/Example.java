package dev.jdemi.tools.examples;

import dev.jdemi.LibOS;
import dev.jdemi.Sga;
import dev.jdemi.tools.options.LibOSOption;
import dev.jdemi.tools.options.Peer;
import dev.jdemi.tools.options.PeerOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * What every example command has: {@code --libos}, {@code --address}, {@code --peer}, {@code --bufsize}, and one
 * LibOS opened on the calling thread for the side it runs.
 */
abstract class Example implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private LibOSOption libos;

    @Mixin
    private PeerOptions peer;

    @Option(names = "--bufsize", paramLabel = "BYTES", defaultValue = "64",
            description = "The size of each message, 1..65535 (default ${DEFAULT-VALUE}).")
    private int bufsize;

    /** {@return how many messages to exchange, from the subclass's {@code --iterations}} */
    abstract long iterations();

    /** Runs the server side on a LibOS that the caller closes. */
    abstract void server(LibOS os, PrintWriter out);

    /** Runs the client side on a LibOS that the caller closes. */
    abstract void client(LibOS os, PrintWriter out);

    @Override
    public final Integer call() {
        if (bufsize < 1 || bufsize > Sga.MAX_SIZE) {
            throw usage("--bufsize must be from 1 to " + Sga.MAX_SIZE + ", was " + bufsize);
        }
        if (iterations() < 1) {
            throw usage("--iterations must be at least 1, was " + iterations());
        }
        check();
        PrintWriter out = spec.commandLine().getOut();
        try (LibOS os = libos.open()) {
            if (peer.peer() == Peer.SERVER) {
                server(os, out);
            } else {
                client(os, out);
            }
        }
        return 0;
    }

    /** Checks the subclass's own options; throws {@link #usage(String)} for a bad one. */
    void check() {
    }

    /** {@return a usage error with a message naming the option} */
    final ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    final PeerOptions peer() {
        return peer;
    }

    final int bufsize() {
        return bufsize;
    }
}
