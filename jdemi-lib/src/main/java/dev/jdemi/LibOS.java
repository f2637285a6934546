package dev.jdemi;

import dev.jdemi.spi.LibOSProvider;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ServiceLoader;

/**
 * A library operating system: Demikernel's queue API over one backend (a {@link LibOSName}).
 *
 * <p><b>Thread.</b> A LibOS is confined to the thread that opened it, as upstream keeps it thread-local. Scale across
 * cores with one LibOS per thread, sharing nothing.
 *
 * <p><b>Progress.</b> Work happens inside API calls (each call but the waits and the SGA calls runs one
 * non-blocking scheduler pass) and inside {@code wait}, {@code waitAny} and {@code waitNextN}. An operation that no
 * one waits for still advances whenever any call is made.
 *
 * <p><b>Errors.</b> A misused call or a failed synchronous call throws {@link DemiException} with the errno that the C
 * ABI returns. An asynchronous operation that fails completes with {@link Opcode#FAILED} and the errno in
 * {@link QResult#ret()}. Argument checks run in upstream's order: missing arguments, then the address, then the
 * queue (EBADF), then the socket state.
 *
 * <p><b>Tokens.</b> Each asynchronous call returns a queue token (qt), an opaque non-zero {@code long}. A token stays
 * waitable after its queue is closed (operations pending at the close complete FAILED with EBADF) and is consumed
 * by the wait that returns its result.
 */
public interface LibOS extends AutoCloseable {
    /** POSIX {@code AF_INET}: the only domain jdemi sockets support. */
    int AF_INET = SockAddr.AF_INET;
    /** POSIX {@code SOCK_STREAM}: a TCP socket. */
    int SOCK_STREAM = 1;
    /** POSIX {@code SOCK_DGRAM}: a UDP socket. */
    int SOCK_DGRAM = 2;
    /** The timeout that means "wait until the operation completes". */
    long WAIT_FOREVER = -1L;
    /** The most bytes a pop returns when the caller names no size (upstream's RECVBUF_SIZE_MAX). */
    int DEFAULT_POP_SIZE = 8192;

    /**
     * Opens a LibOS.
     *
     * @param name which LibOS
     * @param config the configuration; {@link Config#defaults()} is enough for catnap
     * @return the LibOS, confined to the calling thread
     * @throws DemiException ENOTSUP when that LibOS is not available on this machine; EINVAL naming the key when the
     *     configuration lacks what the LibOS needs
     */
    static LibOS open(LibOSName name, Config config) {
        for (LibOSProvider provider : ServiceLoader.load(LibOSProvider.class, LibOS.class.getClassLoader())) {
            if (provider.name() == name) {
                return provider.open(config);
            }
        }
        throw new DemiException(Errno.ENOTSUP, "LibOS " + name.id() + " is not available in this build");
    }

    /**
     * Opens a LibOS with the default configuration.
     *
     * @param name which LibOS
     * @return the LibOS
     */
    static LibOS open(LibOSName name) {
        return open(name, Config.defaults());
    }

    /**
     * Opens the LibOS that the environment names, as upstream's {@code demi_init}: {@code LIBOS} selects it
     * (case-insensitive) and {@code CONFIG_PATH} names the YAML configuration. Unlike upstream, catnap needs no
     * configuration file; the other LibOSes do.
     *
     * @return the LibOS
     * @throws DemiException EINVAL when {@code LIBOS} is missing or unknown, or the configuration is invalid
     */
    static LibOS fromEnvironment() {
        String libos = System.getenv("LIBOS");
        if (libos == null || libos.isBlank()) {
            throw new DemiException(Errno.EINVAL, "LIBOS is not set; expected one of catnap, catcollar, catpowder, "
                    + "catnip, catmem, catloop");
        }
        return open(LibOSName.parse(libos), Config.fromEnvironment());
    }

    /** {@return which LibOS this is} */
    LibOSName name();

