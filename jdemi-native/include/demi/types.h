/*
 * jdemi: Demikernel's C ABI over the JVM.
 *
 * demi/types.h: the types every call shares. The layouts are Demikernel's, byte for byte (all structures are
 * packed), so a program built against Demikernel's headers runs unchanged against jdemi's libdemikernel.so:
 *
 *   demi_sgaseg_t         12 bytes     demi_accept_result_t   20 bytes
 *   demi_sgarray_t        40 bytes     demi_qresult_t         64 bytes
 *   struct demi_args      20 bytes     demi_opcode_t           4 bytes
 */
#ifndef DEMI_TYPES_H_IS_INCLUDED
#define DEMI_TYPES_H_IS_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <demi/cc.h>
#include <netinet/in.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C"
{
#endif

/* How many segments a scatter-gather array holds: always exactly one. */
#define DEMI_SGARRAY_MAXSIZE 1

/* A queue token: names one asynchronous operation until a wait returns its result. Opaque and never zero. */
typedef uint64_t demi_qtoken_t;

/* One segment of data: where it starts and how many bytes it has. */
typedef struct __attribute__((packed)) demi_sgaseg
{
    void *sgaseg_buf;    /* first data byte (native memory that does not move while the SGA is live) */
    uint32_t sgaseg_len; /* number of data bytes */
} demi_sgaseg_t;

/*
 * A scatter-gather array: the unit of data of push, pushto and pop. sga_buf is an opaque handle that names the
 * buffer to the library (never dereference it). A program may narrow sga_segs[0] (move the start forward, shrink
 * the length) inside the buffer before pushing it. sga_addr is the sender of a popped UDP datagram.
 */
typedef struct __attribute__((packed)) demi_sgarray
{
    void *sga_buf;                                 /* opaque handle; NULL in the "null SGA" */
    uint32_t sga_numsegs;                          /* 1, or 0 in the "null SGA" */
    demi_sgaseg_t sga_segs[DEMI_SGARRAY_MAXSIZE];  /* the data */
    struct sockaddr_in sga_addr;                   /* source of a popped datagram, else zeros */
} demi_sgarray_t;

/* What a completed operation was. */
typedef enum demi_opcode
{
    DEMI_OPC_INVALID = 0, /* never produced by a completion */
    DEMI_OPC_PUSH = 1,    /* push or pushto */
    DEMI_OPC_POP = 2,     /* pop: qr_value.sga holds the data (length 0 at end of stream) */
    DEMI_OPC_ACCEPT = 3,  /* accept: qr_value.ares holds the new queue and the peer */
    DEMI_OPC_CONNECT = 4, /* connect */
    DEMI_OPC_CLOSE = 5,   /* asynchronous close */
    DEMI_OPC_FAILED = 6,  /* the operation failed: qr_ret holds the errno */
} demi_opcode_t;

/* The result of an accept: the new connection's queue and the peer's address. */
typedef struct __attribute__((packed)) demi_accept_result
{
    int32_t qd;
    struct sockaddr_in addr;
} demi_accept_result_t;

/* The per-opcode part of a result. */
typedef union __attribute__((packed)) demi_qr_value
{
    demi_sgarray_t sga;        /* DEMI_OPC_POP */
    demi_accept_result_t ares; /* DEMI_OPC_ACCEPT */
} demi_qr_value_t;

/* The result of a completed operation, filled by the wait calls. */
typedef struct __attribute__((packed)) demi_qresult
{
    demi_opcode_t qr_opcode; /* what completed */
    int32_t qr_qd;           /* the queue it ran on (for accept: the listening queue) */
    demi_qtoken_t qr_qt;     /* its token */
    int64_t qr_ret;          /* 0, or the positive errno of a failure */
    demi_qr_value_t qr_value;
} demi_qresult_t;

/* Demikernel's profiler hook; jdemi accepts it and never calls it. */
typedef void (*demi_callback_t)(const char *name, uint32_t name_len, uint64_t cycles);

/* The arguments of demi_init. jdemi reads none of them: LIBOS and CONFIG_PATH select and configure the LibOS. */
typedef struct __attribute__((packed)) demi_args
{
    int argc;
    char *const *argv;
    demi_callback_t callback;
} demi_args_t;

#ifdef __cplusplus
}
#endif

#endif /* DEMI_TYPES_H_IS_INCLUDED */
