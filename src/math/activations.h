/* activations.h — element-wise activation functions and their derivatives.
 * Derivatives are expressed through the activation a = f(z) itself, so the
 * forward pass keeps only the activations. */
#ifndef NNC_ACTIVATIONS_H
#define NNC_ACTIVATIONS_H

#include "nnc.h"
#include "../kernels/dense.h"

/* a = f(z), in place over count values. */
void nnc__activate(nnc_activation f, float *z, size_t count);
/* d = d * f'(z), where a = f(z): the "⊙ σ'(z)" of BP1 and BP2. */
void nnc__times_derivative(nnc_activation f, const float *a, float *d, size_t count);
/* The same over count values in spans spread over the kernels' threads;
 * the derivative also applies a dropout mask first (NULL: none), so that a
 * dropped unit passes no error back. */
void nnc__activate_all(nnc__dense *k, nnc_activation f, float *z, size_t count);
void nnc__times_derivative_all(nnc__dense *k, nnc_activation f, const float *a,
                               const float *mask, float *d, size_t count);
/* Each of m rows of n values becomes its softmax, computed stably. */
void nnc__softmax_rows(float *z, size_t m, size_t n);

#endif
