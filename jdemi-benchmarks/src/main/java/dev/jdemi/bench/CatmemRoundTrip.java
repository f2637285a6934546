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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
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
 * pipe, one LibOS per thread). Each round trip is timed on its own; the table gives p50, p99 and the p50 ratios. The
 * ring variants do the same work per message: the receiver copies the payload out (catmem's poll; Agrona's handler
 * copies it), and the echo is sent from that copy.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp
 * jdemi-benchmarks/target/jdemi-benchmarks.jar dev.jdemi.bench.CatmemRoundTrip [roundTrips] [warmup]}. The pinging
 * thread runs on CPU 0 and the echoing thread on CPU 1 ({@code sched_setaffinity}); {@code -Djdemi.bench.pin=false}
 * leaves them to the scheduler. Run it on an otherwise idle machine.
 */
public final class CatmemRoundTrip {
    private static final int MESSAGE = 64;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long PING_OFFSET = 0;
    private static final long PONG_OFFSET = 128;
    private static final int AGRONA_CAPACITY = 64 * 1024;
    private static final int MSG_TYPE = 1;
    private static final int ROUNDS = 10;
    /** Whether to pin the pinging thread to CPU 0 and the echoing thread to CPU 1 ({@code -Djdemi.bench.pin}). */
    private static final int CORES = java.lang.Runtime.getRuntime().availableProcessors();
    private static final boolean PIN = Boolean.parseBoolean(System.getProperty("jdemi.bench.pin", "true"))
            && CORES >= 2;

    private CatmemRoundTrip() {
    }

    /**
     * Waits a little in a spin loop: a pause instruction, never a yield, as the LibOS's spin wait policy does (a
     * yield hands the core to whatever else runs on the machine and measures the scheduler instead).
     */
    private static void spin() {
        Thread.onSpinWait();
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
     * @param args round trips to time (default 100,000), warm-up round trips (default 20,000)
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        int roundTrips = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        String tag = "bench-" + ProcessHandle.current().pid();
        String object = "/jdemi-" + tag;
        long size = 4096 + 2L * (AGRONA_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH);
        SharedMemory.Result created = SharedMemory.create(object, size);
        // A run stopped by a signal still removes its object.
        java.lang.Runtime.getRuntime().addShutdownHook(new Thread(() -> SharedMemory.unlink(object)));
        if (created.memory() == null) {
            throw new IllegalStateException("shm_open " + object + ": errno " + created.errno());
        }
        try (SharedMemory memory = created.memory()) {
            MemorySegment shm = memory.segment();
            pin(0);
            // The variants take turns, ROUNDS times, so that a change in the machine's load during the run falls on
            // all of them alike; each round's samples are pooled.
            long[][] samples = new long[4][];
            int perRound = Math.max(1, roundTrips / ROUNDS);
            for (int round = 0; round < ROUNDS; round++) {
                int warm = round == 0 ? warmup : warmup / 10;
                samples[0] = concat(samples[0], floor(shm.asSlice(0, 4096), perRound, warm));
                samples[1] = concat(samples[1], catmemRing(tag + "-ring", perRound, warm));
                samples[2] = concat(samples[2], agrona(shm, perRound, warm));
                samples[3] = concat(samples[3], catmemApi(tag + "-api", perRound, warm));
            }
            report(perRound * ROUNDS, sorted("floor: cache-line ping-pong", samples[0]),
                    sorted("catmem Ring (offer/poll)", samples[1]), sorted("Agrona OneToOneRingBuffer", samples[2]),
                    sorted("catmem LibOS (push/pop/wait)", samples[3]));
        } finally {
            SharedMemory.unlink(object);
        }
    }

    private static void pin(int cpu) {
        if (PIN) {
            int errno = dev.jdemi.sys.Affinity.pinCurrentThread(cpu);
            if (errno != 0) {
                throw new IllegalStateException("cannot pin to CPU " + cpu + ": errno " + errno);
            }
        }
    }

