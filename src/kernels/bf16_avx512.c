/* bf16_avx512.c — the bfloat16 products and packings (bf16.h) with AVX-512
 * BF16: vcvtneps2bf16 rounds as the portable nnc__bf16_from_float does, and
 * vdpbf16ps adds a pair of products per float32 lane in the order the
 * reference does, so every result equals bf16_ref.c's bit for bit.
 * Compiled with -mavx512bf16 -mavx512f -mavx512bw -mavx512vl; only called
 * when the CPU has AVX-512 BF16. */
#include <immintrin.h>

#include "bf16.h"
#include "dense.h"
#include "transpose_avx512.h"

#define INLINE static inline __attribute__((always_inline))

static inline __mmask16 lanes(size_t count)
{
    return count >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << count) - 1u);
}

/* 16 floats (the lanes of m; others 0) rounded to bfloat16 */
INLINE __m256i to_bf16(const float *src, __mmask16 m)
{
    return (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, src));
}

static void convert_avx512(size_t count, const float *src, nnc__bf16 *dst)
{
    for (size_t i = 0; i < count; i += 16) {
        __mmask16 m = lanes(count - i);
        _mm256_mask_storeu_epi16(dst + i, m, to_bf16(src + i, m));
    }
}

/* A row's bfloat16s in order are its pairs; an odd row ends with a zero. */
static void pack_rows_avx512(size_t rows, size_t cols, const float *src, size_t lds,
                             uint32_t *dst)
{
    size_t cols2 = (cols + 1) / 2;
    for (size_t i = 0; i < rows; i++) {
        nnc__bf16 *d = (nnc__bf16 *)(dst + i * cols2);
        convert_avx512(cols, src + i * lds, d);
        if (cols & 1)
            d[cols] = 0;
    }
}

static void pack_pairs_avx512(size_t rows, size_t cols, const float *src, size_t lds,
                              uint32_t *dst)
{
    size_t ld = nnc__bf16_ld(cols);
    for (size_t q = 0; 2 * q < rows; q++) {
        const float *lo = src + 2 * q * lds, *hi = lo + lds;
        int has_hi = 2 * q + 1 < rows;
        for (size_t j = 0; j < ld; j += 16) {
            __mmask16 m = j < cols ? lanes(cols - j) : 0;
            __m512i l = _mm512_cvtepu16_epi32(to_bf16(lo + j, m));
            __m512i h = _mm512_cvtepu16_epi32(to_bf16(hi + j, has_hi ? m : 0));
            _mm512_storeu_si512(dst + q * ld + j, _mm512_or_si512(l, _mm512_slli_epi32(h, 16)));
        }
    }
}

/* Tiles of 16 rows x 16 pairs: each row's 32 floats rounded into 16 words,
 * then the tile turned around. */
static void pack_turned_avx512(size_t rows, size_t cols, const float *src, size_t lds,
                               uint32_t *dst)
{
    size_t ld = nnc__bf16_ld(rows), cols2 = (cols + 1) / 2;
    for (size_t r0 = 0; r0 < ld; r0 += 16)
        for (size_t q0 = 0; q0 < cols2; q0 += 16) {
            size_t c0 = 2 * q0;
            __mmask16 m0 = lanes(cols - c0), m1 = cols - c0 > 16 ? lanes(cols - c0 - 16) : 0;
            __m512 v[16];
            for (size_t r = 0; r < 16; r++) {
                if (r0 + r >= rows) {
                    v[r] = _mm512_setzero_ps();
                    continue;
                }
                const float *s = src + (r0 + r) * lds + c0;
                __m512bh w = _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(m1, s + 16),
                                                 _mm512_maskz_loadu_ps(m0, s));
                v[r] = (__m512)w;
            }
            transpose16(v);
            for (size_t q = 0; q < 16 && q0 + q < cols2; q++)
                _mm512_storeu_ps((float *)(dst + (q0 + q) * ld + r0), v[q]);
        }
}

/* A layer's weights both ways in one pass (bf16.h: pack_weights): tiles of
 * 16 rows x 32 columns, each row rounded into 16 words of pairs along it;
 * turned around they are the transpose's pairs, and two rows' words
 * interleaved are the pairs down the columns. Tasks take tiles of rows; the
 * packing is the same however they are shared. */
typedef struct {
    size_t       k, n, ldw, tiles, tasks;
    const float *W;
    uint32_t    *pairs, *turned;
} weights_job;

