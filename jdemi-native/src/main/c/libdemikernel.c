/*
 * jdemi-native: the demi_* entry points of libdemikernel.so.
 *
 * Each entry point checks what C alone can check (initialisation, NULL output pointers) and calls the Java side
 * through the upcall table. It never allocates, never blocks outside the Java call, and never lets anything but a
 * positive errno reach the caller: the Java side catches every Throwable.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <demi/libos.h>
#include <demi/sga.h>
#include <demi/wait.h>

#include "jdemi_abi.h"

#define DEMI_EXPORT __attribute__((visibility("default")))

/* Filled once by the Java side; read-only afterwards. */
static struct jdemi_entries jdemi;

/* This thread's LibOS number on the Java side, or -1 before demi_init: Demikernel's LibOS is thread-local. */
static __thread int32_t tls_ctx = -1;

_Static_assert(sizeof(demi_sgaseg_t) == 12, "demi_sgaseg_t must be 12 bytes");
_Static_assert(sizeof(demi_sgarray_t) == 40, "demi_sgarray_t must be 40 bytes");
_Static_assert(sizeof(demi_accept_result_t) == 20, "demi_accept_result_t must be 20 bytes");
_Static_assert(sizeof(demi_qresult_t) == 64, "demi_qresult_t must be 64 bytes");
_Static_assert(sizeof(struct demi_args) == 20, "struct demi_args must be 20 bytes");
_Static_assert(sizeof(demi_opcode_t) == 4, "demi_opcode_t must be 4 bytes");

static inline int64_t ptr(const void *p)
{
    return (int64_t)(intptr_t)p;
}

/* A negative result of the Java side is -errno; anything else is success. */
static inline int status(int32_t r)
{
    return r < 0 ? -r : 0;
}

/*
 * Converts a C timeout to nanoseconds for the Java side, where a negative value means "no limit". NULL and a
 * negative tv_sec wait without limit (Demikernel would turn the latter into a huge unsigned value); a long
 * timeout saturates.
 */
static int64_t timeout_ns(const struct timespec *timeout)
{
    if (timeout == NULL || timeout->tv_sec < 0)
    {
        return -1;
    }
    int64_t ns = 0;
    int64_t nsec = timeout->tv_nsec < 0 ? 0 : (int64_t)timeout->tv_nsec;
    if (__builtin_mul_overflow((int64_t)timeout->tv_sec, (int64_t)1000000000, &ns) ||
        __builtin_add_overflow(ns, nsec, &ns))
    {
        return INT64_MAX;
    }
    return ns;
}

DEMI_EXPORT int demi_init(const struct demi_args *args)
{
    (void)args;
    if (tls_ctx >= 0)
    {
        return EEXIST;
    }
    int rc = jdemi_boot(&jdemi);
    if (rc != 0)
    {
        return rc;
    }
    int32_t ctx = jdemi.init();
    if (ctx < 0)
    {
        return -ctx;
    }
    tls_ctx = ctx;
    return 0;
}

DEMI_EXPORT int demi_create_pipe(int *memqd_out, const char *name)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    if (memqd_out == NULL || name == NULL)
    {
        return EINVAL;
    }
    int32_t r = jdemi.create_pipe(tls_ctx, ptr(name));
    if (r < 0)
    {
        return -r;
    }
    *memqd_out = r;
    return 0;
}

DEMI_EXPORT int demi_open_pipe(int *memqd_out, const char *name)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    if (memqd_out == NULL || name == NULL)
    {
        return EINVAL;
    }
    int32_t r = jdemi.open_pipe(tls_ctx, ptr(name));
    if (r < 0)
    {
        return -r;
    }
    *memqd_out = r;
    return 0;
}

DEMI_EXPORT int demi_socket(int *sockqd_out, int domain, int type, int protocol)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    if (sockqd_out == NULL)
    {
        return EINVAL;
    }
    int32_t r = jdemi.socket(tls_ctx, domain, type, protocol);
    if (r < 0)
    {
        return -r;
    }
    *sockqd_out = r;
    return 0;
}

DEMI_EXPORT int demi_listen(int sockqd, int backlog)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    return status(jdemi.listen(tls_ctx, sockqd, backlog));
}

DEMI_EXPORT int demi_bind(int sockqd, const struct sockaddr *addr, socklen_t size)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    return status(jdemi.bind(tls_ctx, sockqd, ptr(addr), (int64_t)size));
}

DEMI_EXPORT int demi_accept(demi_qtoken_t *qt_out, int sockqd)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    if (qt_out == NULL)
    {
        return EINVAL;
    }
    return status(jdemi.accept(tls_ctx, ptr(qt_out), sockqd));
}

DEMI_EXPORT int demi_connect(demi_qtoken_t *qt_out, int sockqd, const struct sockaddr *addr, socklen_t size)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    if (qt_out == NULL)
    {
        return EINVAL;
    }
    return status(jdemi.connect(tls_ctx, ptr(qt_out), sockqd, ptr(addr), (int64_t)size));
}

DEMI_EXPORT int demi_close(int qd)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    return status(jdemi.close(tls_ctx, qd));
}

