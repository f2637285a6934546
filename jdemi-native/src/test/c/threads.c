/*
 * Threads that call in are attached, and each has its own LibOS, as upstream's thread-local LibOS.
 *
 * Usage: threads [count=4]
 *   The main thread never calls demi_init: its calls return ENOSYS, even while other threads have a LibOS. Each
 *   of `count` threads calls demi_init (0, then EEXIST), gets qd 500 for its first socket (its own qd space), sends
 *   a datagram to itself over loopback and checks the bytes.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>

#include "common.h"

static void *run(void *arg)
{
    int id = (int)(intptr_t)arg;
    CHECK_RC(demi_init(NULL), 0);
    CHECK_RC(demi_init(NULL), EEXIST);
    int qd = -1;
    CHECK_RC(demi_socket(&qd, AF_INET, SOCK_DGRAM, 0), 0);
    CHECK(qd == 500);
    struct sockaddr_in self;
    build_sockaddr("127.0.0.1", "0", &self);
    CHECK_RC(demi_bind(qd, (const struct sockaddr *)&self, sizeof(self)), 0);
    socklen_t len = sizeof(self);
    CHECK_RC(demi_getsockname(qd, (struct sockaddr *)&self, &len), 0);
    CHECK(self.sin_port != 0);
    demi_sgarray_t sga = demi_sgaalloc(32);
    CHECK(sga.sga_buf != NULL);
    memset(sga.sga_segs[0].sgaseg_buf, pattern((uint64_t)id), 32);
    pushto_wait(qd, &sga, &self);
    CHECK_RC(demi_sgafree(&sga), 0);
    demi_qresult_t qr;
    pop_wait(qd, &qr);
    CHECK(qr.qr_value.sga.sga_segs[0].sgaseg_len == 32);
    const uint8_t *bytes = qr.qr_value.sga.sga_segs[0].sgaseg_buf;
    for (int k = 0; k < 32; k++)
    {
        CHECK(bytes[k] == pattern((uint64_t)id));
    }
    CHECK_RC(demi_sgafree(&qr.qr_value.sga), 0);
    CHECK_RC(demi_close(qd), 0);
    return NULL;
}

int main(int argc, char *const argv[])
{
    int count = argc > 1 ? atoi(argv[1]) : 4;
    CHECK(count > 0 && count <= 64);
    pthread_t threads[64];
    for (int i = 0; i < count; i++)
    {
        CHECK(pthread_create(&threads[i], NULL, run, (void *)(intptr_t)i) == 0);
    }
    for (int i = 0; i < count; i++)
    {
        CHECK(pthread_join(threads[i], NULL) == 0);
    }
    int qd = -1;
    CHECK_RC(demi_socket(&qd, AF_INET, SOCK_DGRAM, 0), ENOSYS);
    fprintf(stdout, "threads: %d threads, each with its own LibOS; the main thread has none\n", count);
    return EXIT_SUCCESS;
}
