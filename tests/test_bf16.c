/* test_bf16.c — training's bfloat16 products (kernels/bf16.h): the rounding,
 * every implementation's packings and products against the portable
 * reference bit for bit, the same bits on any thread count, the fall-back to
 * float32 on a CPU without the instructions, and MNIST in bf16. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/bf16.h"
#include "kernels/dense.h"
#include "testutil.h"

static float from_bits(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static void rounds_to_nearest_even(void **state)
{
    (void)state;
    static const uint32_t cases[][2] = {
        {0x3f800000u, 0x3f80}, /* 1 */
        {0x3f808000u, 0x3f80}, /* a tie: to the even 1 */
        {0x3f818000u, 0x3f82}, /* a tie: to the even above */
        {0x3f808001u, 0x3f81}, /* just past the tie */
        {0x3f807fffu, 0x3f80}, /* just below it */
        {0xbf80ffffu, 0xbf81}, /* negative: by magnitude */
        {0x7f7fffffu, 0x7f80}, /* the largest float: past the largest bf16 */
        {0x7f7f7fffu, 0x7f7f}, /* ... and just below the carry */
        {0x7f800000u, 0x7f80}, /* infinities stay */
        {0xff800000u, 0xff80},
        {0x7f800001u, 0x7fc0}, /* NaN: quiet, the payload's top kept */
        {0xffc12345u, 0xffc1},
        {0x7fa00000u, 0x7fe0},
        {0x00000001u, 0x0000}, /* subnormals: zeros of their sign */
        {0x807fffffu, 0x8000},
        {0x00800000u, 0x0080}, /* the smallest normal stays */
        {0x80000000u, 0x8000}, /* -0 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nnc__bf16 got = nnc__bf16_from_float(from_bits(cases[i][0]));
        if (got != cases[i][1])
            fail_msg("%08x rounds to %04x, not %04x", (unsigned)cases[i][0], (unsigned)got,
                     (unsigned)cases[i][1]);
    }
    assert_true(nnc__bf16_to_float(0x3f80) == 1.0f);
    assert_true(nnc__bf16_to_float(0xc040) == -3.0f);
}

/* The instruction and the portable rounding on every sign, exponent and top
 * mantissa, with the low halves where rounding decides. */
static void rounding_matches_the_instruction(void **state)
{
    (void)state;
    const nnc__bf16_ops *fast = nnc__bf16_named("avx512");
    if (!fast)
        SKIP_TEST("no AVX-512 BF16 on this CPU or in this build");
    static const uint32_t lows[] = {0, 1, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff, 0x1234};
    enum { LOWS = sizeof lows / sizeof lows[0], COUNT = 65536 * LOWS };
    float *x = malloc(COUNT * sizeof *x);
    nnc__bf16 *got = malloc(COUNT * sizeof *got);
    assert_non_null(x);
    assert_non_null(got);
    for (uint32_t h = 0; h < 65536; h++)
        for (size_t l = 0; l < LOWS; l++)
            x[h * LOWS + l] = from_bits(h << 16 | lows[l]);
    fast->convert(COUNT, x, got);
    for (size_t i = 0; i < COUNT; i++) {
        nnc__bf16 want = nnc__bf16_from_float(x[i]);
        uint32_t u;
        memcpy(&u, &x[i], sizeof u);
        if (got[i] != want)
            fail_msg("%08x: the instruction gives %04x, the portable rounding %04x",
                     (unsigned)u, (unsigned)got[i], (unsigned)want);
    }
    free(x);
    free(got);
}

static float *random_floats(uint64_t *st, size_t count, float scale)
{
    float *v = malloc((count ? count : 1) * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < count; i++)
        v[i] = test_uniform(st, -scale, scale);
    return v;
}

static uint32_t *words(size_t count)
{
    uint32_t *w = malloc((count ? count : 1) * sizeof *w);
    assert_non_null(w);
    memset(w, 0xa5, (count ? count : 1) * sizeof *w);   /* written, never assumed zero */
    return w;
}

static const size_t dims[] = {1, 2, 7, 30, 31, 33, 100, 784};

