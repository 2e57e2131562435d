/* dense_avx512.c — the register-blocked products (dense_blocked.inc) with
 * 16-float zmm vectors and 12 rows: 24 accumulators in registers, 24 FMAs per
 * two vector loads; and BP2's product, by gathering W's columns for the
 * output layer and as W D^T for wider ones.
 * Compiled with -mavx512f; only called when the CPU has AVX-512F. */
#include <immintrin.h>

#include "dense.h"
#include "transpose_avx512.h"

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
/* AVX-512 masked stores are as cheap as whole ones */
#define WIDE_TAILS 0
/* rows of G per step in gemm_tn: two of two vectors, four of one; 32
 * registers hold D and the rows */
#define GEMM_TN_STEP(NV) ((NV) == 2 ? 2 : 4)

static inline vmask lane_mask(size_t cols)
{
    return cols >= 16 ? (vmask)0xffff : (vmask)((1u << cols) - 1u);
}

#include "dense_blocked.inc"

/* BP2's product E[i, p] = Σ_j D[i, j] W[p, j], each E[i, p] adding its n
 * products in the order j = 0 .. n-1, as the reference does. The output
 * layer's kernel gathers W's columns with a stride of ldw so that p runs along the
 * vector; wider layers turn 16 x 16 blocks around in registers instead. */
typedef struct {
    size_t       m, k, n, ldw, units, tasks;   /* units: what the tasks share */
    const float *D, *W;
    float       *E;
} gemm_nt_args;

static __m512i gather_stride(size_t ldw)
{
    return _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2,
                                               1, 0),
                              _mm512_set1_epi32((int)ldw));
}

/* A layer of up to 16 units (the output layer): the n columns of W for
 * NARROW_SPAN columns of E are gathered once into a buffer in L1, then the
 * rows of E are written one after another, four at a time: row by row the
 * prefetchers can stream E, while 16 columns at a time down all the rows
 * (kilobytes apart) miss the cache on every row. Tasks take ranges of rows. */
#define NARROW_SPAN 256

static void narrow_rows(const gemm_nt_args *a, size_t i0, size_t i1, size_t p0,
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
    const gemm_nt_args *a = arg;
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

/* Wider layers: E^T = W D^T, 16 rows of D at a time. Their block is first
 * turned into columns, dt[j] holding D[i0 + i, j] in lane i; then each block
 * of 16 rows of W keeps 16 sums in registers, sum r adding W[p + r, j] dt[j]
 * for j = 0 .. n-1 (so each E[i, p] adds its n products in the reference's
 * order), and a transpose turns the 16 sums into 16 columns of E's rows.
 * Nothing is gathered: gathers are slow on some cores (AMD's among them), and
 * gathering W's columns ran below OpenBLAS's rate there.
 * dt holds WIDE_SPAN columns of D (16 KB on the stack); a longer layer is
 * taken a span at a time, its sums stored in E and read back (exactly) for
 * the next. Tasks take ranges of the blocks of W's rows. */
#define WIDE_SPAN 256

/* v[c] lane i = src[i stride + c] for the first `count` rows of src and the
 * lanes in mask; every other lane 0. */
static inline __attribute__((always_inline)) void load_transposed(__m512 v[16],
                                                                  const float *src,
                                                                  size_t stride, size_t count,
                                                                  __mmask16 mask)
{
    for (size_t i = 0; i < 16; i++)
        v[i] = i < count ? _mm512_maskz_loadu_ps(mask, src + i * stride) : _mm512_setzero_ps();
    transpose16(v);
}

/* dt[c] = D[i0 .. i0+mi, j0 + c] for c < cols */
static void columns_of(const gemm_nt_args *a, size_t i0, size_t mi, size_t j0, size_t cols,
                       __m512 *dt)
{
    __m512 v[16];
    for (size_t c0 = 0; c0 < cols; c0 += 16) {
        load_transposed(v, a->D + i0 * a->n + j0 + c0, a->n, mi, lane_mask(cols - c0));
        for (size_t c = 0; c < 16 && c0 + c < cols; c++)
            dt[c0 + c] = v[c];
    }
}

/* E[i0 .. i0+mi, p0 .. p0+16] += the products of columns j0 .. j0+cols
 * (E not read when j0 = 0). */
static void wide_block(const gemm_nt_args *a, const __m512 *dt, size_t i0, size_t mi,
                       size_t j0, size_t cols, size_t p0)
{
    size_t k = a->k, rows = k - p0 < 16 ? k - p0 : 16;
    __mmask16 mp = lane_mask(rows);
    float *e = a->E + i0 * k + p0;
    /* rows past the last repeat it: read, never stored */
    const float *w[16];
    for (size_t r = 0; r < 16; r++)
        w[r] = a->W + (p0 + (r < rows ? r : rows - 1)) * a->ldw + j0;
    __m512 acc[16];   /* acc[r] lane i: E[i0 + i, p0 + r], the sums so far */
    if (j0)
        load_transposed(acc, e, k, mi, mp);
    else
        for (int r = 0; r < 16; r++)
            acc[r] = _mm512_setzero_ps();
    for (size_t j = 0; j < cols; j++)
#pragma GCC unroll 16
        for (int r = 0; r < 16; r++)
            acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(w[r][j]), dt[j], acc[r]);
    transpose16(acc);
    for (size_t i = 0; i < mi; i++)
        _mm512_mask_storeu_ps(e + i * k, mp, acc[i]);
}

static void wide_task(void *arg, size_t t)
{
    const gemm_nt_args *a = arg;
    size_t first = nnc__range_first(a->units, a->tasks, t);
    size_t last = nnc__range_end(a->units, a->tasks, t);
    __m512 dt[WIDE_SPAN];
    for (size_t i0 = 0; i0 < a->m; i0 += 16) {
        size_t mi = a->m - i0 < 16 ? a->m - i0 : 16;
        for (size_t j0 = 0; j0 < a->n; j0 += WIDE_SPAN) {
            size_t cols = a->n - j0 < WIDE_SPAN ? a->n - j0 : WIDE_SPAN;
            columns_of(a, i0, mi, j0, cols, dt);
            for (size_t block = first; block < last; block++)
                wide_block(a, dt, i0, mi, j0, cols, block * 16);
        }
    }
}

static void gemm_nt_avx512(nnc__pool *pool, size_t m, size_t k, size_t n, const float *D,
                           const float *W, size_t ldw, float *E)
{
    int narrow = n <= 16;
    size_t units = narrow ? m : (k + 15) / 16;
    gemm_nt_args a = {m, k, n, ldw, units, nnc__product_tasks(m, k, n, units), D, W, E};
    nnc__pool_run(pool, narrow ? narrow_task : wide_task, &a, a.tasks);
}

const nnc__dense_ops nnc__dense_avx512 = {"avx512", gemm_nn_bias_avx512, gemm_nt_avx512,
                                        gemm_tn_avx512};
