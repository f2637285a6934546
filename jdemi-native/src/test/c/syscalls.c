/*
 * Every entry point with invalid arguments returns an error (the expected errno) and does not crash; calls before
 * demi_init return ENOSYS; a second demi_init returns EEXIST; SGA handles are checked. As upstream's
 * tests/c/syscalls.c, each check prints "test result: passed|FAILED <name>" on stderr.
 *
 * Usage: syscalls                      (LIBOS=catnap)
 *        syscalls --init-fails ERRNO   (demi_init must fail with ERRNO, and every call after it with ENOSYS)
 */
#define _POSIX_C_SOURCE 200809L

#include <netinet/tcp.h>

#include "common.h"

static int failed;

static void result(const char *name, int ok)
{
    fprintf(stderr, "test result: %s %s\n", ok ? "passed" : "FAILED", name);
    failed += !ok;
}

/* Checks that `expr` returns exactly `want`. */
#define EXPECT(name, expr, want)                                                                                   \
    do                                                                                                             \
    {                                                                                                              \
        int got_ = (expr);                                                                                         \
        if (got_ != (want))                                                                                        \
        {                                                                                                          \
            fprintf(stderr, "    %s returned %d (%s), expected %d (%s)\n", #expr, got_, strerror(got_),            \
                    (int)(want), strerror(want));                                                                  \
        }                                                                                                          \
        result(name, got_ == (want));                                                                              \
    } while (0)

static int is_null_sga(const demi_sgarray_t *sga)
{
    static const demi_sgarray_t zero;
    return memcmp(sga, &zero, sizeof(zero)) == 0;
}

/* Every call before (or without) a LibOS on this thread. */
static void without_libos(void)
{
    int qd = -1;
    demi_qtoken_t qt = 0;
    demi_qresult_t qr;
    demi_sgarray_t sga = demi_sgaalloc(64);
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int offset = 0;
    int n = 0;
    build_sockaddr("127.0.0.1", "1", &sin);
    result("sgaalloc before init gives the null sga", is_null_sga(&sga));
    EXPECT("socket before init", demi_socket(&qd, AF_INET, SOCK_STREAM, 0), ENOSYS);
    EXPECT("bind before init", demi_bind(500, (struct sockaddr *)&sin, sizeof(sin)), ENOSYS);
    EXPECT("listen before init", demi_listen(500, 16), ENOSYS);
    EXPECT("accept before init", demi_accept(&qt, 500), ENOSYS);
    EXPECT("connect before init", demi_connect(&qt, 500, (struct sockaddr *)&sin, sizeof(sin)), ENOSYS);
    EXPECT("close before init", demi_close(500), ENOSYS);
    EXPECT("push before init", demi_push(&qt, 500, &sga), ENOSYS);
    EXPECT("pushto before init", demi_pushto(&qt, 500, &sga, (struct sockaddr *)&sin, sizeof(sin)), ENOSYS);
    EXPECT("pop before init", demi_pop(&qt, 500), ENOSYS);
    EXPECT("wait before init", demi_wait(&qr, 1, NULL), ENOSYS);
    EXPECT("wait_any before init", demi_wait_any(&qr, &offset, &qt, 1, NULL), ENOSYS);
    EXPECT("wait_next_n before init", demi_wait_next_n(&qr, 1, &n, NULL), ENOSYS);
    EXPECT("sgafree before init", demi_sgafree(&sga), ENOSYS);
    EXPECT("setsockopt before init", demi_setsockopt(500, SOL_SOCKET, SO_LINGER, &sin, 8), ENOSYS);
    EXPECT("getsockopt before init", demi_getsockopt(500, SOL_SOCKET, SO_LINGER, &sin, &len), ENOSYS);
    EXPECT("getpeername before init", demi_getpeername(500, (struct sockaddr *)&sin, &len), ENOSYS);
    EXPECT("getsockname before init", demi_getsockname(500, (struct sockaddr *)&sin, &len), ENOSYS);
    EXPECT("create_pipe before init", demi_create_pipe(&qd, "p"), ENOSYS);
    EXPECT("open_pipe before init", demi_open_pipe(&qd, "p"), ENOSYS);
}

