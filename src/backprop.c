/* backprop.c — backpropagation for a whole mini-batch at once.
 *
 * With the batch's samples as rows (A_l is m x n_l) and W_l of n_{l-1} x n_l,
 * Nielsen's equations of chapter 2 read:
 *   forward  Z_l = A_{l-1} W_l + b_l,   A_l = σ(Z_l)
 *   BP1      Δ_L = ∇_a C ⊙ σ'(Z_L)
 *   BP2      Δ_l = (Δ_{l+1} W_{l+1}ᵀ) ⊙ σ'(Z_l)
 *   BP3      ∂C/∂b_l = Σ over samples of the rows of Δ_l = Δ_lᵀ 1
 *   BP4      ∂C/∂W_l = A_{l-1}ᵀ Δ_l
 * Summing over the batch happens inside the products of BP3 and BP4. */
#include <stdlib.h>

#include "activations.h"
#include "backprop.h"
#include "cost.h"

nnc_status nnc__workspace_create(const nnc_net *net, size_t max_m, unsigned threads,
                                 float dropout, nnc_rng *rng, nnc_workspace **out)
{
    size_t L = net->n_layers - 1;
    nnc_workspace *ws = calloc(1, sizeof *ws);
    *out = NULL;
    if (!ws)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a training workspace");
    ws->max_m = max_m;
    ws->n_layers = net->n_layers;
    ws->ops = nnc_dense_best();
    ws->keep = 1.0f - dropout;
    ws->rng = rng;
    ws->layout = &net->packed;
    ws->params = net->params;
    ws->a = calloc(net->n_layers, sizeof *ws->a);
    ws->in = calloc(net->n_layers, sizeof *ws->in);
    ws->mask = calloc(net->n_layers, sizeof *ws->mask);
    ws->delta = calloc(net->n_layers, sizeof *ws->delta);
    int ok = ws->a && ws->in && ws->mask && ws->delta;
    /* Buffers start on cache lines: the batch's inputs are written 64 bytes
     * at a time, and with malloc's 16-byte alignment every such store
     * straddled two lines (the byte->float step: 4.8% -> 3.8% of S's run,
     * docs/PERFORMANCE.md). */
    for (size_t l = 0; ok && l <= L; l++) {
        size_t count = max_m * net->sizes[l];
        ws->a[l] = nnc__alloc_floats(count);
        ws->in[l] = ws->a[l];
        ws->delta[l] = l ? nnc__alloc_floats(count) : NULL;
        ok = ws->a[l] && (l == 0 || ws->delta[l]);
        if (ok && dropout > 0.0f && l > 0 && l < L) {   /* hidden layers only */
            ws->mask[l] = nnc__alloc_floats(count);
            ws->in[l] = nnc__alloc_floats(count);
            ok = ws->mask[l] && ws->in[l];
        }
    }
    if (ok) {
        ws->z_out = nnc__alloc_floats(max_m * net->sizes[L]);
        ws->y = nnc__alloc_floats(max_m * net->sizes[L]);
        ws->ones = nnc__alloc_floats(max_m);
        ok = ws->z_out && ws->y && ws->ones;
        for (size_t i = 0; ok && i < max_m; i++)
            ws->ones[i] = 1.0f;
    }
    if (!ok) {
        nnc__workspace_free(ws);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a workspace of %zu samples",
                         max_m);
    }
    if (threads == 0)
        threads = nnc__auto_threads(net, max_m);
    if (threads > 1) {
        nnc_status s = nnc__pool_create(threads, &ws->pool);
        if (s != NNC_OK) {
            nnc__workspace_free(ws);
            return s;
        }
    }
    *out = ws;
    return NNC_OK;
}

void nnc__workspace_free(nnc_workspace *ws)
{
    if (!ws)
        return;
    for (size_t l = 0; l < ws->n_layers; l++) {
        if (ws->in && ws->a && ws->in[l] != ws->a[l])
            free(ws->in[l]);
        if (ws->a)
            free(ws->a[l]);
        if (ws->mask)
            free(ws->mask[l]);
        if (ws->delta)
            free(ws->delta[l]);
    }
    free(ws->a);
    free(ws->in);
    free(ws->mask);
    free(ws->delta);
    free(ws->z_out);
    free(ws->y);
    free(ws->ones);
    nnc__pool_free(ws->pool);
    free(ws);
}

/* Inverted dropout: each unit survives with probability keep and is then
 * scaled by 1/keep, so the expected input of the next layer is unchanged
 * and evaluation needs no rescaling. */
