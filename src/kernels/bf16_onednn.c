/* bf16_onednn.c — a layer's bfloat16 products (bf16.h) by oneDNN's matmul:
 * the library PyTorch uses on CPUs, which picks AMX's tile kernels by itself
 * where the CPU has them (this project has no AMX kernel of its own).
 *
 * Its inputs are plain bfloat16 matrices (rounded as nnc__bf16_from_float
 * does), the transposes read through strides, so that one copy of W serves
 * the forward product and BP2. oneDNN sums in its own order, so results
 * differ from the reference's within bfloat16's rounding. To keep them the
 * same on any thread count, each product is cut into tasks by its shape
 * alone, as the other kernels are, and each task is one matmul run on the
 * task's thread alone (oneDNN's OpenMP asked for one thread): the same
 * blocks, the same calls, the same bits. */
#include <omp.h>
#include <pthread.h>
#include <stdlib.h>

#include <dnnl.h>

#include "bf16.h"
#include "dense.h"

/* C (M x N, rows ldc apart) = [alpha] (bias + A B) [+ beta C], with A's
 * element (i, p) at A[i a_i + p a_k] and B's (p, j) at B[p b_k + j b_j] */
typedef struct {
    size_t           M, K, N;
    const nnc__bf16 *A;
    size_t           a_i, a_k;
    const nnc__bf16 *B;
    size_t           b_k, b_j;
    const float     *bias;
    float           *C;
    size_t           ldc;
    int              scale;
    float            alpha, beta;
} matmul;

static dnnl_engine_t engine;
static void (*convert)(size_t count, const float *src, nnc__bf16 *dst);
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

static void start(void)
{
    if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success)
        engine = NULL;
#ifdef NNC_HAVE_BF16_KERNELS
    convert = nnc__cpu_has_avx512bf16() ? nnc__bf16_avx512.convert : nnc__bf16_ref.convert;
#else
    convert = nnc__bf16_ref.convert;
#endif
}

/* ---- primitives, made once per shape ------------------------------------- */

typedef struct {
    size_t M, K, N, a_i, a_k, b_k, b_j, ldc;
    int    bias, scale;
    float  alpha, beta;
} shape;

static int same_shape(const shape *x, const shape *y)
{
    return x->M == y->M && x->K == y->K && x->N == y->N && x->a_i == y->a_i &&
           x->a_k == y->a_k && x->b_k == y->b_k && x->b_j == y->b_j && x->ldc == y->ldc &&
           x->bias == y->bias && x->scale == y->scale && x->alpha == y->alpha &&
           x->beta == y->beta;
}

/* A primitive and the layouts of its operands and scratch memory. */
typedef struct {
    shape              s;
    dnnl_primitive_t   p;
    dnnl_memory_desc_t a, b, bias, c, scratch;
} made;