/* Upstream's list (tests/c/syscalls.c): NULLs and -1s everywhere. */
static void upstream_invalid_calls(void)
{
    result("socket(NULL, -1, -1, -1)", demi_socket(NULL, -1, -1, -1) != 0);
    result("listen(-1, -1)", demi_listen(-1, -1) != 0);
    result("bind(-1, NULL, 0)", demi_bind(-1, NULL, 0) != 0);
    result("accept(NULL, -1)", demi_accept(NULL, -1) != 0);
    result("connect(NULL, -1, NULL, -1)", demi_connect(NULL, -1, NULL, (socklen_t)-1) != 0);
    result("close(-1)", demi_close(-1) != 0);
    result("push(NULL, -1, NULL)", demi_push(NULL, -1, NULL) != 0);
    result("pushto(NULL, -1, NULL, NULL, -1)", demi_pushto(NULL, -1, NULL, NULL, (socklen_t)-1) != 0);
    result("pop(NULL, -1)", demi_pop(NULL, -1) != 0);
    result("setsockopt(-1, -1, -1, NULL, 0)", demi_setsockopt(-1, -1, -1, NULL, 0) != 0);
    result("getsockopt(-1, -1, -1, NULL, NULL)", demi_getsockopt(-1, -1, -1, NULL, NULL) != 0);
    result("getpeername(-1, NULL, NULL)", demi_getpeername(-1, NULL, NULL) != 0);
    result("getsockname(-1, NULL, NULL)", demi_getsockname(-1, NULL, NULL) != 0);
    demi_sgarray_t sga = demi_sgaalloc(0);
    result("sgaalloc(0) gives the null sga", is_null_sga(&sga) && sga.sga_buf == NULL);
    result("sgafree(NULL)", demi_sgafree(NULL) != 0);
    result("wait(NULL, -1, NULL)", demi_wait(NULL, (demi_qtoken_t)-1, NULL) != 0);
    result("wait_any(NULL, NULL, NULL, -1, NULL)", demi_wait_any(NULL, NULL, NULL, -1, NULL) != 0);
    result("wait_next_n(NULL, -1, NULL, NULL)", demi_wait_next_n(NULL, -1, NULL, NULL) != 0);
    result("create_pipe(NULL, NULL)", demi_create_pipe(NULL, NULL) != 0);
    result("open_pipe(NULL, NULL)", demi_open_pipe(NULL, NULL) != 0);
}

