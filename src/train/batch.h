/* batch.h — the cache lines of a mini-batch's samples. */
#ifndef NNC_BATCH_H
#define NNC_BATCH_H

#include "../data/dataset.h"

/* The cache lines that hold the inputs of samples idx[0..m), written to
 * lines (room for nnc__sample_lines_max(data, m)); returns their count. With
 * shuffled order every sample is a cache miss unless fetched ahead. */
size_t nnc__sample_lines(const nnc_data *data, const size_t *idx, size_t m,
                         const void **lines);
size_t nnc__sample_lines_max(const nnc_data *data, size_t m);

#endif