static int create(made *m)
{
    const shape *s = &m->s;
    dnnl_dims_t da = {(dnnl_dim_t)s->M, (dnnl_dim_t)s->K};
    dnnl_dims_t sa = {(dnnl_dim_t)s->a_i, (dnnl_dim_t)s->a_k};
    dnnl_dims_t db = {(dnnl_dim_t)s->K, (dnnl_dim_t)s->N};
    dnnl_dims_t sb = {(dnnl_dim_t)s->b_k, (dnnl_dim_t)s->b_j};
    dnnl_dims_t dc = {(dnnl_dim_t)s->M, (dnnl_dim_t)s->N};
    dnnl_dims_t sc = {(dnnl_dim_t)s->ldc, 1};
    dnnl_dims_t dbias = {1, (dnnl_dim_t)s->N}, sbias = {(dnnl_dim_t)s->N, 1};
    dnnl_matmul_desc_t desc;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t post = NULL;
    dnnl_primitive_desc_t pd = NULL;
    m->p = NULL;
    int ok =
        dnnl_memory_desc_init_by_strides(&m->a, 2, da, dnnl_bf16, sa) == dnnl_success &&
        dnnl_memory_desc_init_by_strides(&m->b, 2, db, dnnl_bf16, sb) == dnnl_success &&
        dnnl_memory_desc_init_by_strides(&m->c, 2, dc, dnnl_f32, sc) == dnnl_success &&
        dnnl_memory_desc_init_by_strides(&m->bias, 2, dbias, dnnl_f32, sbias) == dnnl_success &&
        dnnl_matmul_desc_init(&desc, &m->a, &m->b, s->bias ? &m->bias : NULL, &m->c) ==
            dnnl_success &&
        dnnl_primitive_attr_create(&attr) == dnnl_success &&
        /* the caller's scratch memory: oneDNN's own is shared by the primitives
         * of a process, and tasks run them on several threads at once */
        dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) ==
            dnnl_success;
    if (ok && s->scale) {
        /* alpha scales the sum; beta C is added after it, as the reference's fma */
        ok = dnnl_primitive_attr_set_output_scales(attr, 1, 0, &s->alpha) == dnnl_success;
        if (ok && s->beta != 0.0f)
            ok = dnnl_post_ops_create(&post) == dnnl_success &&
                 dnnl_post_ops_append_sum(post, s->beta) == dnnl_success &&
                 dnnl_primitive_attr_set_post_ops(attr, post) == dnnl_success;
    }
    ok = ok && dnnl_primitive_desc_create(&pd, &desc, attr, engine, NULL) == dnnl_success;
    const dnnl_memory_desc_t *scratch =
        ok ? dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0) : NULL;
    ok = ok && scratch && dnnl_primitive_create(&m->p, pd) == dnnl_success;
    if (ok)
        m->scratch = *scratch;
    if (pd)
        dnnl_primitive_desc_destroy(pd);
    if (post)
        dnnl_post_ops_destroy(post);
    if (attr)
        dnnl_primitive_attr_destroy(attr);
    return ok;
}

/* A training run meets a few dozen shapes (3 products x layers x a task's
 * widths x the last batch); making a primitive costs far more than a call,
 * so each is made once and kept for the process's life. */
#define CACHED 128
static made cache[CACHED];
static size_t cached;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* s's primitive from the cache; or, the cache being full, made into *spare,
 * which the caller then destroys. NULL if oneDNN could not make it. */
static const made *find(const shape *s, made *spare)
{
    const made *m = NULL;
    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; i < cached && !m; i++)
        if (same_shape(&cache[i].s, s))
            m = &cache[i];
    if (!m) {
        made *slot = cached < CACHED ? &cache[cached] : spare;
        slot->s = *s;
        if (create(slot)) {
            m = slot;
            cached += slot != spare;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return m;
}

/* ---- one matmul ----------------------------------------------------------- */

/* Runs x on this thread alone; 0 if oneDNN failed (out of memory). */
static int run_onednn(const matmul *x)
{
    shape s = {x->M, x->K, x->N, x->a_i, x->a_k, x->b_k, x->b_j, x->ldc, x->bias != NULL,
               x->scale, x->scale ? x->alpha : 1.0f, x->scale ? x->beta : 0.0f};
    made spare = {0};
    const made *m = engine ? find(&s, &spare) : NULL;
    if (!m)
        return 0;
    dnnl_memory_t a = NULL, b = NULL, bias = NULL, c = NULL, scratch = NULL;
    dnnl_stream_t stream = NULL;
    size_t scratch_size = dnnl_memory_desc_get_size(&m->scratch);
    void *scratch_data = scratch_size ? malloc(scratch_size) : NULL;
    int ok = (!scratch_size || scratch_data) &&
             dnnl_memory_create(&scratch, &m->scratch, engine, scratch_data) == dnnl_success &&
             dnnl_memory_create(&a, &m->a, engine, (void *)x->A) == dnnl_success &&
             dnnl_memory_create(&b, &m->b, engine, (void *)x->B) == dnnl_success &&
             (!x->bias ||
              dnnl_memory_create(&bias, &m->bias, engine, (void *)x->bias) == dnnl_success) &&
             dnnl_memory_create(&c, &m->c, engine, x->C) == dnnl_success &&
             dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) == dnnl_success;
    if (ok) {
        dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, a},   {DNNL_ARG_WEIGHTS, b},
                                  {DNNL_ARG_DST, c},   {DNNL_ARG_SCRATCHPAD, scratch},
                                  {DNNL_ARG_BIAS, bias}};
        ok = dnnl_primitive_execute(m->p, stream, x->bias ? 5 : 4, args) == dnnl_success &&
             dnnl_stream_wait(stream) == dnnl_success;
    }
    if (stream)
        dnnl_stream_destroy(stream);
    dnnl_memory_t mems[] = {a, b, bias, c, scratch};
    for (size_t i = 0; i < 5; i++)
        if (mems[i])
            dnnl_memory_destroy(mems[i]);
    free(scratch_data);
    if (m == &spare)
        dnnl_primitive_destroy(spare.p);
    return ok;
}

