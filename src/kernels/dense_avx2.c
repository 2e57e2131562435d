/* dense_avx2.c — the register-blocked products (dense_blocked.inc) with
 * 8-float ymm vectors and 5 rows, for CPUs with AVX2 and FMA but not AVX-512:
 * gemm_tn holds 5 x 2 vectors of D, two rows of G and the broadcast in 15 of
 * the 16 ymm registers. BP2's product runs the same loop on a transposed
 * copy of W (AVX2 has no fast gather).
 * Compiled with -mavx2 -mfma; only called when the CPU has both. */
#include <immintrin.h>

#include "dense.h"

#define VW 8
#define MR_MAX 5
typedef __m256 vec;
/* A lane mask with its lane count: vmaskmovps to memory is microcoded on
 * AMD's Zen, so masked stores go out as at most three plain ones of 4, 2 and
 * 1 lanes instead; masked loads are cheap and use the bits. */
typedef struct {
    __m256i  bits;
    unsigned count;
} vmask;
#define v_load(p)               _mm256_loadu_ps(p)
#define v_load_masked(m, p)     _mm256_maskload_ps(p, (m).bits)
#define v_store(p, v)           _mm256_storeu_ps(p, v)
#define v_store_masked(p, m, v) store_lanes(p, (m).count, v)
#define v_set1(x)               _mm256_set1_ps(x)
#define v_fma(a, b, c)          _mm256_fmadd_ps(a, b, c)
#define v_mul(a, b)             _mm256_mul_ps(a, b)
#define v_zero()                _mm256_setzero_ps()
#define v_and(a, b)             _mm256_and_ps(a, b)
#define v_outside(m)            _mm256_castsi256_ps(_mm256_xor_si256((m).bits, \
                                                                     _mm256_set1_epi32(-1)))
#define v_select(m, a, b)       _mm256_blendv_ps(b, a, _mm256_castsi256_ps((m).bits))
#define KERNEL(name)            name##_avx2
/* and rows with room have whole tails (dense_blocked.inc) */
#define WIDE_TAILS 1
/* one row of G per step in gemm_tn: two rows of two vectors need more than
 * the 16 registers and spill */
#define GEMM_TN_STEP(NV) 1

/* All bits set in the first min(cols, 8) lanes. */
static inline vmask lane_mask(size_t cols)
{
    unsigned c = cols < 8 ? (unsigned)cols : 8;
    vmask m = {_mm256_cmpgt_epi32(_mm256_set1_epi32((int)c),
                                  _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)),
               c};
    return m;
}

/* The first `count` lanes of v to p[0 .. count). */
static inline __attribute__((always_inline)) void store_lanes(float *p, unsigned count,
                                                              __m256 v)
{
    if (count == 8) {
        _mm256_storeu_ps(p, v);
        return;
    }
    __m128 part = _mm256_castps256_ps128(v);
    if (count >= 4) {
        _mm_storeu_ps(p, part);
        part = _mm256_extractf128_ps(v, 1);
        p += 4;
        count -= 4;
    }
    if (count >= 2) {
        _mm_storel_pi((__m64 *)p, part);
        part = _mm_movehl_ps(part, part);
        p += 2;
        count -= 2;
    }
    if (count)
        _mm_store_ss(p, part);
}

#include "dense_blocked.inc"

/* BP2's product E = D W^T for layers of up to TRANSPOSED_UNITS units, as a
 * gemm_nn_bias product with no bias: NR rows of W at a time are copied transposed
 * into a buffer that stays in L1 (n x NR), and E's NR columns for every row
 * of D come from the register-blocked loop above, n steps long. Each E[i, p]
 * adds its n products in the order j = 0 .. n-1, as the reference does.
 * AVX2 has no cheap gather to read W's columns in place; the copy costs n NR
 * moves per block against 2 n NR m FLOPs. Wider layers go to nnc__dense_large(). */
#define TRANSPOSED_UNITS 64

typedef struct {
    size_t       m, k, n, ldw, blocks, tasks;   /* blocks: of NR rows of W */
    const float *D, *W;
    float       *E;
} gemm_nt_args;

/* Task t: the blocks of W's rows [first, end) and E's columns under them. */
static void transposed_task(void *arg, size_t t)
{
    const gemm_nt_args *a = arg;
    static const float no_bias[NR];
    static const void *const no_lines[1] = {NULL};
    float wt[TRANSPOSED_UNITS * NR] __attribute__((aligned(32)));
    size_t n = a->n, k = a->k, end = nnc__range_end(a->blocks, a->tasks, t);
    for (size_t blk = nnc__range_first(a->blocks, a->tasks, t); blk < end; blk++) {
        size_t p0 = blk * NR, cols = k - p0 < NR ? k - p0 : NR;
        for (size_t j = 0; j < n; j++) {   /* wt[j, c] = W[p0 + c, j] */
            for (size_t c = 0; c < cols; c++)
                wt[j * NR + c] = a->W[(p0 + c) * a->ldw + j];
            for (size_t c = cols; c < NR; c++)
                wt[j * NR + c] = 0.0f;    /* lanes that are never stored */
        }
        BLOCK_MASKS(cols);
        for (size_t i = 0; i < a->m; i += MR_MAX) {
            size_t mr = a->m - i < MR_MAX ? a->m - i : MR_MAX;
            gemm_nn_bias_variants[two][1](mr, n, k, a->D + i * n, wt, NR, no_bias, a->E + i * k + p0,
                                    m0, m1, no_lines, 0);
        }
    }
}

/* A large product (a wide layer into a narrow one at a large batch) is cut
 * into tasks over the blocks; no sum depends on the cut. */
static void gemm_nt_avx2(nnc__pool *pool, size_t m, size_t k, size_t n, const float *D,
                         const float *W, size_t ldw, float *E)
{
    if (n > TRANSPOSED_UNITS) {
        nnc__dense_large()->gemm_nt(pool, m, k, n, D, W, ldw, E);
        return;
    }
    size_t blocks = (k + NR - 1) / NR;
    gemm_nt_args a = {m, k, n, ldw, blocks, nnc__product_tasks(m, k, n, blocks), D, W, E};
    nnc__pool_run(pool, transposed_task, &a, a.tasks);
}

const nnc__dense_ops nnc__dense_avx2 = {"avx2", gemm_nn_bias_avx2, gemm_nt_avx2, gemm_tn_avx2};
