package dev.jdemi.bench;

import dev.jdemi.Config;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.Opcode;
import dev.jdemi.QResult;
import dev.jdemi.Sga;
import dev.jdemi.catmem.PipeDescriptor;
import dev.jdemi.catmem.PipeEnd;
import dev.jdemi.catmem.Ring;
import dev.jdemi.sys.SharedMemory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * One run, four round-trip latencies of a 64-byte message between two threads over POSIX shared memory: the floor
 * (one cache line written by each side, no payload), catmem's {@link Ring}, Agrona's {@link OneToOneRingBuffer} on an
 * {@link UnsafeBuffer} over a mapped {@code /dev/shm} object, and catmem through the LibOS API (push, pop, wait on a
 * pipe, one LibOS per thread). Each round trip is timed on its own; the table gives p50, p99 and the p50 ratios.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp
 * jdemi-benchmarks/target/jdemi-benchmarks.jar dev.jdemi.bench.CatmemRoundTrip [roundTrips] [warmup]}. Threads are
 * not pinned (Java has no affinity API); run it on an otherwise idle machine.
 */
public final class CatmemRoundTrip {
    private static final int MESSAGE = 64;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long PING_OFFSET = 0;
    private static final long PONG_OFFSET = 128;
    private static final int AGRONA_CAPACITY = 64 * 1024;
    private static final int MSG_TYPE = 1;
    private static final int SPINS_BEFORE_YIELD = 10_000;
    /** A per-thread-ish counter; races between the two threads only shift when a yield happens. */
    private static int spins;

    private CatmemRoundTrip() {
    }

    /**
     * Waits a little in a spin loop: a pause instruction, and every {@link #SPINS_BEFORE_YIELD}th time a yield, so
     * that on a machine with fewer free cores than spinning threads the partner thread gets to run. On an idle
     * machine with two free cores the yield never happens within a round trip.
     */
    private static void spin() {
        if (++spins % SPINS_BEFORE_YIELD == 0) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }

    /** The latencies of one variant. */
    private record Result(String name, long[] samplesNs) {
        long percentile(double p) {
            return samplesNs[(int) Math.min(samplesNs.length - 1, Math.floor(p * samplesNs.length))];
        }
    }