static void weights_tile(const weights_job *j, size_t p0)
{
    size_t k = j->k, n = j->n, ldp = nnc__bf16_ld(n), ldt = nnc__bf16_ld(k), n2 = (n + 1) / 2;
    const __m512i first = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
    const __m512i second = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);
    for (size_t j0 = 0; j0 < ldp; j0 += 32) {
        __mmask16 m0 = j0 < n ? lanes(n - j0) : 0, m1 = j0 + 16 < n ? lanes(n - j0 - 16) : 0;
        __m512 v[16];
        for (size_t r = 0; r < 16; r++) {
            if (p0 + r >= k) {
                v[r] = _mm512_setzero_ps();
                continue;
            }
            const float *w = j->W + (p0 + r) * j->ldw + j0;
            _mm_prefetch((const char *)(w + 64), _MM_HINT_T0);   /* two tiles on */
            _mm_prefetch((const char *)(w + 80), _MM_HINT_T0);
            v[r] = (__m512)_mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(m1, w + 16),
                                               _mm512_maskz_loadu_ps(m0, w));
        }
        for (size_t s = 0; s < 8 && p0 / 2 + s < (k + 1) / 2; s++) {
            __m512i a = _mm512_castps_si512(v[2 * s]), b = _mm512_castps_si512(v[2 * s + 1]);
            __m512i lo = _mm512_unpacklo_epi16(a, b), hi = _mm512_unpackhi_epi16(a, b);
            uint32_t *d = j->pairs + (p0 / 2 + s) * ldp + j0;
            _mm512_storeu_si512(d, _mm512_permutex2var_epi64(lo, first, hi));
            if (j0 + 16 < ldp)
                _mm512_storeu_si512(d + 16, _mm512_permutex2var_epi64(lo, second, hi));
        }
        if (!j->turned || p0 >= ldt)
            continue;
        transpose16(v);
        for (size_t q = 0; q < 16 && j0 / 2 + q < n2; q++)
            _mm512_storeu_ps((float *)(j->turned + (j0 / 2 + q) * ldt + p0), v[q]);
    }
}

static void weights_task(void *arg, size_t t)
{
    const weights_job *j = arg;
    size_t first = nnc__range_first(j->tiles, j->tasks, t);
    size_t end = nnc__range_end(j->tiles, j->tasks, t);
    for (size_t tile = first; tile < end; tile++)
        weights_tile(j, tile * 16);
}

static void pack_weights_avx512(nnc__pool *pool, size_t k, size_t n, const float *W,
                                size_t ldw, uint32_t *pairs, uint32_t *turned)
{
    /* a copy, as fast as memory: tasks by size (a product's count of them,
     * by FLOPs, left W's first layer to one thread) */
    size_t tiles = (k + 15) / 16, tasks = k * n / 65536;
    tasks = tasks < 1 ? 1 : tasks < tiles ? tasks : tiles;
    weights_job j = {k, n, ldw, tiles, tasks, W, pairs, turned};
    nnc__pool_run(pool, weights_task, &j, j.tasks);
}

/* ---- the product ---------------------------------------------------------- */

/* A block of MR rows x NV vectors of C in registers (24 sums at most) while
 * the pairs stream by: per pair, NV loads of B, MR broadcasts of A's words and
 * MR NV vdpbf16ps. */
#define MR 6
#define NV_MAX 4
#define NC (16 * NV_MAX)

INLINE void block(const int R, const int NV, const nnc__bf16_product *p, size_t i0, size_t j0)
{
    __m512 acc[MR][NV_MAX];
    __mmask16 last = lanes(p->n - j0 - 16 * (NV - 1));
    for (int v = 0; v < NV; v++) {
        __m512 start = p->bias ? _mm512_maskz_loadu_ps(v + 1 < NV ? 0xffff : last,
                                                       p->bias + j0 + 16 * v)
                               : _mm512_setzero_ps();
        for (int r = 0; r < R; r++)
            acc[r][v] = start;
    }
    if (p->scale && p->beta != 0.0f)   /* C is read at the end: ask for it now */
        for (int r = 0; r < R; r++)
            for (int v = 0; v < NV; v++)
                _mm_prefetch((const char *)(p->C + (i0 + r) * p->ldc + j0 + 16 * v),
                             _MM_HINT_T0);
    const uint32_t *a = p->A + i0 * p->a_row, *b = p->B + j0;
    const size_t a_row = p->a_row, a_pair = p->a_pair, ldb = p->ldb;
    for (size_t q = 0; q < p->k2; q++, a += a_pair, b += ldb) {
        __m512bh bv[NV_MAX];
        for (int v = 0; v < NV; v++)
            bv[v] = (__m512bh)_mm512_loadu_si512(b + 16 * v);
#pragma GCC unroll 6
        for (int r = 0; r < R; r++) {
            __m512bh av = (__m512bh)_mm512_set1_epi32((int)a[r * a_row]);
#pragma GCC unroll 4
            for (int v = 0; v < NV; v++)
                acc[r][v] = _mm512_dpbf16_ps(acc[r][v], av, bv[v]);
        }
    }
    const __m512 va = _mm512_set1_ps(p->alpha), vb = _mm512_set1_ps(p->beta);
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++) {
            float *c = p->C + (i0 + r) * p->ldc + j0 + 16 * v;
            __mmask16 m = v + 1 < NV ? 0xffff : last;
            __m512 x = acc[r][v];
            if (p->scale)
                x = p->beta == 0.0f ? _mm512_mul_ps(va, x)
                                    : _mm512_fmadd_ps(va, x,
                                                      _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m, c)));
            _mm512_mask_storeu_ps(c, m, x);
        }
}

