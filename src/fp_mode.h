/* fp_mode.h — subnormal floats flushed to zero while nnc computes.
 *
 * As a sigmoid network trains, saturated units drive σ'(z), and with it
 * deltas and activations, below FLT_MIN, and on x86 an FMA that meets a
 * subnormal operand or result takes a microcode assist of a hundred cycles
 * or more. The seed's epochs grew from 0.068 s to 0.199 s over 30 epochs
 * that way, with flushing they stay flat (docs/PERFORMANCE.md). Every entry
 * point that trains or evaluates sets FTZ (a subnormal result becomes 0) and
 * DAZ (a subnormal input reads as 0) for the length of the call and gives
 * the caller's mode back before it returns; the threads it creates inherit
 * the mode, as POSIX threads inherit their creator's floating-point
 * environment. It changed no accuracy of the seed's 30 epochs. On other
 * processors this does nothing. */
#ifndef NNC_FP_MODE_H
#define NNC_FP_MODE_H

#if defined(__x86_64__) || defined(__SSE__)
#include <pmmintrin.h>
#include <xmmintrin.h>

typedef unsigned nnc_fp_mode;   /* the caller's MXCSR */

static inline nnc_fp_mode nnc__flush_subnormals(void)
{
    nnc_fp_mode caller = _mm_getcsr();
    _mm_setcsr(caller | _MM_FLUSH_ZERO_ON | _MM_DENORMALS_ZERO_ON);
    return caller;
}

static inline void nnc__fp_restore(nnc_fp_mode caller) { _mm_setcsr(caller); }
#else
typedef int nnc_fp_mode;

static inline nnc_fp_mode nnc__flush_subnormals(void) { return 0; }
static inline void nnc__fp_restore(nnc_fp_mode caller) { (void)caller; }
#endif

#endif