/* The same sums in plain C, where oneDNN failed: right, if slow. */
static void run_plain(const matmul *x)
{
    for (size_t i = 0; i < x->M; i++)
        for (size_t j = 0; j < x->N; j++) {
            float sum = x->bias ? x->bias[j] : 0.0f;
            for (size_t p = 0; p < x->K; p++)
                sum += nnc__bf16_to_float(x->A[i * x->a_i + p * x->a_k]) *
                       nnc__bf16_to_float(x->B[p * x->b_k + j * x->b_j]);
            float *c = x->C + i * x->ldc + j;
            if (x->scale)
                sum = x->beta == 0.0f ? x->alpha * sum : x->alpha * sum + x->beta * *c;
            *c = sum;
        }
}

/* ---- a product cut into tasks -------------------------------------------- */

/* A task's unit: a block of C's columns, or, where C has too few of those
 * to share (a narrow layer), of its rows. */
#define UNIT_COLS 256
#define UNIT_ROWS 64

typedef struct {
    const matmul *x;
    size_t        units, tasks;
    int           by_rows;
} split;

static void task(void *arg, size_t t)
{
    const split *sp = arg;
    matmul part = *sp->x;
    size_t first = nnc__range_first(sp->units, sp->tasks, t);
    size_t end = nnc__range_end(sp->units, sp->tasks, t);
    if (sp->by_rows) {
        size_t r0 = first * UNIT_ROWS, r1 = end * UNIT_ROWS < part.M ? end * UNIT_ROWS : part.M;
        part.M = r1 - r0;
        part.A += r0 * part.a_i;
        part.C += r0 * part.ldc;
    } else {
        size_t c0 = first * UNIT_COLS, c1 = end * UNIT_COLS < part.N ? end * UNIT_COLS : part.N;
        part.N = c1 - c0;
        part.B += c0 * part.b_j;
        part.C += c0;
        if (part.bias)
            part.bias += c0;
    }
    /* oneDNN runs a call over OpenMP's threads: this task has one */
    int threads = omp_get_max_threads();
    if (threads != 1)
        omp_set_num_threads(1);
    if (!run_onednn(&part))
        run_plain(&part);
    if (threads != 1)
        omp_set_num_threads(threads);
}

static void product(nnc__pool *pool, const matmul *x)
{
    if (!x->M || !x->N)
        return;
    pthread_once(&engine_once, start);
    size_t cols = (x->N + UNIT_COLS - 1) / UNIT_COLS, rows = (x->M + UNIT_ROWS - 1) / UNIT_ROWS;
    int by_rows = cols < 8 && rows > cols;
    size_t units = by_rows ? rows : cols;
    split sp = {x, units, nnc__product_tasks(x->M, x->K, x->N, units), by_rows};
    nnc__pool_run(pool, task, &sp, sp.tasks);
}