typedef void (*block_fn)(const nnc__bf16_product *p, size_t i0, size_t j0);
#define BLOCK(R, NV)                                                                  \
    static void block_##R##_##NV(const nnc__bf16_product *p, size_t i0, size_t j0)   \
    {                                                                                 \
        block(R, NV, p, i0, j0);                                                      \
    }
#define BLOCKS(R) BLOCK(R, 1) BLOCK(R, 2) BLOCK(R, 3) BLOCK(R, 4)
BLOCKS(1)
BLOCKS(2)
BLOCKS(3)
BLOCKS(4)
BLOCKS(5)
BLOCKS(6)
#define ROW(R) {block_##R##_1, block_##R##_2, block_##R##_3, block_##R##_4}
static const block_fn blocks[MR][NV_MAX] = {ROW(1), ROW(2), ROW(3), ROW(4), ROW(5), ROW(6)};

typedef struct {
    const nnc__bf16_product *p;
    size_t                   units, tasks;
    int                      by_rows;   /* the tasks share C's rows, else its columns */
} product_job;

/* Task t takes a range of C's blocks of NC columns, every row of them; or,
 * where C has too few such blocks to share evenly (a narrow layer), a range
 * of its blocks of MR rows, every column. When B's panel fits in L2 (BP4's,
 * a batch deep), C is walked a row block at a time across the task's
 * columns: C then streams through memory in order, where BP4 reads and
 * writes the weights; else a column block at a time down the task's rows,
 * so that B's panel is read from L2 once per row block. */
#define L2_PANEL (384u * 1024u)

static void product_task(void *arg, size_t t)
{
    const product_job *job = arg;
    const nnc__bf16_product *p = job->p;
    size_t first = nnc__range_first(job->units, job->tasks, t);
    size_t end = nnc__range_end(job->units, job->tasks, t);
    size_t c0 = job->by_rows ? 0 : first, c1 = job->by_rows ? (p->n + NC - 1) / NC : end;
    size_t r0 = job->by_rows ? first * MR : 0;
    size_t r1 = job->by_rows ? (end * MR < p->m ? end * MR : p->m) : p->m;
    int rows_first = p->k2 * (c1 - c0) * NC * sizeof *p->B <= L2_PANEL;
    for (size_t outer = rows_first ? r0 : c0; outer < (rows_first ? r1 : c1);
         outer += rows_first ? MR : 1)
        for (size_t inner = rows_first ? c0 : r0; inner < (rows_first ? c1 : r1);
             inner += rows_first ? 1 : MR) {
            size_t u = rows_first ? inner : outer, i0 = rows_first ? outer : inner;
            size_t j0 = u * NC, cols = p->n - j0 < NC ? p->n - j0 : NC;
            size_t rows = p->m - i0 < MR ? p->m - i0 : MR;
            blocks[rows - 1][(cols + 15) / 16 - 1](p, i0, j0);
        }
}

static void product_avx512(nnc__pool *pool, const nnc__bf16_product *p)
{
    if (!p->m || !p->n)
        return;
    size_t col_units = (p->n + NC - 1) / NC, row_units = (p->m + MR - 1) / MR;
    int by_rows = col_units < 8 && row_units > col_units;
    size_t units = by_rows ? row_units : col_units;
    product_job job = {p, units, nnc__product_tasks(p->m, 2 * p->k2, p->n, units), by_rows};
    nnc__pool_run(pool, product_task, &job, job.tasks);
}

const nnc__bf16_ops nnc__bf16_avx512 = {"avx512",           NNC__BF16_LAYER_PAIRS,
                                        product_avx512,
                                        pack_rows_avx512,   pack_pairs_avx512,
                                        pack_turned_avx512, pack_weights_avx512,
                                        convert_avx512};
