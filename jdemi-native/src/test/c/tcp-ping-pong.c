/*
 * TCP ping-pong between two processes (upstream's examples/c/tcp-ping-pong.c, spec 7.1), with byte checks.
 *
 * Usage: tcp-ping-pong --server|--client IP PORT [data_size=64] [max_msgs=1024]
 *   server: listen, accept one connection, pop and push each popped SGA straight back until it has echoed
 *           data_size * max_msgs bytes; prints "ping (N)" per echo.
 *   client: connect, then max_msgs times push data_size bytes of message i's pattern and pop until all of them came
 *           back, checking every byte; prints "pong (N)" per message.
 */
#define _POSIX_C_SOURCE 200809L

#include "common.h"

static void server(int argc, char *const argv[], const struct sockaddr_in *local, size_t total)
{
    int sockqd = -1;
    init_demikernel(argc, argv);
    CHECK_RC(demi_socket(&sockqd, AF_INET, SOCK_STREAM, 0), 0);
    CHECK_RC(demi_bind(sockqd, (const struct sockaddr *)local, sizeof(*local)), 0);
    CHECK_RC(demi_listen(sockqd, 16), 0);
    announce("listening");
    int qd = accept_wait(sockqd);
    size_t echoed = 0;
    while (echoed < total)
    {
        demi_qresult_t qr;
        pop_wait(qd, &qr);
        demi_sgarray_t sga = qr.qr_value.sga;
        CHECK(sga.sga_segs[0].sgaseg_len > 0);
        echoed += sga.sga_segs[0].sgaseg_len;
        /* The popped SGA goes straight back: it belongs to us, and the push keeps its own reference. */
        push_wait(qd, &sga);
        CHECK_RC(demi_sgafree(&sga), 0);
        fprintf(stdout, "ping (%zu)\n", echoed);
    }
    CHECK_RC(demi_close(qd), 0);
    CHECK_RC(demi_close(sockqd), 0);
    fprintf(stdout, "tcp-ping-pong server: echoed %zu bytes\n", echoed);
}

static void client(int argc, char *const argv[], const struct sockaddr_in *remote, size_t size, size_t msgs)
{
    int sockqd = -1;
    init_demikernel(argc, argv);
    CHECK_RC(demi_socket(&sockqd, AF_INET, SOCK_STREAM, 0), 0);
    connect_wait(sockqd, remote);
    for (size_t i = 0; i < msgs; i++)
    {
        demi_sgarray_t sga = demi_sgaalloc(size);
        CHECK(sga.sga_buf != NULL && sga.sga_segs[0].sgaseg_len == size);
        memset(sga.sga_segs[0].sgaseg_buf, pattern(i), size);
        push_wait(sockqd, &sga);
        CHECK_RC(demi_sgafree(&sga), 0);
        /* TCP may split the echo: pop until the whole message is back. */
        size_t got = 0;
        while (got < size)
        {
            demi_qresult_t qr;
            pop_wait(sockqd, &qr);
            uint32_t len = qr.qr_value.sga.sga_segs[0].sgaseg_len;
            const uint8_t *bytes = qr.qr_value.sga.sga_segs[0].sgaseg_buf;
            CHECK(len > 0 && got + len <= size);
            for (uint32_t k = 0; k < len; k++)
            {
                CHECK(bytes[k] == pattern(i));
            }
            got += len;
            CHECK_RC(demi_sgafree(&qr.qr_value.sga), 0);
        }
        fprintf(stdout, "pong (%zu)\n", (i + 1) * size);
    }
    CHECK_RC(demi_close(sockqd), 0);
    fprintf(stdout, "tcp-ping-pong client: %zu messages of %zu bytes echoed intact\n", msgs, size);
}

int main(int argc, char *const argv[])
{
    if (argc < 4)
    {
        fprintf(stderr, "usage: %s --server|--client IP PORT [data_size=64] [max_msgs=1024]\n", argv[0]);
        return EXIT_FAILURE;
    }
    struct sockaddr_in addr;
    build_sockaddr(argv[2], argv[3], &addr);
    size_t size = argc > 4 ? (size_t)atol(argv[4]) : 64;
    size_t msgs = argc > 5 ? (size_t)atol(argv[5]) : 1024;
    CHECK(size > 0 && size <= 65535);
    if (strcmp(argv[1], "--server") == 0)
    {
        server(argc, argv, &addr, size * msgs);
    }
    else if (strcmp(argv[1], "--client") == 0)
    {
        client(argc, argv, &addr, size, msgs);
    }
    else
    {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