static void packings_match_reference(void **state)
{
    (void)state;
    const nnc__bf16_ops *ref = nnc__bf16_named("ref"), *fast = nnc__bf16_named("avx512");
    if (!fast)
        SKIP_TEST("no AVX-512 BF16 on this CPU or in this build");
    uint64_t st = 5;
    for (size_t a = 0; a < sizeof dims / sizeof dims[0]; a++)
        for (size_t b = 0; b < sizeof dims / sizeof dims[0]; b++) {
            size_t rows = dims[a], cols = dims[b], lds = cols + 3;
            float *src = random_floats(&st, rows * lds, 2.0f);
            size_t sizes[3] = {rows * ((cols + 1) / 2), (rows + 1) / 2 * nnc__bf16_ld(cols),
                               (cols + 1) / 2 * nnc__bf16_ld(rows)};
            nnc__bf16_pack_fn fr[3] = {ref->pack_rows, ref->pack_pairs, ref->pack_turned};
            nnc__bf16_pack_fn ff[3] = {fast->pack_rows, fast->pack_pairs, fast->pack_turned};
            for (int k = 0; k < 3; k++) {
                uint32_t *want = words(sizes[k]), *got = words(sizes[k]);
                fr[k](rows, cols, src, lds, want);
                ff[k](rows, cols, src, lds, got);
                if (memcmp(want, got, sizes[k] * sizeof *got))
                    fail_msg("packing %d of %zu x %zu differs from the reference", k, rows,
                             cols);
                free(want);
                free(got);
            }
            /* both at once, as the trainer packs its weights */
            uint32_t *pairs = words(sizes[1]), *turned = words(sizes[2]);
            uint32_t *want_p = words(sizes[1]), *want_t = words(sizes[2]);
            ref->pack_pairs(rows, cols, src, lds, want_p);
            ref->pack_turned(rows, cols, src, lds, want_t);
            fast->pack_weights(NULL, rows, cols, src, lds, pairs, turned);
            assert_memory_equal(pairs, want_p, sizes[1] * sizeof *pairs);
            assert_memory_equal(turned, want_t, sizes[2] * sizeof *turned);
            memset(pairs, 0xa5, sizes[1] * sizeof *pairs);
            fast->pack_weights(NULL, rows, cols, src, lds, pairs, NULL);
            assert_memory_equal(pairs, want_p, sizes[1] * sizeof *pairs);
            free(pairs), free(turned), free(want_p), free(want_t);
            free(src);
        }
}

/* The three products of a layer as the trainer makes them (math/backprop.c):
 *   Z (m x n)  = X (m x k) W + b,   E (m x k) = D (m x n) Wᵀ,
 *   G (k x n, rows ldw apart) = beta G + alpha Xᵀ D. */
typedef struct {
    size_t       m, k, n, ldw;
    const float *X, *W, *b, *D;
    float        alpha, beta;
} layer;

static void layer_products(const nnc__bf16_ops *ops, nnc__pool *pool, const layer *L,
                           float *Z, float *E, float *G)
{
    size_t m = L->m, k = L->k, n = L->n, m2 = (m + 1) / 2;
    uint32_t *wp = words((k + 1) / 2 * nnc__bf16_ld(n));
    uint32_t *wt = words((n + 1) / 2 * nnc__bf16_ld(k));
    uint32_t *a = words(m * ((k + 1) / 2) + m * ((n + 1) / 2) + m2 * nnc__bf16_ld(k));
    uint32_t *bb = words(m2 * nnc__bf16_ld(n));
    ops->pack_weights(pool, k, n, L->W, L->ldw, wp, wt);
    ops->layer.forward(ops, pool, m, k, n, L->X, wp, L->b, Z, a);
    ops->layer.bp2(ops, pool, m, k, n, L->D, wp, wt, E, a);
    ops->layer.bp4(ops, pool, m, k, n, L->alpha, L->X, L->D, L->beta, G, L->ldw, a, bb);
    free(wp);
    free(wt);
    free(a);
    free(bb);
}

typedef struct {
    float *Z, *E, *G;
} results;

static results run_layer(const nnc__bf16_ops *ops, nnc__pool *pool, const layer *L,
                         const float *G0)
{
    results r = {malloc(L->m * L->n * sizeof(float)), malloc(L->m * L->k * sizeof(float)),
                 malloc(L->k * L->ldw * sizeof(float))};
    assert_true(r.Z && r.E && r.G);
    memcpy(r.G, G0, L->k * L->ldw * sizeof(float));
    layer_products(ops, pool, L, r.Z, r.E, r.G);
    return r;
}