    /**
     * Creates a socket.
     *
     * @param domain must be {@link #AF_INET}
     * @param type {@link #SOCK_STREAM} or {@link #SOCK_DGRAM}, with no flag bits
     * @param protocol ignored, as upstream
     * @return the new queue descriptor (the first is 500)
     * @throws DemiException ENOTSUP for another domain or type; a transport errno such as EMFILE
     */
    int socket(int domain, int type, int protocol);

    /**
     * Binds a socket to a local address.
     *
     * @param qd the socket
     * @param local the local address
     * @throws DemiException EINVAL (null or IPv6 address, socket already bound), ENOTSUP (wildcard address or port 0
     *     on a TCP socket), EADDRINUSE, EBADF, EISCONN, or a transport errno such as EADDRNOTAVAIL
     */
    default void bind(int qd, InetSocketAddress local) {
        bind(qd, SockAddr.of(local));
    }

    /**
     * Binds a socket to a packed local address ({@link SockAddr}).
     *
     * @param qd the socket
     * @param local the packed address
     */
    void bind(int qd, long local);

    /**
     * Binds a socket to a C {@code struct sockaddr}.
     *
     * @param qd the socket
     * @param sockaddr the address memory
     * @param size its {@code socklen_t}
     */
    default void bind(int qd, MemorySegment sockaddr, long size) {
        bind(qd, SockAddr.parse(sockaddr, size));
    }

    /**
     * Marks a bound socket as accepting connections.
     *
     * @param qd the socket
     * @param backlog the queue of pending connections, {@code >= 1}; larger than SOMAXCONN is cut to it
     * @throws DemiException EINVAL (backlog), EBADF, EDESTADDRREQ (unbound), EADDRINUSE (already listening or
     *     connecting), EISCONN, ENOTSUP (UDP)
     */
    void listen(int qd, int backlog);

    /**
     * Starts accepting one connection.
     *
     * @param qd a listening socket
     * @return the token; its result is {@link Opcode#ACCEPT} with the new qd and the peer's address
     * @throws DemiException EBADF, EINVAL (not listening)
     */
    long accept(int qd);

    /**
     * Starts connecting to a remote address.
     *
     * @param qd the socket
     * @param remote the remote address
     * @return the token; its result is {@link Opcode#CONNECT}, or FAILED with the errno (the socket is then unusable
     *     and must still be closed)
     * @throws DemiException EINVAL, EBADF, EOPNOTSUPP (listening), EINPROGRESS, EISCONN
     */
    default long connect(int qd, InetSocketAddress remote) {
        return connect(qd, SockAddr.of(remote));
    }

    /**
     * Starts connecting to a packed remote address.
     *
     * @param qd the socket
     * @param remote the packed address
     * @return the token
     */
    long connect(int qd, long remote);

    /**
     * Closes a queue and waits until the close completes.
     *
     * <p>Operations pending on the queue complete FAILED with EBADF. Unlike upstream, a failed close is reported.
     *
     * @param qd the queue
     * @throws DemiException EBADF for an unknown or already closed queue; the errno of a failed close
     */
    void close(int qd);

    /**
     * Starts closing a queue.
     *
     * @param qd the queue
     * @return the token; its result is {@link Opcode#CLOSE}
     * @throws DemiException EBADF for an unknown or already closing queue
     */
    long asyncClose(int qd);

    /**
     * Starts sending the data of an SGA on a connected socket or a pipe.
     *
     * <p>The push takes its own reference to the data: the application may free the SGA as soon as this returns.
     *
     * @param qd the queue
     * @param sga the data, 1..65,535 bytes
     * @return the token; its result is {@link Opcode#PUSH} once every byte was handed to the transport
     * @throws DemiException EINVAL (null, freed or empty SGA), EBADF, ENOTCONN (unconnected TCP)
     */
    long push(int qd, Sga sga);

