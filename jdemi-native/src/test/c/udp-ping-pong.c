/*
 * UDP ping-pong between two processes (upstream's examples/c/udp-ping-pong.c, spec 7.1), with byte checks.
 *
 * Usage: udp-ping-pong --server|--client LOCAL-IP LOCAL-PORT REMOTE-IP REMOTE-PORT [data_size=64] [iterations=1024]
 *   server: bind, then per iteration pop a datagram and pushto the popped SGA back to REMOTE; prints "ping (i)".
 *   client: bind, then per iteration pushto REMOTE data_size bytes of iteration i's pattern and pop the echo,
 *           checking its length, every byte and its source address; prints "pong (i)".
 */
#define _POSIX_C_SOURCE 200809L

#include "common.h"

static int bound_socket(const struct sockaddr_in *local)
{
    int qd = -1;
    CHECK_RC(demi_socket(&qd, AF_INET, SOCK_DGRAM, 0), 0);
    CHECK_RC(demi_bind(qd, (const struct sockaddr *)local, sizeof(*local)), 0);
    return qd;
}

static void server(const struct sockaddr_in *local, const struct sockaddr_in *remote, size_t iterations)
{
    int qd = bound_socket(local);
    announce("bound");
    for (size_t i = 0; i < iterations; i++)
    {
        demi_qresult_t qr;
        pop_wait(qd, &qr);
        demi_sgarray_t sga = qr.qr_value.sga;
        CHECK(sga.sga_addr.sin_family == AF_INET && sga.sga_addr.sin_port == remote->sin_port);
        pushto_wait(qd, &sga, remote);
        CHECK_RC(demi_sgafree(&sga), 0);
        fprintf(stdout, "ping (%zu)\n", i);
    }
    CHECK_RC(demi_close(qd), 0);
    fprintf(stdout, "udp-ping-pong server: echoed %zu datagrams\n", iterations);
}

static void client(const struct sockaddr_in *local, const struct sockaddr_in *remote, size_t size, size_t iterations)
{
    int qd = bound_socket(local);
    for (size_t i = 0; i < iterations; i++)
    {
        demi_sgarray_t sga = demi_sgaalloc(size);
        CHECK(sga.sga_buf != NULL);
        memset(sga.sga_segs[0].sgaseg_buf, pattern(i), size);
        pushto_wait(qd, &sga, remote);
        CHECK_RC(demi_sgafree(&sga), 0);
        demi_qresult_t qr;
        pop_wait(qd, &qr);
        const demi_sgarray_t *echo = &qr.qr_value.sga;
        CHECK(echo->sga_segs[0].sgaseg_len == size);
        CHECK(echo->sga_addr.sin_family == AF_INET && echo->sga_addr.sin_port == remote->sin_port &&
              echo->sga_addr.sin_addr.s_addr == remote->sin_addr.s_addr);
        const uint8_t *bytes = echo->sga_segs[0].sgaseg_buf;
        for (size_t k = 0; k < size; k++)
        {
            CHECK(bytes[k] == pattern(i));
        }
        CHECK_RC(demi_sgafree(&qr.qr_value.sga), 0);
        fprintf(stdout, "pong (%zu)\n", i);
    }
    CHECK_RC(demi_close(qd), 0);
    fprintf(stdout, "udp-ping-pong client: %zu datagrams of %zu bytes echoed intact\n", iterations, size);
}

int main(int argc, char *const argv[])
{
    if (argc < 6)
    {
        fprintf(stderr, "usage: %s --server|--client LOCAL-IP LOCAL-PORT REMOTE-IP REMOTE-PORT [size] [iterations]\n",
                argv[0]);
        return EXIT_FAILURE;
    }
    struct sockaddr_in local;
    struct sockaddr_in remote;
    build_sockaddr(argv[2], argv[3], &local);
    build_sockaddr(argv[4], argv[5], &remote);
    size_t size = argc > 6 ? (size_t)atol(argv[6]) : 64;
    size_t iterations = argc > 7 ? (size_t)atol(argv[7]) : 1024;
    CHECK(size > 0 && size <= 8192);
    init_demikernel(argc, argv);
    if (strcmp(argv[1], "--server") == 0)
    {
        server(&local, &remote, iterations);
    }
    else if (strcmp(argv[1], "--client") == 0)
    {
        client(&local, &remote, size, iterations);
    }
    else
    {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
