/* layout.c — packed and cache-line-padded parameter blocks (see layout.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/error.h"
#include "../runtime/memory.h"
#include "layout.h"

static size_t round_up(size_t v, size_t align) { return (v + align - 1) / align * align; }

nnc_status nnc__layout_init(nnc__layout *lay, const size_t *sizes, size_t n_layers,
                            size_t align)
{
    memset(lay, 0, sizeof *lay);
    lay->n_layers = n_layers;
    lay->w_offset = calloc(n_layers, sizeof *lay->w_offset);
    lay->b_offset = calloc(n_layers, sizeof *lay->b_offset);
    lay->stride = calloc(n_layers, sizeof *lay->stride);
    if (!lay->w_offset || !lay->b_offset || !lay->stride) {
        nnc__layout_free(lay);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a parameter layout");
    }
    size_t off = 0;
    for (size_t l = 1; l < n_layers; l++) {
        size_t stride = round_up(sizes[l], align);
        if (align > 1 && stride % 128 == 0)
            stride += align;   /* rows a multiple of 512 B apart share L1 sets */
        size_t layer = sizes[l - 1] * stride + round_up(sizes[l], align);
        if (off > SIZE_MAX / sizeof(float) - layer) {   /* sizes are at most 2^24 */
            nnc__layout_free(lay);
            return nnc__fail(NNC_ERR_ARG, "network too large");
        }
        lay->stride[l] = stride;
        lay->w_offset[l] = off;
        lay->b_offset[l] = off + sizes[l - 1] * stride;
        off += layer;
    }
    lay->count = off;
    return NNC_OK;
}

void nnc__layout_free(nnc__layout *lay)
{
    free(lay->w_offset);
    free(lay->b_offset);
    free(lay->stride);
    memset(lay, 0, sizeof *lay);
}

float *nnc__layout_alloc(const nnc__layout *lay)
{
    float *block = nnc__alloc_floats(lay->count);
    if (block)   /* the whole block, the rounding to a line included */
        memset(block, 0, round_up(lay->count * sizeof *block, 64));
    return block;
}

void nnc__layout_copy(const size_t *sizes, const nnc__layout *lf, const float *from,
                      const nnc__layout *lt, float *to)
{
    for (size_t l = 1; l < lf->n_layers; l++) {
        size_t n = sizes[l];
        for (size_t p = 0; p < sizes[l - 1]; p++)
            memcpy(to + lt->w_offset[l] + p * lt->stride[l],
                   from + lf->w_offset[l] + p * lf->stride[l], n * sizeof *to);
        memcpy(to + lt->b_offset[l], from + lf->b_offset[l], n * sizeof *to);
    }
}
