/*
 * demi_wait_any over many tokens, and demi_wait_next_n, in one process over loopback TCP.
 *
 * Usage: wait-any PORT [tokens=1024]
 *   Phase 1: a connected pair (client c, server s); tokens/2 pushes of 64 bytes on c and tokens/2 pops on s are all
 *   outstanding at once. demi_wait_any harvests them one by one until none is left; c is closed once every push
 *   completed, so the pops that find no data left complete with end of stream. Checks: every token completes
 *   exactly once, the stream arrives intact and in order, and the pops that got no data saw end of stream.
 *   Phase 2: a second pair; 16 pushes, then demi_wait_next_n collects exactly their 16 results.
 */
#define _POSIX_C_SOURCE 200809L

#include "common.h"

#define MESSAGE 64
/* The most bytes one pop returns (demi/libos.h). */
#define POP_MAX 8192

static const struct timespec timeout = {.tv_sec = TEST_TIMEOUT_SECONDS, .tv_nsec = 0};

/* A connected pair over 127.0.0.1:port; both connect and accept are harvested with demi_wait_any. */
static void connected_pair(int listener, const struct sockaddr_in *addr, int *client, int *server)
{
    demi_qtoken_t qts[2];
    CHECK_RC(demi_socket(client, AF_INET, SOCK_STREAM, 0), 0);
    CHECK_RC(demi_accept(&qts[0], listener), 0);
    CHECK_RC(demi_connect(&qts[1], *client, (const struct sockaddr *)addr, sizeof(*addr)), 0);
    int left = 2;
    while (left > 0)
    {
        demi_qresult_t qr;
        int index = -1;
        CHECK_RC(demi_wait_any(&qr, &index, qts, left, &timeout), 0);
        CHECK(index >= 0 && index < left);
        if (qr.qr_opcode == DEMI_OPC_ACCEPT)
        {
            *server = qr.qr_value.ares.qd;
        }
        else
        {
            CHECK(qr.qr_opcode == DEMI_OPC_CONNECT && qr.qr_qd == *client);
        }
        qts[index] = qts[--left];
    }
}

static void push_message(int qd, size_t offset, demi_qtoken_t *qt)
{
    demi_sgarray_t sga = demi_sgaalloc(MESSAGE);
    CHECK(sga.sga_buf != NULL);
    uint8_t *bytes = sga.sga_segs[0].sgaseg_buf;
    for (size_t k = 0; k < MESSAGE; k++)
    {
        bytes[k] = pattern(offset + k);
    }
    CHECK_RC(demi_push(qt, qd, &sga), 0);
    /* The push holds its own reference: the SGA may go at once. */
    CHECK_RC(demi_sgafree(&sga), 0);
}

static void many_tokens(int listener, const struct sockaddr_in *addr, int count)
{
    int c = -1;
    int s = -1;
    connected_pair(listener, addr, &c, &s);
    int pushes = count / 2;
    int pops = count - pushes;
    demi_qtoken_t *qts = calloc((size_t)count, sizeof(*qts));
    CHECK(qts != NULL);
    for (int i = 0; i < pops; i++)
    {
        CHECK_RC(demi_pop(&qts[i], s), 0);
    }
    for (int i = 0; i < pushes; i++)
    {
        push_message(c, (size_t)i * MESSAGE, &qts[pops + i]);
    }
    /* wait_any reports completions in whatever order it finds them; pops complete in the order they were issued,
     * so each pop's bytes are kept by issue number and the stream is checked in that order at the end. */
    demi_qtoken_t *issued = malloc((size_t)count * sizeof(*issued));
    uint32_t *lengths = calloc((size_t)pops, sizeof(*lengths));
    uint8_t *data = malloc((size_t)pops * POP_MAX);
    CHECK(issued != NULL && lengths != NULL && data != NULL);
    memcpy(issued, qts, (size_t)count * sizeof(*issued));
    int *done = calloc((size_t)count, sizeof(*done));
    CHECK(done != NULL);
    size_t total = (size_t)pushes * MESSAGE;
    size_t received = 0;
    int pushed = 0;
    int left = count;
    while (left > 0)
    {
        demi_qresult_t qr;
        int index = -1;
        CHECK_RC(demi_wait_any(&qr, &index, qts, left, &timeout), 0);
        CHECK(index >= 0 && index < left);
        CHECK(qr.qr_qt == qts[index]);
        qts[index] = qts[--left];
        int which = -1;
        for (int i = 0; i < count && which < 0; i++)
        {
            which = issued[i] == qr.qr_qt ? i : -1;
        }
        CHECK(which >= 0 && !done[which]);
        done[which] = 1;
        if (qr.qr_opcode == DEMI_OPC_PUSH)
        {
            CHECK(which >= pops && qr.qr_qd == c);
            if (++pushed == pushes)
            {
                CHECK_RC(demi_close(c), 0);
            }
            continue;
        }
        CHECK(qr.qr_opcode == DEMI_OPC_POP && qr.qr_qd == s && which < pops);
        uint32_t len = qr.qr_value.sga.sga_segs[0].sgaseg_len;
        CHECK(len <= POP_MAX && received + len <= total);
        memcpy(data + (size_t)which * POP_MAX, qr.qr_value.sga.sga_segs[0].sgaseg_buf, len);
        lengths[which] = len;
        received += len;
        CHECK_RC(demi_sgafree(&qr.qr_value.sga), 0);
    }
    /* In issue order: data pops first, each continuing the stream, then only end-of-stream pops. */
    size_t offset = 0;
    int data_pops = 0;
    int eof_pops = 0;
    for (int i = 0; i < pops; i++)
    {
        if (lengths[i] == 0)
        {
            eof_pops++;
            continue;
        }
        CHECK(eof_pops == 0);
        for (uint32_t k = 0; k < lengths[i]; k++)
        {
            CHECK(data[(size_t)i * POP_MAX + k] == pattern(offset + k));
        }
        offset += lengths[i];
        data_pops++;
    }
    CHECK(pushed == pushes);
    CHECK(received == total && offset == total);
    CHECK(data_pops + eof_pops == pops);
    CHECK(data_pops > 0);
    free(issued);
    free(lengths);
    free(data);
    free(done);
    CHECK_RC(demi_close(s), 0);
    free(qts);
    fprintf(stdout, "wait_any: %d tokens completed once each; %zu bytes intact in %d pops, %d pops at end of stream\n",
            count, received, data_pops, eof_pops);
}

