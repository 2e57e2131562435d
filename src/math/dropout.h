/* dropout.h — inverted dropout of hidden units while training. */
#ifndef NNC_DROPOUT_H
#define NNC_DROPOUT_H

#include <stddef.h>

#include "../net/rng.h"

/* mask gets 1/keep with probability keep and 0 otherwise, out = a ⊙ mask,
 * over count values. */
void nnc__drop_units(nnc__rng *rng, float keep, const float *a, float *mask, float *out,
                     size_t count);

#endif
