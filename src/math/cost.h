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

/* BP1: the output error δ^L = ∂C/∂z^L for each of the count values. */
void nnc__output_delta(nnc_cost c, const float *a, const float *y, float *delta,
                       size_t count);

#endif
