/* vector_ref.c — portable element-wise kernels (see vector.h). */
#include <math.h>

#include "vector.h"

static void sigmoid_ref(float *z, size_t count)
{
    for (size_t i = 0; i < count; i++)
        z[i] = 1.0f / (1.0f + expf(-z[i]));
}

static void bytes_to_floats_ref(const uint8_t *src, float scale, float *dst, size_t count)
{
    for (size_t i = 0; i < count; i++)
        dst[i] = src[i] * scale;
}

const nnc__vector_ops nnc__vector_ref = {"ref", sigmoid_ref, bytes_to_floats_ref};
