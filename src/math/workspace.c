/* workspace.c — a batch's buffers, allocated once per run (backprop.h). */
#include <stdlib.h>

#include "../runtime/memory.h"
#include "backprop.h"

double nnc__step_flops(const nnc_net *net, size_t m)
{
    return 6.0 * (double)m * (double)net->n_params;
}

static uint32_t *alloc_words(size_t count)
{
    /* floats and words have one size: the aligned allocator serves both */
    return (uint32_t *)(void *)nnc__alloc_floats(count ? count : 1);
}

/* The packed weights of every layer and the two buffers a product's inputs
 * are packed into, as large as the largest layer needs (bf16.h). */
static int alloc_bf16(const nnc_net *net, nnc__workspace *ws, const nnc__bf16_ops *ops)
{
    size_t m = ws->max_m, m2 = (m + 1) / 2, a = 0, b = 0;
    ws->w_pairs = calloc(net->n_layers, sizeof *ws->w_pairs);
    ws->w_turned = calloc(net->n_layers, sizeof *ws->w_turned);
    if (!ws->w_pairs || !ws->w_turned)
        return 0;
    for (size_t l = 1; l < net->n_layers; l++) {
        size_t n_in = net->sizes[l - 1], n = net->sizes[l];
        if (!(ws->w_pairs[l] = alloc_words((n_in + 1) / 2 * nnc__bf16_ld(n))))
            return 0;
        if (l >= 2 && !(ws->w_turned[l] = alloc_words((n + 1) / 2 * nnc__bf16_ld(n_in))))
            return 0;
        size_t need[] = {m * ((n_in + 1) / 2), m * ((n + 1) / 2), m2 * nnc__bf16_ld(n_in)};
        for (size_t i = 0; i < 3; i++)
            a = need[i] > a ? need[i] : a;
        b = m2 * nnc__bf16_ld(n) > b ? m2 * nnc__bf16_ld(n) : b;
    }
    ws->pack_a = alloc_words(a);
    ws->pack_b = alloc_words(b);
    ws->bf16 = ops;
    return ws->pack_a && ws->pack_b;
}

nnc_status nnc__workspace_create(const nnc_net *net, const nnc__workspace_parts *parts,
                                 nnc__workspace **out)
{
    size_t L = net->n_layers - 1, max_m = parts->max_m;
    float dropout = parts->dropout;
    nnc__workspace *ws = calloc(1, sizeof *ws);
    *out = NULL;
    if (!ws)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a training workspace");
    ws->max_m = max_m;
    ws->n_layers = net->n_layers;
    ws->keep = 1.0f - dropout;
    ws->rng = parts->rng;
    ws->layout = parts->params ? parts->layout : &net->packed;
    ws->params = parts->params ? parts->params : net->params;
    ws->a = calloc(net->n_layers, sizeof *ws->a);
    ws->in = calloc(net->n_layers, sizeof *ws->in);
    ws->mask = calloc(net->n_layers, sizeof *ws->mask);
    ws->delta = calloc(net->n_layers, sizeof *ws->delta);
    int ok = ws->a && ws->in && ws->mask && ws->delta;
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
        ok = ws->z_out && ws->y;
    }
    if (!ok) {
        nnc__workspace_free(ws);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a workspace of %zu samples",
                         max_m);
    }
    if (parts->bf16 && !alloc_bf16(net, ws, parts->bf16)) {
        nnc__workspace_free(ws);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a workspace of %zu samples",
                         max_m);
    }
    nnc_status s = nnc__dense_init(&ws->dense, max_m, parts->pool);
    if (s != NNC_OK) {
        nnc__workspace_free(ws);
        return s;
    }
    *out = ws;
    return NNC_OK;
}

void nnc__workspace_free(nnc__workspace *ws)
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
    for (size_t l = 0; l < ws->n_layers; l++) {
        if (ws->w_pairs)
            free(ws->w_pairs[l]);
        if (ws->w_turned)
            free(ws->w_turned[l]);
    }
    free(ws->w_pairs);
    free(ws->w_turned);
    free(ws->pack_a);
    free(ws->pack_b);
    free(ws->a);
    free(ws->in);
    free(ws->mask);
    free(ws->delta);
    free(ws->z_out);
    free(ws->y);
    nnc__dense_free(&ws->dense);
    free(ws);
}

const nnc__bf16_ops *nnc__inference_bf16(const nnc_net *net)
{
    return net->precision == NNC_PRECISION_BF16 ? nnc__bf16_best() : NULL;
}