static void next_n(int listener, const struct sockaddr_in *addr)
{
    enum
    {
        N = 16
    };
    int c = -1;
    int s = -1;
    connected_pair(listener, addr, &c, &s);
    demi_qtoken_t qts[N];
    for (int i = 0; i < N; i++)
    {
        push_message(c, (size_t)i * MESSAGE, &qts[i]);
    }
    demi_qresult_t qrs[N];
    int n = -1;
    CHECK_RC(demi_wait_next_n(qrs, N, &n, &timeout), 0);
    CHECK(n == N);
    int seen[N] = {0};
    for (int i = 0; i < N; i++)
    {
        CHECK(qrs[i].qr_opcode == DEMI_OPC_PUSH && qrs[i].qr_qd == c);
        for (int j = 0; j < N; j++)
        {
            seen[j] += qrs[i].qr_qt == qts[j];
        }
    }
    for (int j = 0; j < N; j++)
    {
        CHECK(seen[j] == 1);
    }
    size_t received = 0;
    while (received < (size_t)N * MESSAGE)
    {
        demi_qresult_t qr;
        pop_wait(s, &qr);
        uint32_t len = qr.qr_value.sga.sga_segs[0].sgaseg_len;
        const uint8_t *bytes = qr.qr_value.sga.sga_segs[0].sgaseg_buf;
        CHECK(len > 0);
        for (uint32_t k = 0; k < len; k++)
        {
            CHECK(bytes[k] == pattern(received + k));
        }
        received += len;
        CHECK_RC(demi_sgafree(&qr.qr_value.sga), 0);
    }
    CHECK_RC(demi_close(c), 0);
    CHECK_RC(demi_close(s), 0);
    fprintf(stdout, "wait_next_n: the %d push results, each once; %zu bytes intact\n", N, received);
}

int main(int argc, char *const argv[])
{
    if (argc < 2)
    {
        fprintf(stderr, "usage: %s PORT [tokens=1024]\n", argv[0]);
        return EXIT_FAILURE;
    }
    int count = argc > 2 ? atoi(argv[2]) : 1024;
    CHECK(count >= 2);
    struct sockaddr_in addr;
    build_sockaddr("127.0.0.1", argv[1], &addr);
    init_demikernel(argc, argv);
    int listener = -1;
    CHECK_RC(demi_socket(&listener, AF_INET, SOCK_STREAM, 0), 0);
    CHECK_RC(demi_bind(listener, (const struct sockaddr *)&addr, sizeof(addr)), 0);
    CHECK_RC(demi_listen(listener, 16), 0);
    many_tokens(listener, &addr, count);
    next_n(listener, &addr);
    CHECK_RC(demi_close(listener), 0);
    return EXIT_SUCCESS;
}
