package dev.jdemi.tools;

import dev.jdemi.DemiException;
import dev.jdemi.tools.bench.BenchCommand;
import dev.jdemi.tools.demo.DemoCommand;
import dev.jdemi.tools.echo.TcpEchoCommand;
import dev.jdemi.tools.echo.UdpEchoCommand;
import dev.jdemi.tools.examples.TcpPingPongCommand;
import dev.jdemi.tools.examples.TcpPushPopCommand;
import dev.jdemi.tools.examples.UdpPingPongCommand;
import dev.jdemi.tools.examples.UdpPushPopCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code jdemi} command line: the demo and upstream's examples, as picocli subcommands.
 *
 * <p>Exit status: 0 on success, 1 when the run failed (a LibOS error, a corrupt reply, a lost connection), 2 for a
 * usage error (picocli's convention).
 */
@Command(name = "jdemi", mixinStandardHelpOptions = true, version = "jdemi 0.1.0-SNAPSHOT",
        description = "Demikernel's library OS for the JVM: the demo and upstream's examples.",
        subcommands = {DemoCommand.class, TcpEchoCommand.class, UdpEchoCommand.class, TcpPingPongCommand.class,
            UdpPingPongCommand.class, TcpPushPopCommand.class, UdpPushPopCommand.class, HelpCommand.class})
public final class Main implements Runnable {
    @Spec
    private CommandSpec spec;

    /**
     * Runs a command and exits with its status.
     *
     * @param args the command line, such as {@code demo} or {@code tcp-echo --peer server --address 127.0.0.1:12345}
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * Builds the command line with jdemi's error handling: a {@link DemiException} prints one line naming the errno
     * instead of a stack trace.
     *
     * @return a fresh command line; set its output with {@link CommandLine#setOut} to capture what it prints
     */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Main());
        cmd.addSubcommand(new BenchCommand());
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof DemiException) {
                commandLine.getErr().println("jdemi " + commandLine.getCommandName() + ": " + e.getMessage());
                commandLine.getErr().flush();
                return 1;
            }
            throw e;
        });
        return cmd;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command: demo, tcp-echo, udp-echo, tcp-ping-pong, "
                + "udp-ping-pong, tcp-push-pop or udp-push-pop");
    }
}
