/* dense_avx2.c — the register-blocked products (dense_blocked.inc) with
 * 8-float ymm vectors and 5 rows, for CPUs with AVX2 and FMA but not AVX-512:
 * outer holds 5 x 2 vectors of D, two rows of G and the broadcast in 15 of
 * the 16 ymm registers. BP2's product is the reference's (no fast gather).
 * Compiled with -mavx2 -mfma; only called when the CPU has both. */
#include <immintrin.h>

#include "dense.h"

#define VW 8
#define MR_MAX 5
typedef __m256 vec;
typedef __m256i vmask;
#define v_load(p)               _mm256_loadu_ps(p)
#define v_load_masked(m, p)     _mm256_maskload_ps(p, m)
#define v_store(p, v)           _mm256_storeu_ps(p, v)
#define v_store_masked(p, m, v) _mm256_maskstore_ps(p, m, v)
#define v_set1(x)               _mm256_set1_ps(x)
#define v_fma(a, b, c)          _mm256_fmadd_ps(a, b, c)
#define v_mul(a, b)             _mm256_mul_ps(a, b)
#define v_zero()                _mm256_setzero_ps()
#define v_and(a, b)             _mm256_and_ps(a, b)
#define v_outside(m)            _mm256_castsi256_ps(_mm256_xor_si256(m, _mm256_set1_epi32(-1)))
#define v_select(m, a, b)       _mm256_blendv_ps(b, a, _mm256_castsi256_ps(m))
#define KERNEL(name)            name##_avx2
/* vmaskmovps to memory is microcoded on AMD's Zen: one per row made outer
 * 3.4 times slower than affine on Zen 3 (docs/PERFORMANCE.md) */
#define WIDE_TAILS 1

/* All bits set in the first min(cols, 8) lanes. */
static inline vmask lane_mask(size_t cols)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(cols < 8 ? (int)cols : 8),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

#include "dense_blocked.inc"

static void backprop_avx2(nnc_pool *pool, size_t m, size_t k, size_t n, const float *D,
                          const float *W, size_t ldw, float *E)
{
    nnc_dense_ref.backprop(pool, m, k, n, D, W, ldw, E);
}

const nnc_dense_ops nnc_dense_avx2 = {"avx2", affine_avx2, backprop_avx2, outer_avx2};