    /**
     * Starts sending the data of an SGA to an address.
     *
     * <p>UDP: the datagram goes to {@code to}, even on a connected socket (the given address overrides the peer).
     * TCP: the address is checked and then ignored, as POSIX allows; the data goes to the peer. Pipes: EBADF.
     *
     * @param qd the socket
     * @param sga the data, 1..65,535 bytes
     * @param to the destination
     * @return the token; its result is {@link Opcode#PUSH}
     * @throws DemiException EINVAL (null or malformed address, null, freed or empty SGA), EBADF (not a socket),
     *     ENOTCONN (unconnected TCP)
     */
    default long pushTo(int qd, Sga sga, InetSocketAddress to) {
        return pushTo(qd, sga, SockAddr.of(to));
    }

    /**
     * Starts sending the data of an SGA to a packed address.
     *
     * @param qd the socket
     * @param sga the data
     * @param to the packed destination
     * @return the token
     */
    long pushTo(int qd, Sga sga, long to);

    /**
     * Starts sending the data of an SGA to a C {@code struct sockaddr}.
     *
     * @param qd the socket
     * @param sga the data
     * @param sockaddr the address memory
     * @param size its {@code socklen_t}
     * @return the token
     */
    default long pushTo(int qd, Sga sga, MemorySegment sockaddr, long size) {
        return pushTo(qd, sga, SockAddr.parse(sockaddr, size));
    }

    /**
     * Starts receiving at most {@link #DEFAULT_POP_SIZE} bytes.
     *
     * @param qd the queue
     * @return the token; its result is {@link Opcode#POP} with a new SGA (zero length at end of stream)
     * @throws DemiException EBADF, ENOTCONN (unconnected TCP), EDESTADDRREQ (unbound UDP)
     */
    default long pop(int qd) {
        return pop(qd, DEFAULT_POP_SIZE);
    }

    /**
     * Starts receiving at most {@code maxBytes} bytes. A pop completes with whatever is available; it does not
     * wait to fill {@code maxBytes}. A UDP datagram longer than {@code maxBytes} is cut to it.
     *
     * @param qd the queue
     * @param maxBytes 1..65,535
     * @return the token
     * @throws DemiException EINVAL for a size out of range, and the errors of {@link #pop(int)}
     */
    long pop(int qd, int maxBytes);

    /**
     * Waits for an operation to complete and consumes its token. (A one-argument {@code wait(long)} cannot exist:
     * {@link Object#wait(long)} takes the name.)
     *
     * @param qt the token
     * @param out filled with the result
     * @return {@code out}
     * @throws DemiException EINVAL for an unknown or consumed token
     */
    default QResult wait(long qt, QResult out) {
        wait(qt, out, WAIT_FOREVER);
        return out;
    }

    /**
     * Waits at most {@code timeout} for an operation, allocating the result.
     *
     * @param qt the token
     * @param timeout how long to wait; null waits forever
     * @return the result
     * @throws DemiException ETIMEDOUT when the operation did not complete in time (it is not cancelled, and the token
     *     can be waited for again); EINVAL for an unknown or consumed token
     */
    default QResult wait(long qt, Duration timeout) {
        QResult result = new QResult();
        if (!wait(qt, result, timeout == null ? WAIT_FOREVER : timeout.toNanos())) {
            throw new DemiException(Errno.ETIMEDOUT, "operation " + Long.toUnsignedString(qt)
                    + " did not complete within " + timeout);
        }
        return result;
    }

    /**
     * Waits for an operation without allocating.
     *
     * @param qt the token
     * @param out filled with the result when the operation completed
     * @param timeoutNs how long to wait; {@link #WAIT_FOREVER} (any negative value) waits forever, 0 polls
     * @return true when the operation completed (its token is consumed), false on timeout
     * @throws DemiException EINVAL for an unknown or consumed token
     */
    boolean wait(long qt, QResult out, long timeoutNs);

    /**
     * Waits for the first of several operations to complete, and consumes its token.
     *
     * <p>When several have completed, the one at the lowest index is returned. To serve many
     * connections fairly, keep the array oldest-first (remove a consumed token by shifting the rest down, not by
     * moving the last one into its place), or a few connections at the front can starve the others.
     *
     * @param qts the tokens
     * @param count how many of {@code qts} to consider, from index 0
     * @param out filled with the result
     * @param timeoutNs how long to wait; negative waits forever
     * @return the index of the completed token in {@code qts}, or -1 on timeout
     * @throws DemiException EINVAL for a negative count or an unknown token
     */
    int waitAny(long[] qts, int count, QResult out, long timeoutNs);