static void assert_same(const results *a, const results *b, const layer *L, const char *what)
{
    if (memcmp(a->Z, b->Z, L->m * L->n * sizeof(float)) ||
        memcmp(a->E, b->E, L->m * L->k * sizeof(float)) ||
        memcmp(a->G, b->G, L->k * L->ldw * sizeof(float)))
        fail_msg("%s: m=%zu k=%zu n=%zu beta=%g differ", what, L->m, L->k, L->n,
                 (double)L->beta);
}

static void free_results(results *r)
{
    free(r->Z);
    free(r->E);
    free(r->G);
}

/* Checks `ops` against the reference on one layer's shape; every product, and
 * G's padding columns kept. */
static void check_shape(const nnc__bf16_ops *ops, nnc__pool *pool, uint64_t *st, size_t m,
                        size_t k, size_t n, float beta)
{
    size_t ldw = n + (n % 3);   /* padded rows, or not */
    float *X = random_floats(st, m * k, 1.0f), *W = random_floats(st, k * ldw, 0.5f);
    float *b = random_floats(st, n, 0.5f), *D = random_floats(st, m * n, 0.1f);
    float *G0 = random_floats(st, k * ldw, 0.5f);
    for (size_t p = 0; p < k; p++)
        for (size_t j = n; j < ldw; j++)
            W[p * ldw + j] = NAN, G0[p * ldw + j] = NAN;
    layer L = {m, k, n, ldw, X, W, b, D, -0.03f, beta};
    results want = run_layer(nnc__bf16_named("ref"), NULL, &L, G0);
    results got = run_layer(ops, pool, &L, G0);
    assert_same(&got, &want, &L, ops->name);
    for (size_t p = 0; p < k; p++)
        for (size_t j = n; j < ldw; j++)
            if (!isnan(got.G[p * ldw + j]))
                fail_msg("%s wrote G's padding (m=%zu k=%zu n=%zu)", ops->name, m, k, n);
    free_results(&want);
    free_results(&got);
    free(X), free(W), free(b), free(D), free(G0);
}

static void products_match_reference_bit_for_bit(void **state)
{
    (void)state;
    const nnc__bf16_ops *fast = nnc__bf16_named("avx512");
    if (!fast)
        SKIP_TEST("no AVX-512 BF16 on this CPU or in this build");
    static const size_t ms[] = {1, 7, 10, 33, 100};
    static const size_t ns[] = {1, 3, 10, 16, 17, 30, 31, 33, 64, 100};
    static const float betas[] = {0.0f, 1.0f, 0.999f};
    uint64_t st = 9;
    size_t case_no = 0;
    for (size_t a = 0; a < sizeof ms / sizeof ms[0]; a++)
        for (size_t b = 0; b < sizeof dims / sizeof dims[0]; b++)
            for (size_t c = 0; c < sizeof ns / sizeof ns[0]; c++, case_no++)
                check_shape(fast, NULL, &st, ms[a], dims[b], ns[c], betas[case_no % 3]);
}

/* The reference itself on values bf16 holds exactly: the float32 sums. */
static void reference_on_a_known_product(void **state)
{
    (void)state;
    const float X[2 * 3] = {1, 2, 3, 4, 5, 6};       /* 2 x 3 */
    const float W[3 * 2] = {1, -1, 0, 2, 0.5f, 0};   /* 3 x 2 */
    const float b[2] = {0.25f, -0.25f}, D[4] = {1, 2, -1, 1};
    float Z[4], E[6], G[6] = {1, 1, 1, 1, 1, 1};
    layer L = {2, 3, 2, 2, X, W, b, D, 1.0f, 1.0f};
    layer_products(nnc__bf16_named("ref"), NULL, &L, Z, E, G);
    assert_true(Z[0] == 1 + 0 + 1.5f + 0.25f && Z[1] == -1 + 4 + 0 - 0.25f);
    assert_true(Z[2] == 4 + 0 + 3 + 0.25f && Z[3] == -4 + 10 - 0.25f);
    assert_true(E[0] == -1 && E[1] == 4 && E[2] == 0.5f);
    assert_true(E[3] == -2 && E[4] == 2 && E[5] == -0.5f);
    assert_true(G[0] == 1 + 1 - 4 && G[1] == 1 + 2 + 4);
    assert_true(G[4] == 1 + 3 - 6 && G[5] == 1 + 6 + 6);
    /* inputs are rounded to bf16 first: 1 + 2^-9 becomes 1 */
    const float x1[1] = {1.0f + 1.0f / 512}, w1[1] = {3.0f}, zero[1] = {0};
    float z1[1], e1[1], g1[1] = {0};
    layer one = {1, 1, 1, 1, x1, w1, zero, x1, 1.0f, 0.0f};
    layer_products(nnc__bf16_named("ref"), NULL, &one, z1, e1, g1);
    assert_true(z1[0] == 3.0f && e1[0] == 3.0f && g1[0] == 1.0f);
}

