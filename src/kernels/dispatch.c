/* dispatch.c — picks the kernels for this machine, once per process.
 *
 * Small batches (the seed's m = 10) go to the register-blocked kernels of the
 * widest vector instructions the CPU has (AVX-512, else AVX2 with FMA), which
 * beat an OpenBLAS call there; large ones go to OpenBLAS, which beats them
 * there (docs/PERFORMANCE.md has the measurements). A CPU with neither uses
 * OpenBLAS throughout. NNC_KERNELS=ref|blas|avx2|avx512 in the environment
 * forces one implementation (one the CPU lacks falls back to blas). */
#include <cblas.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "vector.h"

/* The register-blocked kernels for batches up to SMALL_BATCH rows or
 * layers up to NARROW_LAYER units. BP2's product reads W's columns (AVX-512
 * gathers them or multiplies W by D's transpose, AVX2 copies them
 * transposed): that beats OpenBLAS for the
 * smallest batches, and for any batch when the layer has at most 16 units
 * (W's output layer: half OpenBLAS's time with AVX-512). */
#define SMALL_BATCH 24
#define NARROW_LAYER 128
#define SMALL_BACKPROP 16
#define NARROW_BACKPROP 16

static const nnc_dense_ops *blocked = &nnc_dense_avx512;   /* set by choose() */

static const nnc_dense_ops *pick(size_t m, size_t n)
{
    return m <= SMALL_BATCH || n <= NARROW_LAYER ? blocked : &nnc_dense_blas;
}

static void affine_auto(nnc_pool *pool, size_t m, size_t k, size_t n, const float *X,
                        const float *W, size_t ldw, const float *b, float *Z,
                        const nnc_prefetch *pf)
{
    pick(m, n)->affine(pool, m, k, n, X, W, ldw, b, Z, pf);
}

static void backprop_auto(nnc_pool *pool, size_t m, size_t k, size_t n, const float *D,
                          const float *W, size_t ldw, float *E)
{
    int columns = m <= SMALL_BACKPROP || n <= NARROW_BACKPROP;
    (columns ? blocked : &nnc_dense_blas)->backprop(pool, m, k, n, D, W, ldw, E);
}

static void outer_auto(nnc_pool *pool, size_t m, size_t k, size_t n, float alpha,
                       const float *X, const float *D, float beta, float *G, size_t ldg)
{
    pick(m, n)->outer(pool, m, k, n, alpha, X, D, beta, G, ldg);
}

static const nnc_dense_ops dense_auto = {"auto (register-blocked for small batches, else blas)",
                                         affine_auto, backprop_auto, outer_auto};

static const nnc_dense_ops *dense_chosen = &nnc_dense_blas;
static const nnc_vector_ops *vector_chosen = &nnc_vector_ref;
static pthread_once_t chosen_once = PTHREAD_ONCE_INIT;

static void choose(void)
{
    /* nnc threads its products itself (see dense_blas.c); OpenBLAS's own
     * threads would make results depend on the thread count. */
    openblas_set_num_threads(1);
    int avx512 = nnc_cpu_has_avx512(), avx2 = nnc_cpu_has_avx2();
    const char *want = getenv("NNC_KERNELS");
    if (want && !strcmp(want, "ref")) {
        dense_chosen = &nnc_dense_ref;
        return;
    }
    if (want && !strcmp(want, "blas"))
        avx512 = avx2 = 0;
    if (want && !strcmp(want, "avx2"))
        avx512 = 0;
    if (avx512) {
        blocked = &nnc_dense_avx512;
        vector_chosen = &nnc_vector_avx512;
    } else if (avx2) {
        blocked = &nnc_dense_avx2;
        vector_chosen = &nnc_vector_avx2;
    } else {
        return;
    }
    int forced = want && (!strcmp(want, "avx512") || !strcmp(want, "avx2"));
    dense_chosen = forced ? blocked : &dense_auto;
}

const nnc_dense_ops *nnc_dense_best(void)
{
    pthread_once(&chosen_once, choose);
    return dense_chosen;
}

const nnc_vector_ops *nnc_vector_best(void)
{
    pthread_once(&chosen_once, choose);
    return vector_chosen;
}

int nnc_cpu_has_avx512(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

int nnc_cpu_has_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
