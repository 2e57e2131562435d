/* dense_blas.c — the dense products as CBLAS sgemm calls (OpenBLAS). */
#include <cblas.h>
#include <string.h>

#include "dense.h"

static void affine_blas(size_t m, size_t k, size_t n, const float *X,
                        const float *W, const float *b, float *Z)
{
    for (size_t i = 0; i < m; i++)
        memcpy(Z + i * n, b, n * sizeof *b);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n,
                (int)k, 1.0f, X, (int)k, W, (int)n, 1.0f, Z, (int)n);
}

static void backprop_blas(size_t m, size_t k, size_t n, const float *D,
                          const float *W, float *E)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)k,
                (int)n, 1.0f, D, (int)n, W, (int)n, 0.0f, E, (int)k);
}

static void outer_blas(size_t m, size_t k, size_t n, float alpha,
                       const float *X, const float *D, float beta, float *G)
{
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)n,
                (int)m, alpha, X, (int)k, D, (int)n, beta, G, (int)n);
}

const nnc_dense_ops nnc_dense_blas = {"blas", affine_blas, backprop_blas,
                                      outer_blas};
