/* test_kernels.c — every dense implementation against the portable reference,
 * on odd shapes as well as the ones MNIST uses. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/dense.h"
#include "kernels/vector.h"
#include "testutil.h"

static const size_t ms[] = {1, 7, 10, 33};
static const size_t ks[] = {1, 7, 30, 31, 33, 784};
static const size_t ns[] = {1, 3, 8, 10, 12, 13, 16, 30, 31, 33, 100};

static float *random_matrix(uint64_t *st, size_t count)
{
    float *v = malloc(count * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < count; i++)
        v[i] = test_uniform(st, -1.0f, 1.0f);
    return v;
}

/* |got - want| within a few float32 roundings of a k-term dot product. */
static void assert_close(const float *got, const float *want, size_t count, size_t k,
                         const char *what, size_t m, size_t kk, size_t n)
{
    float tol = 4e-7f * (float)(k + 4) + 1e-6f;
    for (size_t i = 0; i < count; i++)
        if (!(fabsf(got[i] - want[i]) <= tol * (1.0f + fabsf(want[i]))))
            fail_msg("%s m=%zu k=%zu n=%zu: element %zu is %.9g, reference %.9g", what, m,
                     kk, n, i, got[i], want[i]);
}

/* A k x n matrix with rows ld floats apart whose padding columns hold NaN:
 * a product that reads them gives NaN, one that writes them is caught by
 * assert_padding_kept. */
static float *padded_matrix(uint64_t *st, size_t k, size_t n, size_t ld)
{
    float *v = random_matrix(st, k * ld);
    for (size_t p = 0; p < k; p++)
        for (size_t j = n; j < ld; j++)
            v[p * ld + j] = NAN;
    return v;
}

static void assert_padding_kept(const float *G, size_t k, size_t n, size_t ld,
                                const char *who)
{
    for (size_t p = 0; p < k; p++)
        for (size_t j = n; j < ld; j++)
            if (!isnan(G[p * ld + j]))
                fail_msg("%s gemm_tn wrote padding column %zu of row %zu (k=%zu n=%zu ld=%zu)",
                         who, j, p, k, n, ld);
}

/* Compares G's first n columns (rows ld apart) with the reference's. */
static void assert_close_rows(const float *got, const float *want, size_t k, size_t n,
                              size_t ld, size_t m)
{
    for (size_t p = 0; p < k; p++)
        assert_close(got + p * ld, want + p * ld, n, m, "gemm_tn", m, k, n);
}

static void check_shape(const nnc__dense_ops *ops, uint64_t *st, size_t m, size_t k, size_t n,
                        size_t ld)
{
    float *X = random_matrix(st, m * k), *W = padded_matrix(st, k, n, ld);
    float *bias = random_matrix(st, n), *D = random_matrix(st, m * n);
    float *G0 = padded_matrix(st, k, n, ld);
    float *z1 = malloc(m * n * 4), *z2 = malloc(m * n * 4);
    float *e1 = malloc(m * k * 4), *e2 = malloc(m * k * 4);
    float *g1 = malloc(k * ld * 4), *g2 = malloc(k * ld * 4);
    nnc__dense_named("ref")->gemm_nn_bias(NULL, m, k, n, X, W, ld, bias, z1, NULL);
    ops->gemm_nn_bias(NULL, m, k, n, X, W, ld, bias, z2, NULL);
    assert_close(z2, z1, m * n, k, "gemm_nn_bias", m, k, n);
    /* lines to prefetch, more than the loop has steps for: the same result */
    const void *lines[200];
    for (size_t q = 0; q < 200; q++)
        lines[q] = (const char *)X + q % (m * k) * sizeof *X;
    nnc__prefetch pf = {lines, k < 200 ? k : 200};
    float *z3 = malloc(m * n * 4);
    ops->gemm_nn_bias(NULL, m, k, n, X, W, ld, bias, z3, &pf);
    assert_memory_equal(z3, z2, m * n * 4);
    free(z3);
    nnc__dense_named("ref")->gemm_nt(NULL, m, k, n, D, W, ld, e1);
    ops->gemm_nt(NULL, m, k, n, D, W, ld, e2);
    assert_close(e2, e1, m * k, n, "gemm_nt", m, k, n);
    const float betas[] = {0.0f, 1.0f, 0.75f};
    for (int t = 0; t < 3; t++) {
        memcpy(g1, G0, k * ld * 4);
        memcpy(g2, G0, k * ld * 4);
        nnc__dense_named("ref")->gemm_tn(NULL, m, k, n, -0.3f, X, D, betas[t], g1, ld);
        ops->gemm_tn(NULL, m, k, n, -0.3f, X, D, betas[t], g2, ld);
        assert_close_rows(g2, g1, k, n, ld, m);
        assert_padding_kept(g1, k, n, ld, "reference");
        assert_padding_kept(g2, k, n, ld, ops->name);
    }
    free(X); free(W); free(bias); free(D); free(G0);
    free(z1); free(z2); free(e1); free(e2); free(g1); free(g2);
}

