package dev.jdemi.catmem;

import dev.jdemi.DemiException;
import dev.jdemi.Errno;
import dev.jdemi.SocketOption;
import dev.jdemi.libos.Transport;
import dev.jdemi.libos.TransportHost;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.Operation;
import dev.jdemi.runtime.Runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * The transport of catmem: shared-memory pipes ({@link PipeEnd}) and no sockets. Transport descriptors index the
 * transport's table of pipes.
 *
 * <p>Progress: each runtime iteration polls the pipes that have pending operations ({@link PipeQueue}); a push or pop
 * also tries at once, so an uncontended exchange completes inside the call. Shared memory has no readiness to sleep
 * on: the block wait policy naps for {@link #NAP_NS} at a time instead.
 */
public final class CatmemTransport implements Transport, Runtime.Poller {
    /** The longest nap of the block wait policy: the latency it adds to an idle pipe. */
    static final long NAP_NS = 50_000;

    private final int ringCapacity;
    private TransportHost host;
    private BufferPool pool;
    private final SlotTable<PipeQueue> pipes = new SlotTable<>();

    /**
     * Creates the transport.
     *
     * @param ringCapacity the data capacity of each ring of the pipes it creates
     */
    public CatmemTransport(int ringCapacity) {
        this.ringCapacity = RingDescriptor.checkCapacity(ringCapacity);
    }

    @Override
    public void attach(TransportHost host, Runtime runtime) {
        this.host = host;
        this.pool = runtime.pool();
        runtime.setPoller(this);
    }

    @Override
    public int createPipe(String name) {
        PipeEnd.Result created = PipeEnd.create(name, ringCapacity, PipeDescriptor.ROLE_PIPE);
        if (created.end() == null) {
            throw new DemiException(created.errno(), createError(name, created.errno()));
        }
        return add(created.end());
    }

    @Override
    public int openPipe(String name) {
        PipeEnd.Result opened = PipeEnd.open(name);
        if (opened.end() == null) {
            throw new DemiException(opened.errno(), openError(name, opened.errno()));
        }
        if (opened.end().lvRole() != PipeDescriptor.ROLE_PIPE) {
            opened.end().close();
            throw new DemiException(Errno.EINVAL, "'" + name + "' is a catloop socket, not a pipe");
        }
        return add(opened.end());
    }

    private static String createError(String name, int errno) {
        return switch (errno) {
            case Errno.EINVAL -> "pipe name '" + name + "' is not usable: it must be 1.." + maxNameLength()
                    + " characters without '/'";
            case Errno.EEXIST -> "a pipe named '" + name + "' already exists";
            default -> "creating pipe '" + name + "' failed";
        };
    }

    private static String openError(String name, int errno) {
        return switch (errno) {
            case Errno.EINVAL -> "pipe name '" + name + "' is not usable, or the object is not a jdemi pipe";
            case Errno.ENOENT -> "no pipe named '" + name + "' exists";
            default -> "opening pipe '" + name + "' failed";
        };
    }

    private static int maxNameLength() {
        return dev.jdemi.sys.SharedMemory.NAME_MAX - PipeDescriptor.OBJECT_PREFIX.length() + 1;
    }

    private int add(PipeEnd end) {
        return pipes.add(sd -> new PipeQueue(end));
    }

    private PipeQueue find(int sd) {
        PipeQueue pipe = pipes.get(sd);
        if (pipe == null) {
            throw new DemiException(Errno.EBADF, "no pipe " + sd);
        }
        return pipe;
    }

    @Override
    public int socket(int type) {
        throw new DemiException(Errno.ENOTSUP, "catmem has pipes, not sockets; use createPipe and openPipe, or "
                + "catloop for stream sockets");
    }

    @Override
    public void bind(int sd, long local) {
        throw notSocket(sd);
    }

    @Override
    public void listen(int sd, int backlog) {
        throw notSocket(sd);
    }

    @Override
    public void accept(int sd, Operation op) {
        throw notSocket(sd);
    }

    @Override
    public void connect(int sd, Operation op) {
        throw notSocket(sd);
    }

    private static DemiException notSocket(int sd) {
        return new DemiException(Errno.ENOTSUP, "a catmem pipe is not a socket");
    }

    @Override
    public void push(int sd, Operation op) {
        PipeQueue pipe = find(sd);
        pipe.sends.add(op);
        pipe.progress(pool);
    }

    @Override
    public void pop(int sd, Operation op) {
        PipeQueue pipe = find(sd);
        pipe.receives.add(op);
        pipe.progress(pool);
    }

    @Override
    public void close(int sd, Operation op) {
        PipeQueue pipe = find(sd);
        remove(sd, pipe);
        host.closed(op, 0);
    }

    private void remove(int sd, PipeQueue pipe) {
        pipe.end.close();
        pipes.remove(sd);
    }

    @Override
    public void setOption(int sd, SocketOption<?> option, Object value) {
        throw notSocket(sd);
    }

    @Override
    public Object getOption(int sd, SocketOption<?> option) {
        throw notSocket(sd);
    }

    @Override
    public long localAddress(int sd) {
        throw notSocket(sd);
    }

    @Override
    public long peerAddress(int sd) {
        throw notSocket(sd);
    }

    @Override
    public int poll(long nowNs) {
        int work = 0;
        for (int sd = 0; sd < pipes.limit(); sd++) {
            PipeQueue pipe = pipes.get(sd);
            if (pipe != null && pipe.hasPending()) {
                work += pipe.progress(pool);
            }
        }
        return work;
    }

    @Override
    public void block(long timeoutNs) {
        LockSupport.parkNanos(Math.min(timeoutNs, NAP_NS));
    }

    @Override
    public void close() {
        for (int sd = 0; sd < pipes.limit(); sd++) {
            PipeQueue pipe = pipes.get(sd);
            if (pipe != null) {
                pipe.end.close();
                pipes.remove(sd);
            }
        }
    }
}
