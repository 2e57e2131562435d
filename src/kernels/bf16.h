/* bf16.h — the products of a layer with bfloat16 inputs and float32 sums.
 *
 * A bfloat16 is the top half of a float32: 8 bits of exponent, 7 of
 * mantissa. A product of two is exact in float32, so such a product costs
 * only the rounding of its inputs; AVX-512 BF16's vdpbf16ps does 32 of them
 * per instruction, two per float32 lane:
 *
 *     acc[j] = (acc[j] + a[2j+1] b[2j+1]) + a[2j] b[2j]     (each + rounded)
 *
 * the odd pair's product added first (Intel's definition, and what AMD's Zen 4
 * computes, bit for bit). The products here are made of such steps: a
 * product's two matrices are packed as 32-bit words, each a pair of
 * bfloat16s along the dimension that is summed over (low half: the even
 * index), an odd length paired with a zero; every sum C[i][j] then starts
 * from its bias (or 0) and adds the pairs q = 0, 1, ... in order, each as the
 * step above. The portable kernels (bf16_ref.c) compute exactly that and are
 * the specification; the AVX-512 BF16 ones (bf16_avx512.c) give the same bits
 * for any thread count, the tasks being cut by the shape alone.
 *
 * Rounding float32 to bfloat16 is to nearest, ties to even, as
 * vcvtneps2bf16 does: a NaN stays a NaN (made quiet), a subnormal becomes a
 * zero of its sign (as the float32 path flushes them), a finite value past
 * the largest bfloat16 becomes an infinity. */
#ifndef NNC_BF16_H
#define NNC_BF16_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nnc.h"
#include "../runtime/pool.h"

typedef uint16_t nnc__bf16;

static inline nnc__bf16 nnc__bf16_from_float(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u)          /* NaN: quiet, payload kept */
        return (nnc__bf16)((u >> 16) | 0x40u);
    if ((u & 0x7f800000u) == 0 && (u & 0x7fffffu)) /* subnormal: a signed zero */
        return (nnc__bf16)((u >> 16) & 0x8000u);
    u += 0x7fffu + ((u >> 16) & 1u);               /* to nearest, ties to even */
    return (nnc__bf16)(u >> 16);
}

