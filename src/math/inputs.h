/* inputs.h — the one way samples enter a network: gathered from a dataset
 * into a workspace, then fed forward (the input scaling being the forward
 * pass's first step). */
#ifndef NNC_INPUTS_H
#define NNC_INPUTS_H

#include "../data/dataset.h"
#include "backprop.h"

/* Feeds samples idx[first .. first+m) of data (samples first .. first+m when
 * idx is NULL) forward through ws: their inputs as floats into ws->a[0]
 * and, with targets, their targets into ws->y (the data's own, or the
 * one-hot encoding of the labels); then nnc__forward, whose first product
 * fetches the cache lines `next` lists (the next batch's; NULL: none).
 * m <= ws->max_m. */
void nnc__forward_samples(const nnc_net *net, nnc__workspace *ws, const nnc_data *data,
                          const size_t *idx, size_t first, size_t m, int targets,
                          const nnc__prefetch *next);

#endif