/* Against float32: each product is off by no more than the rounding of its
 * inputs, 2^-8 of the sum of the terms' sizes for the two inputs together. */
static void products_are_float32_within_bf16_rounding(void **state)
{
    (void)state;
    const nnc__bf16_ops *ops = nnc__bf16_named("ref");
    uint64_t st = 13;
    size_t m = 7, k = 31, n = 33;
    float *X = random_floats(&st, m * k, 1.0f), *W = random_floats(&st, k * n, 1.0f);
    float *b = random_floats(&st, n, 1.0f), *D = random_floats(&st, m * n, 1.0f);
    float *G0 = calloc(k * n, sizeof(float));
    layer L = {m, k, n, n, X, W, b, D, 1.0f, 0.0f};
    results r = run_layer(ops, NULL, &L, G0);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double exact = b[j], size = fabs(b[j]);
            for (size_t p = 0; p < k; p++) {
                exact += (double)X[i * k + p] * W[p * n + j];
                size += fabs((double)X[i * k + p] * W[p * n + j]);
            }
            assert_true(fabs(r.Z[i * n + j] - exact) <= size * (1.0 / 128 + 1e-6));
        }
    free_results(&r);
    free(X), free(W), free(b), free(D), free(G0);
}

/* The same bits with 1, 2 or 3 threads and on a second run, on shapes large
 * enough to be cut into tasks, with a last batch smaller than the others. */
static void same_bits_on_any_pool_and_repeat(void **state)
{
    (void)state;
    const nnc__bf16_ops *ops = nnc__bf16_named("avx512");
    if (!ops)
        SKIP_TEST("no AVX-512 BF16 on this CPU or in this build");
    nnc__pool *pools[3] = {NULL, NULL, NULL};
    assert_int_equal(nnc__pool_create(2, &pools[1]), NNC_OK);
    assert_int_equal(nnc__pool_create(3, &pools[2]), NNC_OK);
    static const size_t shapes[][3] = {{128, 784, 1024}, {96, 1024, 1024}, {33, 1024, 10},
                                       {128, 100, 300}};
    uint64_t st = 21;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t m = shapes[s][0], k = shapes[s][1], n = shapes[s][2], ldw = (n + 15) / 16 * 16;
        float *X = random_floats(&st, m * k, 1.0f), *W = random_floats(&st, k * ldw, 0.1f);
        float *b = random_floats(&st, n, 0.1f), *D = random_floats(&st, m * n, 0.1f);
        float *G0 = random_floats(&st, k * ldw, 0.1f);
        layer L = {m, k, n, ldw, X, W, b, D, -0.01f, 0.9995f};
        results first = run_layer(ops, NULL, &L, G0);
        for (int p = 0; p < 3; p++) {
            results again = run_layer(ops, pools[p], &L, G0);
            assert_same(&again, &first, &L, "threads");
            free_results(&again);
        }
        if (m * k * n <= 128 * 100 * 300) {   /* the reference too, where it is quick */
            results want = run_layer(nnc__bf16_named("ref"), NULL, &L, G0);
            assert_same(&first, &want, &L, "reference");
            free_results(&want);
        }
        free_results(&first);
        free(X), free(W), free(b), free(D), free(G0);
    }
    nnc__pool_free(pools[1]);
    nnc__pool_free(pools[2]);
}

/* ---- oneDNN --------------------------------------------------------------- */

/* |got - exact| within what float32 sums in any order may lose: (terms + 2)
 * roundings of 2^-24 of the terms' sizes, the exact value being the double
 * sum of the same bfloat16 inputs (the reference's Z serves as the check
 * that those are what both round to). */
static void assert_near(const float *got, const double *exact, const double *size,
                        size_t count, size_t terms, const char *what)
{
    double bound = (double)(terms + 2) / (1 << 24);
    for (size_t i = 0; i < count; i++)
        if (!(fabs(got[i] - exact[i]) <= bound * size[i]))
            fail_msg("%s[%zu]: %.9g, not %.9g within %.3g", what, i, (double)got[i], exact[i],
                     bound * size[i]);
}

static double bf(float x) { return nnc__bf16_to_float(nnc__bf16_from_float(x)); }

