/* fit.c — a network and a dataset made for each other: whether the data fits
 * the network, and the network's input scaling fitted on the data. Here
 * because neither data/ nor net/ may know the other. */
#include <math.h>
#include <stdlib.h>

#include "../data/dataset.h"
#include "../net/net.h"

nnc_status nnc_data_fits(const nnc_net *net, const nnc_data *data)
{
    if (!net || !data)
        return nnc__fail(NNC_ERR_ARG, "nnc_data_fits: NULL argument");
    return nnc__data_check_shape(data, net->sizes[0], net->sizes[net->n_layers - 1]);
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
