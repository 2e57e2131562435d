/* inputs.c — a batch's inputs and targets gathered from a dataset, and fed
 * forward (inputs.h). */
#include <string.h>

#include "../kernels/vector.h"
#include "inputs.h"

/* Writes the inputs of samples idx[first..first+m) as floats into x
 * (m x dim) and, if y is not NULL, their targets into y (m x n_out). */
static void gather(const nnc_data *data, const size_t *idx, size_t first, size_t m,
                   size_t n_out, float *x, float *y)
{
    const nnc__storage *st = data->st;
    const nnc__vector_ops *vec = nnc__vector_best();
    size_t dim = data->dim;
    for (size_t r = 0; r < m; r++) {
        size_t s = data->first + (idx ? idx[first + r] : first + r);
        float *xr = x + r * dim;
        if (st->x_u8) {
            vec->bytes_to_floats(st->x_u8 + s * dim, NNC_BYTE_SCALE, xr, dim);
        } else {
            memcpy(xr, st->x_f32 + s * dim, dim * sizeof *xr);
        }
        if (!y)
            continue;
        float *yr = y + r * n_out;
        if (st->targets) {
            memcpy(yr, st->targets + s * n_out, n_out * sizeof *yr);
        } else if (n_out == 1) {   /* one sigmoid output: the label, 0 or 1 */
            yr[0] = (float)st->labels[s];
        } else {
            memset(yr, 0, n_out * sizeof *yr);
            yr[st->labels[s]] = 1.0f;
        }
    }
}

void nnc__forward_samples(const nnc_net *net, nnc__workspace *ws, const nnc_data *data,
                          const size_t *idx, size_t first, size_t m, int targets,
                          const nnc__prefetch *next)
{
    gather(data, idx, first, m, net->sizes[net->n_layers - 1], ws->a[0],
           targets ? ws->y : NULL);
    ws->dense.prefetch = next ? *next : (nnc__prefetch){NULL, 0};
    nnc__forward(net, ws, m);
}
