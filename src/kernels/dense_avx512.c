/* dense_avx512.c — register-blocked AVX-512 products for small batches.
 *
 * For the seed's network a mini-batch has m = 10 rows, far too few for a BLAS
 * call to reach full speed. These kernels keep a block of up to 12 rows x 32
 * columns of the result in 24 zmm registers while streaming the long inner
 * dimension once: 24 FMAs per two vector loads. Column tails use masks.
 * Compiled with -mavx512f; only called when the CPU has AVX-512F. */
#include <immintrin.h>

#include "dense.h"

#define MR_MAX 12   /* rows held in registers */
#define NR 32       /* columns held in registers: two zmm vectors */

#define INLINE static inline __attribute__((always_inline))

INLINE __mmask16 lane_mask(size_t cols)
{
    return cols >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << cols) - 1u);
}

/* How outer's G is scaled before the sum is added: beta = 0 must not read G
 * (it may hold NaN), and the seed's plain SGD has beta = 1, where a multiply
 * per row would cost a tenth of the loop. */
enum { BETA_ZERO, BETA_ONE, BETA_ANY };

/* Loads (NV = 2: the first vector is always full) and stores of one row of a
 * block of 16 NV columns. */
INLINE __m512 load_first(const int NV, const float *p, __mmask16 m0)
{
    return NV == 2 ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(m0, p);
}

INLINE void store_row(const int NV, float *p, __m512 v0, __m512 v1, __mmask16 m0, __mmask16 m1)
{
    if (NV == 2) {
        _mm512_storeu_ps(p, v0);
        _mm512_mask_storeu_ps(p + 16, m1, v1);
    } else {
        _mm512_mask_storeu_ps(p, m0, v0);
    }
}

/* Z[0:MR, j:j+16 NV] = X[0:MR, :] W[:, j:j+16 NV] + b[j:j+16 NV], NV = 1 or 2
 * vectors: a tail of 16 columns or fewer must not touch memory past them. */
INLINE void affine_block(const int MR, const int NV, size_t k, size_t n, const float *X,
                         const float *W, const float *b, float *Z, __mmask16 m0,
                         __mmask16 m1)
{
    __m512 acc0[MR_MAX], acc1[MR_MAX];
    const __m512 b0 = load_first(NV, b, m0);
    const __m512 b1 = NV == 2 ? _mm512_maskz_loadu_ps(m1, b + 16) : b0;
#pragma GCC unroll 12
    for (int r = 0; r < MR; r++) {
        acc0[r] = b0;
        acc1[r] = b1;
    }
    for (size_t p = 0; p < k; p++, W += n) {
        const __m512 w0 = load_first(NV, W, m0);
        const __m512 w1 = NV == 2 ? _mm512_maskz_loadu_ps(m1, W + 16) : w0;
#pragma GCC unroll 12
        for (int r = 0; r < MR; r++) {
            const __m512 x = _mm512_set1_ps(X[r * k + p]);
            acc0[r] = _mm512_fmadd_ps(x, w0, acc0[r]);
            if (NV == 2)
                acc1[r] = _mm512_fmadd_ps(x, w1, acc1[r]);
        }
    }
#pragma GCC unroll 12
    for (int r = 0; r < MR; r++)
        store_row(NV, Z + r * n, acc0[r], acc1[r], m0, m1);
}

/* G[:, j:j+16 NV] = beta G + alpha X[0:MR, :]^T D[0:MR, j:j+16 NV]; the MR
 * rows of D stay in registers while G streams through once. Row p+1 of G is
 * loaded before row p is stored: rows narrower than a cache line share lines
 * with their neighbours, and a load issued after a masked store to the same
 * line waits for that store to complete. */
INLINE void outer_block(const int MR, const int NV, const int BETA, size_t k, size_t n,
                        float alpha, const float *X, const float *D, float beta, float *G,
                        __mmask16 m0, __mmask16 m1)
{
    __m512 d0[MR_MAX], d1[MR_MAX];
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 12
    for (int r = 0; r < MR; r++) {
        d0[r] = _mm512_mul_ps(va, load_first(NV, D + r * n, m0));
        d1[r] = NV == 2 ? _mm512_mul_ps(va, _mm512_maskz_loadu_ps(m1, D + r * n + 16)) : d0[r];
    }
    __m512 next0 = _mm512_setzero_ps(), next1 = next0;
    if (BETA != BETA_ZERO) {
        next0 = load_first(NV, G, m0);
        next1 = NV == 2 ? _mm512_maskz_loadu_ps(m1, G + 16) : next0;
    }
    for (size_t p = 0; p < k; p++, G += n) {
        __m512 g0 = next0, g1 = next1;
        if (BETA == BETA_ANY) {
            g0 = _mm512_mul_ps(vb, g0);
            g1 = _mm512_mul_ps(vb, g1);
        }
        if (BETA != BETA_ZERO && p + 1 < k) {
            next0 = load_first(NV, G + n, m0);
            if (NV == 2)
                next1 = _mm512_maskz_loadu_ps(m1, G + n + 16);
        }
#pragma GCC unroll 12
        for (int r = 0; r < MR; r++) {
            const __m512 x = _mm512_set1_ps(X[r * k + p]);
            g0 = _mm512_fmadd_ps(x, d0[r], g0);
            if (NV == 2)
                g1 = _mm512_fmadd_ps(x, d1[r], g1);
        }
        store_row(NV, G, g0, g1, m0, m1);
    }
}

