/* bf16_ref.c — the bfloat16 products and packings in plain C: the
 * specification (bf16.h). One thread, written to be read. */
#include <math.h>

#include "bf16.h"

static uint32_t pair(float lo, float hi)
{
    return (uint32_t)nnc__bf16_from_float(lo) | (uint32_t)nnc__bf16_from_float(hi) << 16;
}

static void pack_rows_ref(size_t rows, size_t cols, const float *src, size_t lds,
                          uint32_t *dst)
{
    size_t cols2 = (cols + 1) / 2;
    for (size_t i = 0; i < rows; i++)
        for (size_t q = 0; q < cols2; q++) {
            const float *s = src + i * lds + 2 * q;
            dst[i * cols2 + q] = pair(s[0], 2 * q + 1 < cols ? s[1] : 0.0f);
        }
}

static void pack_pairs_ref(size_t rows, size_t cols, const float *src, size_t lds,
                           uint32_t *dst)
{
    size_t ld = nnc__bf16_ld(cols);
    for (size_t q = 0; q < (rows + 1) / 2; q++)
        for (size_t j = 0; j < ld; j++) {
            float lo = j < cols ? src[2 * q * lds + j] : 0.0f;
            float hi = j < cols && 2 * q + 1 < rows ? src[(2 * q + 1) * lds + j] : 0.0f;
            dst[q * ld + j] = pair(lo, hi);
        }
}

static void pack_turned_ref(size_t rows, size_t cols, const float *src, size_t lds,
                            uint32_t *dst)
{
    size_t ld = nnc__bf16_ld(rows);
    for (size_t q = 0; q < (cols + 1) / 2; q++)
        for (size_t r = 0; r < ld; r++) {
            float lo = r < rows ? src[r * lds + 2 * q] : 0.0f;
            float hi = r < rows && 2 * q + 1 < cols ? src[r * lds + 2 * q + 1] : 0.0f;
            dst[q * ld + r] = pair(lo, hi);
        }
}

static void pack_weights_ref(nnc__pool *pool, size_t k, size_t n, const float *W, size_t ldw,
                             uint32_t *pairs, uint32_t *turned)
{
    (void)pool;
    pack_pairs_ref(k, n, W, ldw, pairs);
    if (turned)
        pack_turned_ref(k, n, W, ldw, turned);
}

static float lo_of(uint32_t w) { return nnc__bf16_to_float((nnc__bf16)(w & 0xffffu)); }
static float hi_of(uint32_t w) { return nnc__bf16_to_float((nnc__bf16)(w >> 16)); }

/* Each product of two bfloat16s is exact in float32: only the additions round. */
static void product_ref(nnc__pool *pool, const nnc__bf16_product *p)
{
    (void)pool;   /* the reference runs on one thread */
    for (size_t i = 0; i < p->m; i++)
        for (size_t j = 0; j < p->n; j++) {
            float sum = p->bias ? p->bias[j] : 0.0f;
            for (size_t q = 0; q < p->k2; q++) {
                uint32_t a = p->A[i * p->a_row + q * p->a_pair], b = p->B[q * p->ldb + j];
                sum = sum + hi_of(a) * hi_of(b);
                sum = sum + lo_of(a) * lo_of(b);
            }
            float *c = p->C + i * p->ldc + j;
            if (!p->scale)
                *c = sum;
            else if (p->beta == 0.0f)
                *c = p->alpha * sum;
            else
                *c = fmaf(p->alpha, sum, p->beta * *c);
        }
}

static void convert_ref(size_t count, const float *src, nnc__bf16 *dst)
{
    for (size_t i = 0; i < count; i++)
        dst[i] = nnc__bf16_from_float(src[i]);
}

const nnc__bf16_ops nnc__bf16_ref = {"ref",           NNC__BF16_LAYER_PAIRS, product_ref,
                                     pack_rows_ref,   pack_pairs_ref,        pack_turned_ref,
                                     pack_weights_ref, convert_ref};
