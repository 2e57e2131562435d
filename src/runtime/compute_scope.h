/* compute_scope.h — what the library sets while it computes, and gives back.
 *
 * Subnormal floats: as a sigmoid network trains, saturated units drive σ'(z),
 * and with it deltas and activations, below FLT_MIN, and on x86 an FMA that
 * meets a subnormal operand or result takes a microcode assist of a hundred
 * cycles or more, which doubles a long run's epoch time. Every entry point
 * that trains or evaluates therefore sets FTZ (a subnormal result becomes 0)
 * and DAZ (a subnormal input reads as 0) for the length of the call; the
 * threads it creates inherit the mode, as POSIX threads inherit their
 * creator's floating-point environment. Elsewhere this does nothing.
 *
 * OpenBLAS's threads: nnc cuts its products into tasks of its own (so that
 * results never depend on the thread count), and OpenBLAS's threaded results
 * can differ in the last bit from its single-threaded ones. OpenBLAS runs on
 * one thread while nnc computes, and gets the host program's thread count
 * back when the last nnc call in the process returns. */
#ifndef NNC_COMPUTE_SCOPE_H
#define NNC_COMPUTE_SCOPE_H

typedef struct {
    unsigned mxcsr;   /* the calling thread's floating-point mode (x86) */
} nnc__compute_scope;

nnc__compute_scope nnc__compute_begin(void);
void nnc__compute_end(nnc__compute_scope scope);

#endif