/* oneDNN's products against the exact sums of the rounded inputs, as the
 * reference is; and beside the reference, on shapes that cut into tasks
 * both ways (rows and columns) with odd sizes. */
static void onednn_products_within_bf16_rounding(void **state)
{
    (void)state;
    const nnc__bf16_ops *ops = nnc__bf16_named("onednn");
    if (!ops)
        SKIP_TEST("no oneDNN in this build, or no bf16 on this CPU");
    static const size_t shapes[][3] = {{7, 31, 33}, {128, 300, 10}, {33, 100, 1024},
                                       {1, 1, 1}, {100, 784, 100}};
    uint64_t st = 17;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t m = shapes[s][0], k = shapes[s][1], n = shapes[s][2], ldw = n + 3;
        float *X = random_floats(&st, m * k, 1.0f), *W = random_floats(&st, k * ldw, 0.5f);
        float *b = random_floats(&st, n, 0.5f), *D = random_floats(&st, m * n, 0.1f);
        float *G0 = random_floats(&st, k * ldw, 0.5f);
        layer L = {m, k, n, ldw, X, W, b, D, -0.03f, 0.999f};
        results got = run_layer(ops, NULL, &L, G0);
        results ref = run_layer(nnc__bf16_named("ref"), NULL, &L, G0);
        double *ez = malloc(m * n * sizeof(double)), *sz = malloc(m * n * sizeof(double));
        double *ee = malloc(m * k * sizeof(double)), *se = malloc(m * k * sizeof(double));
        double *eg = malloc(k * ldw * sizeof(double)), *sg = malloc(k * ldw * sizeof(double));
        assert_true(ez && sz && ee && se && eg && sg);
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++) {
                double e = b[j], z = fabs(b[j]);
                for (size_t p = 0; p < k; p++) {
                    double t = bf(X[i * k + p]) * bf(W[p * ldw + j]);
                    e += t, z += fabs(t);
                }
                ez[i * n + j] = e, sz[i * n + j] = z;
            }
        for (size_t i = 0; i < m; i++)
            for (size_t r = 0; r < k; r++) {
                double e = 0, z = 0;
                for (size_t j = 0; j < n; j++) {
                    double t = bf(D[i * n + j]) * bf(W[r * ldw + j]);
                    e += t, z += fabs(t);
                }
                ee[i * k + r] = e, se[i * k + r] = z;
            }
        for (size_t r = 0; r < k; r++)
            for (size_t j = 0; j < ldw; j++) {
                double e = 0, z = 0;
                for (size_t i = 0; i < m && j < n; i++) {
                    double t = bf(X[i * k + r]) * bf(D[i * n + j]);
                    e += t, z += fabs(t);
                }
                double g0 = 0.999 * G0[r * ldw + j];
                eg[r * ldw + j] = j < n ? -0.03 * e + g0 : G0[r * ldw + j];
                sg[r * ldw + j] = j < n ? 0.03 * z + fabs(g0) : 0;
            }
        assert_near(ref.Z, ez, sz, m * n, k, "reference Z");
        assert_near(got.Z, ez, sz, m * n, k, "onednn Z");
        assert_near(got.E, ee, se, m * k, n, "onednn E");
        for (size_t r = 0; r < k; r++)   /* G's padding left as it was */
            for (size_t j = n; j < ldw; j++)
                assert_true(isnan(got.G[r * ldw + j]) || got.G[r * ldw + j] == G0[r * ldw + j]);
        assert_near(got.G, eg, sg, k * ldw, m + 2, "onednn G");
        free_results(&got);
        free_results(&ref);
        free(ez), free(sz), free(ee), free(se), free(eg), free(sg);
        free(X), free(W), free(b), free(D), free(G0);
    }
}