    /**
     * Runs the benchmark.
     *
     * @param args round trips to time (default 200,000), warm-up round trips (default 50,000)
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        int roundTrips = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        String tag = "bench-" + ProcessHandle.current().pid();
        String object = "/jdemi-" + tag;
        long size = 4096 + 2L * (AGRONA_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH);
        SharedMemory.Result created = SharedMemory.create(object, size);
        if (created.memory() == null) {
            throw new IllegalStateException("shm_open " + object + ": errno " + created.errno());
        }
        try (SharedMemory memory = created.memory()) {
            MemorySegment shm = memory.segment();
            Result floor = floor(shm.asSlice(0, 4096), roundTrips, warmup);
            Result ring = catmemRing(tag + "-ring", roundTrips, warmup);
            Result agrona = agrona(shm, roundTrips, warmup);
            Result api = catmemApi(tag + "-api", roundTrips, warmup);
            report(roundTrips, floor, ring, agrona, api);
        } finally {
            SharedMemory.unlink(object);
        }
    }

    private static void report(int roundTrips, Result floor, Result ring, Result agrona, Result api) {
        System.out.printf(Locale.ROOT, "%d round trips of %d B between two threads over /dev/shm, %d cores%n",
                roundTrips, MESSAGE, java.lang.Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-36s %9s %9s %9s %12s%n", "variant", "p50 ns", "p99 ns", "p99.9 ns",
                "p50 / floor");
        for (Result r : new Result[] {floor, ring, agrona, api}) {
            System.out.printf(Locale.ROOT, "%-36s %9d %9d %9d %12.2f%n", r.name(), r.percentile(0.50),
                    r.percentile(0.99), r.percentile(0.999), (double) r.percentile(0.50) / floor.percentile(0.50));
        }
        System.out.printf(Locale.ROOT, "catmem ring p50 / Agrona p50 = %.2f%n",
                (double) ring.percentile(0.50) / agrona.percentile(0.50));
    }

    // The floor: each side spins on the other's cache line.

    private static Result floor(MemorySegment lines, int roundTrips, int warmup) throws InterruptedException {
        Thread pong = Thread.ofPlatform().name("pong-floor").start(() -> {
            for (long expect = 1; ; expect++) {
                long seen;
                while ((seen = (long) LONG.getAcquire(lines, PING_OFFSET)) != expect && seen >= 0) {
                    spin();
                }
                if (seen < 0) {
                    return;
                }
                LONG.setRelease(lines, PONG_OFFSET, expect);
            }
        });
        long[] samples = new long[roundTrips];
        long seq = 0;
        for (int i = 0; i < warmup + roundTrips; i++) {
            long startNs = System.nanoTime();
            seq++;
            LONG.setRelease(lines, PING_OFFSET, seq);
            while ((long) LONG.getAcquire(lines, PONG_OFFSET) != seq) {
                spin();
            }
            if (i >= warmup) {
                samples[i - warmup] = System.nanoTime() - startNs;
            }
        }
        LONG.setRelease(lines, PING_OFFSET, -1L);
        pong.join();
        return sorted("floor: cache-line ping-pong", samples);
    }

    // catmem's ring, no LibOS.

    private static Result catmemRing(String name, int roundTrips, int warmup) throws InterruptedException {
        PipeEnd ping = PipeEnd.create(name, PipeDescriptor.DEFAULT_RING_CAPACITY, PipeDescriptor.ROLE_PIPE).end();
        PipeEnd pongEnd = PipeEnd.open(name).end();
        Thread pong = Thread.ofPlatform().name("pong-ring").start(() -> {
            MemorySegment buffer = MemorySegment.ofArray(new byte[MESSAGE]);
            Ring rx = pongEnd.rx();
            Ring tx = pongEnd.tx();
            while (true) {
                int n;
                while ((n = rx.poll(buffer, 0, MESSAGE)) == 0) {
                    spin();
                }
                if (n == Ring.END_OF_STREAM) {
                    return;
                }
                while (!tx.offer(buffer, 0, n)) {
                    spin();
                }
            }
        });
        MemorySegment message = MemorySegment.ofArray(new byte[MESSAGE]);
        MemorySegment reply = MemorySegment.ofArray(new byte[MESSAGE]);
        Ring tx = ping.tx();
        Ring rx = ping.rx();
        long[] samples = new long[roundTrips];
        for (int i = 0; i < warmup + roundTrips; i++) {
            long startNs = System.nanoTime();
            message.set(ValueLayout.JAVA_INT, 0, i);
            while (!tx.offer(message, 0, MESSAGE)) {
                spin();
            }
            while (rx.poll(reply, 0, MESSAGE) == 0) {
                spin();
            }
            if (i >= warmup) {
                samples[i - warmup] = System.nanoTime() - startNs;
            }
        }
        ping.close();
        pong.join();
        pongEnd.close();
        return sorted("catmem Ring (offer/poll)", samples);
    }

    // Agrona's OneToOneRingBuffer over the same kind of memory.

    private static Result agrona(MemorySegment shm, int roundTrips, int warmup) throws InterruptedException {
        int ringLength = AGRONA_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
        UnsafeBuffer pingMemory = new UnsafeBuffer(shm.address() + 4096, ringLength);
        UnsafeBuffer pongMemory = new UnsafeBuffer(shm.address() + 4096 + ringLength, ringLength);
        OneToOneRingBuffer toPong = new OneToOneRingBuffer(pingMemory);
        OneToOneRingBuffer toPing = new OneToOneRingBuffer(pongMemory);
        Thread pong = Thread.ofPlatform().name("pong-agrona").start(() -> {
            OneToOneRingBuffer in = new OneToOneRingBuffer(pingMemory);
            OneToOneRingBuffer out = new OneToOneRingBuffer(pongMemory);
            boolean[] stop = new boolean[1];
            org.agrona.concurrent.MessageHandler echo = (type, buffer, index, length) -> {
                if (type != MSG_TYPE) {
                    stop[0] = true;
                    return;
                }
                while (!out.write(MSG_TYPE, buffer, index, length)) {
                    spin();
                }
            };
            while (!stop[0]) {
                if (in.read(echo, 1) == 0) {
                    spin();
                }
            }
        });
        UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE]);
        int[] got = new int[1];
        org.agrona.concurrent.MessageHandler counter = (type, buffer, index, length) -> got[0]++;
        long[] samples = new long[roundTrips];
        for (int i = 0; i < warmup + roundTrips; i++) {
            long startNs = System.nanoTime();
            message.putInt(0, i);
            while (!toPong.write(MSG_TYPE, message, 0, MESSAGE)) {
                spin();
            }
            while (toPing.read(counter, 1) == 0) {
                spin();
            }
            if (i >= warmup) {
                samples[i - warmup] = System.nanoTime() - startNs;
            }
        }
        while (!toPong.write(MSG_TYPE + 1, message, 0, 1)) {
            spin();
        }
        pong.join();
        if (got[0] != warmup + roundTrips) {
            throw new IllegalStateException("Agrona echoed " + got[0] + " messages");
        }
        return sorted("Agrona OneToOneRingBuffer", samples);
    }

    // catmem through the LibOS API: push, pop and wait on a pipe, one LibOS per thread.

    private static Result catmemApi(String name, int roundTrips, int warmup) throws InterruptedException {
        CountDownLatch created = new CountDownLatch(1);
        Thread pong = Thread.ofPlatform().name("pong-api").start(() -> {
            try {
                created.await();
            } catch (InterruptedException e) {
                return;
            }
            try (LibOS libos = LibOS.open(LibOSName.CATMEM, Config.defaults())) {
                int qd = libos.openPipe(name);
                QResult result = new QResult();
                while (true) {
                    libos.wait(libos.pop(qd, MESSAGE), result);
                    Sga data = result.sga();
                    if (data.length() == 0) {
                        libos.sgaFree(data);
                        break;
                    }
                    libos.wait(libos.push(qd, data), result);
                    libos.sgaFree(data);
                }
                libos.close(qd);
            }
        });
        long[] samples = new long[roundTrips];
        try (LibOS libos = LibOS.open(LibOSName.CATMEM, Config.defaults())) {
            int qd = libos.createPipe(name);
            created.countDown();
            Sga message = libos.sgaAlloc(MESSAGE);
            QResult result = new QResult();
            for (int i = 0; i < warmup + roundTrips; i++) {
                long startNs = System.nanoTime();
                libos.wait(libos.push(qd, message), result);
                libos.wait(libos.pop(qd, MESSAGE), result);
                if (result.opcode() != Opcode.POP || result.sga().length() != MESSAGE) {
                    throw new IllegalStateException("round trip " + i + ": " + result);
                }
                libos.sgaFree(result.sga());
                if (i >= warmup) {
                    samples[i - warmup] = System.nanoTime() - startNs;
                }
            }
            libos.sgaFree(message);
            libos.close(qd);
        }
        pong.join();
        return sorted("catmem LibOS (push/pop/wait)", samples);
    }

    private static Result sorted(String name, long[] samples) {
        Arrays.sort(samples);
        System.err.printf(Locale.ROOT, "%s: p50 %d ns%n", name, samples[samples.length / 2]);
        return new Result(name, samples);
    }
}