/* Instantiates a block function for each row count 1..12 so that the
 * accumulators are registers, not arrays. */
#define ROW_CASES(CALL) \
    switch (mr) {                                                      \
    case 1: CALL(1); break;  case 2: CALL(2); break;                   \
    case 3: CALL(3); break;  case 4: CALL(4); break;                   \
    case 5: CALL(5); break;  case 6: CALL(6); break;                   \
    case 7: CALL(7); break;  case 8: CALL(8); break;                   \
    case 9: CALL(9); break;  case 10: CALL(10); break;                 \
    case 11: CALL(11); break; default: CALL(12); break;                \
    }

static void affine_avx512(nnc_pool *pool, size_t m, size_t k, size_t n, const float *X, const float *W,
                          const float *b, float *Z)
{
    (void)pool;   /* small products: one thread */
    for (size_t i = 0; i < m; i += MR_MAX) {
        size_t mr = m - i < MR_MAX ? m - i : MR_MAX;
        for (size_t j = 0; j < n; j += NR) {
            __mmask16 m0 = lane_mask(n - j), m1 = n - j > 16 ? lane_mask(n - j - 16) : 0;
#define AFFINE1(R) affine_block(R, 1, k, n, X + i * k, W + j, b + j, Z + i * n + j, m0, m1)
#define AFFINE2(R) affine_block(R, 2, k, n, X + i * k, W + j, b + j, Z + i * n + j, m0, m1)
            if (m1)
                ROW_CASES(AFFINE2)
            else
                ROW_CASES(AFFINE1)
#undef AFFINE1
#undef AFFINE2
        }
    }
}

static void outer_avx512(nnc_pool *pool, size_t m, size_t k, size_t n, float alpha, const float *X,
                         const float *D, float beta, float *G)
{
    (void)pool;   /* small products: one thread */
    for (size_t i = 0; i < m; i += MR_MAX) {
        size_t mr = m - i < MR_MAX ? m - i : MR_MAX;
        float bi = i == 0 ? beta : 1.0f;   /* later row blocks add to the first */
        int kind = bi == 0.0f ? BETA_ZERO : bi == 1.0f ? BETA_ONE : BETA_ANY;
        for (size_t j = 0; j < n; j += NR) {
            __mmask16 m0 = lane_mask(n - j), m1 = n - j > 16 ? lane_mask(n - j - 16) : 0;
#define OUTER(R, NV, BETA) \
    outer_block(R, NV, BETA, k, n, alpha, X + i * k, D + i * n + j, bi, G + j, m0, m1)
#define OUTER_0_1(R) OUTER(R, 1, BETA_ZERO)
#define OUTER_0_2(R) OUTER(R, 2, BETA_ZERO)
#define OUTER_1_1(R) OUTER(R, 1, BETA_ONE)
#define OUTER_1_2(R) OUTER(R, 2, BETA_ONE)
#define OUTER_A_1(R) OUTER(R, 1, BETA_ANY)
#define OUTER_A_2(R) OUTER(R, 2, BETA_ANY)
            if (kind == BETA_ZERO && m1)
                ROW_CASES(OUTER_0_2)
            else if (kind == BETA_ZERO)
                ROW_CASES(OUTER_0_1)
            else if (kind == BETA_ONE && m1)
                ROW_CASES(OUTER_1_2)
            else if (kind == BETA_ONE)
                ROW_CASES(OUTER_1_1)
            else if (m1)
                ROW_CASES(OUTER_A_2)
            else
                ROW_CASES(OUTER_A_1)
#undef OUTER
#undef OUTER_0_1
#undef OUTER_0_2
#undef OUTER_1_1
#undef OUTER_1_2
#undef OUTER_A_1
#undef OUTER_A_2
        }
    }
}

/* E[i, p:p+16] = Σ_j D[i, j] W[p:p+16, j]: W's columns are gathered with a
 * stride of n so that p runs along the vector. */
static void backprop_avx512(nnc_pool *pool, size_t m, size_t k, size_t n, const float *D, const float *W,
                            float *E)
{
    (void)pool;   /* small products: one thread */
    const __m512i stride = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8,
                                                               7, 6, 5, 4, 3, 2, 1, 0),
                                              _mm512_set1_epi32((int)n));
    for (size_t p = 0; p < k; p += 16) {
        __mmask16 mk = lane_mask(k - p);
        for (size_t i = 0; i < m; i += MR_MAX) {
            size_t mr = m - i < MR_MAX ? m - i : MR_MAX;
            __m512 acc[MR_MAX];
            for (size_t r = 0; r < mr; r++)
                acc[r] = _mm512_setzero_ps();
            for (size_t j = 0; j < n; j++) {
                __m512 w = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mk, stride,
                                                    W + p * n + j, 4);
                for (size_t r = 0; r < mr; r++)
                    acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(D[(i + r) * n + j]), w, acc[r]);
            }
            for (size_t r = 0; r < mr; r++)
                _mm512_mask_storeu_ps(E + (i + r) * k + p, mk, acc[r]);
        }
    }
}

const nnc_dense_ops nnc_dense_avx512 = {"avx512", affine_avx512, backprop_avx512,
                                        outer_avx512};
