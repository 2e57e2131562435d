/* scaling.c — the network's input scaling: x' = (x − shift) × factor per
 * input, fitted on a training set and kept with the network, so that a
 * loaded model takes raw inputs as its training set had them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

nnc_status nnc_net_set_scaling(nnc_net *net, const float *shift, const float *factor)
{
    if (!net)
        return nnc__fail(NNC_ERR_ARG, "nnc_net_set_scaling: NULL network");
    size_t n = net->sizes[0];
    if (!shift || !factor) {   /* none: inputs go in as they are */
        free(net->in_shift);
        net->in_shift = net->in_factor = NULL;
        return NNC_OK;
    }
    for (size_t j = 0; j < n; j++)
        if (!isfinite(shift[j]) || !isfinite(factor[j]))
            return nnc__fail(NNC_ERR_ARG, "input scaling of input %zu is not finite", j);
    float *both = malloc(2 * n * sizeof *both);
    if (!both)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for the input scaling");
    memcpy(both, shift, n * sizeof *both);
    memcpy(both + n, factor, n * sizeof *both);
    free(net->in_shift);
    net->in_shift = both, net->in_factor = both + n;
    return NNC_OK;
}

int nnc_net_scaling(const nnc_net *net, const float **shift, const float **factor)
{
    if (shift)
        *shift = net->in_shift;
    if (factor)
        *factor = net->in_factor;
    return net->in_shift != NULL;
}

nnc_status nnc_net_fit_scaling(nnc_net *net, const nnc_data *data, nnc_scaling how)
{
    if (!net || !data)
        return nnc__fail(NNC_ERR_ARG, "nnc_net_fit_scaling: NULL argument");
    if (how == NNC_SCALE_NONE)
        return nnc_net_set_scaling(net, NULL, NULL);
    size_t n = nnc_data_count(data), d = nnc_data_dim(data);
    if (d != net->sizes[0])
        return nnc__fail(NNC_ERR_MISMATCH, "%s: samples have %zu inputs, the network takes %zu",
                         nnc_data_source(data), d, net->sizes[0]);
    double *a = calloc(2 * d, sizeof *a), *b = a ? a + d : NULL;   /* Σx, Σx² or min, max */
    float *x = malloc(d * sizeof *x), *shift = malloc(2 * d * sizeof *shift);
    nnc_status s = NNC_OK;
    if (!a || !x || !shift || n == 0) {
        s = n ? nnc__fail(NNC_ERR_NOMEM, "out of memory fitting the input scaling")
              : nnc__fail(NNC_ERR_ARG, "%s: no samples to fit a scaling on",
                          nnc_data_source(data));
    } else {
        float *factor = shift + d;
        for (size_t i = 0; i < n; i++) {
            nnc_data_input(data, i, x);
            for (size_t j = 0; j < d; j++)
                if (how == NNC_SCALE_STANDARD) {
                    a[j] += x[j], b[j] += (double)x[j] * x[j];
                } else if (i == 0) {
                    a[j] = b[j] = x[j];
                } else {
                    a[j] = x[j] < a[j] ? x[j] : a[j];
                    b[j] = x[j] > b[j] ? x[j] : b[j];
                }
        }
        for (size_t j = 0; j < d; j++) {
            /* a constant input is only moved to 0: dividing by its zero
             * spread would make a finite input infinite */
            double centre, spread;
            if (how == NNC_SCALE_STANDARD) {
                centre = a[j] / (double)n;
                double var = b[j] / (double)n - centre * centre;
                spread = var > 0.0 ? sqrt(var) : 0.0;
            } else {
                centre = a[j], spread = b[j] - a[j];
            }
            shift[j] = (float)centre;
            factor[j] = spread > 1e-12 * (1.0 + fabs(centre)) ? (float)(1.0 / spread) : 1.0f;
        }
        s = nnc_net_set_scaling(net, shift, factor);
    }
    free(a);
    free(x);
    free(shift);
    return s;
}

void nnc__scale_inputs(const nnc_net *net, float *x, size_t m)
{
    if (!net->in_shift)
        return;
    size_t d = net->sizes[0];
    for (size_t i = 0; i < m; i++, x += d)
        for (size_t j = 0; j < d; j++)
            x[j] = (x[j] - net->in_shift[j]) * net->in_factor[j];
}
