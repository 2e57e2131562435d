/* cost.h — the costs and their output-layer error (BP1). */
#ifndef NNC_COST_H
#define NNC_COST_H

#include "nnc.h"

/* Output activation the cost goes with: a = f(z) for the m x n logits z,
 * in place (sigmoid, or softmax per row). */
void nnc__output_activate(nnc_cost c, float *z, size_t m, size_t n);

/* Cost summed over m samples, from logits z and activations a (m x n) and
 * targets y, computed from z where that is the stable form. */
double nnc__cost_sum(nnc_cost c, const float *z, const float *a,
                     const float *y, size_t m, size_t n);

/* The same sum for a training batch, cheaper where the activations a allow
 * it: the log-likelihood as −y ln a, the cross-entropy as −ln of a row's
 * product of a or 1 − a (for 0/1 targets), each row falling back to the
 * stable form of nnc__cost_sum when a value is too close to 0 for that. */
double nnc__batch_cost_sum(nnc_cost c, const float *z, const float *a, const float *y,
                           size_t m, size_t n);

/* Σ (a − y)² and Σ |a − y| over count values, into sums[0] and sums[1]. */
void nnc__residual_sums(const float *a, const float *y, size_t count, double sums[2]);

/* BP1: the output error δ^L = ∂C/∂z^L for each of the count values. */
void nnc__output_delta(nnc_cost c, const float *a, const float *y, float *delta,
                       size_t count);

#endif
