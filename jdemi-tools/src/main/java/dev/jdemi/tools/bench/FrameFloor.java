package dev.jdemi.tools.bench;

import dev.jdemi.Config;
import dev.jdemi.MacAddress;
import dev.jdemi.bootstrap.CatpowderProvider;
import dev.jdemi.phy.PhysicalLayer;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The floor of {@code ./jdemi bench veth}: a bare frame ping-pong between two processes over the very device
 * catpowder uses ({@link CatpowderProvider#openLink}, as {@code CONFIG_PATH} names it), with no stack. The client
 * sends a {@link FloorFrame} request, spins on {@link PhysicalLayer#receive} until its reply comes, and records the
 * round trip like the echo clients do; the server spins on receive and sends every request back, turned into its
 * reply in the buffer it arrived in.
 *
 * <p>Usage: {@code FrameFloor server} (prints {@code READY}, answers until killed); {@code FrameFloor client
 * PEER_MAC OUTFILE WARMUP_MS MEASURE_MS SIZE:1} (waits for a line on standard input, then writes a {@link RunFile});
 * {@code FrameFloor probe} (opens the device and closes it: prints {@code OK}, or {@code NA reason}).
 */
public final class FrameFloor {
    /** A request whose reply has not come after this long is counted lost and sent again under a new number. */
    private static final long RESEND_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int BATCH = 32;

    private FrameFloor() {
    }

    /**
     * Runs one end.
     *
     * @param args the role and its arguments
     * @throws Exception when the device fails; the exit status is then non-zero
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            usage();
        }
        Config config = Config.fromEnvironment();
        switch (args[0]) {
            case "probe" -> {
                try (CatpowderProvider.RawLink link = CatpowderProvider.openLink(config)) {
                    System.out.println("OK " + link.device().getClass().getSimpleName());
                } catch (RuntimeException e) {
                    System.out.println("NA " + String.valueOf(e.getMessage()).replace('\n', ' '));
                }
            }
            case "server" -> {
                try (CatpowderProvider.RawLink link = CatpowderProvider.openLink(config)) {
                    System.out.println("READY");
                    System.out.flush();
                    serve(link.device());
                }
            }
            case "client" -> {
                if (args.length != 6) {
                    usage();
                }
                long peer = MacAddress.parse(args[1]).value();
                EchoScenario scenario = EchoScenario.parse(args[5]);
                long warmupNs = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[3]));
                long measureNs = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[4]));
                try (CatpowderProvider.RawLink link = CatpowderProvider.openLink(config)) {
                    if (new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                            .readLine() == null) {
                        System.err.println("the bench closed standard input before the server was ready");
                        System.exit(1);
                    }
                    Client client = new Client(link.device(), link.pool(), peer, config.localLinkAddr().value(),
                            FloorFrame.frameBytes(scenario.size()));
                    Recorder recorder = new Recorder(Recorder.DEFAULT_CAPACITY);
                    // An unrecorded run first, as the echo agents do, so that the JIT has compiled the loop.
                    client.run(recorder, 0, Math.max(1, warmupNs));
                    client.run(recorder, warmupNs, measureNs);
                    RunFile.write(Path.of(args[2]), List.of(recorder.result(scenario)));
                    System.err.println("lost " + client.lost + " requests");
                }
                System.exit(0);
            }
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: FrameFloor server | client PEER_MAC OUTFILE WARMUP_MS MEASURE_MS SIZE:1 | probe");
        System.exit(2);
    }

    /** Answers every request until the process is killed. */
    private static void serve(PhysicalLayer device) {
        DemiBuffer[] frames = new DemiBuffer[BATCH];
        while (true) {
            long now = System.nanoTime();
            int n = device.receive(frames, BATCH, now);
            for (int i = 0; i < n; i++) {
                DemiBuffer frame = frames[i];
                frames[i] = null;
                if (FloorFrame.kind(frame.memory(), frame.dataOffset(), frame.length()) == FloorFrame.PING) {
                    FloorFrame.turnIntoReply(frame.memory(), frame.dataOffset());
                    device.transmit(frame, now);
                } else {
                    frame.free();
                }
            }
        }
    }

    /** The closed-loop client: one request in flight. */
    private static final class Client {
        private final PhysicalLayer device;
        private final BufferPool pool;
        private final long peer;
        private final long self;
        private final int frameBytes;
        private final DemiBuffer[] frames = new DemiBuffer[BATCH];
        private long sequence;
        long lost;

        Client(PhysicalLayer device, BufferPool pool, long peer, long self, int frameBytes) {
            this.device = device;
            this.pool = pool;
            this.peer = peer;
            this.self = self;
            this.frameBytes = frameBytes;
        }

        void run(Recorder recorder, long warmupNs, long measureNs) {
            recorder.begin(warmupNs, measureNs);
            while (true) {
                long expected = ++sequence;
                DemiBuffer ping = pool.allocate(frameBytes);
                FloorFrame.writePing(ping.memory(), ping.dataOffset(), frameBytes, peer, self, expected);
                long sentNs = System.nanoTime();
                device.transmit(ping, sentNs);
                long nowNs = awaitReply(expected, sentNs);
                if (nowNs < 0) {
                    lost++;
                    if (recorder.over()) {
                        return;
                    }
                } else if (!recorder.complete(sentNs, nowNs)) {
                    return;
                }
            }
        }

        /** Spins until the reply to {@code expected} comes; returns when, or -1 after {@link #RESEND_NS}. */
        private long awaitReply(long expected, long sentNs) {
            while (true) {
                long nowNs = System.nanoTime();
                int n = device.receive(frames, BATCH, nowNs);
                boolean replied = false;
                for (int i = 0; i < n; i++) {
                    DemiBuffer frame = frames[i];
                    frames[i] = null;
                    if (FloorFrame.kind(frame.memory(), frame.dataOffset(), frame.length()) == FloorFrame.REPLY
                            && FloorFrame.sequence(frame.memory(), frame.dataOffset()) == expected) {
                        replied = true;
                    }
                    frame.free();
                }
                if (replied) {
                    return System.nanoTime();
                }
                if (nowNs - sentNs > RESEND_NS) {
                    return -1;
                }
            }
        }
    }
}
