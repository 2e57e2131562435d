/* activations.c — sigmoid, tanh, ReLU, leaky ReLU and softmax. */
#include <math.h>

#include "activations.h"
#include "../kernels/vector.h"

void nnc__activate(nnc_activation f, float *z, size_t count)
{
    switch (f) {
    case NNC_ACT_SIGMOID:
        nnc__vector_best()->sigmoid(z, count);
        break;
    case NNC_ACT_TANH:
        for (size_t i = 0; i < count; i++)
            z[i] = tanhf(z[i]);
        break;
    case NNC_ACT_RELU:
        for (size_t i = 0; i < count; i++)
            z[i] = z[i] > 0.0f ? z[i] : 0.0f;
        break;
    case NNC_ACT_LEAKY_RELU:
        for (size_t i = 0; i < count; i++)
            z[i] = z[i] > 0.0f ? z[i] : NNC_LEAKY_RELU_SLOPE * z[i];
        break;
    }
}

void nnc__times_derivative(nnc_activation f, const float *restrict a, float *restrict d,
                           size_t count)
{
    switch (f) {
    case NNC_ACT_SIGMOID:            /* σ'(z) = σ(z) (1 - σ(z)) */
        for (size_t i = 0; i < count; i++)
            d[i] *= a[i] * (1.0f - a[i]);
        break;
    case NNC_ACT_TANH:               /* tanh'(z) = 1 - tanh²(z) */
        for (size_t i = 0; i < count; i++)
            d[i] *= 1.0f - a[i] * a[i];
        break;
    case NNC_ACT_RELU:
        for (size_t i = 0; i < count; i++)
            d[i] = a[i] > 0.0f ? d[i] : 0.0f;
        break;
    case NNC_ACT_LEAKY_RELU:         /* a > 0 exactly when z > 0 */
        for (size_t i = 0; i < count; i++)
            d[i] = a[i] > 0.0f ? d[i] : NNC_LEAKY_RELU_SLOPE * d[i];
        break;
    }
}

typedef struct {
    nnc_activation f;
    float         *v;      /* z (activate) or d (derivative) */
    const float   *a;
    const float   *mask;
} elementwise;

static void activate_span(void *arg, size_t first, size_t len)
{
    const elementwise *e = arg;
    nnc__activate(e->f, e->v + first, len);
}

static void derivative_span(void *arg, size_t first, size_t len)
{
    const elementwise *e = arg;
    float *d = e->v + first;
    if (e->mask)
        for (size_t i = 0; i < len; i++)
            d[i] *= e->mask[first + i];
    nnc__times_derivative(e->f, e->a + first, d, len);
}

void nnc__activate_all(nnc__dense *k, nnc_activation f, float *z, size_t count)
{
    elementwise e = {f, z, NULL, NULL};
    nnc__dense_map(k, count, activate_span, &e);
}

void nnc__times_derivative_all(nnc__dense *k, nnc_activation f, const float *a,
                               const float *mask, float *d, size_t count)
{
    elementwise e = {f, d, a, mask};
    nnc__dense_map(k, count, derivative_span, &e);
}

void nnc__softmax_rows(float *z, size_t m, size_t n)
{
    for (size_t i = 0; i < m; i++) {
        float *r = z + i * n, max = r[0], sum = 0.0f;
        for (size_t j = 1; j < n; j++)
            max = r[j] > max ? r[j] : max;
        for (size_t j = 0; j < n; j++) {   /* e^(z - max) <= 1: no overflow */
            r[j] = expf(r[j] - max);
            sum += r[j];
        }
        for (size_t j = 0; j < n; j++)
            r[j] /= sum;                    /* sum >= 1: no division by 0 */
    }
}