/* The same bits with 1, 2 or 3 threads and on a second run. */
static void onednn_same_bits_on_any_pool_and_repeat(void **state)
{
    (void)state;
    const nnc__bf16_ops *ops = nnc__bf16_named("onednn");
    if (!ops)
        SKIP_TEST("no oneDNN in this build, or no bf16 on this CPU");
    nnc__pool *pools[3] = {NULL, NULL, NULL};
    assert_int_equal(nnc__pool_create(2, &pools[1]), NNC_OK);
    assert_int_equal(nnc__pool_create(3, &pools[2]), NNC_OK);
    static const size_t shapes[][3] = {{128, 784, 1024}, {96, 1024, 1000}, {33, 1024, 10},
                                       {100, 100, 300}};
    uint64_t st = 23;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t m = shapes[s][0], k = shapes[s][1], n = shapes[s][2], ldw = (n + 15) / 16 * 16;
        float *X = random_floats(&st, m * k, 1.0f), *W = random_floats(&st, k * ldw, 0.1f);
        float *b = random_floats(&st, n, 0.1f), *D = random_floats(&st, m * n, 0.1f);
        float *G0 = random_floats(&st, k * ldw, 0.1f);
        layer L = {m, k, n, ldw, X, W, b, D, -0.01f, 0.9995f};
        results first = run_layer(ops, NULL, &L, G0);
        for (int p = 0; p < 3; p++) {
            results again = run_layer(ops, pools[p], &L, G0);
            assert_same(&again, &first, &L, "onednn threads");
            free_results(&again);
        }
        free_results(&first);
        free(X), free(W), free(b), free(D), free(G0);
    }
    nnc__pool_free(pools[1]);
    nnc__pool_free(pools[2]);
}

/* ---- which kernels -------------------------------------------------------- */

/* AMX is usable only where CPUID lists its tiles and bf16 (and the OS and
 * Linux grant them): on a CPU without, it says no. */
static void amx_only_where_cpuid_lists_it(void **state)
{
    (void)state;
    int usable = nnc__cpu_amx_usable(), listed = 0;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    listed = __builtin_cpu_supports("amx-tile") && __builtin_cpu_supports("amx-bf16");
#endif
    print_message("    AMX: listed %d, usable %d\n", listed, usable);
    assert_true(!usable || listed);
    assert_int_equal(nnc__cpu_amx_usable(), usable);   /* asking again changes nothing */
}

/* The choice for every kind of CPU, forced: AMX goes to oneDNN, AVX-512 BF16
 * alone to the own kernels, neither to none (float32); NNC_KERNELS's names. */
static void bf16_dispatch_for_each_cpu(void **state)
{
    (void)state;
    const nnc__bf16_ops *own = nnc__bf16_named("avx512"), *dnn = nnc__bf16_named("onednn");
    if (!own)
        SKIP_TEST("no AVX-512 BF16 on this CPU or in this build");
    assert_null(nnc__bf16_pick(0, 0, NULL));
    assert_ptr_equal(nnc__bf16_pick(0, 1, NULL), own);
    assert_ptr_equal(nnc__bf16_pick(1, 1, NULL), dnn ? dnn : own);
    assert_ptr_equal(nnc__bf16_pick(1, 0, NULL), dnn);
    assert_ptr_equal(nnc__bf16_pick(0, 0, "ref"), nnc__bf16_named("ref"));
    assert_null(nnc__bf16_pick(1, 1, "avx2"));
    assert_null(nnc__bf16_pick(1, 1, "blas"));
    assert_ptr_equal(nnc__bf16_pick(1, 1, "avx512"), own);
    assert_null(nnc__bf16_pick(1, 0, "avx512"));
    assert_ptr_equal(nnc__bf16_pick(0, 1, "onednn"), dnn);
    assert_null(nnc__bf16_pick(0, 0, "onednn"));
    /* this machine: what it has */
    assert_ptr_equal(nnc__bf16_pick(nnc__cpu_amx_usable(), 1, NULL),
                     nnc__cpu_amx_usable() && dnn ? dnn : own);
}

/* ---- training ------------------------------------------------------------- */

/* A [784, 256, 64, 10] network trained for an epoch on 300 random samples
 * in batches of 64 (the last of 44), in the precision asked for. */
static nnc_net *trained(nnc_precision precision, unsigned threads, nnc_train_summary *sum)
{
    enum { N = 300, IN = 784 };
    uint64_t st = 3;
    float *x = malloc(N * IN * sizeof *x);
    uint8_t labels[N];
    assert_non_null(x);
    for (int i = 0; i < N * IN; i++)
        x[i] = test_uniform(&st, 0, 1);
    for (int i = 0; i < N; i++)
        labels[i] = (uint8_t)(i % 10);
    const size_t sizes[] = {IN, 256, 64, 10};
    nnc_net *net;
    nnc_data *data;
    assert_ok(nnc_net_create(sizes, 4, 5, &net));
    assert_ok(nnc_data_from_floats(x, labels, N, IN, &data));
    nnc_train_opts opts;
    nnc_train_opts_init(&opts);
    opts.epochs = 1;
    opts.batch_size = 64;
    opts.eta = 0.1f;
    opts.threads = threads;
    opts.precision = precision;
    assert_ok(nnc_train(net, data, &opts, sum));
    nnc_data_free(data);
    free(x);
    return net;
}

