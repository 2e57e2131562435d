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
#define v_and(a, b)             _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(a), \
                                                                _mm512_castps_si512(b)))
#define v_outside(m)            _mm512_castsi512_ps(_mm512_maskz_set1_epi32(~(m), -1))
#define v_select(m, a, b)       _mm512_mask_blend_ps(m, b, a)
#define KERNEL(name)            name##_avx512
/* masked stores cost no more than whole ones on the Intel cores measured */
#define WIDE_TAILS 0
/* rows of G per step in outer: two of two vectors, four of one; 32
 * registers hold D and the rows */
#define OUTER_STEP(NV) ((NV) == 2 ? 2 : 4)

static inline vmask lane_mask(size_t cols)
{
    return cols >= 16 ? (vmask)0xffff : (vmask)((1u << cols) - 1u);
}

#include "dense_blocked.inc"

/* E[i, p:p+16] = Σ_j D[i, j] W[p:p+16, j]: W's columns are gathered with a
 * stride of ldw so that p runs along the vector, and each E[i, p] adds its n
 * products in the order j = 0 .. n-1. */
typedef struct {
    size_t       m, k, n, ldw, units, tasks;   /* units: what the tasks share */
    const float *D, *W;
    float       *E;
} backprop_args;

static __m512i gather_stride(size_t ldw)
{
    return _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2,
                                               1, 0),
                              _mm512_set1_epi32((int)ldw));
}

/* A layer of up to 16 units (the output layer): the n columns of W for
 * NARROW_SPAN columns of E are gathered once into a buffer in L1, then the
 * rows of E are written one after another, four at a time. Writing E row by
 * row lets the prefetchers stream it: W's 1024 -> 10 at m = 128 took 50 µs
 * with E not in cache when E was written 16 columns at a time down all the
 * rows (4 KB apart), 37 µs row by row (docs/PERFORMANCE.md). Tasks take
 * ranges of rows. */
#define NARROW_SPAN 256

static void narrow_rows(const backprop_args *a, size_t i0, size_t i1, size_t p0,
                        const __m512 (*w)[16])
{
    size_t n = a->n, k = a->k, cols = k - p0 < NARROW_SPAN ? k - p0 : NARROW_SPAN;
    size_t i = i0;
    for (; i + 4 <= i1; i += 4) {
        const float *d = a->D + i * n;
        for (size_t b = 0; b * 16 < cols; b++) {
            __mmask16 mk = lane_mask(cols - b * 16);
            __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            for (size_t j = 0; j < n; j++) {
                a0 = _mm512_fmadd_ps(_mm512_set1_ps(d[j]), w[b][j], a0);
                a1 = _mm512_fmadd_ps(_mm512_set1_ps(d[n + j]), w[b][j], a1);
                a2 = _mm512_fmadd_ps(_mm512_set1_ps(d[2 * n + j]), w[b][j], a2);
                a3 = _mm512_fmadd_ps(_mm512_set1_ps(d[3 * n + j]), w[b][j], a3);
            }
            float *e = a->E + i * k + p0 + b * 16;
            _mm512_mask_storeu_ps(e, mk, a0);
            _mm512_mask_storeu_ps(e + k, mk, a1);
            _mm512_mask_storeu_ps(e + 2 * k, mk, a2);
            _mm512_mask_storeu_ps(e + 3 * k, mk, a3);
        }
    }
    for (; i < i1; i++)
        for (size_t b = 0; b * 16 < cols; b++) {
            __m512 acc = _mm512_setzero_ps();
            for (size_t j = 0; j < n; j++)
                acc = _mm512_fmadd_ps(_mm512_set1_ps(a->D[i * n + j]), w[b][j], acc);
            _mm512_mask_storeu_ps(a->E + i * k + p0 + b * 16, lane_mask(cols - b * 16), acc);
        }
}

static void narrow_task(void *arg, size_t t)
{
    const backprop_args *a = arg;
    const __m512i stride = gather_stride(a->ldw);
    size_t i0 = nnc__range_first(a->m, a->tasks, t), i1 = nnc__range_end(a->m, a->tasks, t);
    __m512 w[NARROW_SPAN / 16][16];
    for (size_t p0 = 0; p0 < a->k; p0 += NARROW_SPAN) {
        for (size_t b = 0; b < NARROW_SPAN / 16 && p0 + b * 16 < a->k; b++)
            for (size_t j = 0; j < a->n; j++)
                w[b][j] = _mm512_mask_i32gather_ps(_mm512_setzero_ps(),
                                                   lane_mask(a->k - p0 - b * 16), stride,
                                                   a->W + (p0 + b * 16) * a->ldw + j, 4);
        narrow_rows(a, i0, i1, p0, (const __m512 (*)[16])w);
    }
}

/* Wider layers, small batches: the columns are gathered again for each block
 * of MR_MAX rows, whose sums stay in registers. Tasks take ranges of the
 * blocks of 16 columns of E. */
static void wide_task(void *arg, size_t t)
{
    const backprop_args *a = arg;
    const __m512i stride = gather_stride(a->ldw);
    size_t m = a->m, k = a->k, n = a->n;
    size_t last_block = nnc__range_end(a->units, a->tasks, t);
    for (size_t block = nnc__range_first(a->units, a->tasks, t); block < last_block; block++) {
        size_t p = block * 16;
        __mmask16 mk = lane_mask(k - p);
        for (size_t i = 0; i < m; i += MR_MAX) {
            size_t mr = m - i < MR_MAX ? m - i : MR_MAX;
            __m512 acc[MR_MAX];
            for (size_t r = 0; r < mr; r++)
                acc[r] = _mm512_setzero_ps();
            for (size_t j = 0; j < n; j++) {
                __m512 w = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mk, stride,
                                                    a->W + p * a->ldw + j, 4);
                for (size_t r = 0; r < mr; r++)
                    acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(a->D[(i + r) * n + j]), w, acc[r]);
            }
            for (size_t r = 0; r < mr; r++)
                _mm512_mask_storeu_ps(a->E + (i + r) * k + p, mk, acc[r]);
        }
    }
}

static void backprop_avx512(nnc_pool *pool, size_t m, size_t k, size_t n, const float *D,
                            const float *W, size_t ldw, float *E)
{
    int narrow = n <= 16;
    size_t units = narrow ? m : (k + 15) / 16;
    backprop_args a = {m, k, n, ldw, units, nnc__product_tasks(m, k, n, units), D, W, E};
    nnc__pool_run(pool, narrow ? narrow_task : wide_task, &a, a.tasks);
}

const nnc_dense_ops nnc_dense_avx512 = {"avx512", affine_avx512, backprop_avx512,
                                        outer_avx512};
