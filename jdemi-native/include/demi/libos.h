/*
 * jdemi: Demikernel's C ABI over the JVM.
 *
 * demi/libos.h: the LibOS and its queues (sockets and, later, shared-memory pipes).
 *
 * Every call returns 0 on success or a positive errno. Before demi_init, every call returns ENOSYS. A LibOS belongs
 * to the thread that called demi_init: each thread that uses Demikernel calls demi_init and gets its own LibOS and
 * its own queue descriptors (qds; the first is 500). Asynchronous calls (accept, connect, push, pushto, pop) return
 * a token in *qt_out; demi/wait.h turns a token into a result.
 */
#ifndef DEMI_LIBOS_H_IS_INCLUDED
#define DEMI_LIBOS_H_IS_INCLUDED

#include <demi/types.h>
#include <stddef.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C"
{
#endif

    /*
     * Starts Demikernel on the calling thread: the environment variable LIBOS names the LibOS (catnap, ...) and
     * CONFIG_PATH its YAML configuration (catnap needs none). `args` may be NULL; jdemi reads none of its fields.
     * The first call in a process starts a JVM inside it (or joins the JVM that is already there).
     * Returns 0, EEXIST when this thread already called it, EINVAL for a missing or unknown LIBOS or a bad
     * configuration, EIO when the JVM cannot be started (the reason is printed on stderr).
     */
    extern int demi_init(const struct demi_args *args);

    /*
     * Creates a shared-memory pipe called `name` (LIBOS=catmem) and returns its qd in *memqd_out. Returns 0,
     * EINVAL (NULL argument), ENOTSUP (a LibOS without pipes, such as catnap), or the LibOS's errno.
     */
    extern int demi_create_pipe(int *memqd_out, const char *name);

    /*
     * Opens the shared-memory pipe called `name` that another process created (LIBOS=catmem). Returns what
     * demi_create_pipe returns.
     */
    extern int demi_open_pipe(int *memqd_out, const char *name);

    /*
     * Creates a socket: domain AF_INET, type SOCK_STREAM or SOCK_DGRAM (no flag bits); protocol is ignored.
     * Returns 0 with the qd in *sockqd_out, EINVAL (NULL sockqd_out), ENOTSUP (another domain or type), or a
     * kernel errno such as EMFILE.
     */
    extern int demi_socket(int *sockqd_out, int domain, int type, int protocol);

    /*
     * Makes a bound TCP socket accept connections; backlog >= 1 (more than SOMAXCONN is cut to it).
     * Returns 0, EINVAL (backlog), EBADF, EDESTADDRREQ (unbound), EADDRINUSE (already listening or connecting),
     * EISCONN, ENOTSUP (UDP).
     */
    extern int demi_listen(int sockqd, int backlog);

    /*
     * Binds a socket to a local IPv4 address (a struct sockaddr_in and size 16). TCP needs a specific address and
     * port; UDP may use 0.0.0.0 and port 0. Returns 0, EINVAL (NULL or malformed address, IPv6, already bound),
     * ENOTSUP (other family; TCP with 0.0.0.0 or port 0), EADDRINUSE, EBADF, EISCONN, or a kernel errno.
     */
    extern int demi_bind(int sockqd, const struct sockaddr *addr, socklen_t size);

    /*
     * Starts accepting one connection on a listening socket. The result is DEMI_OPC_ACCEPT with the new queue and
     * the peer in qr_value.ares. Returns 0, EINVAL (NULL qt_out, not listening) or EBADF.
     */
    extern int demi_accept(demi_qtoken_t *qt_out, int sockqd);

    /*
     * Starts connecting a socket to a remote IPv4 address. The result is DEMI_OPC_CONNECT, or DEMI_OPC_FAILED with
     * the errno (then the socket is unusable and must still be closed). Returns 0, EINVAL, EBADF, EOPNOTSUPP
     * (listening), EINPROGRESS (already connecting) or EISCONN.
     */
    extern int demi_connect(demi_qtoken_t *qt_out, int sockqd, const struct sockaddr *addr, socklen_t size);

    /*
     * Closes a queue and waits for the close to finish. Operations still pending on it complete with
     * DEMI_OPC_FAILED and EBADF; their tokens stay waitable. Returns 0, EBADF (unknown or closed qd), or the
     * errno of a failed close (jdemi reports it; Demikernel returns 0).
     */
    extern int demi_close(int qd);

    /*
     * Starts sending the data of sga_segs[0] on a connected socket. The SGA may be freed as soon as this returns.
     * Returns 0, EINVAL (NULL qt_out or sga, sga_numsegs != 1, stale handle, a segment outside its buffer or of
     * length 0), EBADF, or ENOTCONN (unconnected TCP).
     */
    extern int demi_push(demi_qtoken_t *qt_out, int qd, const demi_sgarray_t *sga);

    /*
     * Starts sending the data of sga_segs[0] to an address: a UDP datagram goes there, even on a connected socket;
     * TCP ignores the address and sends to its peer. Returns what demi_push returns, plus EINVAL or ENOTSUP for a
     * NULL or malformed address.
     */
    extern int demi_pushto(demi_qtoken_t *qt_out, int sockqd, const demi_sgarray_t *sga,
                           const struct sockaddr *dest_addr, socklen_t size);

    /*
     * Starts receiving up to 8192 bytes: whatever arrives first, without waiting to fill them. The result is
     * DEMI_OPC_POP with a new SGA in qr_value.sga that the program frees with demi_sgafree; its length is 0 at end
     * of stream. For UDP, sga_addr is the sender. Returns 0, EINVAL, EBADF, ENOTCONN (unconnected TCP) or
     * EDESTADDRREQ (unbound UDP).
     */
    extern int demi_pop(demi_qtoken_t *qt_out, int qd);

    /*
     * Sets a socket option: SO_LINGER (SOL_SOCKET; a struct linger, optlen 8), SO_KEEPALIVE (SOL_SOCKET; an int)
     * and TCP_NODELAY (IPPROTO_TCP; an int). Returns 0, ENOTSUP (level), ENOPROTOOPT (option), EINVAL (NULL optval,
     * wrong optlen, negative l_linger), EBADF, EBUSY (closing), or ENOTSUP (an option this socket type lacks).
     */
    extern int demi_setsockopt(int sockqd, int level, int optname, const void *optval, socklen_t optlen);

    /*
     * Reads a socket option (as demi_setsockopt) into optval and its size into *optlen. *optlen must be at least
     * the option's size on entry (8 for SO_LINGER, 4 for the others). Returns 0 or the errors of demi_setsockopt.
     */
    extern int demi_getsockopt(int sockqd, int level, int optname, void *optval, socklen_t *optlen);

    /*
     * Writes the peer of a connected socket as a struct sockaddr_in; *addrlen must be at least 16 and is set to
     * 16. Returns 0, EINVAL, EBADF or ENOTCONN.
     */
    extern int demi_getpeername(int sockqd, struct sockaddr *addr, socklen_t *addrlen);

    /*
     * Writes a socket's local address as a struct sockaddr_in (0.0.0.0:0 when unbound); *addrlen must be at least
     * 16 and is set to 16. Demikernel exports this call without declaring it and answers ENOSYS; jdemi implements
     * it. Returns 0, EINVAL or EBADF.
     */
    extern int demi_getsockname(int sockqd, struct sockaddr *addr, socklen_t *addrlen);

#ifdef __cplusplus
}
#endif

#endif /* DEMI_LIBOS_H_IS_INCLUDED */