static int same_parameters(const nnc_net *a, const nnc_net *b)
{
    size_t n = nnc_net_param_count(a);
    return n == nnc_net_param_count(b) &&
           !memcmp(nnc_net_params_const(a), nnc_net_params_const(b), n * sizeof(float));
}

static void training_in_bf16_gives_the_same_bits_on_any_thread_count(void **state)
{
    (void)state;
    if (!nnc__bf16_best())
        SKIP_TEST("no bf16 kernels on this CPU");
    nnc_train_summary sum;
    nnc_net *one = trained(NNC_PRECISION_BF16, 1, &sum);
    assert_int_equal(sum.precision_used, NNC_PRECISION_BF16);
    nnc_net *two = trained(NNC_PRECISION_BF16, 2, NULL), *again = trained(NNC_PRECISION_BF16, 1, NULL);
    nnc_net *f32 = trained(NNC_PRECISION_F32, 1, &sum);
    assert_int_equal(sum.precision_used, NNC_PRECISION_F32);
    assert_true(same_parameters(one, two));
    assert_true(same_parameters(one, again));
    assert_false(same_parameters(one, f32));   /* bf16 was used */
    nnc_net_free(one);
    nnc_net_free(two);
    nnc_net_free(again);
    nnc_net_free(f32);
}

/* The portable kernels train as the fast ones do, bit for bit. */
static void training_on_the_reference_kernels_gives_the_same_bits(void **state)
{
    (void)state;
    if (!nnc__bf16_named("avx512"))
        SKIP_TEST("no AVX-512 BF16 on this CPU or in this build");
    nnc__bf16_override(nnc__bf16_named("ref"));
    nnc_net *ref = trained(NNC_PRECISION_BF16, 1, NULL);
    nnc__bf16_override(nnc__bf16_named("avx512"));
    nnc_net *fast = trained(NNC_PRECISION_BF16, 2, NULL);
    nnc__bf16_restore();
    assert_true(same_parameters(ref, fast));
    nnc_net_free(ref);
    nnc_net_free(fast);
}

/* Training on oneDNN: the same bits on any thread count and again, close to
 * (but not the bits of) the own kernels. */
static void training_on_onednn_gives_the_same_bits_on_any_thread_count(void **state)
{
    (void)state;
    const nnc__bf16_ops *dnn = nnc__bf16_named("onednn");
    if (!dnn)
        SKIP_TEST("no oneDNN in this build, or no bf16 on this CPU");
    nnc__bf16_override(dnn);
    nnc_train_summary sum;
    nnc_net *one = trained(NNC_PRECISION_BF16, 1, &sum);
    nnc_net *two = trained(NNC_PRECISION_BF16, 2, NULL);
    nnc_net *again = trained(NNC_PRECISION_BF16, 1, NULL);
    nnc__bf16_override(nnc__bf16_named("ref"));
    nnc_net *ref = trained(NNC_PRECISION_BF16, 1, NULL);
    nnc__bf16_restore();
    assert_int_equal(sum.precision_used, NNC_PRECISION_BF16);
    assert_true(same_parameters(one, two));
    assert_true(same_parameters(one, again));
    size_t n = nnc_net_param_count(one);
    const float *p = nnc_net_params_const(one), *q = nnc_net_params_const(ref);
    double most = 0;
    for (size_t i = 0; i < n; i++)
        most = fabs(p[i] - q[i]) > most ? fabs(p[i] - q[i]) : most;
    print_message("    oneDNN against the reference after an epoch: %.3g at most\n", most);
    assert_true(most > 0 && most < 1e-3);
    nnc_net_free(one);
    nnc_net_free(two);
    nnc_net_free(again);
    nnc_net_free(ref);
}

/* Without the instructions the run is float32's, and the summary says so. */
static void without_bf16_instructions_training_is_float32(void **state)
{
    (void)state;
    nnc__bf16_override(NULL);
    nnc_train_summary sum;
    nnc_net *asked = trained(NNC_PRECISION_BF16, 1, &sum);
    nnc__bf16_restore();
    assert_int_equal(sum.precision_used, NNC_PRECISION_F32);
    nnc_net *f32 = trained(NNC_PRECISION_F32, 1, NULL);
    assert_true(same_parameters(asked, f32));
    nnc_net_free(asked);
    nnc_net_free(f32);
    nnc_train_opts opts;
    nnc_train_opts_init(&opts);
    assert_int_equal(opts.precision, NNC_PRECISION_F32);
}