DEMI_EXPORT int demi_push(demi_qtoken_t *qt_out, int qd, const demi_sgarray_t *sga)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    if (qt_out == NULL || sga == NULL)
    {
        return EINVAL;
    }
    return status(jdemi.push(tls_ctx, ptr(qt_out), qd, ptr(sga)));
}

DEMI_EXPORT int demi_pushto(demi_qtoken_t *qt_out, int sockqd, const demi_sgarray_t *sga,
                            const struct sockaddr *dest_addr, socklen_t size)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    if (qt_out == NULL || sga == NULL)
    {
        return EINVAL;
    }
    return status(jdemi.pushto(tls_ctx, ptr(qt_out), sockqd, ptr(sga), ptr(dest_addr), (int64_t)size));
}

DEMI_EXPORT int demi_pop(demi_qtoken_t *qt_out, int qd)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    if (qt_out == NULL)
    {
        return EINVAL;
    }
    return status(jdemi.pop(tls_ctx, ptr(qt_out), qd));
}

DEMI_EXPORT int demi_wait(demi_qresult_t *qr_out, demi_qtoken_t qt, const struct timespec *timeout)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    if (qr_out == NULL)
    {
        return EINVAL;
    }
    return status(jdemi.wait(tls_ctx, ptr(qr_out), (int64_t)qt, timeout_ns(timeout)));
}

DEMI_EXPORT int demi_wait_any(demi_qresult_t *qr_out, int *ready_offset, const demi_qtoken_t qts[], int num_qts,
                              const struct timespec *timeout)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    /* Demikernel dereferences NULL qts and ready_offset; jdemi refuses them. */
    if (qr_out == NULL || num_qts < 0 || (num_qts > 0 && (qts == NULL || ready_offset == NULL)))
    {
        return EINVAL;
    }
    int32_t r = jdemi.wait_any(tls_ctx, ptr(qr_out), ptr(qts), num_qts, timeout_ns(timeout));
    if (r < 0)
    {
        return -r;
    }
    *ready_offset = r;
    return 0;
}

DEMI_EXPORT int demi_wait_next_n(demi_qresult_t *qr_out, int num_qrs, int *num_qrs_out,
                                 const struct timespec *timeout)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    if (qr_out == NULL || num_qrs <= 0 || num_qrs_out == NULL)
    {
        return EINVAL;
    }
    int32_t r = jdemi.wait_next_n(tls_ctx, ptr(qr_out), num_qrs, timeout_ns(timeout));
    if (r < 0)
    {
        return -r;
    }
    *num_qrs_out = r;
    return r == num_qrs ? 0 : ETIMEDOUT;
}

DEMI_EXPORT demi_sgarray_t demi_sgaalloc(size_t size)
{
    demi_sgarray_t sga;
    memset(&sga, 0, sizeof(sga));
    if (tls_ctx < 0 || size == 0 || size > 65535)
    {
        return sga;
    }
    if (jdemi.sgaalloc(tls_ctx, (int64_t)size, ptr(&sga)) != 0)
    {
        memset(&sga, 0, sizeof(sga));
    }
    return sga;
}

DEMI_EXPORT int demi_sgafree(demi_sgarray_t *sga)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    if (sga == NULL)
    {
        return EINVAL;
    }
    return status(jdemi.sgafree(tls_ctx, ptr(sga)));
}

DEMI_EXPORT int demi_setsockopt(int sockqd, int level, int optname, const void *optval, socklen_t optlen)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    return status(jdemi.setsockopt(tls_ctx, sockqd, level, optname, ptr(optval), (int64_t)optlen));
}

DEMI_EXPORT int demi_getsockopt(int sockqd, int level, int optname, void *optval, socklen_t *optlen)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    return status(jdemi.getsockopt(tls_ctx, sockqd, level, optname, ptr(optval), ptr(optlen)));
}

/* The checks Demikernel's getpeername makes before it looks at the queue; jdemi also accepts a larger buffer. */
static int check_addr_out(const struct sockaddr *addr, const socklen_t *addrlen)
{
    if (addr == NULL || addrlen == NULL || *addrlen < sizeof(struct sockaddr_in))
    {
        return EINVAL;
    }
    return 0;
}

DEMI_EXPORT int demi_getpeername(int sockqd, struct sockaddr *addr, socklen_t *addrlen)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    int rc = check_addr_out(addr, addrlen);
    if (rc != 0)
    {
        return rc;
    }
    rc = status(jdemi.getpeername(tls_ctx, sockqd, ptr(addr)));
    if (rc == 0)
    {
        *addrlen = sizeof(struct sockaddr_in);
    }
    return rc;
}

DEMI_EXPORT int demi_getsockname(int sockqd, struct sockaddr *addr, socklen_t *addrlen)
{
    if (tls_ctx < 0)
    {
        return ENOSYS;
    }
    int rc = check_addr_out(addr, addrlen);
    if (rc != 0)
    {
        return rc;
    }
    rc = status(jdemi.getsockname(tls_ctx, sockqd, ptr(addr)));
    if (rc == 0)
    {
        *addrlen = sizeof(struct sockaddr_in);
    }
    return rc;
}
