/* memory.h — aligned allocations for the arrays the products stream over. */
#ifndef NNC_MEMORY_H
#define NNC_MEMORY_H

#include <stddef.h>

#include "nnc.h"

/* count floats starting on a cache line (uninitialised); NULL when out of
 * memory. Free with free(). Rows written 64 bytes at a time then never
 * straddle two lines. */
float *nnc__alloc_floats(size_t count);

/* Memory for a dataset's samples (freed with free): for large arrays 2 MB
 * aligned and backed by huge pages where the system offers them. */
void *nnc__alloc_samples(size_t bytes);

/* Bytes of physical memory, or SIZE_MAX where unknown: what a request must
 * stay under not to send the machine into swap. */
size_t nnc__physical_memory(void);

/* NNC_OK if `bytes` fit in physical memory, else an error saying what needs
 * how much (what: e.g. "training [784, 30, 10]"). */
nnc_status nnc__check_memory(double bytes, const char *what);

#endif
