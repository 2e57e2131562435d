/* pictures.h — what a network does, drawn: the first layer's weights, the
 * test digits it gets wrong, and its confusion matrix. Each returns a raster
 * canvas for canvas_finish, or NULL after printing why there is no picture. */
#ifndef NNC_PICTURES_H
#define NNC_PICTURES_H

#include <stddef.h>

#include "canvas.h"
#include "nnc.h"

/* The side of the network's input image if it is a square one (as the
 * model knows its data), else 0: a table's model has no pictures of inputs. */
size_t picture_side(const nnc_net *net);

/* Class c as the network names it, else its number, cut to cap - 1 bytes. */
const char *picture_class(const nnc_net *net, size_t c, char *buf, size_t cap);

/* Every unit of layer 1 as a tile of its incoming weights shaped like the
 * input image (square), red positive and blue negative on one scale: the
 * 99th percentile of the weights' sizes, stored at *scale (larger weights
 * are drawn at full colour). Under the sheet a colour key: a bar from
 * -scale (blue) through 0 (white) to +scale (red), with those values. */
canvas *picture_weights(const nnc_net *net, const char *model, float *scale);

/* Up to max_shown misclassified samples of data, the most confident mistakes
 * first, each labelled "label -> prediction" with the network's output for
 * the prediction; *wrong gets how many there were in all. */
canvas *picture_errors(const nnc_net *net, const nnc_data *data, size_t max_shown,
                       size_t *wrong);

/* The k x k confusion matrix (rows: label, columns: prediction) as a heat map
 * of each row's fractions, with the counts written in. */
canvas *picture_confusion(const nnc_net *net, const size_t *cm, size_t k);

/* The first `rows` samples of data (square images), each beside `per_row`
 * distortions of it by a, as the epochs 0, 1, ... of a run seeded with seed
 * draw them: what `--augment` trains on. */
canvas *picture_augment(const nnc_data *data, const nnc_augment *a, uint64_t seed, size_t rows,
                        size_t per_row);

#endif
