/*
 * UDP push-pop between two processes (upstream's examples/c/udp-push-pop.c, spec 7.1), with byte checks.
 *
 * Usage: udp-push-pop --server LOCAL-IP PORT [data_size=64] [iterations=1024]
 *        udp-push-pop --client LOCAL-IP PORT REMOTE-IP REMOTE-PORT [data_size=64] [iterations=1024]
 *   client: pushto `iterations` datagrams; datagram i carries i in its first 4 bytes, then i's pattern.
 *   server: pops them and checks that each arrives, in order, intact; prints "pop (i)".
 *
 * Loopback drops datagrams when a receive buffer overflows, and a JVM that is still compiling receives slowly.
 * So that the test checks jdemi and not the kernel's buffer size, the server grants credit: after every WINDOW
 * datagrams it pushes one small datagram back, and the client never has more than WINDOW unacknowledged.
 */
#define _POSIX_C_SOURCE 200809L

#include "common.h"

#define WINDOW 32

static void server(const struct sockaddr_in *local, size_t size, size_t iterations)
{
    int qd = -1;
    CHECK_RC(demi_socket(&qd, AF_INET, SOCK_DGRAM, 0), 0);
    CHECK_RC(demi_bind(qd, (const struct sockaddr *)local, sizeof(*local)), 0);
    announce("bound");
    demi_sgarray_t credit = demi_sgaalloc(1);
    CHECK(credit.sga_buf != NULL);
    for (size_t i = 0; i < iterations; i++)
    {
        demi_qresult_t qr;
        pop_wait(qd, &qr);
        const demi_sgarray_t *sga = &qr.qr_value.sga;
        const uint8_t *bytes = sga->sga_segs[0].sgaseg_buf;
        CHECK(sga->sga_segs[0].sgaseg_len == size);
        uint32_t seq = 0;
        memcpy(&seq, bytes, sizeof(seq));
        if (seq != i)
        {
            fprintf(stderr, "datagram %zu arrived as number %u: lost or reordered\n", i, seq);
            exit(1);
        }
        for (size_t k = sizeof(seq); k < size; k++)
        {
            CHECK(bytes[k] == pattern(i));
        }
        struct sockaddr_in from = sga->sga_addr;
        CHECK(from.sin_family == AF_INET && from.sin_port != 0);
        CHECK_RC(demi_sgafree(&qr.qr_value.sga), 0);
        fprintf(stdout, "pop (%zu)\n", i);
        if ((i + 1) % WINDOW == 0)
        {
            *(uint8_t *)credit.sga_segs[0].sgaseg_buf = 1;
            pushto_wait(qd, &credit, &from);
        }
    }
    CHECK_RC(demi_sgafree(&credit), 0);
    CHECK_RC(demi_close(qd), 0);
    fprintf(stdout, "udp-push-pop server: %zu datagrams of %zu bytes intact and in order\n", iterations, size);
}

static void client(const struct sockaddr_in *local, const struct sockaddr_in *remote, size_t size, size_t iterations)
{
    int qd = -1;
    CHECK_RC(demi_socket(&qd, AF_INET, SOCK_DGRAM, 0), 0);
    CHECK_RC(demi_bind(qd, (const struct sockaddr *)local, sizeof(*local)), 0);
    for (size_t i = 0; i < iterations; i++)
    {
        demi_sgarray_t sga = demi_sgaalloc(size);
        CHECK(sga.sga_buf != NULL);
        uint8_t *bytes = sga.sga_segs[0].sgaseg_buf;
        uint32_t seq = (uint32_t)i;
        memcpy(bytes, &seq, sizeof(seq));
        for (size_t k = sizeof(seq); k < size; k++)
        {
            bytes[k] = pattern(i);
        }
        pushto_wait(qd, &sga, remote);
        CHECK_RC(demi_sgafree(&sga), 0);
        fprintf(stdout, "push (%zu)\n", i);
        if ((i + 1) % WINDOW == 0)
        {
            demi_qresult_t qr;
            pop_wait(qd, &qr);
            CHECK(qr.qr_value.sga.sga_segs[0].sgaseg_len == 1);
            CHECK_RC(demi_sgafree(&qr.qr_value.sga), 0);
        }
    }
    CHECK_RC(demi_close(qd), 0);
    fprintf(stdout, "udp-push-pop client: pushed %zu datagrams\n", iterations);
}

int main(int argc, char *const argv[])
{
    struct sockaddr_in local;
    struct sockaddr_in remote;
    if (argc >= 4 && strcmp(argv[1], "--server") == 0)
    {
        size_t size = argc > 4 ? (size_t)atol(argv[4]) : 64;
        size_t iterations = argc > 5 ? (size_t)atol(argv[5]) : 1024;
        CHECK(size >= 4 && size <= 8192);
        build_sockaddr(argv[2], argv[3], &local);
        init_demikernel(argc, argv);
        server(&local, size, iterations);
        return EXIT_SUCCESS;
    }
    if (argc >= 6 && strcmp(argv[1], "--client") == 0)
    {
        size_t size = argc > 6 ? (size_t)atol(argv[6]) : 64;
        size_t iterations = argc > 7 ? (size_t)atol(argv[7]) : 1024;
        CHECK(size >= 4 && size <= 8192);
        build_sockaddr(argv[2], argv[3], &local);
        build_sockaddr(argv[4], argv[5], &remote);
        init_demikernel(argc, argv);
        client(&local, &remote, size, iterations);
        return EXIT_SUCCESS;
    }
    fprintf(stderr, "usage: %s --server LOCAL-IP PORT [size] [iterations]\n"
                    "       %s --client LOCAL-IP PORT REMOTE-IP REMOTE-PORT [size] [iterations]\n",
            argv[0], argv[0]);
    return EXIT_FAILURE;
}
