/* bf16_layer.c — a layer's three products in the pair layouts (bf16.h): the
 * inputs packed as pairs along the dimension summed over, by the ops' own
 * packings, then the ops' product. The reference and AVX-512 BF16 kernels
 * share these; only their packings and products differ. */
#include "bf16.h"

/* A batch's activations or deltas packed over the pool's threads: a few
 * thousand rows' worth of conversions, which on one thread would be the
 * step's largest serial part. Rows (pack_rows) or pairs of rows
 * (pack_pairs) are independent, so any cut gives the same words. */
#define PACK_TASK_WORDS 16384

typedef struct {
    nnc__bf16_pack_fn pack;
    int               pairs;   /* pack_pairs: tasks take pairs of rows */
    size_t            rows, cols, lds, units, tasks, unit_words;
    const float      *src;
    uint32_t         *dst;
} pack_job;

static void pack_task(void *arg, size_t t)
{
    const pack_job *j = arg;
    size_t u0 = nnc__range_first(j->units, j->tasks, t), u1 = nnc__range_end(j->units, j->tasks, t);
    size_t r0 = j->pairs ? 2 * u0 : u0, r1 = j->pairs ? 2 * u1 : u1;
    r1 = r1 < j->rows ? r1 : j->rows;
    j->pack(r1 - r0, j->cols, j->src + r0 * j->lds, j->lds, j->dst + u0 * j->unit_words);
}

static void pack_over(nnc__pool *pool, nnc__bf16_pack_fn pack, int pairs, size_t rows,
                      size_t cols, const float *src, uint32_t *dst)
{
    size_t units = pairs ? (rows + 1) / 2 : rows;
    size_t unit_words = pairs ? nnc__bf16_ld(cols) : (cols + 1) / 2;
    size_t tasks = units * unit_words / PACK_TASK_WORDS;
    tasks = tasks < 1 ? 1 : tasks < units ? tasks : units;
    pack_job j = {pack, pairs, rows, cols, cols, units, tasks, unit_words, src, dst};
    nnc__pool_run(tasks > 1 ? pool : NULL, pack_task, &j, tasks);
}

/* Z (m x n) = X (m x k) · W + b */
void nnc__bf16_forward_pairs(const nnc__bf16_ops *ops, nnc__pool *pool, size_t m, size_t k,
                             size_t n, const float *X, const uint32_t *pairs,
                             const float *bias, float *Z, uint32_t *a)
{
    size_t k2 = (k + 1) / 2;
    pack_over(pool, ops->pack_rows, 0, m, k, X, a);
    nnc__bf16_product p = {.m = m, .n = n, .k2 = k2, .A = a, .a_row = k2, .a_pair = 1,
                           .B = pairs, .ldb = nnc__bf16_ld(n), .bias = bias, .C = Z,
                           .ldc = n};
    ops->product(pool, &p);
}

/* E (m x k) = D (m x n) · Wᵀ */
void nnc__bf16_bp2_pairs(const nnc__bf16_ops *ops, nnc__pool *pool, size_t m, size_t k,
                         size_t n, const float *D, const uint32_t *pairs,
                         const uint32_t *turned, float *E, uint32_t *a)
{
    (void)pairs;
    size_t n2 = (n + 1) / 2;
    pack_over(pool, ops->pack_rows, 0, m, n, D, a);
    nnc__bf16_product p = {.m = m, .n = k, .k2 = n2, .A = a, .a_row = n2, .a_pair = 1,
                           .B = turned, .ldb = nnc__bf16_ld(k), .C = E, .ldc = k};
    ops->product(pool, &p);
}

/* G (k x n, rows ldg apart) <- beta G + alpha Xᵀ (k x m) · D (m x n) */
void nnc__bf16_bp4_pairs(const nnc__bf16_ops *ops, nnc__pool *pool, size_t m, size_t k,
                         size_t n, float alpha, const float *X, const float *D, float beta,
                         float *G, size_t ldg, uint32_t *a, uint32_t *b)
{
    pack_over(pool, ops->pack_pairs, 1, m, k, X, a);
    pack_over(pool, ops->pack_pairs, 1, m, n, D, b);
    nnc__bf16_product p = {.m = k, .n = n, .k2 = (m + 1) / 2, .A = a, .a_row = 1,
                           .a_pair = nnc__bf16_ld(k), .B = b, .ldb = nnc__bf16_ld(n), .C = G,
                           .ldc = ldg, .scale = 1, .alpha = alpha, .beta = beta};
    ops->product(pool, &p);
}