/* Every shape with dense rows (ld = n) and with padded ones. */
static void check_ops(const nnc__dense_ops *ops)
{
    uint64_t st = 7;
    for (size_t a = 0; a < sizeof ms / sizeof ms[0]; a++)
        for (size_t b = 0; b < sizeof ks / sizeof ks[0]; b++)
            for (size_t c = 0; c < sizeof ns / sizeof ns[0]; c++) {
                check_shape(ops, &st, ms[a], ks[b], ns[c], ns[c]);
                check_shape(ops, &st, ms[a], ks[b], ns[c], (ns[c] + 15) / 16 * 16 + 3);
            }
}

/* Checks the named implementation, or skips where this build or CPU lacks it. */
static void check_named(const char *name)
{
    const nnc__dense_ops *ops = nnc__dense_named(name);
    if (!ops)
        SKIP_TEST("no such kernels in this build or on this CPU");
    check_ops(ops);
}

static void blas_matches_reference(void **state)
{
    (void)state;
    check_named("blas");
}

static void avx512_matches_reference(void **state)
{
    (void)state;
    check_named("avx512");
}

static void avx2_matches_reference(void **state)
{
    (void)state;
    check_named("avx2");
}

/* A vectorised sigmoid within 3 float roundings of 1/(1+expf(-z)) over the
 * whole range, saturating to exactly 0 and 1, NaN kept; byte conversion
 * exact. Lengths that are not multiples of a vector test the tails. */
static void check_vector_ops(const nnc__vector_ops *ops)
{
    enum { N = 1037 };
    float z[N], want[N], x[N], x_ref[N];
    uint8_t bytes[N];
    for (size_t i = 0; i < N; i++) {
        z[i] = want[i] = -120.0f + 240.0f * (float)i / (N - 1);
        bytes[i] = (uint8_t)(i * 37);
    }
    z[5] = want[5] = NAN;
    z[6] = want[6] = INFINITY;
    z[7] = want[7] = -INFINITY;
    for (size_t len = N - 8; len <= N; len++) {   /* every tail length */
        float zz[N], ww[N];
        memcpy(zz, z, sizeof zz);
        memcpy(ww, want, sizeof ww);
        ops->sigmoid(zz, len);
        nnc__vector_named("ref")->sigmoid(ww, len);
        for (size_t i = 0; i < len; i++)
            if (!(fabsf(zz[i] - ww[i]) <= 3.6e-7f * ww[i] || (isnan(zz[i]) && isnan(ww[i]))))
                fail_msg("%s sigmoid(%.9g) = %.9g, reference %.9g", ops->name, z[i], zz[i],
                         ww[i]);
    }
    assert_true(isnan(z[5]) && want[6] == INFINITY);   /* inputs untouched */
    ops->bytes_to_floats(bytes, 1.0f / 256.0f, x, N - 3);
    nnc__vector_named("ref")->bytes_to_floats(bytes, 1.0f / 256.0f, x_ref, N - 3);
    assert_memory_equal(x, x_ref, (N - 3) * sizeof *x);
}

static void vector_kernels_match_reference(void **state)
{
    (void)state;
    const char *names[] = {"avx2", "avx512"};
    for (size_t i = 0; i < 2; i++)
        if (nnc__vector_named(names[i]))
            check_vector_ops(nnc__vector_named(names[i]));
    check_vector_ops(nnc__vector_best());
}

static void chosen_kernels_match_reference(void **state)
{
    (void)state;
    check_ops(nnc__dense_best());
}

/* Shapes large enough to be cut into tasks (dense.h): the output layer of
 * W at its batch of 128, a narrow hidden layer, a wide one at a small batch. */
static const size_t split_shapes[][3] = {{128, 1024, 10}, {128, 784, 100}, {10, 784, 300},
                                         {45, 300, 16}};

/* One shape, one implementation: the reference's sums, and the same bits
 * whether the pool is none, two threads or three. */
