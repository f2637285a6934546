/*
 * The cost of the C boundary: one TCP ping-pong program, built twice. Against libdemikernel.so (jdemi catnap) every
 * message is demi_sgaalloc, demi_push, demi_pop, demi_wait, demi_sgafree, as upstream's examples do; built with
 * -DBENCH_KERNEL the same loop runs on plain blocking kernel sockets (send, recv); with -DBENCH_KERNEL -DBENCH_SPIN
 * recv busy-polls with MSG_DONTWAIT instead of blocking, as jdemi's wait does. All set TCP_NODELAY.
 *
 * Usage: bench-ping-pong --server IP PORT
 *          echoes one connection until end of stream; prints "listening" once ready.
 *        bench-ping-pong --client IP PORT [size=64] [iterations=20000] [warmup=5000]
 *          times each round trip of `size` bytes after `warmup` untimed ones, checks every echoed byte, and prints
 *          "rtt_ns p50=.. p90=.. p99=.. min=.. iterations=..".
 */
#define _POSIX_C_SOURCE 200809L

#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

#ifdef BENCH_KERNEL

static int transport_listen_accept(const struct sockaddr_in *local)
{
    int one = 1;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_SYS(listener >= 0);
    CHECK_SYS(setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
    CHECK_SYS(bind(listener, (const struct sockaddr *)local, sizeof(*local)) == 0);
    CHECK_SYS(listen(listener, 16) == 0);
    announce("listening");
    int fd = accept(listener, NULL, NULL);
    CHECK_SYS(fd >= 0);
    CHECK_SYS(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0);
    close(listener);
    return fd;
}

static int transport_connect(const struct sockaddr_in *remote)
{
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_SYS(fd >= 0);
    CHECK_SYS(connect(fd, (const struct sockaddr *)remote, sizeof(*remote)) == 0);
    CHECK_SYS(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0);
    return fd;
}

/* Sends `size` bytes of `fill`. */
static void transport_send(int fd, uint8_t fill, size_t size)
{
    static uint8_t buf[65536];
    memset(buf, fill, size);
    size_t sent = 0;
    while (sent < size)
    {
        ssize_t n = send(fd, buf + sent, size - sent, 0);
        CHECK_SYS(n > 0);
        sent += (size_t)n;
    }
}

/* Receives what is there (at most 8192 bytes), checks it against `fill` unless fill is 0; 0 at end of stream. */
static size_t transport_recv(int fd, uint8_t fill, uint8_t *echo)
{
    static uint8_t buf[8192];
    ssize_t n;
#ifdef BENCH_SPIN
    /* Busy-polls as catnap's wait does, so that both sides pay no scheduler wake-up. */
    while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    {
    }
#else
    n = recv(fd, buf, sizeof(buf), 0);
#endif
    CHECK_SYS(n >= 0);
    for (ssize_t k = 0; fill != 0 && k < n; k++)
    {
        CHECK(buf[k] == fill);
    }
    if (echo != NULL && n > 0)
    {
        memcpy(echo, buf, (size_t)n);
    }
    return (size_t)n;
}

static void transport_echo(int fd, const uint8_t *bytes, size_t n)
{
    size_t sent = 0;
    while (sent < n)
    {
        ssize_t w = send(fd, bytes + sent, n - sent, 0);
        CHECK_SYS(w > 0);
        sent += (size_t)w;
    }
}

static void transport_close(int fd)
{
    CHECK_SYS(close(fd) == 0);
}

#else

static void nodelay(int qd)
{
    int one = 1;
    CHECK_RC(demi_setsockopt(qd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
}

static int transport_listen_accept(const struct sockaddr_in *local)
{
    int listener = -1;
    init_demikernel(0, NULL);
    CHECK_RC(demi_socket(&listener, AF_INET, SOCK_STREAM, 0), 0);
    CHECK_RC(demi_bind(listener, (const struct sockaddr *)local, sizeof(*local)), 0);
    CHECK_RC(demi_listen(listener, 16), 0);
    announce("listening");
    int qd = accept_wait(listener);
    nodelay(qd);
    CHECK_RC(demi_close(listener), 0);
    return qd;
}

static int transport_connect(const struct sockaddr_in *remote)
{
    int qd = -1;
    init_demikernel(0, NULL);
    CHECK_RC(demi_socket(&qd, AF_INET, SOCK_STREAM, 0), 0);
    connect_wait(qd, remote);
    nodelay(qd);
    return qd;
}

static void transport_send(int qd, uint8_t fill, size_t size)
{
    demi_sgarray_t sga = demi_sgaalloc(size);
    CHECK(sga.sga_buf != NULL);
    memset(sga.sga_segs[0].sgaseg_buf, fill, size);
    push_wait(qd, &sga);
    CHECK_RC(demi_sgafree(&sga), 0);
}

static size_t transport_recv(int qd, uint8_t fill, uint8_t *echo)
{
    demi_qresult_t qr;
    pop_wait(qd, &qr);
    uint32_t n = qr.qr_value.sga.sga_segs[0].sgaseg_len;
    const uint8_t *bytes = qr.qr_value.sga.sga_segs[0].sgaseg_buf;
    for (uint32_t k = 0; fill != 0 && k < n; k++)
    {
        CHECK(bytes[k] == fill);
    }
    if (echo != NULL && n > 0)
    {
        memcpy(echo, bytes, n);
    }
    CHECK_RC(demi_sgafree(&qr.qr_value.sga), 0);
    return n;
}

static void transport_echo(int qd, const uint8_t *bytes, size_t n)
{
    demi_sgarray_t sga = demi_sgaalloc(n);
    CHECK(sga.sga_buf != NULL);
    memcpy(sga.sga_segs[0].sgaseg_buf, bytes, n);
    push_wait(qd, &sga);
    CHECK_RC(demi_sgafree(&sga), 0);
}

static void transport_close(int qd)
{
    CHECK_RC(demi_close(qd), 0);
}

#endif

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void server(const struct sockaddr_in *local)
{
    static uint8_t echo[8192];
    int fd = transport_listen_accept(local);
    size_t n;
    while ((n = transport_recv(fd, 0, echo)) > 0)
    {
        transport_echo(fd, echo, n);
    }
    transport_close(fd);
}

static void client(const struct sockaddr_in *remote, size_t size, size_t iterations, size_t warmup)
{
    uint64_t *rtt = calloc(iterations, sizeof(*rtt));
    CHECK(rtt != NULL);
    int fd = transport_connect(remote);
    for (size_t i = 0; i < warmup + iterations; i++)
    {
        uint8_t fill = pattern(i);
        uint64_t start = now_ns();
        transport_send(fd, fill, size);
        size_t got = 0;
        while (got < size)
        {
            size_t n = transport_recv(fd, fill, NULL);
            CHECK(n > 0);
            got += n;
        }
        CHECK(got == size);
        if (i >= warmup)
        {
            rtt[i - warmup] = now_ns() - start;
        }
    }
    transport_close(fd);
    qsort(rtt, iterations, sizeof(*rtt), compare_u64);
    fprintf(stdout, "rtt_ns p50=%llu p90=%llu p99=%llu min=%llu iterations=%zu size=%zu\n",
            (unsigned long long)rtt[iterations / 2], (unsigned long long)rtt[iterations * 9 / 10],
            (unsigned long long)rtt[iterations * 99 / 100], (unsigned long long)rtt[0], iterations, size);
    free(rtt);
}

int main(int argc, char *const argv[])
{
    if (argc < 4)
    {
        fprintf(stderr, "usage: %s --server IP PORT | --client IP PORT [size=64] [iterations=20000] [warmup=5000]\n",
                argv[0]);
        return EXIT_FAILURE;
    }
    struct sockaddr_in addr;
    build_sockaddr(argv[2], argv[3], &addr);
    if (strcmp(argv[1], "--server") == 0)
    {
        server(&addr);
    }
    else
    {
        size_t size = argc > 4 ? (size_t)atol(argv[4]) : 64;
        size_t iterations = argc > 5 ? (size_t)atol(argv[5]) : 20000;
        size_t warmup = argc > 6 ? (size_t)atol(argv[6]) : 5000;
        CHECK(size > 0 && size <= 8192 && iterations > 0);
        client(&addr, size, iterations, warmup);
    }
    return EXIT_SUCCESS;
}
