/*
 * jdemi: Demikernel's C ABI over the JVM.
 *
 * demi/sga.h: scatter-gather arrays (SGAs), the memory that push and pop move.
 */
#ifndef DEMI_SGA_H_IS_INCLUDED
#define DEMI_SGA_H_IS_INCLUDED

#include <demi/types.h>

#ifdef __cplusplus
extern "C"
{
#endif

    /*
     * Allocates an SGA of `size` bytes (1..65535) of native memory that stays put until it is freed. Its bytes
     * are not initialised. Returns the "null SGA" (every field zero, sga_buf == NULL) when size is 0 or too large,
     * when memory is short, or before demi_init. The SGA belongs to the caller, who frees it with demi_sgafree.
     */
    extern demi_sgarray_t demi_sgaalloc(size_t size);

    /*
     * Gives an SGA back: one from demi_sgaalloc or from a completed pop (including a zero-length one at end of
     * stream). Returns 0, EINVAL (NULL, sga_numsegs != 1, NULL or stale handle, an SGA already freed or of
     * another thread's LibOS) or ENOSYS (before demi_init). A pushed SGA may be freed as soon as demi_push
     * returns: the push holds its own reference to the bytes.
     */
    extern int demi_sgafree(demi_sgarray_t *sga);

#ifdef __cplusplus
}
#endif

#endif /* DEMI_SGA_H_IS_INCLUDED */
