/*
 * jdemi: Demikernel's C ABI over the JVM.
 *
 * demi/wait.h: waiting for asynchronous operations. The LibOS makes progress inside these calls (and during every
 * other call), so a program that never waits never completes anything.
 *
 * Timeouts: a NULL timeout waits until the operation completes (jdemi; Demikernel gives up after 256 s). A zero
 * timeout polls once. A negative tv_sec waits without limit; tv_nsec of a second or more is carried into seconds.
 */
#ifndef DEMI_WAIT_H_IS_INCLUDED
#define DEMI_WAIT_H_IS_INCLUDED

#include <demi/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C"
{
#endif

    /*
     * Waits for the operation of `qt` and writes its result to *qr_out, consuming the token. Returns 0 when the
     * operation completed, whether it succeeded or failed (a failure has qr_opcode == DEMI_OPC_FAILED and the errno
     * in qr_ret); ETIMEDOUT when the timeout passed first (the operation goes on; wait again later); EINVAL for a
     * NULL qr_out or an unknown, zero or already consumed token; ENOSYS before demi_init.
     */
    extern int demi_wait(demi_qresult_t *qr_out, demi_qtoken_t qt, const struct timespec *timeout);

    /*
     * Waits for the first of num_qts operations to complete, writes its result to *qr_out and its index in qts to
     * *ready_offset, and consumes that token (the others stay pending). Returns 0, ETIMEDOUT, or EINVAL (NULL
     * qr_out, negative num_qts, NULL qts or ready_offset with num_qts > 0, an unknown token).
     */
    extern int demi_wait_any(demi_qresult_t *qr_out, int *ready_offset, const demi_qtoken_t qts[], int num_qts,
                             const struct timespec *timeout);

    /*
     * Collects the results of up to num_qrs operations of any queue, whichever complete first (oldest completion
     * first), into qr_out[0..]. *num_qrs_out tells how many were written. Returns 0 when all num_qrs were
     * collected, ETIMEDOUT when the timeout passed first (some results may still have been written), or EINVAL
     * (NULL qr_out or num_qrs_out, num_qrs < 1).
     */
    extern int demi_wait_next_n(demi_qresult_t *qr_out, int num_qrs, int *num_qrs_out,
                                const struct timespec *timeout);

#ifdef __cplusplus
}
#endif

#endif /* DEMI_WAIT_H_IS_INCLUDED */
