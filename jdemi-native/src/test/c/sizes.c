/*
 * Checks the sizes and field offsets of Demikernel's C types as jdemi's headers declare them (spec 1.1), at compile
 * time and again at run time, printing each one.
 */
#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <demi/libos.h>
#include <demi/sga.h>
#include <demi/wait.h>

static int failures;

static void expect(const char *what, size_t actual, size_t expected)
{
    int ok = actual == expected;
    failures += !ok;
    printf("%-42s %3zu %s\n", what, actual, ok ? "ok" : "WRONG");
    if (!ok)
    {
        printf("    expected %zu\n", expected);
    }
}

#define SIZE(type, n)                                                                                              \
    _Static_assert(sizeof(type) == (n), "sizeof(" #type ")");                                                      \
    expect("sizeof(" #type ")", sizeof(type), (n))
#define OFFSET(type, field, n)                                                                                     \
    _Static_assert(offsetof(type, field) == (n), "offsetof(" #type ", " #field ")");                               \
    expect("offsetof(" #type ", " #field ")", offsetof(type, field), (n))

int main(void)
{
    SIZE(demi_qtoken_t, 8);
    SIZE(demi_opcode_t, 4);

    SIZE(demi_sgaseg_t, 12);
    OFFSET(demi_sgaseg_t, sgaseg_buf, 0);
    OFFSET(demi_sgaseg_t, sgaseg_len, 8);

    SIZE(demi_sgarray_t, 40);
    OFFSET(demi_sgarray_t, sga_buf, 0);
    OFFSET(demi_sgarray_t, sga_numsegs, 8);
    OFFSET(demi_sgarray_t, sga_segs, 12);
    OFFSET(demi_sgarray_t, sga_addr, 24);

    SIZE(demi_accept_result_t, 20);
    OFFSET(demi_accept_result_t, qd, 0);
    OFFSET(demi_accept_result_t, addr, 4);

    SIZE(demi_qr_value_t, 40);
    SIZE(demi_qresult_t, 64);
    OFFSET(demi_qresult_t, qr_opcode, 0);
    OFFSET(demi_qresult_t, qr_qd, 4);
    OFFSET(demi_qresult_t, qr_qt, 8);
    OFFSET(demi_qresult_t, qr_ret, 16);
    OFFSET(demi_qresult_t, qr_value, 24);
    OFFSET(demi_qresult_t, qr_value.sga.sga_segs, 36);
    OFFSET(demi_qresult_t, qr_value.sga.sga_addr, 48);
    OFFSET(demi_qresult_t, qr_value.ares.qd, 24);
    OFFSET(demi_qresult_t, qr_value.ares.addr, 28);

    SIZE(struct demi_args, 20);
    OFFSET(struct demi_args, argc, 0);
    OFFSET(struct demi_args, argv, 4);
    OFFSET(struct demi_args, callback, 12);

    expect("DEMI_SGARRAY_MAXSIZE", DEMI_SGARRAY_MAXSIZE, 1);
    expect("DEMI_OPC_INVALID", DEMI_OPC_INVALID, 0);
    expect("DEMI_OPC_PUSH", DEMI_OPC_PUSH, 1);
    expect("DEMI_OPC_POP", DEMI_OPC_POP, 2);
    expect("DEMI_OPC_ACCEPT", DEMI_OPC_ACCEPT, 3);
    expect("DEMI_OPC_CONNECT", DEMI_OPC_CONNECT, 4);
    expect("DEMI_OPC_CLOSE", DEMI_OPC_CLOSE, 5);
    expect("DEMI_OPC_FAILED", DEMI_OPC_FAILED, 6);

    printf("sizes: %s\n", failures == 0 ? "all ok" : "FAILED");
    return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