static void check_split_shape(const nnc__dense_ops *ops, nnc__pool *const *pools, size_t m,
                              size_t k, size_t n)
{
    uint64_t st = 11;
    size_t ld = (n + 15) / 16 * 16;
    float *X = random_matrix(&st, m * k), *W = padded_matrix(&st, k, n, ld);
    float *bias = random_matrix(&st, n), *D = random_matrix(&st, m * n);
    float *G0 = padded_matrix(&st, k, n, ld);
    float *z[4], *e[4], *g[4];   /* [0]: the reference, [1..3]: ops on each pool */
    for (int v = 0; v < 4; v++) {
        z[v] = malloc(m * n * 4);
        e[v] = malloc(m * k * 4);
        g[v] = malloc(k * ld * 4);
        assert_true(z[v] && e[v] && g[v]);
        memcpy(g[v], G0, k * ld * 4);
        const nnc__dense_ops *o = v == 0 ? &nnc__dense_ref : ops;
        nnc__pool *pool = v == 0 ? NULL : pools[v - 1];
        o->gemm_nn_bias(pool, m, k, n, X, W, ld, bias, z[v], NULL);
        o->gemm_nt(pool, m, k, n, D, W, ld, e[v]);
        o->gemm_tn(pool, m, k, n, -0.3f, X, D, 0.75f, g[v], ld);
    }
    assert_close(z[1], z[0], m * n, k, "gemm_nn_bias", m, k, n);
    assert_close(e[1], e[0], m * k, n, "gemm_nt", m, k, n);
    assert_close_rows(g[1], g[0], k, n, ld, m);
    for (int v = 2; v < 4; v++) {
        assert_memory_equal(z[v], z[1], m * n * 4);
        assert_memory_equal(e[v], e[1], m * k * 4);
        assert_memory_equal(g[v], g[1], k * ld * 4);
    }
    for (int v = 0; v < 4; v++) {
        free(z[v]);
        free(e[v]);
        free(g[v]);
    }
    free(X); free(W); free(bias); free(D); free(G0);
}

static void products_give_the_same_bits_on_any_pool(void **state)
{
    (void)state;
    nnc__pool *pools[3] = {NULL, NULL, NULL};
    assert_int_equal(nnc__pool_create(2, &pools[1]), NNC_OK);
    assert_int_equal(nnc__pool_create(3, &pools[2]), NNC_OK);
    const nnc__dense_ops *all[] = {nnc__dense_named("blas"), nnc__dense_named("avx512"),
                                   nnc__dense_named("avx2"), nnc__dense_best()};
    for (size_t o = 0; o < sizeof all / sizeof all[0]; o++) {
        if (!all[o])
            continue;   /* not in this build or on this CPU */
        for (size_t s = 0; s < sizeof split_shapes / sizeof split_shapes[0]; s++)
            check_split_shape(all[o], pools, split_shapes[s][0], split_shapes[s][1],
                              split_shapes[s][2]);
    }
    nnc__pool_free(pools[1]);
    nnc__pool_free(pools[2]);
}

/* The reference itself against sums written out by hand. */
static void reference_on_a_known_product(void **state)
{
    (void)state;
    const float X[2 * 3] = {1, 2, 3, 4, 5, 6};          /* 2 x 3 */
    const float W[3 * 2] = {1, -1, 0, 2, 0.5f, 0};      /* 3 x 2 */
    const float b[2] = {0.25f, -0.25f};
    float Z[4], E[6], G[6] = {1, 1, 1, 1, 1, 1};
    nnc__dense_named("ref")->gemm_nn_bias(NULL, 2, 3, 2, X, W, 2, b, Z, NULL);
    assert_true(Z[0] == 1 + 0 + 1.5f + 0.25f && Z[1] == -1 + 4 + 0 - 0.25f);
    assert_true(Z[2] == 4 + 0 + 3 + 0.25f && Z[3] == -4 + 10 - 0.25f);
    const float D[4] = {1, 2, -1, 1};                   /* 2 x 2 */
    nnc__dense_named("ref")->gemm_nt(NULL, 2, 3, 2, D, W, 2, E);         /* D W^T: 2 x 3 */
    assert_true(E[0] == -1 && E[1] == 4 && E[2] == 0.5f);
    assert_true(E[3] == -2 && E[4] == 2 && E[5] == -0.5f);
    nnc__dense_named("ref")->gemm_tn(NULL, 2, 3, 2, 1.0f, X, D, 1.0f, G, 2); /* G + X^T D */
    assert_true(G[0] == 1 + 1 - 4 && G[1] == 1 + 2 + 4);
    assert_true(G[4] == 1 + 3 - 6 && G[5] == 1 + 6 + 6);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(reference_on_a_known_product),
    cmocka_unit_test(blas_matches_reference),
    cmocka_unit_test(avx512_matches_reference),
    cmocka_unit_test(avx2_matches_reference),
    cmocka_unit_test(vector_kernels_match_reference),
    cmocka_unit_test(chosen_kernels_match_reference),
    cmocka_unit_test(products_give_the_same_bits_on_any_pool),
};
TEST_GROUP(kernels_tests, "kernels", tests);
