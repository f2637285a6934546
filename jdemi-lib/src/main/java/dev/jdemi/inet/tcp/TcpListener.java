package dev.jdemi.inet.tcp;

/**
 * A passive open on a local port (RFC 9293 LISTEN): it answers SYNs and queues established connections for
 * {@link #accept()}. The backlog bounds half-open plus not-yet-accepted connections; when it is full a SYN is answered
 * with a SYN cookie (when enabled) instead of creating state. Not thread-safe.
 */
public final class TcpListener {
    final TcpStack stack;
    final int localAddr;
    final int localPort;
    final int backlog;
    private final TcpConnection[] queue;
    private int head;
    private int queued;
    int halfOpen;
    private boolean closed;

    TcpListener(TcpStack stack, int localAddr, int localPort, int backlog) {
        this.stack = stack;
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.backlog = backlog;
        this.queue = new TcpConnection[backlog];
    }

    /**
     * The local port.
     *
     * @return the port
     */
    public int localPort() {
        return localPort;
    }

    /**
     * Takes the oldest established connection.
     *
     * @return the connection, or {@code null} when none is waiting
     */
    public TcpConnection accept() {
        if (queued == 0) {
            return null;
        }
        TcpConnection c = queue[head];
        queue[head] = null;
        head = (head + 1) % queue.length;
        queued--;
        return c;
    }

    /**
     * Connections waiting in {@link #accept()}.
     *
     * @return the count
     */
    public int acceptable() {
        return queued;
    }

    /**
     * Half-open connections (SYN_RECEIVED).
     *
     * @return the count
     */
    public int halfOpen() {
        return halfOpen;
    }

    boolean isFull() {
        return halfOpen + queued >= backlog;
    }

    boolean hasQueueRoom() {
        return queued < backlog;
    }

    void enqueue(TcpConnection c) {
        queue[(head + queued) % queue.length] = c;
        queued++;
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Stops listening: connections not yet accepted, queued or half-open, are aborted with RST.
     *
     * @param nowNs the current time
     */
    public void close(long nowNs) {
        closed = true;
        TcpConnection c;
        while ((c = accept()) != null) {
            c.abort(nowNs);
        }
        stack.abortHalfOpen(this, nowNs);
        stack.removeListener(this);
    }
}
