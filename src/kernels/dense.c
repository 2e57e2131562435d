/* dense.c — the context the math computes through: the chosen kernels, the
 * threads they may use, the prefetch hand-off and the element-wise spans. */
#include <stdlib.h>

#include "../runtime/error.h"
#include "../runtime/memory.h"
#include "dense.h"

nnc_status nnc__dense_init(nnc__dense *d, size_t max_m, nnc__pool *pool)
{
    *d = (nnc__dense){nnc__dense_best(), pool, {NULL, 0}, nnc__alloc_floats(max_m), max_m};
    if (!d->ones)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a batch of %zu samples", max_m);
    for (size_t i = 0; i < max_m; i++)
        d->ones[i] = 1.0f;
    return NNC_OK;
}

void nnc__dense_free(nnc__dense *d)
{
    free(d->ones);
    d->pool = NULL;
    d->ones = NULL;
}

void nnc__gemm_nn_bias(nnc__dense *d, size_t m, size_t k, size_t n, const float *X,
                       const float *W, size_t ldw, const float *b, float *Z)
{
    /* the lines are for the first product of a batch only */
    const nnc__prefetch *pf = d->prefetch.count ? &d->prefetch : NULL;
    d->ops->gemm_nn_bias(d->pool, m, k, n, X, W, ldw, b, Z, pf);
    d->prefetch.count = 0;
}

void nnc__gemm_nt(nnc__dense *d, size_t m, size_t k, size_t n, const float *D,
                  const float *W, size_t ldw, float *E)
{
    d->ops->gemm_nt(d->pool, m, k, n, D, W, ldw, E);
}

void nnc__gemm_tn(nnc__dense *d, size_t m, size_t k, size_t n, float alpha, const float *X,
                  const float *D, float beta, float *G, size_t ldg)
{
    d->ops->gemm_tn(d->pool, m, k, n, alpha, X, D, beta, G, ldg);
}

/* The column sums as a product with a row of ones: gemm_tn's kernels are as
 * fast for one row of G as for many, and a separate kernel per instruction
 * set would only repeat them. */
void nnc__colsum(nnc__dense *d, size_t m, size_t n, float alpha, const float *D, float beta,
                 float *b)
{
    d->ops->gemm_tn(d->pool, m, 1, n, alpha, d->ones, D, beta, b, n);
}

/* Values per element-wise task: the same for any thread count. */
#define SPAN 16384

typedef struct {
    nnc__span_fn fn;
    void        *arg;
    size_t       count;
} span_job;

static void span_task(void *arg, size_t t)
{
    const span_job *j = arg;
    j->fn(j->arg, t * SPAN, nnc__task_len(j->count, SPAN, t));
}

void nnc__dense_map(nnc__dense *d, size_t count, nnc__span_fn fn, void *arg)
{
    if (!d->pool || count <= SPAN) {
        fn(arg, 0, count);
        return;
    }
    span_job j = {fn, arg, count};
    nnc__pool_run(d->pool, span_task, &j, nnc__task_count(count, SPAN));
}
