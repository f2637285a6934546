package dev.jdemi.tools.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What one client process measured, as it writes it for the bench: per scenario, little endian, int32 size, int32
 * connections, int64 measured ns, int64 requests, int32 samples, then that many int32 round-trip times in ns. The C
 * floor writes the same bytes.
 */
public final class RunFile {
    private static final int HEADER_BYTES = 4 + 4 + 8 + 8 + 4;

    private RunFile() {
    }

    /**
     * One scenario's figures.
     *
     * @param scenario the scenario
     * @param measuredNs the length of the measured window
     * @param requests the requests completed in it
     * @param rttNs the round-trip times kept, in ns
     */
    public record Result(EchoScenario scenario, long measuredNs, long requests, int[] rttNs) {
        /** {@return requests per second over the window} */
        public double rps() {
            return measuredNs == 0 ? 0 : requests * 1e9 / measuredNs;
        }
    }

    /**
     * Writes results.
     *
     * @param file the file
     * @param results the results, in order
     * @throws IOException when the file cannot be written
     */
    public static void write(Path file, List<Result> results) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            for (Result r : results) {
                ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                header.putInt(r.scenario().size()).putInt(r.scenario().conns()).putLong(r.measuredNs())
                        .putLong(r.requests()).putInt(r.rttNs().length);
                out.write(header.array());
                ByteBuffer body = ByteBuffer.allocate(4 * r.rttNs().length).order(ByteOrder.LITTLE_ENDIAN);
                body.asIntBuffer().put(r.rttNs());
                out.write(body.array());
            }
        }
    }

    /**
     * Reads the results a client wrote.
     *
     * @param file the file
     * @return the results, in order
     * @throws IOException when the file cannot be read or is cut short
     */
    public static List<Result> read(Path file) throws IOException {
        List<Result> results = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            DataInputStream data = new DataInputStream(in);
            byte[] header = new byte[HEADER_BYTES];
            while (true) {
                int first = in.read();
                if (first < 0) {
                    return results;
                }
                header[0] = (byte) first;
                data.readFully(header, 1, HEADER_BYTES - 1);
                ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
                EchoScenario scenario = new EchoScenario(h.getInt(), h.getInt());
                long measuredNs = h.getLong();
                long requests = h.getLong();
                int samples = h.getInt();
                if (samples < 0 || samples > Recorder.DEFAULT_CAPACITY) {
                    throw new IOException(file + ": " + samples + " samples is not a plausible count");
                }
                byte[] body = new byte[4 * samples];
                data.readFully(body);
                int[] rtt = new int[samples];
                ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(rtt);
                results.add(new Result(scenario, measuredNs, requests, rtt));
            }
        } catch (EOFException e) {
            throw new IOException(file + " is cut short", e);
        }
    }
}
