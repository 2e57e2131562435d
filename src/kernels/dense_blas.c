/* dense_blas.c — the dense products as CBLAS sgemm calls (OpenBLAS).
 *
 * OpenBLAS itself runs single-threaded: its threaded results can differ in
 * the last bit from its single-threaded ones (seen for a 128 x 784 x 1024
 * product). Instead each product is cut into chunks of a fixed size, the
 * same for any thread count, and the pool spreads the chunks over threads. */
#include <cblas.h>
#include <string.h>

#include "dense.h"

/* Chunks split the weight matrix, never the batch, so that no two chunks
 * pack the same weights: columns of W for gemm_nn_bias, rows of W for gemm_nt and
 * gemm_tn. A dimension of up to CHUNK_MAX is one chunk; a longer one is cut
 * into an even number of equal chunks (a multiple of 16 wide) of at most
 * CHUNK_MAX: even so that two threads share it equally, and no smaller than
 * needed because every chunk packs the batch's matrix once more. */
#define CHUNK_MAX 512

typedef struct {
    size_t       m, k, n, chunk;
    size_t       ld;    /* row stride of the weight-shaped matrix */
    float        alpha, beta;
    const float *A, *B, *bias;
    float       *C;
    const nnc__prefetch *pf;   /* gemm_nn_bias: lines to prefetch, shared by the tasks */
} product;

static size_t chunk_size(size_t len)
{
    if (len <= CHUNK_MAX)
        return len;
    size_t count = (len + CHUNK_MAX - 1) / CHUNK_MAX;
    count += count & 1;
    size_t size = (len + count - 1) / count;
    return (size + 15) / 16 * 16;
}

/* Z[:, j0:j0+c] = X W[:, j0:j0+c] + b[j0:j0+c] */
static void gemm_nn_bias_task(void *arg, size_t t)
{
    const product *p = arg;
    size_t j0 = t * p->chunk, cols = nnc__task_len(p->n, p->chunk, t);
    float *Z = p->C + j0;
    if (p->pf) {   /* this task's share of the lines, so threads share the waits */
        size_t tasks = nnc__task_count(p->n, p->chunk);
        nnc__prefetch mine = {p->pf->lines + p->pf->count * t / tasks,
                             p->pf->count * (t + 1) / tasks - p->pf->count * t / tasks};
        nnc__prefetch_all(&mine);
    }
    for (size_t i = 0; i < p->m; i++)
        memcpy(Z + i * p->n, p->bias + j0, cols * sizeof *Z);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)p->m, (int)cols, (int)p->k,
                1.0f, p->A, (int)p->k, p->B + j0, (int)p->ld, 1.0f, Z, (int)p->n);
}

static void gemm_nn_bias_blas(nnc__pool *pool, size_t m, size_t k, size_t n, const float *X,
                              const float *W, size_t ldw, const float *b, float *Z,
                              const nnc__prefetch *pf)
{
    product p = {m, k, n, chunk_size(n), ldw, 1.0f, 1.0f, X, W, b, Z, pf};
    nnc__pool_run(pool, gemm_nn_bias_task, &p, nnc__task_count(n, p.chunk));
}

/* E[:, p0:p0+c] = D (W[p0:p0+c, :])^T */
static void gemm_nt_task(void *arg, size_t t)
{
    const product *p = arg;
    size_t p0 = t * p->chunk, cols = nnc__task_len(p->k, p->chunk, t);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)p->m, (int)cols, (int)p->n,
                1.0f, p->A, (int)p->n, p->B + p0 * p->ld, (int)p->ld, 0.0f, p->C + p0,
                (int)p->k);
}

static void gemm_nt_blas(nnc__pool *pool, size_t m, size_t k, size_t n, const float *D,
                         const float *W, size_t ldw, float *E)
{
    product p = {m, k, n, chunk_size(k), ldw, 1.0f, 0.0f, D, W, NULL, E, NULL};
    nnc__pool_run(pool, gemm_nt_task, &p, nnc__task_count(k, p.chunk));
}

/* G[p0:p0+c, :] = beta G[p0:p0+c, :] + alpha (X[:, p0:p0+c])^T D */
static void gemm_tn_task(void *arg, size_t t)
{
    const product *p = arg;
    size_t r0 = t * p->chunk, rows = nnc__task_len(p->k, p->chunk, t);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)rows, (int)p->n, (int)p->m,
                p->alpha, p->A + r0, (int)p->k, p->B, (int)p->n, p->beta,
                p->C + r0 * p->ld, (int)p->ld);
}

static void gemm_tn_blas(nnc__pool *pool, size_t m, size_t k, size_t n, float alpha,
                         const float *X, const float *D, float beta, float *G, size_t ldg)
{
    product p = {m, k, n, chunk_size(k), ldg, alpha, beta, X, D, NULL, G, NULL};
    nnc__pool_run(pool, gemm_tn_task, &p, nnc__task_count(k, p.chunk));
}

const nnc__dense_ops nnc__dense_blas = {"blas", gemm_nn_bias_blas, gemm_nt_blas, gemm_tn_blas};
