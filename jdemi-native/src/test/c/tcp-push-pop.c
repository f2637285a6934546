/*
 * TCP push-pop between two processes (upstream's examples/c/tcp-push-pop.c, spec 7.1), with byte checks.
 *
 * Usage: tcp-push-pop --server|--client IP PORT [data_size=64] [max_msgs=1024]
 *   client: connect, push max_msgs messages of data_size bytes of one continuous pattern, close.
 *   server: accept, pop until data_size * max_msgs bytes arrived, checking each byte against the pattern, then
 *           pop once more and expect end of stream (a zero-length SGA, which is still freed).
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
    size_t received = 0;
    while (received < total)
    {
        demi_qresult_t qr;
        pop_wait(qd, &qr);
        uint32_t len = qr.qr_value.sga.sga_segs[0].sgaseg_len;
        const uint8_t *bytes = qr.qr_value.sga.sga_segs[0].sgaseg_buf;
        CHECK(len > 0 && received + len <= total);
        for (uint32_t k = 0; k < len; k++)
        {
            CHECK(bytes[k] == pattern(received + k));
        }
        received += len;
        CHECK_RC(demi_sgafree(&qr.qr_value.sga), 0);
    }
    fprintf(stdout, "pop: total bytes received: (%zu)\n", received);
    demi_qresult_t eof;
    pop_wait(qd, &eof);
    CHECK(eof.qr_value.sga.sga_segs[0].sgaseg_len == 0);
    CHECK_RC(demi_sgafree(&eof.qr_value.sga), 0);
    CHECK_RC(demi_close(qd), 0);
    CHECK_RC(demi_close(sockqd), 0);
    fprintf(stdout, "tcp-push-pop server: %zu bytes intact, then end of stream\n", received);
}

static void client(int argc, char *const argv[], const struct sockaddr_in *remote, size_t size, size_t msgs)
{
    int sockqd = -1;
    init_demikernel(argc, argv);
    CHECK_RC(demi_socket(&sockqd, AF_INET, SOCK_STREAM, 0), 0);
    connect_wait(sockqd, remote);
    size_t sent = 0;
    for (size_t i = 0; i < msgs; i++)
    {
        demi_sgarray_t sga = demi_sgaalloc(size);
        CHECK(sga.sga_buf != NULL);
        uint8_t *bytes = sga.sga_segs[0].sgaseg_buf;
        for (size_t k = 0; k < size; k++)
        {
            bytes[k] = pattern(sent + k);
        }
        push_wait(sockqd, &sga);
        CHECK_RC(demi_sgafree(&sga), 0);
        sent += size;
    }
    fprintf(stdout, "push: total bytes sent: (%zu)\n", sent);
    CHECK_RC(demi_close(sockqd), 0);
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
