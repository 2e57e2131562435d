/* vector.h — element-wise kernels that run on every sample of every batch:
 * the sigmoid and the conversion of a batch's pixel bytes to floats. */
#ifndef NNC_VECTOR_H
#define NNC_VECTOR_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name;
    void (*sigmoid)(float *z, size_t count);   /* z = 1 / (1 + e^-z) */
    void (*bytes_to_floats)(const uint8_t *src, float scale, float *dst, size_t count);
} nnc__vector_ops;

extern const nnc__vector_ops nnc__vector_ref;     /* portable C, the reference */
extern const nnc__vector_ops nnc__vector_avx512;  /* needs AVX-512F            */
extern const nnc__vector_ops nnc__vector_avx2;    /* needs AVX2 and FMA        */

/* The element-wise kernels nnc uses on this machine (see dispatch.c). */
const nnc__vector_ops *nnc__vector_best(void);
/* One implementation by name (ref, avx2, avx512), or NULL where absent. */
const nnc__vector_ops *nnc__vector_named(const char *name);

#endif