    private static long[] concat(long[] a, long[] b) {
        if (a == null) {
            return b;
        }
        long[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static void report(int roundTrips, Result floor, Result ring, Result agrona, Result api) {
        System.out.printf(Locale.ROOT, "%d round trips of %d B between two threads over /dev/shm, %d cores, %s%n",
                roundTrips, MESSAGE, CORES, PIN ? "pinned to CPUs 0 and 1" : "not pinned");
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

    private static long[] floor(MemorySegment lines, int roundTrips, int warmup) throws InterruptedException {
        // A fresh start: the previous round left its stop signal in the ping line.
        LONG.setVolatile(lines, PING_OFFSET, 0L);
        LONG.setVolatile(lines, PONG_OFFSET, 0L);
        Thread pong = Thread.ofPlatform().daemon().name("pong-floor").start(() -> {
            pin(1);
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
        return samples;
    }

    // catmem's ring, no LibOS.

    private static long[] catmemRing(String name, int roundTrips, int warmup) throws InterruptedException {
        PipeEnd ping = PipeEnd.create(name, PipeDescriptor.DEFAULT_RING_CAPACITY, PipeDescriptor.ROLE_PIPE).end();
        try {
            return catmemRing(ping, PipeEnd.open(name).end(), roundTrips, warmup);
        } finally {
            ping.close();
        }
    }

    private static long[] catmemRing(PipeEnd ping, PipeEnd pongEnd, int roundTrips, int warmup)
            throws InterruptedException {
        Thread pong = Thread.ofPlatform().daemon().name("pong-ring").start(() -> {
            pin(1);
            MemorySegment buffer = Arena.ofAuto().allocate(MESSAGE, 8);
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
        MemorySegment message = Arena.ofAuto().allocate(MESSAGE, 8);
        MemorySegment reply = Arena.ofAuto().allocate(MESSAGE, 8);
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
        return samples;
    }

    // Agrona's OneToOneRingBuffer over the same kind of memory.

    private static long[] agrona(MemorySegment shm, int roundTrips, int warmup) throws InterruptedException {
        int ringLength = AGRONA_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
        UnsafeBuffer pingMemory = new UnsafeBuffer(shm.address() + 4096, ringLength);
        UnsafeBuffer pongMemory = new UnsafeBuffer(shm.address() + 4096 + ringLength, ringLength);
        OneToOneRingBuffer toPong = new OneToOneRingBuffer(pingMemory);
        OneToOneRingBuffer toPing = new OneToOneRingBuffer(pongMemory);
        Thread pong = Thread.ofPlatform().daemon().name("pong-agrona").start(() -> {
            pin(1);
            OneToOneRingBuffer in = new OneToOneRingBuffer(pingMemory);
            OneToOneRingBuffer out = new OneToOneRingBuffer(pongMemory);
            boolean[] stop = new boolean[1];
            UnsafeBuffer local = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE));
            org.agrona.concurrent.MessageHandler echo = (type, buffer, index, length) -> {
                if (type != MSG_TYPE) {
                    stop[0] = true;
                    return;
                }
                // Copied out and back in, as catmem's poll and offer do: the same work per message.
                buffer.getBytes(index, local, 0, length);
                while (!out.write(MSG_TYPE, local, 0, length)) {
                    spin();
                }
            };
            while (!stop[0]) {
                if (in.read(echo, 1) == 0) {
                    spin();
                }
            }
        });
        UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE));
        int[] got = new int[1];
        UnsafeBuffer reply = new UnsafeBuffer(ByteBuffer.allocateDirect(MESSAGE));
        org.agrona.concurrent.MessageHandler counter = (type, buffer, index, length) -> {
            buffer.getBytes(index, reply, 0, length);
            got[0]++;
        };
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
        return samples;
    }

    // catmem through the LibOS API: push, pop and wait on a pipe, one LibOS per thread.

    private static long[] catmemApi(String name, int roundTrips, int warmup) throws InterruptedException {
        CountDownLatch created = new CountDownLatch(1);
        Thread pong = Thread.ofPlatform().daemon().name("pong-api").start(() -> {
            pin(1);
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
        return samples;
    }

    private static Result sorted(String name, long[] samples) {
        Arrays.sort(samples);
        return new Result(name, samples);
    }
}
