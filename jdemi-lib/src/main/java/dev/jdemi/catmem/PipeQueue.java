package dev.jdemi.catmem;

import dev.jdemi.Errno;
import dev.jdemi.SockAddr;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.DemiBuffer;
import dev.jdemi.runtime.OpList;
import dev.jdemi.runtime.Operation;

/**
 * The pending pushes and pops of one pipe end, and the loop that moves them through its rings: a push completes once
 * its record is in the ring, a pop once a record (or part of one, when {@code maxBytes} is smaller) was copied out,
 * or with zero bytes at the end of the stream.
 *
 * <p>Allocation: a pop allocates its buffer from the pool only when the ring has something to read.
 */
final class PipeQueue {
    final PipeEnd end;
    final OpList sends = new OpList();
    final OpList receives = new OpList();
    private boolean endOfStream;

    PipeQueue(PipeEnd end) {
        this.end = end;
    }

    boolean hasPending() {
        return !sends.isEmpty() || !receives.isEmpty();
    }

    /**
     * Moves what can move.
     *
     * @param pool where pops get their buffers
     * @return how many operations completed
     */
    int progress(BufferPool pool) {
        int work = 0;
        if (!sends.isEmpty()) {
            work += progressSends();
        }
        if (!receives.isEmpty()) {
            work += progressReceives(pool);
        }
        return work;
    }

    private int progressSends() {
        Ring tx = end.tx();
        int work = 0;
        for (Operation op = sends.peek(); op != null; op = sends.peek()) {
            DemiBuffer data = op.buffer;
            if (data.length() > tx.maxPayload()) {
                sends.poll();
                op.fail(Errno.EMSGSIZE);
                work++;
                continue;
            }
            if (!tx.offer(data.memory(), data.dataOffset(), data.length())) {
                if (tx.lvConsumerClosed()) {
                    // Nobody will ever free the space: the reader closed its end.
                    sends.poll();
                    op.fail(Errno.EPIPE);
                    work++;
                    continue;
                }
                return work;
            }
            sends.poll();
            op.complete();
            work++;
        }
        return work;
    }

    private int progressReceives(BufferPool pool) {
        Ring rx = end.rx();
        int work = 0;
        for (Operation op = receives.peek(); op != null; op = receives.peek()) {
            if (endOfStream) {
                receives.poll();
                op.completePop(pool.allocate(0), SockAddr.NONE);
                work++;
                continue;
            }
            if (!rx.isReadable()) {
                return work;
            }
            DemiBuffer buffer = pool.allocate(op.maxBytes);
            int n = rx.poll(buffer.memory(), buffer.dataOffset(), op.maxBytes);
            if (n == 0) {
                buffer.free();
                return work;
            }
            if (n == Ring.END_OF_STREAM) {
                endOfStream = true;
                n = 0;
            }
            buffer.setLength(n);
            receives.poll();
            op.completePop(buffer, SockAddr.NONE);
            work++;
        }
        return work;
    }
}
