/* cost.c — the classification costs (quadratic, cross-entropy, softmax
 * log-likelihood) and the regression costs on linear outputs (squared,
 * absolute and Huber error). */
#include <math.h>

#include "activations.h"
#include "cost.h"

int nnc_cost_is_regression(nnc_cost c)
{
    return c == NNC_COST_MSE || c == NNC_COST_MAE || c == NNC_COST_HUBER;
}

void nnc__output_activate(nnc_cost c, float *z, size_t m, size_t n)
{
    if (c == NNC_COST_SOFTMAX_LOGLIK)
        nnc__softmax_rows(z, m, n);
    else if (!nnc_cost_is_regression(c))   /* regression outputs are linear: a = z */
        nnc__activate(NNC_ACT_SIGMOID, z, m * n);
}

/* ln(1 + e^x) without overflow for large x or loss of precision for small. */
static double softplus(double x)
{
    return (x > 0.0 ? x : 0.0) + log1p(exp(-fabs(x)));
}

double nnc__cost_sum(nnc_cost c, const float *z, const float *a,
                     const float *y, size_t m, size_t n)
{
    double sum = 0.0;
    switch (c) {
    case NNC_COST_QUADRATIC:            /* ½ ‖a − y‖² */
        for (size_t i = 0; i < m * n; i++)
            sum += 0.5 * ((double)a[i] - y[i]) * ((double)a[i] - y[i]);
        break;
    case NNC_COST_CROSS_ENTROPY:
        /* −y ln σ(z) − (1−y) ln(1−σ(z)) = softplus(z) − y z */
        for (size_t i = 0; i < m * n; i++)
            sum += softplus(z[i]) - (double)y[i] * z[i];
        break;
    case NNC_COST_SOFTMAX_LOGLIK:
        /* −Σ_j y_j ln softmax(z)_j = Σ_j y_j (logsumexp(z) − z_j) */
        for (size_t i = 0; i < m; i++) {
            const float *zi = z + i * n, *yi = y + i * n;
            double max = zi[0], s = 0.0;
            for (size_t j = 1; j < n; j++)
                max = zi[j] > max ? zi[j] : max;
            for (size_t j = 0; j < n; j++)
                s += exp(zi[j] - max);
            double lse = max + log(s);
            for (size_t j = 0; j < n; j++)
                if (yi[j] != 0.0f)
                    sum += yi[j] * (lse - zi[j]);
        }
        break;
    case NNC_COST_MSE:                  /* ½ ‖a − y‖², a = z */
        for (size_t i = 0; i < m * n; i++)
            sum += 0.5 * ((double)a[i] - y[i]) * ((double)a[i] - y[i]);
        break;
    case NNC_COST_MAE:                  /* Σ |a − y| */
        for (size_t i = 0; i < m * n; i++)
            sum += fabs((double)a[i] - y[i]);
        break;
    case NNC_COST_HUBER:                /* ½ r² near 0, |r| − ½ beyond |r| = 1 */
        for (size_t i = 0; i < m * n; i++) {
            double r = fabs((double)a[i] - y[i]);
            sum += r <= 1.0 ? 0.5 * r * r : r - 0.5;
        }
        break;
    }
    return sum;
}

/* Σ ½ (a − y)² in eight float lanes, so that the compiler vectorises it;
 * a batch's few outputs lose nothing to float that matters to a mean. */
static double half_squares(const float *a, const float *y, size_t count)
{
    float lane[8] = {0};
    size_t i = 0;
    for (; i + 8 <= count; i += 8)
        for (size_t k = 0; k < 8; k++) {
            float d = a[i + k] - y[i + k];
            lane[k] += d * d;
        }
    for (size_t k = 0; i < count; i++, k++) {
        float d = a[i] - y[i];
        lane[k] += d * d;
    }
    double sum = 0.0;
    for (size_t k = 0; k < 8; k++)
        sum += lane[k];
    return 0.5 * sum;
}

/* Below this an activation's logarithm is taken from the logits instead. */
#define TINY_ACTIVATION 1e-30f

/* −Σ_j y_j ln a_j of one softmax row. */
static double loglik_row(const float *z, const float *a, const float *y, size_t n)
{
    double sum = 0.0;
    for (size_t j = 0; j < n; j++) {
        if (y[j] == 0.0f)
            continue;
        if (!(a[j] > TINY_ACTIVATION))
            return nnc__cost_sum(NNC_COST_SOFTMAX_LOGLIK, z, a, y, 1, n);
        sum -= y[j] * log((double)a[j]);
    }
    return sum;
}

/* −Σ_j y_j ln a_j + (1 − y_j) ln(1 − a_j) of one sigmoid row, as one
 * logarithm of a product when the targets are 0 or 1. */
static double cross_entropy_row(const float *z, const float *a, const float *y, size_t n)
{
    double p = 1.0;
    for (size_t j = 0; j < n; j++) {
        if (y[j] == 1.0f)
            p *= a[j];
        else if (y[j] == 0.0f)
            p *= 1.0 - (double)a[j];
        else
            return nnc__cost_sum(NNC_COST_CROSS_ENTROPY, z, a, y, 1, n);
    }
    if (!(p > 1e-280))
        return nnc__cost_sum(NNC_COST_CROSS_ENTROPY, z, a, y, 1, n);
    return -log(p);
}

double nnc__batch_cost_sum(nnc_cost c, const float *z, const float *a, const float *y,
                           size_t m, size_t n)
{
    double sum = 0.0;
    switch (c) {
    case NNC_COST_QUADRATIC:
    case NNC_COST_MSE:
        return half_squares(a, y, m * n);
    case NNC_COST_SOFTMAX_LOGLIK:
        for (size_t i = 0; i < m; i++)
            sum += loglik_row(z + i * n, a + i * n, y + i * n, n);
        return sum;
    case NNC_COST_CROSS_ENTROPY:
        for (size_t i = 0; i < m; i++)
            sum += cross_entropy_row(z + i * n, a + i * n, y + i * n, n);
        return sum;
    default:
        return nnc__cost_sum(c, z, a, y, m, n);
    }
}

void nnc__residual_sums(const float *a, const float *y, size_t count, double sums[2])
{
    double sse = 0.0, sae = 0.0;
    for (size_t i = 0; i < count; i++) {
        double r = (double)a[i] - y[i];
        sse += r * r;
        sae += fabs(r);
    }
    sums[0] += sse;
    sums[1] += sae;
}

void nnc__output_delta(nnc_cost c, const float *a, const float *y, float *delta,
                       size_t count)
{
    for (size_t i = 0; i < count; i++)
        delta[i] = a[i] - y[i];
    /* Quadratic: δ = (a − y) ⊙ σ'(z). Cross-entropy with sigmoid and
     * log-likelihood with softmax: σ' cancels and δ = a − y, as for the
     * squared error of a linear output. The absolute error's δ is the sign
     * of a − y (0 at 0), Huber's a − y clipped to [−1, 1]. */
    if (c == NNC_COST_QUADRATIC)
        nnc__times_derivative(NNC_ACT_SIGMOID, a, delta, count);
    else if (c == NNC_COST_MAE)
        for (size_t i = 0; i < count; i++)
            delta[i] = (float)((delta[i] > 0.0f) - (delta[i] < 0.0f));
    else if (c == NNC_COST_HUBER)
        for (size_t i = 0; i < count; i++)
            delta[i] = delta[i] > 1.0f ? 1.0f : delta[i] < -1.0f ? -1.0f : delta[i];
}
