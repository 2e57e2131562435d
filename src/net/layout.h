/* layout.h — where each layer's weights and biases sit in a parameter block.
 *
 * A network's own block is packed: W_1 (n_0 rows of n_1 floats), b_1, W_2,
 * b_2, ... as the public API and the model files have it. Training works on a
 * copy whose weight rows start on cache lines (a multiple of 16 floats
 * apart): a row of the tutorial's 30 hidden units is 120 bytes, and most
 * such rows would straddle two lines, each costing the products on W_1 a
 * second load (docs/PERFORMANCE.md). The padding holds zeros and stays zero: the products
 * never write it, and every optimiser maps a zero gradient on a zero weight
 * to zero. */
#ifndef NNC_LAYOUT_H
#define NNC_LAYOUT_H

#include <stddef.h>

#include "nnc.h"

typedef struct {
    size_t  n_layers;   /* L + 1                                        */
    size_t *w_offset;   /* offset of W_l, l = 1 .. L                    */
    size_t *b_offset;   /* offset of b_l                                */
    size_t *stride;     /* floats from one row of W_l to the next       */
    size_t  count;      /* floats in the block, padding included        */
} nnc__layout;

/* A layout for layers of these sizes whose weight rows and layer blocks
 * start at multiples of `align` floats: 1 packs them. With align > 1, rows
 * whose length is a multiple of 128 floats get `align` more: rows 512 B (or
 * 4 KB) apart map to a few L1 sets, so a product walking down a column of W
 * evicts what it just loaded (docs/PERFORMANCE.md). */
nnc_status nnc__layout_init(nnc__layout *lay, const size_t *sizes, size_t n_layers,
                            size_t align);
void nnc__layout_free(nnc__layout *lay);

/* A zeroed block of lay->count floats, aligned to a cache line; NULL when
 * out of memory. Free it with free(). */
float *nnc__layout_alloc(const nnc__layout *lay);

/* Copies the parameters of block `from` (laid out as lf) into block `to`
 * (laid out as lt); lt's padding is not touched. */
void nnc__layout_copy(const size_t *sizes, const nnc__layout *lf, const float *from,
                      const nnc__layout *lt, float *to);

#endif
