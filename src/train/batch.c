/* batch.c — a mini-batch's inputs and targets, gathered from a dataset in
 * the trainer's sample order, and the cache lines of the next one. */
#include <stdint.h>
#include <string.h>

#include "../kernels/vector.h"
#include "batch.h"

void nnc__gather(const nnc_data *data, const size_t *idx, size_t m,
                 size_t n_out, float *x, float *y)
{
    const nnc__storage *st = data->st;
    const nnc__vector_ops *vec = nnc__vector_best();
    size_t dim = data->dim;
    for (size_t r = 0; r < m; r++) {
        size_t s = data->first + (idx ? idx[r] : r);
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

#define LINE 64

static size_t sample_bytes(const nnc_data *data)
{
    return data->dim * (data->st->x_u8 ? 1 : sizeof(float));
}

size_t nnc__sample_lines_max(const nnc_data *data, size_t m)
{
    return m * (sample_bytes(data) / LINE + 2);   /* + both ends' partial lines */
}

size_t nnc__sample_lines(const nnc_data *data, const size_t *idx, size_t m,
                         const void **lines)
{
    const nnc__storage *st = data->st;
    size_t bytes = sample_bytes(data), count = 0;
    const char *base = st->x_u8 ? (const char *)st->x_u8 : (const char *)st->x_f32;
    for (size_t r = 0; r < m; r++) {
        uintptr_t first = (uintptr_t)(base + (data->first + idx[r]) * bytes);
        for (uintptr_t line = first & ~(uintptr_t)(LINE - 1); line < first + bytes; line += LINE)
            lines[count++] = (const void *)line;
    }
    return count;
}