void nnc__drop_units(nnc_rng *rng, float keep, const float *a, float *mask, float *out,
                       size_t count)
{
    const uint64_t threshold = (uint64_t)(keep * 4294967296.0);   /* keep · 2^32 */
    const float scale = 1.0f / keep;
    for (size_t i = 0; i < count; i += 2) {
        uint64_t r = nnc_rng_u64(rng);          /* two 32-bit draws per call */
        mask[i] = (r & 0xffffffffu) < threshold ? scale : 0.0f;
        if (i + 1 < count)
            mask[i + 1] = (r >> 32) < threshold ? scale : 0.0f;
    }
    for (size_t i = 0; i < count; i++)
        out[i] = a[i] * mask[i];
}

/* The element-wise steps are cut into fixed spans, the same for any thread
 * count, and spread over the pool like the products: for wide layers at large
 * batches they are otherwise the part of a batch that one thread does alone. */
#define SPAN 16384          /* values per task */

typedef struct {
    nnc_activation f;
    float         *v;       /* activate: z -> a; derivative: d    */
    const float   *a;       /* activations (derivative)           */
    const float   *mask;    /* dropout mask or NULL (derivative)  */
    size_t         count;
} elementwise;

static void activate_task(void *arg, size_t t)
{
    const elementwise *e = arg;
    nnc__activate(e->f, e->v + t * SPAN, nnc__task_len(e->count, SPAN, t));
}

/* d = d ⊙ mask ⊙ f'(z): a dropped unit passes no error back */
static void derivative_task(void *arg, size_t t)
{
    const elementwise *e = arg;
    size_t first = t * SPAN, len = nnc__task_len(e->count, SPAN, t);
    float *d = e->v + first;
    if (e->mask)
        for (size_t i = 0; i < len; i++)
            d[i] *= e->mask[first + i];
    nnc__times_derivative(e->f, e->a + first, d, len);
}

void nnc__forward(const nnc_net *net, nnc_workspace *ws, size_t m)
{
    size_t L = net->n_layers - 1;
    for (size_t l = 1; l <= L; l++) {
        const float *W = ws->params + ws->layout->w_offset[l];
        const float *b = ws->params + ws->layout->b_offset[l];
        size_t n_in = net->sizes[l - 1], n = net->sizes[l], ldw = ws->layout->stride[l];
        float *z = l == L ? ws->z_out : ws->a[l];
        ws->ops->affine(ws->pool, m, n_in, n, ws->in[l - 1], W, ldw, b, z,
                        l == 1 ? &ws->prefetch : NULL);       /* Z_l = A_{l-1} W_l + b_l */
        if (l < L) {
            elementwise e = {net->hidden, z, NULL, NULL, m * n};
            nnc__pool_run(ws->pool, activate_task, &e, nnc__task_count(m * n, SPAN)); /* A_l = σ(Z_l) */
            if (ws->mask[l])
                nnc__drop_units(ws->rng, ws->keep, ws->a[l], ws->mask[l], ws->in[l], m * n);
        } else {
            for (size_t i = 0; i < m * n; i++)
                ws->a[L][i] = z[i];
            nnc__output_activate(net->cost, ws->a[L], m, n);
        }
    }
}

void nnc__backward(const nnc_net *net, nnc_workspace *ws, size_t m,
                   float alpha, float beta_w, float beta_b, float *P)
{
    size_t L = net->n_layers - 1;
    nnc__output_delta(net->cost, ws->a[L], ws->y, ws->delta[L],
                      m * net->sizes[L]);                           /* BP1 */
    for (size_t l = L; l >= 1; l--) {
        size_t n_in = net->sizes[l - 1], n = net->sizes[l], ldw = ws->layout->stride[l];
        const float *W = ws->params + ws->layout->w_offset[l];
        if (l > 1) {
            /* BP2, before W_l changes (P may be the parameters themselves) */
            ws->ops->backprop(ws->pool, m, n_in, n, ws->delta[l], W, ldw, ws->delta[l - 1]);
            elementwise e = {net->hidden, ws->delta[l - 1], ws->a[l - 1], ws->mask[l - 1],
                             m * n_in};
            nnc__pool_run(ws->pool, derivative_task, &e, nnc__task_count(m * n_in, SPAN));
        }
        /* BP3 as BP4 with an input of ones: the column sums of Δ_l */
        ws->ops->outer(ws->pool, m, 1, n, alpha, ws->ones, ws->delta[l], beta_b,
                       P + ws->layout->b_offset[l], n);             /* BP3 */
        ws->ops->outer(ws->pool, m, n_in, n, alpha, ws->in[l - 1], ws->delta[l], beta_w,
                       P + ws->layout->w_offset[l], ldw);           /* BP4 */
    }
}
