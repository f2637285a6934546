package dev.jdemi.tools.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One end of a Java peer, in a process of its own: {@code EchoAgent PEER server PORT}, or {@code EchoAgent PEER
 * client PORT OUTFILE WARMUP_MS MEASURE_MS SIZE:CONNS...} (the same arguments as the C floor). The client waits for
 * a line on standard input (the bench's word that the server is ready) before it connects. Both ends use 127.0.0.1,
 * or the address in {@code JDEMI_ECHO_HOST}.
 */
public final class EchoAgent {
    /** The unrecorded run before the scenarios. */
    private static final EchoScenario PRIME = new EchoScenario(64, 1);
    /** The environment variable that names the server's IPv4 address instead of 127.0.0.1 (the C floor's too). */
    static final String HOST_VARIABLE = "JDEMI_ECHO_HOST";

    private EchoAgent() {
    }

    /**
     * Runs the server until killed, or the client until its scenarios are done.
     *
     * @param args the peer, the role and its arguments
     * @throws Exception when the end fails: the process then exits non-zero with the stack trace
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            usage();
        }
        EchoPeer peer = EchoPeers.all().get(args[0]);
        if (peer == null && args[0].equals(VethPeer.CATPOWDER_AGENT.id())) {
            peer = VethPeer.CATPOWDER_AGENT;
        }
        if (!(peer instanceof JvmPeer jvmPeer)) {
            System.err.println("no Java peer named " + args[0]);
            System.exit(2);
            return;
        }
        // JDEMI_ECHO_HOST moves both ends off 127.0.0.1 (./jdemi bench veth: the server's address in its namespace).
        String host = System.getenv(HOST_VARIABLE);
        InetAddress ip = host == null || host.isEmpty() ? InetAddress.getLoopbackAddress()
                : InetAddress.getByName(host);
        InetSocketAddress address = new InetSocketAddress(ip, Integer.parseInt(args[2]));
        EchoTransport transport = jvmPeer.transport();
        switch (args[1]) {
            case "server" -> transport.serve(address, () -> {
                System.out.println("READY");
                System.out.flush();
            });
            case "client" -> {
                if (args.length < 7) {
                    usage();
                }
                // The bench starts the client with the server, so that the two JVMs start in parallel, and says
                // when the server is ready with a line on standard input.
                if (new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine() == null) {
                    System.err.println("the bench closed standard input before the server was ready");
                    System.exit(1);
                }
                Path out = Path.of(args[3]);
                long warmupNs = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[4]));
                long measureNs = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[5]));
                Recorder recorder = new Recorder(Recorder.DEFAULT_CAPACITY);
                // A first round trip can take half a second (Netty sets up its allocator and pipeline classes then):
                // one unrecorded 64-byte run first, over a warm-up period, so that no scenario's warm-up is eaten.
                transport.run(address, PRIME, recorder, 0, Math.max(1, warmupNs));
                List<RunFile.Result> results = new ArrayList<>();
                for (int i = 6; i < args.length; i++) {
                    EchoScenario scenario = EchoScenario.parse(args[i]);
                    transport.run(address, scenario, recorder, warmupNs, measureNs);
                    results.add(recorder.result(scenario));
                }
                RunFile.write(out, results);
                System.exit(0);
            }
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: EchoAgent PEER server PORT | PEER client PORT OUTFILE WARMUP_MS MEASURE_MS "
                + "SIZE:CONNS...");
        System.exit(2);
    }
}
