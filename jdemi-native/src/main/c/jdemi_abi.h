/*
 * jdemi-native: the contract between libdemikernel.so (C) and dev.jdemi.nativeabi (Java).
 *
 * The Java side fills `struct jdemi_entries` with FFM upcall stubs, in exactly this order (NativeAbi.ENTRIES lists
 * the same names and signatures). Pointers cross as int64_t. An int32_t result is >= 0 on success (a value, or 0)
 * and -errno on failure, unless the entry says otherwise. `ctx` is the calling thread's LibOS number, from init.
 */
#ifndef JDEMI_ABI_H
#define JDEMI_ABI_H

#include <stdint.h>

/* Bumped whenever the table below changes; the Java side refuses a table of another version. */
#define JDEMI_ABI_VERSION 1

struct jdemi_entries
{
    int32_t (*init)(void);
    int32_t (*create_pipe)(int32_t ctx, int64_t name);
    int32_t (*open_pipe)(int32_t ctx, int64_t name);
    int32_t (*socket)(int32_t ctx, int32_t domain, int32_t type, int32_t protocol);
    int32_t (*listen)(int32_t ctx, int32_t qd, int32_t backlog);
    int32_t (*bind)(int32_t ctx, int32_t qd, int64_t addr, int64_t size);
    int32_t (*accept)(int32_t ctx, int64_t qt_out, int32_t qd);
    int32_t (*connect)(int32_t ctx, int64_t qt_out, int32_t qd, int64_t addr, int64_t size);
    int32_t (*close)(int32_t ctx, int32_t qd);
    int32_t (*push)(int32_t ctx, int64_t qt_out, int32_t qd, int64_t sga);
    int32_t (*pushto)(int32_t ctx, int64_t qt_out, int32_t qd, int64_t sga, int64_t addr, int64_t size);
    int32_t (*pop)(int32_t ctx, int64_t qt_out, int32_t qd);
    /* 0 (completed; result written), or -errno (-ETIMEDOUT on timeout). */
    int32_t (*wait)(int32_t ctx, int64_t qr, int64_t qt, int64_t timeout_ns);
    /* The index of the completed token (result written), or -errno. */
    int32_t (*wait_any)(int32_t ctx, int64_t qr, int64_t qts, int32_t count, int64_t timeout_ns);
    /* How many results were written, or -errno. */
    int32_t (*wait_next_n)(int32_t ctx, int64_t qrs, int32_t n, int64_t timeout_ns);
    /* Writes a 40-byte demi_sgarray_t at `out`; 0 or -errno (then `out` is untouched). */
    int32_t (*sgaalloc)(int32_t ctx, int64_t size, int64_t out);
    int32_t (*sgafree)(int32_t ctx, int64_t sga);
    int32_t (*setsockopt)(int32_t ctx, int32_t qd, int32_t level, int32_t optname, int64_t optval, int64_t optlen);
    int32_t (*getsockopt)(int32_t ctx, int32_t qd, int32_t level, int32_t optname, int64_t optval, int64_t optlen);
    /* Both write a 16-byte struct sockaddr_in at `addr`. */
    int32_t (*getpeername)(int32_t ctx, int32_t qd, int64_t addr);
    int32_t (*getsockname)(int32_t ctx, int32_t qd, int64_t addr);
};

#define JDEMI_ENTRY_COUNT ((int32_t)(sizeof(struct jdemi_entries) / sizeof(void *)))

/*
 * Starts or joins the JVM and has the Java side fill `entries`, once per process. Returns 0, or a positive errno
 * after printing the reason on stderr. Safe to call from several threads at once.
 */
int jdemi_boot(struct jdemi_entries *entries);

#endif /* JDEMI_ABI_H */
