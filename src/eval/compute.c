/* compute.c — the math's public entry points: feedforward and the gradient
 * of a batch the caller holds in memory. */
#include <stdlib.h>
#include <string.h>

#include "../math/cost.h"
#include "../math/inputs.h"
#include "../runtime/compute_scope.h"
#include "../runtime/pool.h"
#include "../runtime/threads.h"

#define CHUNK 256   /* samples fed forward at once */

nnc_precision nnc_net_set_precision(nnc_net *net, nnc_precision p)
{
    if (!net)
        return NNC_PRECISION_F32;
    net->precision = p == NNC_PRECISION_BF16 ? NNC_PRECISION_BF16 : NNC_PRECISION_F32;
    if (!nnc__inference_bf16(net))   /* no bf16 instructions here */
        net->precision = NNC_PRECISION_F32;
    return net->precision;
}

static nnc_status feedforward(const nnc_net *net, const float *x, size_t m, float *out)
{
    if (!net || !x || !out)
        return nnc__fail(NNC_ERR_ARG, "nnc_feedforward: NULL argument");
    if (m == 0)
        return NNC_OK;
    size_t chunk = m < CHUNK ? m : CHUNK;
    size_t nL = net->sizes[net->n_layers - 1];
    nnc__storage st;
    nnc_data inputs;
    nnc__data_view(&st, &inputs, x, NULL, m, net->sizes[0], 0);
    unsigned threads = nnc__threads_for(nnc__step_flops(net, chunk), 0);
    nnc__pool *pool = NULL;
    nnc__workspace *ws = NULL;
    nnc_status s = threads > 1 ? nnc__pool_create(threads, &pool) : NNC_OK;
    if (s == NNC_OK)
        s = nnc__workspace_create(net,
                                  &(nnc__workspace_parts){.max_m = chunk, .pool = pool,
                                                          .bf16 = nnc__inference_bf16(net)},
                                  &ws);
    for (size_t done = 0; s == NNC_OK && done < m; done += chunk) {
        size_t k = m - done < chunk ? m - done : chunk;
        nnc__forward_samples(net, ws, &inputs, NULL, done, k, 0, NULL);
        memcpy(out + done * nL, ws->a[net->n_layers - 1], k * nL * sizeof *out);
    }
    nnc__workspace_free(ws);
    nnc__pool_free(pool);
    return s;
}

static nnc_status gradient(const nnc_net *net, const float *x, const float *y, size_t m,
                          double l2, double *cost, float *grad)
{
    if (!net || !x || !y || m == 0)
        return nnc__fail(NNC_ERR_ARG, "nnc_gradient: NULL argument or empty batch");
    size_t L = net->n_layers - 1, nL = net->sizes[L];
    nnc__storage st;
    nnc_data batch;
    nnc__data_view(&st, &batch, x, y, m, net->sizes[0], nL);
    nnc__workspace *ws;
    nnc_status s = nnc__workspace_create(net, &(nnc__workspace_parts){.max_m = m}, &ws);
    if (s != NNC_OK)
        return s;
    nnc__forward_samples(net, ws, &batch, NULL, 0, m, 1, NULL);
    if (cost)
        *cost = nnc__cost_sum(net->cost, ws->z_out, ws->a[L], ws->y, m, nL);
    if (grad)
        nnc__backward(net, ws, m, grad);
    for (size_t l = 1; l <= L && l2 != 0.0; l++) {   /* + (l2/2) Σ w² */
        const float *w = net->params + net->packed.w_offset[l];
        float *g = grad ? grad + net->packed.w_offset[l] : NULL;
        for (size_t i = 0; i < net->sizes[l - 1] * net->sizes[l]; i++) {
            if (cost)
                *cost += 0.5 * l2 * (double)w[i] * w[i];
            if (g)
                g[i] += (float)(l2 * w[i]);
        }
    }
    nnc__workspace_free(ws);
    return NNC_OK;
}

/* The entry points run in the library's compute scope (compute_scope.h). */
nnc_status nnc_feedforward(const nnc_net *net, const float *x, size_t m, float *out)
{
    nnc__compute_scope scope = nnc__compute_begin();
    nnc_status s = feedforward(net, x, m, out);
    nnc__compute_end(scope);
    return s;
}

nnc_status nnc_gradient(const nnc_net *net, const float *x, const float *y,
                        size_t m, double l2, double *cost, float *grad)
{
    nnc__compute_scope scope = nnc__compute_begin();
    nnc_status s = gradient(net, x, y, m, l2, cost, grad);
    nnc__compute_end(scope);
    return s;
}
