/* kernels.c — the dense products alone, per implementation, on the shapes the
 * reference configurations run (docs/PERFORMANCE.md, "Kernels alone").
 *
 * usage: nnc-bench-kernels [--reps N] [--only NAME]
 *
 * Each product runs on the same operands again and again (weights warm in
 * the caches, as they are in training), and the fastest of 15 timings of
 * `reps` calls is printed in nanoseconds per call and GFLOP/s: on a shared
 * machine other work only ever adds time. Weight rows are padded as the
 * trainer pads them (src/layout.c). The wide shapes are also run by the
 * chosen implementation over a pool of 2 threads, as training runs them;
 * W's layers also by each bfloat16 implementation, packing included, on 1
 * and 2 threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels/bf16.h"
#include "kernels/dense.h"
#include "runtime/pool.h"

#define TIMINGS 15

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    const char *name;
    size_t      m, k, n;
} shape;

typedef struct {
    size_t m, k, n, ld;
    float *X, *W, *b, *Z, *D, *E, *G;
} operands;

/* The trainer's stride: whole cache lines, one more when a multiple of 128. */
static size_t padded(size_t n)
{
    size_t ld = (n + 15) / 16 * 16;
    return ld % 128 ? ld : ld + 16;
}

static float *filled(size_t count, float scale)
{
    float *v = aligned_alloc(64, (count * sizeof(float) + 63) / 64 * 64);
    if (!v) {
        fprintf(stderr, "nnc-bench-kernels: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < count; i++)
        v[i] = scale * (float)((i * 7919) % 1000) / 1000.0f;
    return v;
}

enum { GEMM_NN_BIAS, GEMM_TN_BETA1, GEMM_TN_BETA0, GEMM_NT };
static const char *const product_names[] = {"gemm_nn_bias", "gemm_tn b=1", "gemm_tn b=0", "gemm_nt"};

static void call(const nnc__dense_ops *ops, nnc__pool *pool, int product, operands *o)
{
    switch (product) {
    case GEMM_NN_BIAS:
        ops->gemm_nn_bias(pool, o->m, o->k, o->n, o->X, o->W, o->ld, o->b, o->Z, NULL);
        break;
    case GEMM_TN_BETA1:   /* plain SGD: the update fused into the product */
        ops->gemm_tn(pool, o->m, o->k, o->n, -1e-9f, o->X, o->D, 1.0f, o->G, o->ld);
        break;
    case GEMM_TN_BETA0:   /* a gradient buffer (momentum, Adam) */
        ops->gemm_tn(pool, o->m, o->k, o->n, 1.0f, o->X, o->D, 0.0f, o->G, o->ld);
        break;
    default:
        ops->gemm_nt(pool, o->m, o->k, o->n, o->D, o->W, o->ld, o->E);
    }
}

static double seconds_per_call(const nnc__dense_ops *ops, nnc__pool *pool, int product,
                               operands *o, unsigned reps)
{
    double t[TIMINGS];
    call(ops, pool, product, o);   /* warm up */
    for (int r = 0; r < TIMINGS; r++) {
        double t0 = now();
        for (unsigned i = 0; i < reps; i++)
            call(ops, pool, product, o);
        t[r] = (now() - t0) / reps;
    }
    qsort(t, TIMINGS, sizeof t[0], cmp_double);
    return t[0];
}

/* ---- bfloat16: a layer's products, each with the packing of its inputs ---- */

enum { BF16_WEIGHTS, BF16_FORWARD, BF16_BP2, BF16_BP4 };
static const char *const bf16_names[] = {"bf16 pack_weights", "bf16 forward", "bf16 bp2",
                                         "bf16 bp4 b=1"};

typedef struct {
    uint32_t *pairs, *turned, *a, *b;
} bf16_buffers;

static uint32_t *words(size_t count)
{
    return (uint32_t *)(void *)filled(count, 0.0f);
}

static void call_bf16(const nnc__bf16_ops *ops, nnc__pool *pool, int product, operands *o,
                      const bf16_buffers *w)
{
    const nnc__bf16_layer *L = &ops->layer;
    switch (product) {
    case BF16_WEIGHTS:
        ops->pack_weights(pool, o->k, o->n, o->W, o->ld, w->pairs, w->turned);
        break;
    case BF16_FORWARD:
        L->forward(ops, pool, o->m, o->k, o->n, o->X, w->pairs, o->b, o->Z, w->a);
        break;
    case BF16_BP2:
        L->bp2(ops, pool, o->m, o->k, o->n, o->D, w->pairs, w->turned, o->E, w->a);
        break;
    default:
        L->bp4(ops, pool, o->m, o->k, o->n, -1e-9f, o->X, o->D, 1.0f, o->G, o->ld, w->a, w->b);
    }
}

static double seconds_per_bf16(const nnc__bf16_ops *ops, nnc__pool *pool, int product,
                               operands *o, const bf16_buffers *w, unsigned reps)
{
    double t[TIMINGS];
    call_bf16(ops, pool, product, o, w);   /* warm up (and oneDNN's primitives made) */
    for (int r = 0; r < TIMINGS; r++) {
        double t0 = now();
        for (unsigned i = 0; i < reps; i++)
            call_bf16(ops, pool, product, o, w);
        t[r] = (now() - t0) / reps;
    }
    qsort(t, TIMINGS, sizeof t[0], cmp_double);
    return t[0];
}

/* The bf16 implementations side by side on one shape, 1 and 2 threads. */
static void bench_bf16(const shape *sh, operands *o, nnc__pool *pool, unsigned r)
{
    const nnc__bf16_ops *impls[] = {nnc__bf16_named("avx512"), nnc__bf16_named("onednn")};
    size_t m2 = (o->m + 1) / 2;
    bf16_buffers w = {words((o->k + 1) / 2 * nnc__bf16_ld(o->n)),
                      words((o->n + 1) / 2 * nnc__bf16_ld(o->k)),
                      words(m2 * 2 * (nnc__bf16_ld(o->k) + nnc__bf16_ld(o->n))),
                      words(m2 * nnc__bf16_ld(o->n))};
    for (int p = BF16_WEIGHTS; p <= BF16_BP4; p++)
        for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++) {
            if (!impls[i])
                continue;
            double one = seconds_per_bf16(impls[i], NULL, p, o, &w, r);
            double two = seconds_per_bf16(impls[i], pool, p, o, &w, r);
            double flops = p == BF16_WEIGHTS ? 0 : 2.0 * o->m * o->k * o->n;
            printf("| %s (%zu x %zu x %zu) | %s | %s | %.0f | %.1f |\n", sh->name, o->m, o->k,
                   o->n, bf16_names[p], impls[i]->name, one * 1e9, flops / one * 1e-9);
            printf("| %s (%zu x %zu x %zu) | %s | %s, 2 threads (%.2fx) | %.0f | %.1f |\n",
                   sh->name, o->m, o->k, o->n, bf16_names[p], impls[i]->name, one / two,
                   two * 1e9, flops / two * 1e-9);
        }
    free(w.pairs); free(w.turned); free(w.a); free(w.b);
}

int main(int argc, char **argv)
{
    unsigned reps = 200;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf(stderr, "usage: nnc-bench-kernels [--reps N] [--only NAME]\n");
            return 2;
        }
    }
    nnc__pool *pool;
    if (nnc__pool_create(2, &pool) != NNC_OK) {
        fprintf(stderr, "nnc-bench-kernels: %s\n", nnc_last_error());
        return 1;
    }
    const shape shapes[] = {
        {"S layer 1", 10, 784, 30},     {"S layer 2", 10, 30, 10},
        {"N layer 1", 10, 784, 100},    {"W layer 1", 128, 784, 1024},
        {"W layer 2", 128, 1024, 1024}, {"W layer 3", 128, 1024, 10},
        {"eval part", 1024, 784, 30},
        /* deeper networks at batch 10: BP2 on hidden layers of over 16 units */
        {"hidden 30->30", 10, 30, 30},  {"hidden 100->30", 10, 100, 30},
        {"hidden 256->256", 10, 256, 256},
    };
    const nnc__dense_ops *impls[] = {nnc__dense_best(), nnc__dense_named("blas"),
                                     nnc__dense_named("avx2"), nnc__dense_named("avx512")};
    printf("| shape (m x k x n) | product | implementation | ns/call | GFLOP/s |\n"
           "|---|---|---|---|---|\n");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const shape *sh = &shapes[s];
        if (only && !strstr(sh->name, only))
            continue;
        operands o = {sh->m, sh->k, sh->n, padded(sh->n), NULL, NULL, NULL,
                      NULL, NULL, NULL, NULL};
        o.X = filled(o.m * o.k, 1.0f);
        o.W = filled(o.k * o.ld, 0.1f);
        o.G = filled(o.k * o.ld, 0.1f);
        o.b = filled(o.ld, 0.1f);
        o.Z = filled(o.m * o.n, 0.0f);
        o.D = filled(o.m * o.n, 0.01f);
        o.E = filled(o.m * o.k, 0.0f);
        unsigned r = (unsigned)(reps * 7840.0 / (double)(o.m * o.k * o.n) * 30) + 1;
        for (int p = GEMM_NN_BIAS; p <= GEMM_NT; p++)
            for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++) {
                if (!impls[i])
                    continue;   /* not in this build or on this CPU */
                double sec = seconds_per_call(impls[i], NULL, p, &o, r);
                printf("| %s (%zu x %zu x %zu) | %s | %s | %.0f | %.1f |\n", sh->name, o.m,
                       o.k, o.n, product_names[p], i ? impls[i]->name : "chosen (auto)",
                       sec * 1e9, 2.0 * o.m * o.k * o.n / sec * 1e-9);
                if (i == 0 && o.m * o.k * o.n >= NNC_TASK_FLOPS) {
                    double two = seconds_per_call(impls[i], pool, p, &o, r);
                    printf("| %s (%zu x %zu x %zu) | %s | chosen, 2 threads (%.2fx) | %.0f | "
                           "%.1f |\n", sh->name, o.m, o.k, o.n, product_names[p], sec / two,
                           two * 1e9, 2.0 * o.m * o.k * o.n / two * 1e-9);
                }
            }
        if (!strncmp(sh->name, "W ", 2))
            bench_bf16(sh, &o, pool, r);
        free(o.X); free(o.W); free(o.G); free(o.b); free(o.Z); free(o.D); free(o.E);
    }
    nnc__pool_free(pool);
    return 0;
}