/* The exact errno of each misuse (spec 1.3 and jdemi's semantics). */
static void exact_errors(void)
{
    struct sockaddr_in sin;
    struct sockaddr_in out;
    socklen_t len = sizeof(out);
    demi_qtoken_t qt = 0;
    demi_qresult_t qr;
    int qd = -1;
    int udp = -1;
    int offset = -1;
    int n = -1;
    build_sockaddr("127.0.0.1", "0", &sin);

    EXPECT("socket: NULL qd_out", demi_socket(NULL, AF_INET, SOCK_STREAM, 0), EINVAL);
    EXPECT("socket: AF_INET6", demi_socket(&qd, AF_INET6, SOCK_STREAM, 0), ENOTSUP);
    EXPECT("socket: SOCK_RAW", demi_socket(&qd, AF_INET, SOCK_RAW, 0), ENOTSUP);
    EXPECT("socket: SOCK_STREAM | SOCK_NONBLOCK", demi_socket(&qd, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), ENOTSUP);
    EXPECT("socket: TCP", demi_socket(&qd, AF_INET, SOCK_STREAM, 0), 0);
    result("socket: first qd is 500", qd == 500);
    EXPECT("socket: UDP", demi_socket(&udp, AF_INET, SOCK_DGRAM, 0), 0);

    EXPECT("bind: NULL address", demi_bind(qd, NULL, sizeof(sin)), EINVAL);
    EXPECT("bind: size 1", demi_bind(qd, (struct sockaddr *)&sin, 1), EINVAL);
    EXPECT("bind: AF_INET of size 8", demi_bind(qd, (struct sockaddr *)&sin, 8), EINVAL);
    struct sockaddr_in unix_family = sin;
    unix_family.sin_family = AF_UNIX;
    EXPECT("bind: AF_UNIX", demi_bind(qd, (struct sockaddr *)&unix_family, sizeof(sin)), ENOTSUP);
    EXPECT("bind: TCP port 0", demi_bind(qd, (struct sockaddr *)&sin, sizeof(sin)), ENOTSUP);
    EXPECT("bind: bad qd", demi_bind(12345, (struct sockaddr *)&sin, sizeof(sin)), EBADF);
    EXPECT("bind: UDP to 127.0.0.1:0", demi_bind(udp, (struct sockaddr *)&sin, sizeof(sin)), 0);

    EXPECT("getsockname: NULL addr", demi_getsockname(udp, NULL, &len), EINVAL);
    len = 8;
    EXPECT("getsockname: addrlen 8", demi_getsockname(udp, (struct sockaddr *)&out, &len), EINVAL);
    len = sizeof(out);
    EXPECT("getsockname: UDP", demi_getsockname(udp, (struct sockaddr *)&out, &len), 0);
    result("getsockname: the kernel picked a port on 127.0.0.1",
           len == sizeof(out) && out.sin_family == AF_INET && out.sin_port != 0 &&
               out.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    EXPECT("getsockname: bad qd", demi_getsockname(12345, (struct sockaddr *)&out, &len), EBADF);
    EXPECT("getpeername: unconnected", demi_getpeername(qd, (struct sockaddr *)&out, &len), ENOTCONN);
    EXPECT("getpeername: NULL addrlen", demi_getpeername(qd, (struct sockaddr *)&out, NULL), EINVAL);

    EXPECT("listen: backlog 0", demi_listen(qd, 0), EINVAL);
    EXPECT("listen: unbound", demi_listen(qd, 16), EDESTADDRREQ);
    EXPECT("listen: bad qd", demi_listen(12345, 16), EBADF);
    EXPECT("listen: UDP", demi_listen(udp, 16), ENOTSUP);
    EXPECT("accept: NULL qt_out", demi_accept(NULL, qd), EINVAL);
    EXPECT("accept: not listening", demi_accept(&qt, qd), EINVAL);
    EXPECT("accept: bad qd", demi_accept(&qt, 12345), EBADF);
    EXPECT("connect: NULL address", demi_connect(&qt, qd, NULL, sizeof(sin)), EINVAL);
    EXPECT("connect: bad qd", demi_connect(&qt, 12345, (struct sockaddr *)&out, sizeof(out)), EBADF);
    EXPECT("pop: NULL qt_out", demi_pop(NULL, qd), EINVAL);
    EXPECT("pop: unconnected TCP", demi_pop(&qt, qd), ENOTCONN);
    EXPECT("pop: bad qd", demi_pop(&qt, 12345), EBADF);

    demi_sgarray_t sga = demi_sgaalloc(64);
    result("sgaalloc(64): one segment of 64 bytes",
           sga.sga_buf != NULL && sga.sga_numsegs == 1 && sga.sga_segs[0].sgaseg_buf != NULL &&
               sga.sga_segs[0].sgaseg_len == 64);
    memset(sga.sga_segs[0].sgaseg_buf, 7, 64);
    demi_sgarray_t big = demi_sgaalloc(65536);
    result("sgaalloc(65536) gives the null sga", is_null_sga(&big));
    demi_sgarray_t largest = demi_sgaalloc(65535);
    result("sgaalloc(65535) works", largest.sga_buf != NULL && largest.sga_segs[0].sgaseg_len == 65535);
    EXPECT("sgafree(65535 bytes)", demi_sgafree(&largest), 0);

    EXPECT("push: NULL qt_out", demi_push(NULL, qd, &sga), EINVAL);
    EXPECT("push: NULL sga", demi_push(&qt, qd, NULL), EINVAL);
    EXPECT("push: unconnected TCP", demi_push(&qt, qd, &sga), ENOTCONN);
    EXPECT("push: bad qd", demi_push(&qt, 12345, &sga), EBADF);
    demi_sgarray_t copy = sga;
    copy.sga_numsegs = 2;
    EXPECT("push: sga_numsegs 2", demi_push(&qt, qd, &copy), EINVAL);
    copy = sga;
    copy.sga_buf = NULL;
    EXPECT("push: NULL sga_buf", demi_push(&qt, qd, &copy), EINVAL);
    copy = sga;
    copy.sga_buf = (void *)(uintptr_t)0x123456789abcULL;
    EXPECT("push: forged sga_buf", demi_push(&qt, qd, &copy), EINVAL);
    copy = sga;
    copy.sga_segs[0].sgaseg_len = 65;
    EXPECT("push: segment longer than its SGA", demi_push(&qt, udp, &copy), EINVAL);
    copy = sga;
    copy.sga_segs[0].sgaseg_buf = (char *)sga.sga_segs[0].sgaseg_buf - 1;
    EXPECT("push: segment starting before its SGA", demi_push(&qt, udp, &copy), EINVAL);
    copy = sga;
    copy.sga_segs[0].sgaseg_buf = (char *)sga.sga_segs[0].sgaseg_buf + 60;
    copy.sga_segs[0].sgaseg_len = 8;
    EXPECT("push: segment running past its SGA", demi_push(&qt, udp, &copy), EINVAL);
    copy = sga;
    copy.sga_segs[0].sgaseg_len = 0;
    EXPECT("push: zero-length segment", demi_push(&qt, udp, &copy), EINVAL);

    EXPECT("pushto: NULL address", demi_pushto(&qt, udp, &sga, NULL, sizeof(sin)), EINVAL);
    EXPECT("pushto: size 0", demi_pushto(&qt, udp, &sga, (struct sockaddr *)&out, 0), EINVAL);
    EXPECT("pushto: AF_UNIX", demi_pushto(&qt, udp, &sga, (struct sockaddr *)&unix_family, sizeof(sin)), ENOTSUP);
    EXPECT("pushto: bad qd", demi_pushto(&qt, 12345, &sga, (struct sockaddr *)&out, sizeof(out)), EBADF);
    /* A narrowed segment inside the SGA is honoured: 8 bytes from offset 8, sent to ourselves. */
    copy = sga;
    copy.sga_segs[0].sgaseg_buf = (char *)sga.sga_segs[0].sgaseg_buf + 8;
    copy.sga_segs[0].sgaseg_len = 8;
    EXPECT("pushto: narrowed segment to self", demi_pushto(&qt, udp, &copy, (struct sockaddr *)&out, sizeof(out)), 0);
    EXPECT("pushto: wait", demi_wait(&qr, qt, NULL), 0);
    result("pushto: completed as PUSH", qr.qr_opcode == DEMI_OPC_PUSH && qr.qr_qd == udp && qr.qr_ret == 0);
    EXPECT("pop: UDP", demi_pop(&qt, udp), 0);
    EXPECT("pop: wait", demi_wait(&qr, qt, NULL), 0);
    result("pop: got the 8 narrowed bytes from ourselves",
           qr.qr_opcode == DEMI_OPC_POP && qr.qr_value.sga.sga_segs[0].sgaseg_len == 8 &&
               ((uint8_t *)qr.qr_value.sga.sga_segs[0].sgaseg_buf)[0] == 7 &&
               qr.qr_value.sga.sga_addr.sin_port == out.sin_port &&
               qr.qr_value.sga.sga_addr.sin_addr.s_addr == out.sin_addr.s_addr);
    EXPECT("sgafree: popped sga", demi_sgafree(&qr.qr_value.sga), 0);
    EXPECT("sgafree: popped sga twice", demi_sgafree(&qr.qr_value.sga), EINVAL);
    /* Back to the whole SGA after a narrowed push: jdemi sends a copy, since its SGA was narrowed in place. */
    EXPECT("pushto: whole sga after a narrowed push", demi_pushto(&qt, udp, &sga, (struct sockaddr *)&out, sizeof(out)),
           0);
    EXPECT("pushto: wait whole", demi_wait(&qr, qt, NULL), 0);
    EXPECT("pop: UDP whole", demi_pop(&qt, udp), 0);
    EXPECT("pop: wait whole", demi_wait(&qr, qt, NULL), 0);
    int whole = qr.qr_opcode == DEMI_OPC_POP && qr.qr_value.sga.sga_segs[0].sgaseg_len == 64;
    for (int i = 0; whole && i < 64; i++)
    {
        whole = ((uint8_t *)qr.qr_value.sga.sga_segs[0].sgaseg_buf)[i] == 7;
    }
    result("pop: got all 64 bytes after the narrowed push", whole);
    EXPECT("sgafree: popped whole sga", demi_sgafree(&qr.qr_value.sga), 0);

    EXPECT("wait: NULL qr", demi_wait(NULL, qt, NULL), EINVAL);
    EXPECT("wait: token 0", demi_wait(&qr, 0, NULL), EINVAL);
    EXPECT("wait: consumed token", demi_wait(&qr, qt, NULL), EINVAL);
    EXPECT("pop: UDP, nothing to receive", demi_pop(&qt, udp), 0);
    struct timespec zero = {0, 0};
    struct timespec short_wait = {0, 1000000};
    EXPECT("wait: timeout", demi_wait(&qr, qt, &short_wait), ETIMEDOUT);
    EXPECT("wait_any: negative count", demi_wait_any(&qr, &offset, &qt, -1, &zero), EINVAL);
    EXPECT("wait_any: NULL qts", demi_wait_any(&qr, &offset, NULL, 1, &zero), EINVAL);
    EXPECT("wait_any: NULL ready_offset", demi_wait_any(&qr, NULL, &qt, 1, &zero), EINVAL);
    EXPECT("wait_any: no tokens", demi_wait_any(&qr, &offset, &qt, 0, &zero), ETIMEDOUT);
    EXPECT("wait_any: timeout", demi_wait_any(&qr, &offset, &qt, 1, &short_wait), ETIMEDOUT);
    demi_qtoken_t bad[2] = {qt, 987654321};
    EXPECT("wait_any: unknown token", demi_wait_any(&qr, &offset, bad, 2, &zero), EINVAL);
    EXPECT("wait_next_n: 0 results", demi_wait_next_n(&qr, 0, &n, &zero), EINVAL);
    EXPECT("wait_next_n: NULL count", demi_wait_next_n(&qr, 1, NULL, &zero), EINVAL);
    EXPECT("wait_next_n: timeout", demi_wait_next_n(&qr, 1, &n, &short_wait), ETIMEDOUT);
    result("wait_next_n: wrote nothing", n == 0);

    EXPECT("sgafree: sga", demi_sgafree(&sga), 0);
    EXPECT("sgafree: twice", demi_sgafree(&sga), EINVAL);
    EXPECT("push: freed sga", demi_push(&qt, udp, &sga), EINVAL);
    copy = sga;
    copy.sga_numsegs = 0;
    EXPECT("sgafree: sga_numsegs 0", demi_sgafree(&copy), EINVAL);
    demi_sgarray_t null_sga = demi_sgaalloc(0);
    EXPECT("sgafree: the null sga", demi_sgafree(&null_sga), EINVAL);
    demi_sgarray_t fresh = demi_sgaalloc(64);
    copy = sga;
    EXPECT("sgafree: stale handle while its slot is reused", demi_sgafree(&copy), EINVAL);
    EXPECT("sgafree: the reused slot's sga", demi_sgafree(&fresh), 0);

    struct linger linger = {.l_onoff = 1, .l_linger = 3};
    struct linger got = {0, 0};
    int on = 1;
    socklen_t optlen = sizeof(got);
    EXPECT("setsockopt: level 99", demi_setsockopt(qd, 99, SO_LINGER, &linger, sizeof(linger)), ENOTSUP);
    EXPECT("setsockopt: SO_RCVBUF", demi_setsockopt(qd, SOL_SOCKET, SO_RCVBUF, &on, sizeof(on)), ENOPROTOOPT);
    EXPECT("setsockopt: NULL optval", demi_setsockopt(qd, SOL_SOCKET, SO_LINGER, NULL, sizeof(linger)), EINVAL);
    EXPECT("setsockopt: optlen 4 for SO_LINGER", demi_setsockopt(qd, SOL_SOCKET, SO_LINGER, &linger, 4), EINVAL);
    EXPECT("setsockopt: bad qd", demi_setsockopt(12345, SOL_SOCKET, SO_LINGER, &linger, sizeof(linger)), EBADF);
    EXPECT("setsockopt: SO_LINGER", demi_setsockopt(qd, SOL_SOCKET, SO_LINGER, &linger, sizeof(linger)), 0);
    EXPECT("getsockopt: NULL optlen", demi_getsockopt(qd, SOL_SOCKET, SO_LINGER, &got, NULL), EINVAL);
    optlen = 4;
    EXPECT("getsockopt: optlen 4 for SO_LINGER", demi_getsockopt(qd, SOL_SOCKET, SO_LINGER, &got, &optlen), EINVAL);
    optlen = sizeof(got);
    EXPECT("getsockopt: SO_LINGER", demi_getsockopt(qd, SOL_SOCKET, SO_LINGER, &got, &optlen), 0);
    result("getsockopt: SO_LINGER round trip", got.l_onoff == 1 && got.l_linger == 3 && optlen == 8);
    EXPECT("setsockopt: TCP_NODELAY", demi_setsockopt(qd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)), 0);
    int nodelay = 0;
    optlen = sizeof(nodelay);
    EXPECT("getsockopt: TCP_NODELAY", demi_getsockopt(qd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &optlen), 0);
    result("getsockopt: TCP_NODELAY round trip", nodelay == 1 && optlen == 4);
    EXPECT("setsockopt: TCP_NODELAY on UDP", demi_setsockopt(udp, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)), ENOTSUP);

    EXPECT("create_pipe: catnap has no pipes", demi_create_pipe(&n, "jdemi-test"), ENOTSUP);
    EXPECT("open_pipe: catnap has no pipes", demi_open_pipe(&n, "jdemi-test"), ENOTSUP);

    EXPECT("close: TCP", demi_close(qd), 0);
    EXPECT("close: twice", demi_close(qd), EBADF);
    EXPECT("close: -1", demi_close(-1), EBADF);
    EXPECT("close: UDP with a pending pop", demi_close(udp), 0);
    EXPECT("wait: pop pending at close", demi_wait(&qr, qt, NULL), 0);
    result("wait: pending pop failed with EBADF", qr.qr_opcode == DEMI_OPC_FAILED && qr.qr_ret == EBADF);
    EXPECT("socket: a freed qd is reused", demi_socket(&n, AF_INET, SOCK_DGRAM, 0), 0);
    result("socket: reused qd 501", n == 501);
}

int main(int argc, char *const argv[])
{
    without_libos();
    if (argc == 3 && strcmp(argv[1], "--init-fails") == 0)
    {
        int want = atoi(argv[2]);
        EXPECT("demi_init fails", demi_init(NULL), want);
        without_libos();
    }
    else
    {
        struct demi_args args = {.argc = argc, .argv = argv, .callback = NULL};
        EXPECT("demi_init", demi_init(&args), 0);
        EXPECT("demi_init again", demi_init(&args), EEXIST);
        upstream_invalid_calls();
        exact_errors();
    }
    fprintf(stderr, "syscalls: %s\n", failed == 0 ? "all passed" : "FAILED");
    printf("syscalls: %d failed\n", failed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
