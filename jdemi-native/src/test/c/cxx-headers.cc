/*
 * Upstream's headers serve C++ programs too: this compiles as C++17 against them, links, and calls through them
 * without demi_init (every call must return ENOSYS, sgaalloc the null SGA).
 *
 * Usage: cxx-headers       prints "c++: ok"
 */
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <demi/libos.h>
#include <demi/sga.h>
#include <demi/wait.h>

static_assert(sizeof(demi_sgarray_t) == 40, "demi_sgarray_t");
static_assert(sizeof(demi_qresult_t) == 64, "demi_qresult_t");
static_assert(sizeof(demi_args) == 20, "struct demi_args");

int main()
{
    demi_sgarray_t sga = demi_sgaalloc(8);
    int qd = -1;
    demi_qtoken_t qt = 0;
    bool ok = sga.sga_buf == nullptr && demi_sgafree(&sga) == ENOSYS &&
              demi_socket(&qd, AF_INET, SOCK_STREAM, 0) == ENOSYS && demi_pop(&qt, 500) == ENOSYS;
    std::printf("c++: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
