/* dispatch.c — picks the kernels for this machine, once per process.
 *
 * Small batches (the tutorial's m = 10) go to the register-blocked kernels of the
 * widest vector instructions the CPU has (AVX-512, else AVX2 with FMA), which
 * beat an OpenBLAS call there; large ones go to OpenBLAS, which beats them
 * there (docs/PERFORMANCE.md has the measurements). A CPU with neither uses
 * OpenBLAS throughout; a build without a CBLAS, the portable kernels.
 * NNC_KERNELS=ref|blas|avx2|avx512|onednn in the environment forces one
 * implementation (one the CPU or the build lacks falls back to blas, else
 * ref). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bf16.h"
#include "dense.h"
#include "vector.h"

/* The register-blocked kernels for batches up to SMALL_BATCH rows or
 * layers up to NARROW_LAYER units. BP2's product reads W's columns (AVX-512
 * gathers them or multiplies W by D's transpose, AVX2 copies them
 * transposed): that beats OpenBLAS for the smallest batches, and for any
 * batch when the layer has at most 16 units. */
#define SMALL_BATCH 24
#define NARROW_LAYER 128
#define SMALL_GEMM_NT 16
#define NARROW_GEMM_NT 16

#ifdef NNC_HAVE_CBLAS
#define LARGE (&nnc__dense_blas)
#else
#define LARGE (&nnc__dense_ref)
#endif

static const nnc__dense_ops *blocked = LARGE;   /* set by choose() */

static const nnc__dense_ops *pick(size_t m, size_t n)
{
    return m <= SMALL_BATCH || n <= NARROW_LAYER ? blocked : LARGE;
}

static void gemm_nn_bias_auto(nnc__pool *pool, size_t m, size_t k, size_t n, const float *X,
                              const float *W, size_t ldw, const float *b, float *Z,
                              const nnc__prefetch *pf)
{
    pick(m, n)->gemm_nn_bias(pool, m, k, n, X, W, ldw, b, Z, pf);
}

static void gemm_nt_auto(nnc__pool *pool, size_t m, size_t k, size_t n, const float *D,
                         const float *W, size_t ldw, float *E)
{
    int columns = m <= SMALL_GEMM_NT || n <= NARROW_GEMM_NT;
    (columns ? blocked : LARGE)->gemm_nt(pool, m, k, n, D, W, ldw, E);
}

static void gemm_tn_auto(nnc__pool *pool, size_t m, size_t k, size_t n, float alpha,
                         const float *X, const float *D, float beta, float *G, size_t ldg)
{
    pick(m, n)->gemm_tn(pool, m, k, n, alpha, X, D, beta, G, ldg);
}

static const nnc__dense_ops dense_auto = {"auto (register-blocked for small batches, else blas)",
                                         gemm_nn_bias_auto, gemm_nt_auto, gemm_tn_auto};

static const nnc__dense_ops *dense_chosen = LARGE;
static const nnc__vector_ops *vector_chosen = &nnc__vector_ref;
static pthread_once_t chosen_once = PTHREAD_ONCE_INIT;

/* The bfloat16 kernels (bf16.h: nnc__bf16_best). Where AMX is usable,
 * oneDNN's: it has AMX kernels and these files none. On AVX-512 BF16 alone,
 * the own kernels: they run as fast as oneDNN's there (docs/PERFORMANCE.md)
 * and give the reference's bits. */
static const nnc__bf16_ops *bf16_chosen;
static const nnc__bf16_ops *bf16_override;
static int bf16_overridden;

static const nnc__bf16_ops *onednn(void)
{
#ifdef NNC_HAVE_ONEDNN
    return &nnc__bf16_onednn;
#else
    return NULL;
#endif
}

static const nnc__bf16_ops *avx512bf16(void)
{
#ifdef NNC_HAVE_BF16_KERNELS
    return &nnc__bf16_avx512;
#else
    return NULL;
#endif
}

const nnc__bf16_ops *nnc__bf16_pick(int amx, int avx512bf16_cpu, const char *want)
{
    if (want && !strcmp(want, "ref"))
        return &nnc__bf16_ref;
    if (want && (!strcmp(want, "blas") || !strcmp(want, "avx2")))
        return NULL;
    int any = amx || avx512bf16_cpu;   /* oneDNN needs one of them for bf16 */
    if (want && !strcmp(want, "onednn"))
        return any ? onednn() : NULL;
    if (want && !strcmp(want, "avx512"))
        return avx512bf16_cpu ? avx512bf16() : NULL;
    if (amx && onednn())
        return onednn();
    return avx512bf16_cpu && avx512bf16() ? avx512bf16() : any ? onednn() : NULL;
}

