/* dense_avx512.c — the register-blocked products (dense_blocked.inc) with
 * 16-float zmm vectors and 12 rows: 24 accumulators in registers, 24 FMAs per
 * two vector loads; and BP2's product by gathering W's columns.
 * Compiled with -mavx512f; only called when the CPU has AVX-512F. */
#include <immintrin.h>

#include "dense.h"

#define VW 16
#define MR_MAX 12
typedef __m512 vec;
typedef __mmask16 vmask;
#define v_load(p)               _mm512_loadu_ps(p)
#define v_load_masked(m, p)     _mm512_maskz_loadu_ps(m, p)
#define v_store(p, v)           _mm512_storeu_ps(p, v)
#define v_store_masked(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define v_set1(x)               _mm512_set1_ps(x)
#define v_fma(a, b, c)          _mm512_fmadd_ps(a, b, c)
#define v_mul(a, b)             _mm512_mul_ps(a, b)
#define v_zero()                _mm512_setzero_ps()
#define KERNEL(name)            name##_avx512

static inline vmask lane_mask(size_t cols)
{
    return cols >= 16 ? (vmask)0xffff : (vmask)((1u << cols) - 1u);
}

#include "dense_blocked.inc"

/* E[i, p:p+16] = Σ_j D[i, j] W[p:p+16, j]: W's columns are gathered with a
 * stride of ldw so that p runs along the vector, and each E[i, p] adds its n
 * products in the order j = 0 .. n-1. */

/* A layer of up to 16 units (the output layer): its n gathered columns stay
 * in registers for every row of the batch, four rows at a time. For the
 * seed's 30 -> 10 at m = 10: 105 ns a call, against 200 when the columns were
 * gathered for each block of rows (docs/PERFORMANCE.md). */
static void backprop_narrow(size_t m, size_t k, size_t n, const float *D, const float *W,
                            size_t ldw, float *E, __m512i stride)
{
    for (size_t p = 0; p < k; p += 16) {
        __mmask16 mk = lane_mask(k - p);
        __m512 w[16];
        for (size_t j = 0; j < n; j++)
            w[j] = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mk, stride, W + p * ldw + j, 4);
        size_t i = 0;
        for (; i + 4 <= m; i += 4) {
            __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            const float *d = D + i * n;
            for (size_t j = 0; j < n; j++) {
                a0 = _mm512_fmadd_ps(_mm512_set1_ps(d[j]), w[j], a0);
                a1 = _mm512_fmadd_ps(_mm512_set1_ps(d[n + j]), w[j], a1);
                a2 = _mm512_fmadd_ps(_mm512_set1_ps(d[2 * n + j]), w[j], a2);
                a3 = _mm512_fmadd_ps(_mm512_set1_ps(d[3 * n + j]), w[j], a3);
            }
            _mm512_mask_storeu_ps(E + i * k + p, mk, a0);
            _mm512_mask_storeu_ps(E + (i + 1) * k + p, mk, a1);
            _mm512_mask_storeu_ps(E + (i + 2) * k + p, mk, a2);
            _mm512_mask_storeu_ps(E + (i + 3) * k + p, mk, a3);
        }
        for (; i < m; i++) {
            __m512 acc = _mm512_setzero_ps();
            for (size_t j = 0; j < n; j++)
                acc = _mm512_fmadd_ps(_mm512_set1_ps(D[i * n + j]), w[j], acc);
            _mm512_mask_storeu_ps(E + i * k + p, mk, acc);
        }
    }
}

/* Wider layers, small batches: the columns are gathered again for each block
 * of MR_MAX rows, whose sums stay in registers. */
static void backprop_avx512(nnc_pool *pool, size_t m, size_t k, size_t n, const float *D,
                            const float *W, size_t ldw, float *E)
{
    (void)pool;   /* small products: one thread */
    const __m512i stride = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8,
                                                               7, 6, 5, 4, 3, 2, 1, 0),
                                              _mm512_set1_epi32((int)ldw));
    if (n <= 16) {
        backprop_narrow(m, k, n, D, W, ldw, E, stride);
        return;
    }
    for (size_t p = 0; p < k; p += 16) {
        __mmask16 mk = lane_mask(k - p);
        for (size_t i = 0; i < m; i += MR_MAX) {
            size_t mr = m - i < MR_MAX ? m - i : MR_MAX;
            __m512 acc[MR_MAX];
            for (size_t r = 0; r < mr; r++)
                acc[r] = _mm512_setzero_ps();
            for (size_t j = 0; j < n; j++) {
                __m512 w = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mk, stride,
                                                    W + p * ldw + j, 4);
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
