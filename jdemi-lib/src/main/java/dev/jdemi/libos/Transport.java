package dev.jdemi.libos;

import dev.jdemi.SocketOption;
import dev.jdemi.runtime.Operation;
import dev.jdemi.runtime.Runtime;

/**
 * What a network backend provides to {@link NetworkLibOS}: sockets identified by a transport descriptor (sd), and
 * the asynchronous operations on them.
 *
 * <p>Synchronous calls throw {@link dev.jdemi.DemiException} with the backend's errno. Asynchronous calls are handed
 * a pending {@link Operation} and must eventually complete or fail it exactly once — or let the LibOS fail it (a
 * close fails every pending operation of the queue first and then calls {@link #close(int, Operation)}). A transport
 * keeps pending operations only in {@link dev.jdemi.runtime.OpList}s, which completion unlinks, so it never holds a
 * stale reference.
 *
 * <p>Ownership: a push's data is {@link Operation#buffer}, the operation's own reference; the operation frees it when
 * it completes. A pop's data is created by the transport and handed to the application with the result.
 */
public interface Transport extends AutoCloseable {
    /**
     * Connects the transport to its LibOS; called once, before anything else.
     *
     * @param host the LibOS
     * @param runtime the LibOS's runtime
     */
    void attach(TransportHost host, Runtime runtime);

    /**
     * Creates a socket.
     *
     * @param type {@code SOCK_STREAM} or {@code SOCK_DGRAM}
     * @return the transport descriptor
     */
    int socket(int type);

    /**
     * Binds a socket.
     *
     * @param sd the socket
     * @param local the packed local address; port 0 asks for an ephemeral port
     */
    void bind(int sd, long local);

    /**
     * Makes a socket listen.
     *
     * @param sd the socket
     * @param backlog the accept backlog, already clamped
     */
    void listen(int sd, int backlog);

    /**
     * Starts accepting; completes through {@link TransportHost#accepted}.
     *
     * @param sd a listening socket
     * @param op the pending operation
     */
    void accept(int sd, Operation op);

    /**
     * Starts connecting; completes through {@link TransportHost#connected}.
     *
     * @param sd the socket
     * @param op the pending operation; {@link Operation#address} is the remote
     */
    void connect(int sd, Operation op);

    /**
     * Starts sending {@link Operation#buffer}, to {@link Operation#address} if that is an address (UDP pushTo).
     *
     * @param sd the socket
     * @param op the pending operation
     */
    void push(int sd, Operation op);

    /**
     * Starts receiving at most {@link Operation#maxBytes}.
     *
     * @param sd the socket
     * @param op the pending operation
     */
    void pop(int sd, Operation op);

    /**
     * Starts closing a socket; completes through {@link TransportHost#closed}. Every other operation of the socket
     * has already been failed.
     *
     * @param sd the socket
     * @param op the pending close
     */
    void close(int sd, Operation op);

    /**
     * Sets a socket option.
     *
     * @param sd the socket
     * @param option the option
     * @param value its value, not null
     */
    void setOption(int sd, SocketOption<?> option, Object value);

    /**
     * Reads a socket option.
     *
     * @param sd the socket
     * @param option the option
     * @return its value
     */
    Object getOption(int sd, SocketOption<?> option);

    /**
     * Returns a socket's local address.
     *
     * @param sd the socket
     * @return the packed address
     */
    long localAddress(int sd);

    /**
     * Returns a socket's peer address.
     *
     * @param sd the socket
     * @return the packed address
     * @throws dev.jdemi.DemiException ENOTCONN when not connected
     */
    long peerAddress(int sd);

    /**
     * Creates a shared-memory pipe (catmem); the LibOS makes a queue of it on which push, pop and close work.
     *
     * @param name the pipe's name
     * @return the transport descriptor
     * @throws dev.jdemi.DemiException ENOTSUP unless the transport has pipes; EINVAL, EEXIST
     */
    default int createPipe(String name) {
        throw new dev.jdemi.DemiException(dev.jdemi.Errno.ENOTSUP, "this LibOS has no pipes; open catmem");
    }

    /**
     * Opens a shared-memory pipe another process created (catmem).
     *
     * @param name the pipe's name
     * @return the transport descriptor
     * @throws dev.jdemi.DemiException ENOTSUP unless the transport has pipes; EINVAL, ENOENT
     */
    default int openPipe(String name) {
        throw new dev.jdemi.DemiException(dev.jdemi.Errno.ENOTSUP, "this LibOS has no pipes; open catmem");
    }

    /** Closes every socket at once, without waiting; used when the LibOS closes. */
    @Override
    void close();
}