/* The tutorial's network, 2 epochs: bf16 within half a point of float32. */
static void mnist_in_bf16_is_as_accurate_as_float32(void **state)
{
    (void)state;
    const char *dir = mnist_dir();
    if (!dir)
        SKIP_TEST("NNC_MNIST_DIR is not set to a folder");
    if (!nnc__bf16_best())
        SKIP_TEST("no bf16 kernels on this CPU");
    const size_t sizes[] = {784, 30, 10};
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, 3);
    spec.seed = 11;
    size_t correct[2];
    for (int p = 0; p < 2; p++) {
        nnc_train_opts opts;
        nnc_train_opts_init(&opts);
        opts.epochs = 2;
        opts.precision = p ? NNC_PRECISION_BF16 : NNC_PRECISION_F32;
        nnc_data *te;
        nnc_net *net = train_on_mnist(dir, &spec, &opts, &te);
        assert_ok(nnc_evaluate(net, te, &correct[p]));
        nnc_net_free(net);
        nnc_data_free(te);
    }
    print_message("    [784,30,10] after 2 epochs: float32 %zu, bf16 %zu / 10000\n", correct[0],
                  correct[1]);
    assert_true(correct[1] + 50 >= correct[0]);
}

/* Inference takes the precision too: a network set to bf16 feeds forward
 * with the bf16 products (the portable ones here: the same bits as any),
 * close to float32; without bf16 instructions it says it stays float32 and
 * gives float32's bits. */
static void inference_computes_in_the_precision_asked(void **state)
{
    (void)state;
    size_t sizes[] = {64, 48, 10};
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 3, 5, &net));
    enum { M = 20 };
    float x[M * 64], f32[M * 10], bf16[M * 10], none[M * 10];
    uint64_t st = 3;
    for (size_t i = 0; i < M * 64; i++)
        x[i] = test_uniform(&st, 0.0f, 1.0f);
    assert_ok(nnc_feedforward(net, x, M, f32));
    nnc__bf16_override(nnc__bf16_named("ref"));
    assert_int_equal(nnc_net_set_precision(net, NNC_PRECISION_BF16), NNC_PRECISION_BF16);
    assert_ok(nnc_feedforward(net, x, M, bf16));
    volatile double worst = 0.0;   /* not a vector reduction: one cross gcc fails on it */
    for (size_t i = 0; i < M * 10; i++)
        if (fabs((double)bf16[i] - f32[i]) > worst)
            worst = fabs((double)bf16[i] - f32[i]);
    assert_true(worst > 0.0 && worst < 0.05);   /* bf16's 8 bits, not float32's 24 */
    nnc__bf16_override(NULL);
    assert_int_equal(nnc_net_set_precision(net, NNC_PRECISION_BF16), NNC_PRECISION_F32);
    assert_ok(nnc_feedforward(net, x, M, none));
    assert_memory_equal(none, f32, sizeof f32);
    nnc__bf16_restore();
    nnc_net_free(net);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(inference_computes_in_the_precision_asked),
    cmocka_unit_test(rounds_to_nearest_even),
    cmocka_unit_test(rounding_matches_the_instruction),
    cmocka_unit_test(packings_match_reference),
    cmocka_unit_test(reference_on_a_known_product),
    cmocka_unit_test(products_are_float32_within_bf16_rounding),
    cmocka_unit_test(products_match_reference_bit_for_bit),
    cmocka_unit_test(same_bits_on_any_pool_and_repeat),
    cmocka_unit_test(training_in_bf16_gives_the_same_bits_on_any_thread_count),
    cmocka_unit_test(training_on_the_reference_kernels_gives_the_same_bits),
    cmocka_unit_test(onednn_products_within_bf16_rounding),
    cmocka_unit_test(onednn_same_bits_on_any_pool_and_repeat),
    cmocka_unit_test(training_on_onednn_gives_the_same_bits_on_any_thread_count),
    cmocka_unit_test(amx_only_where_cpuid_lists_it),
    cmocka_unit_test(bf16_dispatch_for_each_cpu),
    cmocka_unit_test(without_bf16_instructions_training_is_float32),
    cmocka_unit_test(mnist_in_bf16_is_as_accurate_as_float32),
};
TEST_GROUP(bf16_tests, "bf16", tests);
