/* dense.h — the matrix products of a fully-connected layer, on row-major
 * pointers and shapes. Nothing here knows about networks; the names say what
 * is multiplied by what (n: as stored, t: transposed), as BLAS names them.
 *
 *   gemm_nn_bias  Z (m x n)  = X (m x k) · W (k x n) + b (n)           forward
 *   gemm_nt       E (m x k)  = D (m x n) · Wᵀ (n x k)                   BP2
 *   gemm_tn       G (k x n) <- beta G + alpha Xᵀ (k x m) · D (m x n)   BP4
 *   colsum        b (n)     <- beta b + alpha 1ᵀ (1 x m) · D (m x n)    BP3
 *
 * The weight-shaped matrices W and G have rows ldw >= n floats apart (the
 * trainer pads them to whole cache lines). Their padding never reaches a
 * result and is never changed: a kernel may read it, and gemm_tn may store it
 * back as it found it (AVX2, where whole stores beat masked ones). X, Z, D
 * and E are dense. When beta is 0, G is never read.
 *
 * Several implementations exist (portable C, CBLAS, AVX2, AVX-512); the
 * portable one (dense_ref.c) is the specification the others are tested
 * against. The math calls them through an nnc__dense context (bottom), which
 * owns the threads a product may use and how it is cut into tasks. */
#ifndef NNC_DENSE_H
#define NNC_DENSE_H

#include <stddef.h>

#include "nnc.h"
#include "../runtime/pool.h"

/* Cache lines for gemm_nn_bias to ask for while it runs: the next batch's samples.
 * A few hundred requests issued in a row stall on the core's few line-fill
 * buffers until memory answers; the register-blocked gemm_nn_bias spreads them over
 * its loop instead, where they wait while it computes. Others issue them all
 * first (nnc__prefetch_all). */
typedef struct {
    const void *const *lines;
    size_t             count;
} nnc__prefetch;

static inline void nnc__prefetch_all(const nnc__prefetch *pf)
{
    for (size_t i = 0; pf && i < pf->count; i++)
        __builtin_prefetch(pf->lines[i]);
}

/* A product of fewer than 2 NNC_TASK_FLOPS FLOPs runs as one task: waking a
 * second thread costs more than it saves. A larger one is cut into an even
 * number of tasks of about NNC_TASK_FLOPS, so that two threads share it equally,
 * but never into more than `units` (its indivisible blocks). The count
 * depends on the shape alone, never on the pool. The common small case
 * costs a multiply and a compare: the tutorial's kernels run in a few hundred
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
 * this thread only). How a product is cut never depends on the pool.
 * gemm_nn_bias also takes the lines to prefetch meanwhile, or NULL. */
typedef void (*nnc__gemm_nn_bias_fn)(nnc__pool *pool, size_t m, size_t k, size_t n,
                                     const float *X, const float *W, size_t ldw,
                                     const float *b, float *Z, const nnc__prefetch *pf);
typedef void (*nnc__gemm_nt_fn)(nnc__pool *pool, size_t m, size_t k, size_t n,
                                const float *D, const float *W, size_t ldw, float *E);
typedef void (*nnc__gemm_tn_fn)(nnc__pool *pool, size_t m, size_t k, size_t n, float alpha,
                                const float *X, const float *D, float beta, float *G,
                                size_t ldg);

typedef struct {
    const char          *name;
    nnc__gemm_nn_bias_fn gemm_nn_bias;
    nnc__gemm_nt_fn      gemm_nt;
    nnc__gemm_tn_fn      gemm_tn;
} nnc__dense_ops;

extern const nnc__dense_ops nnc__dense_ref;     /* portable C, the reference */
extern const nnc__dense_ops nnc__dense_blas;    /* CBLAS sgemm               */
extern const nnc__dense_ops nnc__dense_avx512;  /* needs AVX-512F            */
extern const nnc__dense_ops nnc__dense_avx2;    /* needs AVX2 and FMA        */

/* The implementations nnc uses on this machine, chosen once per process
 * (NNC_KERNELS=ref|blas|avx2|avx512 in the environment forces one). */
const nnc__dense_ops *nnc__dense_best(void);
/* The implementation for products too large for the register-blocked
 * kernels: OpenBLAS where the build has it, else the portable one. */
const nnc__dense_ops *nnc__dense_large(void);
/* One implementation by name (ref, blas, avx2, avx512), or NULL when this
 * build or this CPU lacks it: for tests and benchmarks. */
const nnc__dense_ops *nnc__dense_named(const char *name);
int nnc__cpu_has_avx512(void);
int nnc__cpu_has_avx2(void);   /* AVX2 and FMA */

/* ---- what the math calls ------------------------------------------------ */

/* The kernels, the threads they may use and the memory they need, for
 * batches of up to max_m rows. */
typedef struct {
    const nnc__dense_ops *ops;
    nnc__pool            *pool;     /* the caller's; NULL: this thread only     */
    nnc__prefetch         prefetch; /* lines the next gemm_nn_bias fetches as it
                                       runs (the trainer's next batch); taken
                                       by that call                            */
    float                *ones;     /* max_m ones: colsum as the product 1ᵀ D  */
    size_t                max_m;
} nnc__dense;

/* pool: the threads the products may use (NULL: none but the caller's);
 * the context borrows it, its creator frees it after the context. */
nnc_status nnc__dense_init(nnc__dense *d, size_t max_m, nnc__pool *pool);
void nnc__dense_free(nnc__dense *d);

void nnc__gemm_nn_bias(nnc__dense *d, size_t m, size_t k, size_t n, const float *X,
                       const float *W, size_t ldw, const float *b, float *Z);
void nnc__gemm_nt(nnc__dense *d, size_t m, size_t k, size_t n, const float *D,
                  const float *W, size_t ldw, float *E);
void nnc__gemm_tn(nnc__dense *d, size_t m, size_t k, size_t n, float alpha, const float *X,
                  const float *D, float beta, float *G, size_t ldg);
void nnc__colsum(nnc__dense *d, size_t m, size_t n, float alpha, const float *D, float beta,
                 float *b);

/* Runs fn(arg, first, len) over [0, count) in spans of a fixed length, the
 * spans spread over the context's threads: element-wise steps of wide layers
 * at large batches are otherwise the part of a batch one thread does alone. */
typedef void (*nnc__span_fn)(void *arg, size_t first, size_t len);
void nnc__dense_map(nnc__dense *d, size_t count, nnc__span_fn fn, void *arg);

#endif
