/* dropout.c — inverted dropout: each unit survives with probability keep and
 * is then scaled by 1/keep, so the expected input of the next layer is
 * unchanged and evaluation needs no rescaling. */
#include <stdint.h>

#include "dropout.h"

void nnc__drop_units(nnc__rng *rng, float keep, const float *a, float *mask, float *out,
                     size_t count)
{
    const uint64_t threshold = (uint64_t)(keep * 4294967296.0);   /* keep · 2^32 */
    const float scale = 1.0f / keep;
    for (size_t i = 0; i < count; i += 2) {
        uint64_t r = nnc__rng_u64(rng);          /* two 32-bit draws per call */
        mask[i] = (r & 0xffffffffu) < threshold ? scale : 0.0f;
        if (i + 1 < count)
            mask[i + 1] = (r >> 32) < threshold ? scale : 0.0f;
    }
    for (size_t i = 0; i < count; i++)
        out[i] = a[i] * mask[i];
}
