/* internal.h — definitions shared inside libnnc, never installed. */
#ifndef NNC_INTERNAL_H
#define NNC_INTERNAL_H

#include "nnc.h"
#include "layout.h"
#include "rng.h"

/* Records a printf-style message as this thread's last error; returns s. */
nnc_status nnc__fail(nnc_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A network: its sizes and one contiguous parameter block, packed as
 * W_1 (n_0 x n_1), b_1 (n_1), W_2, b_2, ... so a save is one write. */
struct nnc_net {
    size_t         n_layers;     /* L + 1                                   */
    size_t        *sizes;        /* n_0 .. n_L                              */
    nnc_layout     packed;       /* where W_l and b_l are in params         */
    size_t         n_params;     /* packed.count                            */
    float         *params;
    nnc_activation hidden;
    nnc_cost       cost;
    nnc_rng        rng;
    nnc_train_record record;
};

/* A network of these sizes with parameters and choices left unset. */
nnc_status nnc__net_alloc(const size_t *sizes, size_t n_layers, nnc_net **out);

/* Pixel bytes become inputs x / 256, in [0, 1), as the seed's mnist.pkl.gz
 * was made from MNIST; every reader keeps to this one scale. */
#define NNC_BYTE_SCALE (1.0f / 256.0f)

/* Dataset storage shared by slices: freed when its last user is freed. */
typedef struct {
    int      refs;
    uint8_t *x_u8;      /* n x dim bytes, or NULL                          */
    float   *x_f32;     /* n x dim floats, or NULL                         */
    uint8_t *labels;    /* n                                               */
    float   *targets;   /* n x n_targets, or NULL                          */
    size_t   n_targets;
    char    *source;       /* file of the inputs, for messages          */
    char    *label_source; /* file of the labels, or NULL: same file    */
} nnc_storage;

struct nnc_data {
    nnc_storage *st;
    size_t       first;  /* index of sample 0 in the storage               */
    size_t       n;
    size_t       dim;
};

/* Memory for a storage's x_u8 or x_f32 (freed with free): for large arrays
 * 2 MB aligned and backed by huge pages where the system offers them. */
void *nnc__sample_alloc(size_t bytes);

/* Makes a dataset of storage the caller filled (x_u8 or x_f32, labels,
 * source); takes ownership of st, also on failure. */
nnc_status nnc__data_wrap(nnc_storage *st, size_t n, size_t dim, nnc_data **out);

/* Threads worth using for batches of this size on this network. */
unsigned nnc__auto_threads(const nnc_net *net, size_t batch);

/* Size of the largest layer, input included. */
size_t nnc__max_width(const nnc_net *net);

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

/* Checks that data fits net: input size, labels below the output count. */
nnc_status nnc__check_fit(const nnc_net *net, const nnc_data *data);

#endif
