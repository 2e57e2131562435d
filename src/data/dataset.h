/* dataset.h — what the readers build and the trainer reads: samples as bytes
 * or floats, with labels or targets. Nothing here knows about networks. */
#ifndef NNC_DATASET_H
#define NNC_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "nnc.h"
#include "../runtime/error.h"
#include "../runtime/memory.h"

/* Pixel bytes become inputs x / 256, in [0, 1), as the tutorial's
 * mnist.pkl.gz was made from MNIST; every reader keeps to this one scale. */
#define NNC_BYTE_SCALE (1.0f / 256.0f)

/* Dataset storage shared by slices: freed when its last user is freed. */
typedef struct {
    int      refs;
    uint8_t *x_u8;         /* n x dim bytes, or NULL                        */
    float   *x_f32;        /* n x dim floats, or NULL                       */
    uint8_t *labels;       /* n                                             */
    float   *targets;      /* n x n_targets, or NULL                        */
    size_t   n_targets;
    char    *source;       /* file of the inputs, for messages              */
    char    *label_source; /* file of the labels, or NULL: same file        */
} nnc__storage;

struct nnc_data {
    nnc__storage *st;
    size_t        first;   /* index of sample 0 in the storage              */
    size_t        n;
    size_t        dim;
};

/* Makes a dataset of storage the caller filled (x_u8 or x_f32, labels,
 * source); takes ownership of st, also on failure. */
nnc_status nnc__data_wrap(nnc__storage *st, size_t n, size_t dim, nnc_data **out);

/* Checks that the data fits a network of n_in inputs and n_out outputs:
 * input size, and labels below n_out (or n_out targets). */
nnc_status nnc__data_check_shape(const nnc_data *data, size_t n_in, size_t n_out);

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
