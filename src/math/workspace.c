/* workspace.c — a batch's buffers, allocated once per run (backprop.h). */
#include <stdlib.h>

#include "../runtime/memory.h"
#include "backprop.h"

double nnc__step_flops(const nnc_net *net, size_t m)
{
    return 6.0 * (double)m * (double)net->n_params;
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
    free(ws->a);
    free(ws->in);
    free(ws->mask);
    free(ws->delta);
    free(ws->z_out);
    free(ws->y);
    nnc__dense_free(&ws->dense);
    free(ws);
}
