package dev.jdemi.catmem;

import java.lang.foreign.MemorySegment;

/**
 * The consumer of the ring stress test, run in a child JVM: opens the pipe, checks every byte of every message in
 * order, requires the end of the stream right after the last one, and prints {@code ok <messages> <bytes>}; on the
 * first wrong message it prints what differs and exits with 1.
 */
public final class RingStressConsumer {
    private RingStressConsumer() {
    }

    /**
     * Runs the consumer.
     *
     * @param args the pipe's name, the message count, the seed
     */
    public static void main(String[] args) {
        String name = args[0];
        long count = Long.parseLong(args[1]);
        long seed = Long.parseLong(args[2]);
        PipeEnd.Result opened = PipeEnd.open(name);
        if (opened.end() == null) {
            System.out.println("open failed: errno " + opened.errno());
            System.exit(2);
        }
        PipeEnd end = opened.end();
        Ring rx = end.rx();
        RingStress stream = new RingStress(seed);
        byte[] buffer = new byte[RingStress.LARGE_MAX];
        MemorySegment segment = MemorySegment.ofArray(buffer);
        long bytes = 0;
        long idle = 0;
        for (long k = 0; k < count; k++) {
            int size = stream.nextSize();
            int n;
            while ((n = rx.poll(segment, 0, buffer.length)) == 0) {
                if ((++idle & 0xff) == 0) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
            }
            if (n != size) {
                System.out.println("message " + k + ": expected " + size + " bytes, got " + n);
                System.exit(1);
            }
            int wrong = RingStress.check(buffer, k, size);
            if (wrong >= 0) {
                System.out.println("message " + k + " (" + size + " bytes): byte " + wrong + " is wrong");
                System.exit(1);
            }
            bytes += size;
        }
        int last;
        while ((last = rx.poll(segment, 0, buffer.length)) == 0) {
            Thread.onSpinWait();
        }
        if (last != Ring.END_OF_STREAM) {
            System.out.println("a message of " + last + " bytes after the last of " + count);
            System.exit(1);
        }
        end.close();
        System.out.println("ok " + count + " " + bytes);
    }
}