/* ---- the layer's products ------------------------------------------------- */

/* W (k x n, rows ldw apart) as a plain k x n bfloat16 matrix in `pairs`
 * (which has room: as many words as W's pairs) */
typedef struct {
    size_t       k, n, ldw, tasks;
    const float *W;
    nnc__bf16   *dst;
} weights_job;

static void weights_task(void *arg, size_t t)
{
    const weights_job *j = arg;
    for (size_t r = nnc__range_first(j->k, j->tasks, t); r < nnc__range_end(j->k, j->tasks, t);
         r++)
        convert(j->n, j->W + r * j->ldw, j->dst + r * j->n);
}

static void pack_weights(nnc__pool *pool, size_t k, size_t n, const float *W, size_t ldw,
                         uint32_t *pairs, uint32_t *turned)
{
    (void)turned;   /* BP2 reads the same copy through its strides */
    pthread_once(&engine_once, start);
    /* a copy, as fast as memory: a few tasks for a large one */
    size_t tasks = k * n < 65536 ? 1 : k < 8 ? k : 8;
    weights_job j = {k, n, ldw, tasks, W, (nnc__bf16 *)pairs};
    nnc__pool_run(pool, weights_task, &j, tasks);
}

static void forward(const nnc__bf16_ops *ops, nnc__pool *pool, size_t m, size_t k, size_t n,
                    const float *X, const uint32_t *pairs, const float *bias, float *Z,
                    uint32_t *a)
{
    (void)ops;
    nnc__bf16 *x = (nnc__bf16 *)a;
    pthread_once(&engine_once, start);
    convert(m * k, X, x);
    matmul p = {.M = m, .K = k, .N = n, .A = x, .a_i = k, .a_k = 1,
                .B = (const nnc__bf16 *)pairs, .b_k = n, .b_j = 1, .bias = bias, .C = Z,
                .ldc = n};
    product(pool, &p);
}

static void bp2(const nnc__bf16_ops *ops, nnc__pool *pool, size_t m, size_t k, size_t n,
                const float *D, const uint32_t *pairs, const uint32_t *turned, float *E,
                uint32_t *a)
{
    (void)ops, (void)turned;
    nnc__bf16 *d = (nnc__bf16 *)a;
    pthread_once(&engine_once, start);
    convert(m * n, D, d);
    /* Wᵀ's element (j, r) is W's (r, j) */
    matmul p = {.M = m, .K = n, .N = k, .A = d, .a_i = n, .a_k = 1,
                .B = (const nnc__bf16 *)pairs, .b_k = 1, .b_j = n, .C = E, .ldc = k};
    product(pool, &p);
}

static void bp4(const nnc__bf16_ops *ops, nnc__pool *pool, size_t m, size_t k, size_t n,
                float alpha, const float *X, const float *D, float beta, float *G, size_t ldg,
                uint32_t *a, uint32_t *b)
{
    (void)ops;
    nnc__bf16 *x = (nnc__bf16 *)a, *d = (nnc__bf16 *)b;
    pthread_once(&engine_once, start);
    convert(m * k, X, x);
    convert(m * n, D, d);
    /* Xᵀ's element (r, s) is X's (s, r) */
    matmul p = {.M = k, .K = m, .N = n, .A = x, .a_i = 1, .a_k = k, .B = d, .b_k = n,
                .b_j = 1, .C = G, .ldc = ldg, .scale = 1, .alpha = alpha, .beta = beta};
    product(pool, &p);
}

static void convert_onednn(size_t count, const float *src, nnc__bf16 *dst)
{
    pthread_once(&engine_once, start);
    convert(count, src, dst);
}

const nnc__bf16_ops nnc__bf16_onednn = {"onednn", {forward, bp2, bp4}, NULL, NULL, NULL, NULL,
                                        pack_weights, convert_onednn};