    /**
     * Waits for the first of several operations to complete.
     *
     * @param qts the tokens
     * @param out filled with the result
     * @param timeoutNs how long to wait; negative waits forever
     * @return the index of the completed token, or -1 on timeout
     */
    default int waitAny(long[] qts, QResult out, long timeoutNs) {
        return waitAny(qts, qts.length, out, timeoutNs);
    }

    /**
     * Collects the results of up to {@code n} operations, whichever complete first, consuming their tokens.
     *
     * @param out where to put the results; the first {@code n} entries must not be null
     * @param n how many results to collect, {@code >= 1}
     * @param timeoutNs how long to wait for all {@code n}; negative waits forever
     * @return the number of results written; fewer than {@code n} means the timeout passed
     * @throws DemiException EINVAL for {@code n < 1} or an output array shorter than {@code n}
     */
    int waitNextN(QResult[] out, int n, long timeoutNs);

    /**
     * Creates a shared-memory pipe (catmem) and returns its queue: push sends to the process that opens it, pop
     * receives what it sends (C: {@code demi_create_pipe}).
     *
     * @param name the pipe's name, unique on the host
     * @return the queue descriptor
     * @throws DemiException EINVAL for an empty or malformed name, EEXIST when the name is taken, ENOTSUP on a LibOS
     *     without pipes
     */
    default int createPipe(String name) {
        throw new DemiException(Errno.ENOTSUP, name().id() + " has no pipes; open catmem for createPipe");
    }

    /**
     * Opens a pipe another process created (C: {@code demi_open_pipe}).
     *
     * @param name the pipe's name
     * @return the queue descriptor
     * @throws DemiException EINVAL for an empty or malformed name, ENOENT when no such pipe exists, ENOTSUP on a
     *     LibOS without pipes
     */
    default int openPipe(String name) {
        throw new DemiException(Errno.ENOTSUP, name().id() + " has no pipes; open catmem for openPipe");
    }

    /**
     * Allocates an SGA of {@code size} bytes. The bytes are not initialised.
     *
     * @param size 1..65,535
     * @return the SGA, owned by the caller
     * @throws DemiException EINVAL for a size out of range; ENOMEM when the pool is exhausted
     */
    Sga sgaAlloc(int size);

    /**
     * Returns an SGA to the LibOS.
     *
     * @param sga an SGA from {@link #sgaAlloc} or a completed pop of this LibOS
     * @throws DemiException EINVAL for null, an SGA already freed, or one of another LibOS
     */
    void sgaFree(Sga sga);

    /**
     * Sets a socket option.
     *
     * @param qd the socket
     * @param option the option
     * @param value its value
     * @param <T> the value's type
     * @throws DemiException EINVAL (null value), EBADF, EBUSY (closing), ENOTSUP (not for this socket type)
     */
    <T> void setSockOpt(int qd, SocketOption<T> option, T value);

    /**
     * Reads a socket option.
     *
     * @param qd the socket
     * @param option the option
     * @param <T> the value's type
     * @return its value
     * @throws DemiException EBADF, ENOTSUP
     */
    <T> T getSockOpt(int qd, SocketOption<T> option);

    /**
     * Returns the address of a connected socket's peer.
     *
     * @param qd the socket
     * @return the peer's address
     * @throws DemiException EBADF, ENOTCONN
     */
    InetSocketAddress getPeerName(int qd);

    /**
     * Returns a socket's local address (upstream's C ABI answers ENOSYS here; jdemi implements it).
     *
     * @param qd the socket
     * @return the local address; 0.0.0.0:0 for an unbound socket
     * @throws DemiException EBADF
     */
    InetSocketAddress getSockName(int qd);

    /**
     * Closes every queue and releases the LibOS's memory. SGAs of this LibOS must not be used afterwards.
     */
    @Override
    void close();
}