static inline float nnc__bf16_to_float(nnc__bf16 h)
{
    uint32_t u = (uint32_t)h << 16;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Columns of a packed matrix are a multiple of 16 words apart (one vector);
 * the words past the last column are zero. */
static inline size_t nnc__bf16_ld(size_t cols) { return (cols + 15) / 16 * 16; }

/* C (m x n) from A's and B's words, A's word (i, q) at A[i a_row + q a_pair],
 * B's word (q, j) at B[q ldb + j], q = 0 .. k2-1:
 *     sum[i][j] = bias ? bias[j] : 0, then the pairs in order (above);
 *     C[i][j]   = scale ? (beta == 0 ? alpha sum : fma(alpha, sum, beta C))
 *                       : sum.
 * C's rows are ldc floats apart; with beta = 0, C is not read. */
typedef struct {
    size_t          m, n, k2;
    const uint32_t *A;
    size_t          a_row, a_pair;
    const uint32_t *B;
    size_t          ldb;
    const float    *bias;
    float          *C;
    size_t          ldc;
    int             scale;
    float           alpha, beta;
} nnc__bf16_product;

/* The packings (every word past an odd length's end pairs with a zero):
 *   rows   dst[i cols2 + q] = (src[i][2q], src[i][2q+1]), cols2 = (cols+1)/2:
 *          pairs along a row (a product's A, summed along its rows)
 *   pairs  dst[q ld + j] = (src[2q][j], src[2q+1][j]), ld = nnc__bf16_ld(cols):
 *          pairs down the columns (a B summed down its columns)
 *   turned dst[q ld + r] = (src[r][2q], src[r][2q+1]), ld = nnc__bf16_ld(rows):
 *          the transpose's pairs (B = srcᵀ, summed along src's rows)
 * src has `rows` rows of `cols` floats, lds floats apart. */
typedef void (*nnc__bf16_pack_fn)(size_t rows, size_t cols, const float *src, size_t lds,
                                  uint32_t *dst);

typedef struct nnc__bf16_ops nnc__bf16_ops;

/* A layer's three products as training makes them (math/backprop.c), each
 * packing its float32 inputs the way its kernels want them:
 *   forward  Z (m x n)  = X (m x k) W + b
 *   bp2      E (m x k)  = D (m x n) Wᵀ
 *   bp4      G (k x n, rows ldg apart) <- beta G + alpha Xᵀ D   (the fused step)
 * W is as the ops' pack_weights left it in `pairs` and `turned`; `a` and `b`
 * are scratch, as many words as the pair layouts of X and D need. */
typedef struct {
    void (*forward)(const nnc__bf16_ops *ops, nnc__pool *pool, size_t m, size_t k, size_t n,
                    const float *X, const uint32_t *pairs, const float *bias, float *Z,
                    uint32_t *a);
    void (*bp2)(const nnc__bf16_ops *ops, nnc__pool *pool, size_t m, size_t k, size_t n,
                const float *D, const uint32_t *pairs, const uint32_t *turned, float *E,
                uint32_t *a);
    void (*bp4)(const nnc__bf16_ops *ops, nnc__pool *pool, size_t m, size_t k, size_t n,
                float alpha, const float *X, const float *D, float beta, float *G, size_t ldg,
                uint32_t *a, uint32_t *b);
} nnc__bf16_layer;

/* The layer's products from the ops' packings and product (bf16_layer.c). */
void nnc__bf16_forward_pairs(const nnc__bf16_ops *ops, nnc__pool *pool, size_t m, size_t k,
                             size_t n, const float *X, const uint32_t *pairs,
                             const float *bias, float *Z, uint32_t *a);
void nnc__bf16_bp2_pairs(const nnc__bf16_ops *ops, nnc__pool *pool, size_t m, size_t k,
                         size_t n, const float *D, const uint32_t *pairs,
                         const uint32_t *turned, float *E, uint32_t *a);
void nnc__bf16_bp4_pairs(const nnc__bf16_ops *ops, nnc__pool *pool, size_t m, size_t k,
                         size_t n, float alpha, const float *X, const float *D, float beta,
                         float *G, size_t ldg, uint32_t *a, uint32_t *b);
#define NNC__BF16_LAYER_PAIRS {nnc__bf16_forward_pairs, nnc__bf16_bp2_pairs, nnc__bf16_bp4_pairs}

struct nnc__bf16_ops {
    const char       *name;
    nnc__bf16_layer   layer;
    /* the product and packings of the pair layouts; NULL where the layer's
     * products pack their own way (oneDNN) */
    void            (*product)(nnc__pool *pool, const nnc__bf16_product *p);
    nnc__bf16_pack_fn pack_rows, pack_pairs, pack_turned;
    /* a k x n weight matrix (rows ldw apart) as the layer's products want it,
     * over the pool's threads: for the pair layouts, as pack_pairs and,
     * unless turned is NULL, pack_turned make it, in one pass */
    void            (*pack_weights)(nnc__pool *pool, size_t k, size_t n, const float *W,
                                    size_t ldw, uint32_t *pairs, uint32_t *turned);
    /* dst[i] = nnc__bf16_from_float(src[i]) */
    void            (*convert)(size_t count, const float *src, nnc__bf16 *dst);
};

extern const nnc__bf16_ops nnc__bf16_ref;      /* portable C, the specification */
extern const nnc__bf16_ops nnc__bf16_avx512;   /* needs AVX-512 BF16             */
extern const nnc__bf16_ops nnc__bf16_onednn;   /* oneDNN's matmul (bf16_onednn.c) */

int nnc__cpu_has_avx512bf16(void);
/* AMX's bf16 tiles, usable by this process (amx.c) */
int nnc__cpu_amx_usable(void);
/* The bf16 kernels for this machine: oneDNN where AMX is usable (it has AMX
 * kernels, these files none), else AVX-512 BF16's own, or NULL when the CPU
 * has neither (training then runs in float32). NNC_KERNELS=ref in the
 * environment gives the portable ones (slow: for tests), onednn or avx512
 * those; avx2 or blas, none. */
const nnc__bf16_ops *nnc__bf16_best(void);
/* What nnc__bf16_best decides for a CPU with or without usable AMX and
 * AVX-512 BF16 and the NNC_KERNELS value `want` (NULL: unset). */
const nnc__bf16_ops *nnc__bf16_pick(int amx, int avx512bf16, const char *want);
/* One by name (ref, avx512, onednn), or NULL when this build or CPU lacks it. */
const nnc__bf16_ops *nnc__bf16_named(const char *name);
/* For tests: what nnc__bf16_best returns from now on; `ops` NULL as if the
 * CPU had no bf16 instructions, and nnc__bf16_restore() goes back to the
 * machine's choice. */
void nnc__bf16_override(const nnc__bf16_ops *ops);
void nnc__bf16_restore(void);

#endif
