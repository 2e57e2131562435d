/* batch.c — the cache lines of the trainer's next mini-batch, fetched while
 * the current one computes. */
#include <stdint.h>

#include "batch.h"

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
