/*
 * A TCP echo server and client on jdemi that interoperate with plain kernel peers (socat).
 *
 * Usage: tcp-echo --server IP PORT [connections=1]
 *          listens, then for each of `connections` connections echoes every popped SGA back until end of stream and
 *          closes; prints "listening" once ready, "echoed N bytes" per connection.
 *        tcp-echo --client IP PORT [size=1000] [messages=100]
 *          connects, then per message pushes `size` bytes of its pattern and pops until all of them came back,
 *          checking every byte; prints "echoed N messages of S bytes intact".
 */
#define _POSIX_C_SOURCE 200809L

#include "common.h"

static void server(const struct sockaddr_in *local, int connections)
{
    int sockqd = -1;
    init_demikernel(0, NULL);
    CHECK_RC(demi_socket(&sockqd, AF_INET, SOCK_STREAM, 0), 0);
    CHECK_RC(demi_bind(sockqd, (const struct sockaddr *)local, sizeof(*local)), 0);
    CHECK_RC(demi_listen(sockqd, 16), 0);
    announce("listening");
    for (int c = 0; c < connections; c++)
    {
        int qd = accept_wait(sockqd);
        size_t echoed = 0;
        for (;;)
        {
            demi_qresult_t qr;
            pop_wait(qd, &qr);
            demi_sgarray_t sga = qr.qr_value.sga;
            uint32_t len = sga.sga_segs[0].sgaseg_len;
            if (len > 0)
            {
                push_wait(qd, &sga);
                echoed += len;
            }
            CHECK_RC(demi_sgafree(&sga), 0);
            if (len == 0)
            {
                break;
            }
        }
        CHECK_RC(demi_close(qd), 0);
        fprintf(stdout, "echoed %zu bytes\n", echoed);
        fflush(stdout);
    }
    CHECK_RC(demi_close(sockqd), 0);
}

static void client(const struct sockaddr_in *remote, size_t size, size_t messages)
{
    int sockqd = -1;
    init_demikernel(0, NULL);
    CHECK_RC(demi_socket(&sockqd, AF_INET, SOCK_STREAM, 0), 0);
    connect_wait(sockqd, remote);
    for (size_t i = 0; i < messages; i++)
    {
        demi_sgarray_t sga = demi_sgaalloc(size);
        CHECK(sga.sga_buf != NULL);
        uint8_t *out = sga.sga_segs[0].sgaseg_buf;
        for (size_t k = 0; k < size; k++)
        {
            out[k] = pattern(i * size + k);
        }
        push_wait(sockqd, &sga);
        CHECK_RC(demi_sgafree(&sga), 0);
        size_t got = 0;
        while (got < size)
        {
            demi_qresult_t qr;
            pop_wait(sockqd, &qr);
            uint32_t len = qr.qr_value.sga.sga_segs[0].sgaseg_len;
            const uint8_t *in = qr.qr_value.sga.sga_segs[0].sgaseg_buf;
            CHECK(len > 0 && got + len <= size);
            for (uint32_t k = 0; k < len; k++)
            {
                CHECK(in[k] == pattern(i * size + got + k));
            }
            got += len;
            CHECK_RC(demi_sgafree(&qr.qr_value.sga), 0);
        }
    }
    CHECK_RC(demi_close(sockqd), 0);
    fprintf(stdout, "echoed %zu messages of %zu bytes intact\n", messages, size);
}

int main(int argc, char *const argv[])
{
    if (argc < 4)
    {
        fprintf(stderr, "usage: %s --server IP PORT [connections=1] | --client IP PORT [size=1000] [messages=100]\n",
                argv[0]);
        return EXIT_FAILURE;
    }
    struct sockaddr_in addr;
    build_sockaddr(argv[2], argv[3], &addr);
    if (strcmp(argv[1], "--server") == 0)
    {
        server(&addr, argc > 4 ? atoi(argv[4]) : 1);
    }
    else if (strcmp(argv[1], "--client") == 0)
    {
        size_t size = argc > 4 ? (size_t)atol(argv[4]) : 1000;
        CHECK(size > 0 && size <= 65535);
        client(&addr, size, argc > 5 ? (size_t)atol(argv[5]) : 100);
    }
    else
    {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
