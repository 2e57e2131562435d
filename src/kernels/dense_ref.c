/* dense_ref.c — the dense products in plain C: the specification.
 *
 * Slow on purpose: one thread, no blocking, written to be read. Every other
 * implementation is tested against these loops on random shapes. */
#include "dense.h"

/* Z[i][j] = b[j] + Σ_p X[i][p] W[p][j] */
static void gemm_nn_bias_ref(nnc__pool *pool, size_t m, size_t k, size_t n, const float *X,
                             const float *W, size_t ldw, const float *b, float *Z,
                             const nnc__prefetch *pf)
{
    (void)pool;   /* the reference runs on one thread */
    nnc__prefetch_all(pf);
    for (size_t i = 0; i < m; i++) {
        float *z = Z + i * n;
        for (size_t j = 0; j < n; j++)
            z[j] = b[j];
        for (size_t p = 0; p < k; p++) {
            const float x = X[i * k + p], *w = W + p * ldw;
            for (size_t j = 0; j < n; j++)
                z[j] += x * w[j];
        }
    }
}

/* E[i][p] = Σ_j D[i][j] W[p][j] */
static void gemm_nt_ref(nnc__pool *pool, size_t m, size_t k, size_t n, const float *D,
                        const float *W, size_t ldw, float *E)
{
    (void)pool;   /* the reference runs on one thread */
    for (size_t i = 0; i < m; i++)
        for (size_t p = 0; p < k; p++) {
            const float *d = D + i * n, *w = W + p * ldw;
            float s = 0.0f;
            for (size_t j = 0; j < n; j++)
                s += d[j] * w[j];
            E[i * k + p] = s;
        }
}

/* G[p][j] = beta G[p][j] + Σ_i (alpha X[i][p]) D[i][j]; G is not read when
 * beta is 0 */
static void gemm_tn_ref(nnc__pool *pool, size_t m, size_t k, size_t n, float alpha,
                        const float *X, const float *D, float beta, float *G, size_t ldg)
{
    (void)pool;   /* the reference runs on one thread */
    for (size_t p = 0; p < k; p++) {
        float *g = G + p * ldg;
        if (beta == 0.0f)
            for (size_t j = 0; j < n; j++)
                g[j] = 0.0f;
        else if (beta != 1.0f)
            for (size_t j = 0; j < n; j++)
                g[j] *= beta;
        for (size_t i = 0; i < m; i++) {
            const float x = alpha * X[i * k + p], *d = D + i * n;
            for (size_t j = 0; j < n; j++)
                g[j] += x * d[j];
        }
    }
}

const nnc__dense_ops nnc__dense_ref = {"ref", gemm_nn_bias_ref, gemm_nt_ref, gemm_tn_ref};
