package dev.jdemi.tools.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jdemi bench}: benchmarks against the peers: {@code echo} (loopback) and {@code veth} (two namespaces joined
 * by veth).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks jdemi side by side with its peers in one run.",
        subcommands = {EchoBenchCommand.class, VethBenchCommand.class})
public final class BenchCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing benchmark: echo or veth");
    }
}
