package dev.jdemi.tools.bench;

import dev.jdemi.tools.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code jdemi bench veth}'s options and devices; the run itself needs root (see {@code VethBenchSmokeTest}). */
class VethBenchCommandTest {
    private static VethBenchCommand.Plan plan(String... args) {
        CommandLine cmd = new CommandLine(new VethBenchCommand());
        cmd.parseArgs(args);
        VethBenchCommand command = cmd.getCommand();
        return command.plan();
    }

    @Test
    void theReportNamesTheCommandAsTypedWithoutTheNote() {
        CommandLine line = new CommandLine(new VethBenchCommand());
        line.parseArgs("--quick", "--devices", "v2,xdp", "--note", "a quiet machine", "--rounds", "3");

        assertThat(EchoBenchCommand.typedCommand("./jdemi bench veth", line.getCommandSpec()))
                .isEqualTo("./jdemi bench veth --quick --devices v2,xdp --rounds 3");
    }

    @Test
    void defaultsAreAFullRunOfEveryDevice() {
        VethBenchCommand.Plan plan = plan();

        assertThat(plan).isEqualTo(new VethBenchCommand.Plan(VethBenchCommand.DEFAULT_ROUNDS, 2000, 2000, 64,
                List.of(VethDevice.V2, VethDevice.V3, VethDevice.XDP), true, true, true));
    }

    @Test
    void quickShortensTheRunAndOptionsOverrideIt() {
        assertThat(plan("--quick")).isEqualTo(new VethBenchCommand.Plan(VethBenchCommand.QUICK_ROUNDS, 200, 500, 64,
                List.of(VethDevice.values()), true, true, true));
        assertThat(plan("--quick", "--rounds", "3", "--size", "128", "--devices", "xdp,V2,xdp", "--no-kernel",
                "--no-pin", "--background-jit")).isEqualTo(new VethBenchCommand.Plan(3, 200, 500, 128,
                        List.of(VethDevice.XDP, VethDevice.V2), false, false, false));
    }

    @Test
    void outOfBoundsOptionsAreRefused() {
        for (String[] args : List.of(new String[] {"--rounds", "0"}, new String[] {"--size", "0"},
                new String[] {"--size", "1401"}, new String[] {"--measure-ms", "0"}, new String[] {"--devices", "v4"},
                new String[] {"--devices", ","})) {
            assertThatThrownBy(() -> plan(args)).as(String.join(" ", args))
                    .isInstanceOf(CommandLine.ParameterException.class);
        }
    }

    @Test
    void javaRowsGetTheirJvmOptionsRightAfterJava() {
        VethPeer peer = new VethPeer("catnap", VethPeer.Role.CATNAP, null, "test", List.of("ip", "netns", "exec",
                "S", "env"), List.of("ip", "netns", "exec", "C", "env"), port -> List.of("java", "-cp", "x", "Main",
                        "server", Integer.toString(port)),
                (port, out, warmup, measure, scenarios) -> List.of("java", "Main", "client"))
                .withJvmOptions(List.of("-Xbatch"));

        assertThat(peer.serverCommand(7)).containsExactly("ip", "netns", "exec", "S", "env", "java", "-Xbatch", "-cp",
                "x", "Main", "server", "7");
        assertThat(peer.clientCommand(7, java.nio.file.Path.of("o"), 1, 2, List.of(new EchoScenario(64, 1))))
                .containsExactly("ip", "netns", "exec", "C", "env", "java", "-Xbatch", "Main", "client");
    }

    @Test
    void devicesNameTheirConfigurationKeys() {
        assertThat(VethDevice.V2.configYaml("eth9", "10.0.0.1", "02:00:00:00:00:01")).isEqualTo("""
                demikernel:
                  local_ipv4_addr: "10.0.0.1"
                  local_link_addr: "02:00:00:00:00:01"
                raw_socket:
                  linux_interface_name: "eth9"
                jdemi:
                  raw_device: af_packet
                  packet_ring: v2
                  wait_policy: spin
                """);
        assertThat(VethDevice.XDP.configYaml("eth9", "10.0.0.1", "02:00:00:00:00:01"))
                .contains("raw_device: af_xdp\n").doesNotContain("packet_ring");
        assertThat(dev.jdemi.Config.parse(VethDevice.V3.configYaml("eth9", "10.0.0.1", "02:00:00:00:00:01")).jdemi()
                .packetRing()).isEqualTo(dev.jdemi.Config.PacketRing.V3);
    }

    @Test
    void withoutRootItSaysSoAndExitsWithTwo() {
        String cannot = VethPair.cannotRun();
        if (cannot == null) {
            return; // Root with the tools: VethBenchSmokeTest runs the bench instead.
        }
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setErr(new PrintWriter(err, true));
        cmd.setOut(new PrintWriter(new StringWriter(), true));

        assertThat(cmd.execute("bench", "veth", "--quick")).isEqualTo(2);
        assertThat(err.toString()).contains("jdemi bench veth: ", cannot);
    }
}
