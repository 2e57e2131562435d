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

/* Pixel rows are images only from 8 x 8 up: fewer inputs, even of a square
 * count, are a table's columns. */
#define NNC__MIN_IMAGE_PIXELS 64

/* Dataset storage shared by slices: freed when its last user is freed. */
typedef struct {
    int      refs;
    uint8_t *x_u8;         /* n x dim bytes, or NULL                        */
    float   *x_f32;        /* n x dim floats, or NULL                       */
    uint8_t *labels;       /* n                                             */
    float   *targets;      /* n x n_targets, or NULL                        */
    size_t   n_targets;
    size_t   dim;          /* inputs per sample                             */
    int      borrowed;     /* x_f32 is the caller's, not freed here          */
    char    *source;       /* file of the inputs, for messages              */
    char    *label_source; /* file of the labels, or NULL: same file        */
    char   **class_names;  /* what label i stands for, or NULL              */
    size_t   n_classes;
    char   **feature_names;/* the input columns' names (dim), or NULL       */
    char   **target_names; /* the target columns' names (n_targets), or NULL */
    size_t   width, height;/* an image format's own sizes, or 0: from the rule */
} nnc__storage;

/* Frees a list of n strings and the list. */
void nnc__free_names(char **names, size_t n);

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

/* Checks that every float input and target of the data is a finite number:
 * NNC_ERR_FORMAT "SOURCE: row R, column C: nan is not a finite number" for
 * the first that is not (R counted from 1 in its source, C from 1, with its
 * name when known; a target's column called a target column). Byte inputs
 * need no check. */
nnc_status nnc__data_check_finite(const nnc_data *data);

/* A dataset over the caller's arrays, in structs the caller holds: n rows of
 * dim inputs and, if y is not NULL, of n_out targets. Nothing is copied or
 * allocated; never free it, never change the arrays through it. */
void nnc__data_view(nnc__storage *st, nnc_data *view, const float *x, const float *y,
                    size_t n, size_t dim, size_t n_out);

#endif