static void choose(void)
{
    int avx512 = nnc__cpu_has_avx512(), avx2 = nnc__cpu_has_avx2();
    const char *want = getenv("NNC_KERNELS");
    bf16_chosen = nnc__bf16_pick(nnc__cpu_amx_usable(), nnc__cpu_has_avx512bf16(), want);
    if (want && !strcmp(want, "ref")) {
        dense_chosen = &nnc__dense_ref;
        return;
    }
    if (want && !strcmp(want, "blas"))
        avx512 = avx2 = 0;
    if (want && !strcmp(want, "avx2"))
        avx512 = 0;
#ifdef NNC_HAVE_X86_KERNELS
    if (avx512) {
        blocked = &nnc__dense_avx512;
        vector_chosen = &nnc__vector_avx512;
    } else if (avx2) {
        blocked = &nnc__dense_avx2;
        vector_chosen = &nnc__vector_avx2;
    } else {
        return;
    }
#else
    (void)avx512, (void)avx2;
    return;
#endif
    int forced = want && (!strcmp(want, "avx512") || !strcmp(want, "avx2"));
    dense_chosen = forced ? blocked : &dense_auto;
}

const nnc__dense_ops *nnc__dense_best(void)
{
    pthread_once(&chosen_once, choose);
    return dense_chosen;
}

const nnc__vector_ops *nnc__vector_best(void)
{
    pthread_once(&chosen_once, choose);
    return vector_chosen;
}

const nnc__bf16_ops *nnc__bf16_best(void)
{
    pthread_once(&chosen_once, choose);
    return __atomic_load_n(&bf16_overridden, __ATOMIC_ACQUIRE) ? bf16_override : bf16_chosen;
}

void nnc__bf16_override(const nnc__bf16_ops *ops)
{
    bf16_override = ops;
    __atomic_store_n(&bf16_overridden, 1, __ATOMIC_RELEASE);
}

void nnc__bf16_restore(void)
{
    __atomic_store_n(&bf16_overridden, 0, __ATOMIC_RELEASE);
}

const nnc__bf16_ops *nnc__bf16_named(const char *name)
{
    if (!strcmp(name, "ref"))
        return &nnc__bf16_ref;
#ifdef NNC_HAVE_BF16_KERNELS
    if (!strcmp(name, "avx512") && nnc__cpu_has_avx512bf16())
        return &nnc__bf16_avx512;
#endif
    if (!strcmp(name, "onednn") && (nnc__cpu_amx_usable() || nnc__cpu_has_avx512bf16()))
        return onednn();
    return NULL;
}

#ifdef NNC_HAVE_BF16_KERNELS
/* gcc 12 knows the feature's name; cpuid leaf 7, subleaf 1, EAX bit 5 is
 * what it reads. The OS must also save the zmm registers, which AVX-512F's
 * own check covers. */
int nnc__cpu_has_avx512bf16(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16");
}
#else
int nnc__cpu_has_avx512bf16(void) { return 0; }
#endif

#ifdef NNC_HAVE_X86_KERNELS
int nnc__cpu_has_avx512(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

int nnc__cpu_has_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
int nnc__cpu_has_avx512(void) { return 0; }
int nnc__cpu_has_avx2(void) { return 0; }
#endif

const nnc__dense_ops *nnc__dense_large(void) { return LARGE; }

const nnc__dense_ops *nnc__dense_named(const char *name)
{
    if (!strcmp(name, "ref"))
        return &nnc__dense_ref;
#ifdef NNC_HAVE_CBLAS
    if (!strcmp(name, "blas"))
        return &nnc__dense_blas;
#endif
#ifdef NNC_HAVE_X86_KERNELS
    if (!strcmp(name, "avx2") && nnc__cpu_has_avx2())
        return &nnc__dense_avx2;
    if (!strcmp(name, "avx512") && nnc__cpu_has_avx512())
        return &nnc__dense_avx512;
#endif
    return NULL;
}

const nnc__vector_ops *nnc__vector_named(const char *name)
{
    if (!strcmp(name, "ref"))
        return &nnc__vector_ref;
#ifdef NNC_HAVE_X86_KERNELS
    if (!strcmp(name, "avx2") && nnc__cpu_has_avx2())
        return &nnc__vector_avx2;
    if (!strcmp(name, "avx512") && nnc__cpu_has_avx512())
        return &nnc__vector_avx512;
#endif
    return NULL;
}
