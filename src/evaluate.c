/* evaluate.c — feedforward, cost and gradient of a batch, and accuracy. */
#include <stdlib.h>
#include <string.h>

#include "backprop.h"
#include "cost.h"

#define EVAL_CHUNK 256   /* samples fed forward at once when evaluating */

nnc_status nnc_feedforward(const nnc_net *net, const float *x, size_t m, float *out)
{
    if (!net || !x || !out)
        return nnc__fail(NNC_ERR_ARG, "nnc_feedforward: NULL argument");
    if (m == 0)
        return NNC_OK;
    size_t chunk = m < EVAL_CHUNK ? m : EVAL_CHUNK;
    size_t n0 = net->sizes[0], nL = net->sizes[net->n_layers - 1];
    nnc_workspace *ws;
    nnc_status s = nnc__workspace_create(net, chunk, 0, 0.0f, NULL, 0, &ws);
    if (s != NNC_OK)
        return s;
    for (size_t done = 0; done < m; done += chunk) {
        size_t k = m - done < chunk ? m - done : chunk;
        memcpy(ws->a[0], x + done * n0, k * n0 * sizeof *x);
        nnc__forward(net, ws, k);
        memcpy(out + done * nL, ws->a[net->n_layers - 1], k * nL * sizeof *out);
    }
    nnc__workspace_free(ws);
    return NNC_OK;
}

nnc_status nnc_gradient(const nnc_net *net, const float *x, const float *y,
                        size_t m, double l2, double *cost, float *grad)
{
    if (!net || !x || !y || m == 0)
        return nnc__fail(NNC_ERR_ARG, "nnc_gradient: NULL argument or empty batch");
    size_t n0 = net->sizes[0], L = net->n_layers - 1, nL = net->sizes[L];
    nnc_workspace *ws;
    nnc_status s = nnc__workspace_create(net, m, 1, 0.0f, NULL, 0, &ws);
    if (s != NNC_OK)
        return s;
    memcpy(ws->a[0], x, m * n0 * sizeof *x);
    memcpy(ws->y, y, m * nL * sizeof *y);
    nnc__forward(net, ws, m);
    if (cost)
        *cost = nnc__cost_sum(net->cost, ws->z_out, ws->a[L], ws->y, m, nL);
    if (grad)
        nnc__backward(net, ws, m, 1.0f, 0.0f, 0.0f, grad);
    for (size_t l = 1; l <= L && l2 != 0.0; l++) {   /* + (l2/2) Σ w² */
        const float *w = net->params + net->w_offset[l];
        float *g = grad ? grad + net->w_offset[l] : NULL;
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

static size_t argmax(const float *v, size_t n)
{
    size_t best = 0;
    for (size_t j = 1; j < n; j++)
        if (v[j] > v[best])
            best = j;
    return best;
}

/* Feeds a dataset forward in chunks: correct count, mean cost (if asked) and
 * confusion counts (if asked: n_out x n_out, row = label, column = argmax). */
static nnc_status measure(const nnc_net *net, const nnc_data *data, size_t *correct,
                          double *mean_cost, size_t *confusion)
{
    *correct = 0;
    nnc_status s = nnc__check_fit(net, data);
    if (s != NNC_OK)
        return s;
    size_t n = nnc_data_count(data), L = net->n_layers - 1, nL = net->sizes[L];
    size_t chunk = n < EVAL_CHUNK ? n : EVAL_CHUNK;
    nnc_workspace *ws;
    if ((s = nnc__workspace_create(net, chunk, 0, 0.0f, NULL, 0, &ws)) != NNC_OK)
        return s;
    size_t idx[EVAL_CHUNK];
    double cost = 0.0;
    for (size_t done = 0; done < n; done += chunk) {
        size_t k = n - done < chunk ? n - done : chunk;
        for (size_t i = 0; i < k; i++)
            idx[i] = done + i;
        nnc__gather(data, idx, k, nL, ws->a[0], mean_cost ? ws->y : NULL);
        nnc__forward(net, ws, k);
        if (mean_cost)
            cost += nnc__cost_sum(net->cost, ws->z_out, ws->a[L], ws->y, k, nL);
        for (size_t i = 0; i < k; i++) {
            size_t guess = argmax(ws->a[L] + i * nL, nL), label = nnc_data_label(data, done + i);
            *correct += guess == label;
            if (confusion)
                confusion[label * nL + guess]++;
        }
    }
    if (mean_cost)
        *mean_cost = cost / (double)n;
    nnc__workspace_free(ws);
    return NNC_OK;
}

nnc_status nnc_measure_data(const nnc_net *net, const nnc_data *data, size_t *correct,
                            double *mean_cost)
{
    if (!net || !data || !correct)
        return nnc__fail(NNC_ERR_ARG, "nnc_measure_data: NULL argument");
    return measure(net, data, correct, mean_cost, NULL);
}

nnc_status nnc_evaluate(const nnc_net *net, const nnc_data *data, size_t *correct)
{
    return nnc_measure_data(net, data, correct, NULL);
}

nnc_status nnc_confusion_matrix(const nnc_net *net, const nnc_data *data, size_t *matrix)
{
    if (!net || !data || !matrix)
        return nnc__fail(NNC_ERR_ARG, "nnc_confusion_matrix: NULL argument");
    size_t nL = net->sizes[net->n_layers - 1], correct;
    memset(matrix, 0, nL * nL * sizeof *matrix);
    return measure(net, data, &correct, NULL, matrix);
}
