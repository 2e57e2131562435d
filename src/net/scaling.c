/* scaling.c — the network's input scaling: x' = (x − shift) × factor per
 * input, kept with the network so that a loaded model takes raw inputs as its
 * training set had them. The forward pass applies it (math/backprop.c); it
 * is fitted on a dataset in run/fit.c. */
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
