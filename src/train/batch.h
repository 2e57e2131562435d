/* batch.h — gathering a mini-batch from a dataset. */
#ifndef NNC_BATCH_H
#define NNC_BATCH_H

#include "../data/dataset.h"

/* Writes the inputs of samples idx[0..m) as floats into x (m x dim) and, if
 * y is not NULL, their targets (m x n_out): the data's own targets or the
 * one-hot encoding of the labels. idx NULL means samples 0..m. */
void nnc__gather(const nnc_data *data, const size_t *idx, size_t m,
                 size_t n_out, float *x, float *y);

/* The cache lines that hold the inputs of samples idx[0..m), written to
 * lines (room for nnc__sample_lines_max(data, m)); returns their count. With
 * shuffled order every sample is a cache miss unless fetched ahead. */
size_t nnc__sample_lines(const nnc_data *data, const size_t *idx, size_t m,
                         const void **lines);
size_t nnc__sample_lines_max(const nnc_data *data, size_t m);

#endif
