/*
 * jdemi: Demikernel's C ABI over the JVM.
 *
 * demi/cc.h: compiler annotations that Demikernel's headers and programs may use. They expand to GCC/Clang
 * attributes or to nothing; jdemi's own declarations do not use them, so a program may pass NULL to any call
 * and get EINVAL back instead of a compile-time warning.
 */
#ifndef DEMI_CC_H
#define DEMI_CC_H

/* Microsoft SAL parameter annotations: documentation only outside MSVC. */
#ifdef _MSC_VER
#include <sal.h>
#else
#define _In_
#define _In_z_
#define _In_opt_
#define _Inout_
#define _In_reads_(s)
#define _In_reads_bytes_(b)
#define _Out_
#define _Out_writes_to_(s, c)
#define _Out_writes_to_opt_(s, c)
#define _Deref_pre_z_
#endif

#if defined(__GNUC__)
/* Parameters (1-based) that must not be NULL. */
#define ATTR_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
/* A result the caller must look at. */
#define ATTR_NODISCARD __attribute__((warn_unused_result))
#else
#define ATTR_NONNULL(...)
#define ATTR_NODISCARD
#endif

#endif /* DEMI_CC_H */
