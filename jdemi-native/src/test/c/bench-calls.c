/*
 * The cost of one crossing of the C boundary: demi_sgaalloc + demi_sgafree pairs in a loop (two upcalls; the Java
 * work behind them is a few nanoseconds, see docs/results.md), after a warm-up.
 *
 * Usage: bench-calls [pairs=2000000]       prints "sgaalloc+sgafree ns_per_pair=.. pairs=.."
 */
#define _POSIX_C_SOURCE 200809L

#include "common.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void pairs(long n)
{
    for (long i = 0; i < n; i++)
    {
        demi_sgarray_t sga = demi_sgaalloc(64);
        CHECK(sga.sga_buf != NULL);
        CHECK_RC(demi_sgafree(&sga), 0);
    }
}

int main(int argc, char *const argv[])
{
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    CHECK(n > 0);
    init_demikernel(argc, argv);
    pairs(n / 2 + 10000);
    uint64_t start = now_ns();
    pairs(n);
    uint64_t elapsed = now_ns() - start;
    fprintf(stdout, "sgaalloc+sgafree ns_per_pair=%.1f pairs=%ld\n", (double)elapsed / (double)n, n);
    return EXIT_SUCCESS;
}
