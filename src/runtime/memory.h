/* memory.h — aligned allocations for the arrays the products stream over. */
#ifndef NNC_MEMORY_H
#define NNC_MEMORY_H

#include <stddef.h>

/* count floats starting on a cache line (uninitialised); NULL when out of
 * memory. Free with free(). Rows written 64 bytes at a time then never
 * straddle two lines. */
float *nnc__alloc_floats(size_t count);

/* Memory for a dataset's samples (freed with free): for large arrays 2 MB
 * aligned and backed by huge pages where the system offers them. */
void *nnc__alloc_samples(size_t bytes);

#endif
