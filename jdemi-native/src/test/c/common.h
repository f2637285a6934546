/*
 * jdemi-native C tests: helpers shared by the test programs. Every check that fails prints where and why on stderr
 * and exits with status 1, so the JUnit runner sees the failure in the exit code and the reason in the output.
 */
#ifndef JDEMI_TEST_COMMON_H
#define JDEMI_TEST_COMMON_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <demi/libos.h>
#include <demi/sga.h>
#include <demi/wait.h>

#define CHECK(cond)                                                                                                \
    do                                                                                                             \
    {                                                                                                              \
        if (!(cond))                                                                                               \
        {                                                                                                          \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                               \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

/* For a system call: the check, and errno when it fails. */
#define CHECK_SYS(cond)                                                                                            \
    do                                                                                                             \
    {                                                                                                              \
        if (!(cond))                                                                                               \
        {                                                                                                          \
            fprintf(stderr, "%s:%d: check failed: %s: %s\n", __FILE__, __LINE__, #cond, strerror(errno));         \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

#define CHECK_RC(expr, want)                                                                                       \
    do                                                                                                             \
    {                                                                                                              \
        int rc_ = (expr);                                                                                          \
        if (rc_ != (want))                                                                                         \
        {                                                                                                          \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d\n", __FILE__, __LINE__, #expr, rc_,           \
                    strerror(rc_), (int)(want));                                                                   \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

/* How long a test waits for one operation before it gives up: generous, for a cold JVM on a busy machine. */
#define TEST_TIMEOUT_SECONDS 30

static inline void announce(const char *line)
{
    fprintf(stdout, "%s\n", line);
    fflush(stdout);
}

static inline void init_demikernel(int argc, char *const argv[])
{
    struct demi_args args = {.argc = argc, .argv = argv, .callback = NULL};
    CHECK_RC(demi_init(&args), 0);
}

static inline void build_sockaddr(const char *ip, const char *port, struct sockaddr_in *addr)
{
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_port = htons((uint16_t)atoi(port));
    CHECK(inet_pton(AF_INET, ip, &addr->sin_addr) == 1);
}

/* Waits for one operation, at most TEST_TIMEOUT_SECONDS. */
static inline void wait_for(demi_qresult_t *qr, demi_qtoken_t qt)
{
    struct timespec timeout = {.tv_sec = TEST_TIMEOUT_SECONDS, .tv_nsec = 0};
    CHECK_RC(demi_wait(qr, qt, &timeout), 0);
    if (qr->qr_opcode == DEMI_OPC_FAILED)
    {
        fprintf(stderr, "operation on qd %d failed: %s\n", qr->qr_qd, strerror((int)qr->qr_ret));
        exit(1);
    }
}

static inline int accept_wait(int qd)
{
    demi_qtoken_t qt = 0;
    demi_qresult_t qr;
    CHECK_RC(demi_accept(&qt, qd), 0);
    wait_for(&qr, qt);
    CHECK(qr.qr_opcode == DEMI_OPC_ACCEPT);
    CHECK(qr.qr_qd == qd);
    CHECK(qr.qr_value.ares.addr.sin_family == AF_INET);
    return qr.qr_value.ares.qd;
}

static inline void connect_wait(int qd, const struct sockaddr_in *remote)
{
    demi_qtoken_t qt = 0;
    demi_qresult_t qr;
    CHECK_RC(demi_connect(&qt, qd, (const struct sockaddr *)remote, sizeof(*remote)), 0);
    wait_for(&qr, qt);
    CHECK(qr.qr_opcode == DEMI_OPC_CONNECT);
}

static inline void push_wait(int qd, const demi_sgarray_t *sga)
{
    demi_qtoken_t qt = 0;
    demi_qresult_t qr;
    CHECK_RC(demi_push(&qt, qd, sga), 0);
    wait_for(&qr, qt);
    CHECK(qr.qr_opcode == DEMI_OPC_PUSH);
}

static inline void pushto_wait(int qd, const demi_sgarray_t *sga, const struct sockaddr_in *to)
{
    demi_qtoken_t qt = 0;
    demi_qresult_t qr;
    CHECK_RC(demi_pushto(&qt, qd, sga, (const struct sockaddr *)to, sizeof(*to)), 0);
    wait_for(&qr, qt);
    CHECK(qr.qr_opcode == DEMI_OPC_PUSH);
}

/* Pops once; the result's SGA belongs to the caller. */
static inline void pop_wait(int qd, demi_qresult_t *qr)
{
    demi_qtoken_t qt = 0;
    CHECK_RC(demi_pop(&qt, qd), 0);
    wait_for(qr, qt);
    CHECK(qr->qr_opcode == DEMI_OPC_POP);
    CHECK(qr->qr_qd == qd);
    CHECK(qr->qr_value.sga.sga_numsegs == 1);
    CHECK(qr->qr_value.sga.sga_buf != NULL);
}

/* The byte at position `at` of a test stream: never 0, so zeroed memory never passes for data. */
static inline uint8_t pattern(uint64_t at)
{
    return (uint8_t)(at % 251 + 1);
}

#endif /* JDEMI_TEST_COMMON_H */
