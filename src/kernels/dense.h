/* dense.h — the three matrix products of a fully-connected layer, on raw
 * row-major pointers and shapes. Nothing here knows about networks.
 *
 *   affine:   Z (m x n)  = X (m x k) . W (k x n) + b (n)         forward
 *   backprop: E (m x k)  = D (m x n) . W^T, W being k x n        BP2's product
 *   outer:    G (k x n) <- beta G + alpha X^T (k x m) . D (m x n) BP4's product
 *
 * The weight-shaped matrices W and G have rows ldw >= n floats apart (a
 * trainer pads them to whole cache lines). Their padding never reaches a
 * result and is never changed: a kernel may read it, and outer may store it
 * back as it found it (AVX2, where whole stores beat masked ones). X, Z, D
 * and E are dense. *
 * Several implementations exist (portable C, CBLAS, AVX2, AVX-512); the portable one
 * is the reference the others are tested against. */
#ifndef NNC_DENSE_H
#define NNC_DENSE_H

#include <stddef.h>

#include "../pool.h"

/* Cache lines for affine to ask for while it runs: the next batch's samples.
 * A few hundred requests issued in a row stall on the core's few line-fill
 * buffers until memory answers; the register-blocked affine spreads them over
 * its loop instead, where they wait while it computes. Others issue them all
 * first (nnc_prefetch_all). */
typedef struct {
    const void *const *lines;
    size_t             count;
} nnc_prefetch;

static inline void nnc_prefetch_all(const nnc_prefetch *pf)
{
    for (size_t i = 0; pf && i < pf->count; i++)
        __builtin_prefetch(pf->lines[i]);
}

/* A product of fewer than 2 NNC_TASK_FLOPS FLOPs runs as one task: waking a
 * second thread costs more than it saves. A larger one is cut into an even
 * number of tasks of about NNC_TASK_FLOPS, so that two threads share it equally,
 * but never into more than `units` (its indivisible blocks). The count
 * depends on the shape alone, never on the pool. The common small case
 * costs a multiply and a compare: the seed's kernels run in a few hundred
 * cycles each. */
#define NNC_TASK_FLOPS 1000000u

static inline size_t nnc__product_tasks(size_t m, size_t k, size_t n, size_t units)
{
    size_t flops = 2 * m * k * n;
    if (flops < 2 * NNC_TASK_FLOPS)
        return 1;
    size_t tasks = flops / NNC_TASK_FLOPS;
    tasks += tasks & 1;
    return tasks < units ? tasks : units;
}

/* Every product takes a pool that may run parts of it on other threads (NULL:
 * this thread only). How a product is cut never depends on the pool. affine
 * also takes the lines to prefetch meanwhile, or NULL. */
typedef void (*nnc_affine_fn)(nnc_pool *pool, size_t m, size_t k, size_t n, const float *X,
                              const float *W, size_t ldw, const float *b, float *Z,
                              const nnc_prefetch *pf);
typedef void (*nnc_backprop_fn)(nnc_pool *pool, size_t m, size_t k, size_t n, const float *D,
                                const float *W, size_t ldw, float *E);
typedef void (*nnc_outer_fn)(nnc_pool *pool, size_t m, size_t k, size_t n, float alpha,
                             const float *X, const float *D, float beta,
                             float *G, size_t ldg);

typedef struct {
    const char     *name;
    nnc_affine_fn   affine;
    nnc_backprop_fn backprop;
    nnc_outer_fn    outer;
} nnc_dense_ops;

extern const nnc_dense_ops nnc_dense_ref;     /* portable C, the reference */
extern const nnc_dense_ops nnc_dense_blas;    /* CBLAS sgemm               */
extern const nnc_dense_ops nnc_dense_avx512;  /* needs AVX-512F            */
extern const nnc_dense_ops nnc_dense_avx2;    /* needs AVX2 and FMA        */

/* The implementations nnc uses on this machine, chosen once per process
 * (NNC_KERNELS=ref|blas|avx2|avx512 in the environment forces one). */
const nnc_dense_ops *nnc_dense_best(void);
int nnc_cpu_has_avx512(void);
int nnc_cpu_has_avx2(void);   /* AVX2 and FMA */

#endif
