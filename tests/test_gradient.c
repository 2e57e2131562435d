/* test_gradient.c — backprop's gradients against finite differences of an
 * independent double-precision forward pass, and batched against summed
 * per-example gradients (as the tutorial computes them). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ---- an independent forward pass in double ----------------------------- */

static double act(nnc_activation f, double z)
{
    switch (f) {
    case NNC_ACT_SIGMOID: return 1.0 / (1.0 + exp(-z));
    case NNC_ACT_TANH: return tanh(z);
    case NNC_ACT_RELU: return z > 0 ? z : 0;
    case NNC_ACT_LEAKY_RELU: return z > 0 ? z : 0.01 * z;
    }
    return 0;
}

/* Cost summed over m samples plus (l2/2) Σ w², with parameters p in nnc's
 * layout. */
static double cost_double(const nnc_net *net, const double *p, const float *x,
                          const float *y, size_t m, double l2)
{
    size_t L = nnc_net_layers(net) - 1, width = 0;
    for (size_t l = 0; l <= L; l++)
        width = nnc_net_size(net, l) > width ? nnc_net_size(net, l) : width;
    double *a = malloc(width * sizeof *a), *z = malloc(width * sizeof *z), total = 0;
    for (size_t i = 0; i < m; i++) {
        size_t off = 0, n_in = nnc_net_size(net, 0);
        for (size_t j = 0; j < n_in; j++)
            a[j] = x[i * n_in + j];
        for (size_t l = 1; l <= L; l++) {
            size_t n = nnc_net_size(net, l);
            const double *W = p + off, *b = p + off + n_in * n;
            for (size_t j = 0; j < n; j++) {
                z[j] = b[j];
                for (size_t k = 0; k < n_in; k++)
                    z[j] += a[k] * W[k * n + j];
            }
            off += n_in * n + n;
            if (l < L)
                for (size_t j = 0; j < n; j++)
                    a[j] = act(nnc_net_hidden(net), z[j]);
            n_in = n;
        }
        const float *t = y + i * n_in;
        nnc_cost c = nnc_net_cost(net);
        if (c == NNC_COST_SOFTMAX_LOGLIK) {
            double max = z[0], s = 0;
            for (size_t j = 1; j < n_in; j++)
                max = z[j] > max ? z[j] : max;
            for (size_t j = 0; j < n_in; j++)
                s += exp(z[j] - max);
            for (size_t j = 0; j < n_in; j++)
                total -= t[j] * (z[j] - max - log(s));
        } else if (nnc_cost_is_regression(c)) {   /* linear outputs */
            for (size_t j = 0; j < n_in; j++) {
                double r = z[j] - t[j];
                total += c == NNC_COST_MSE   ? 0.5 * r * r
                         : c == NNC_COST_MAE ? fabs(r)
                         : fabs(r) <= 1.0    ? 0.5 * r * r
                                             : fabs(r) - 0.5;
            }
        } else {
            for (size_t j = 0; j < n_in; j++) {
                double o = act(NNC_ACT_SIGMOID, z[j]);
                total += c == NNC_COST_QUADRATIC
                             ? 0.5 * (o - t[j]) * (o - t[j])
                             : -(t[j] * log(o) + (1 - t[j]) * log(1 - o));
            }
        }
    }
    size_t off = 0;
    for (size_t l = 1; l <= L; l++) {               /* the L2 term: weights only */
        size_t nw = nnc_net_size(net, l - 1) * nnc_net_size(net, l);
        for (size_t i = 0; i < nw; i++)
            total += 0.5 * l2 * p[off + i] * p[off + i];
        off += nw + nnc_net_size(net, l);
    }
    free(a);
    free(z);
    return total;
}

/* ---- the checks ---------------------------------------------------------- */

static void random_batch(uint64_t *st, const nnc_net *net, size_t m, float *x, float *y)
{
    size_t n0 = nnc_net_inputs(net), nL = nnc_net_outputs(net);
    for (size_t i = 0; i < m * n0; i++)
        x[i] = test_uniform(st, 0.0f, 1.0f);
    if (nnc_cost_is_regression(nnc_net_cost(net))) {
        /* real targets spread wide enough that Huber's residuals fall on
         * both sides of 1 */
        for (size_t i = 0; i < m * nL; i++)
            y[i] = test_uniform(st, -4.0f, 4.0f);
        return;
    }
    for (size_t i = 0; i < m; i++) {                 /* one-hot targets */
        size_t c = (size_t)test_uniform(st, 0.0f, (float)nL) % nL;
        for (size_t j = 0; j < nL; j++)
            y[i * nL + j] = j == c ? 1.0f : 0.0f;
    }
}

/* Compares nnc_gradient with central differences of cost_double. */
static void check_gradient(const nnc_net *net, const float *x, const float *y, size_t m,
                           double l2)
{
    size_t P = nnc_net_param_count(net);
    float *g = malloc(P * sizeof *g);
    double *p = malloc(P * sizeof *p), c_nnc;
    const float *params = nnc_net_params_const(net);
    for (size_t i = 0; i < P; i++)
        p[i] = params[i];
    assert_ok(nnc_gradient(net, x, y, m, l2, &c_nnc, g));
    double c_ref = cost_double(net, p, x, y, m, l2);
    if (!(fabs(c_nnc - c_ref) <= 1e-5 * (1 + fabs(c_ref))))
        fail_msg("cost %.9g, double reference %.9g", c_nnc, c_ref);
    for (size_t i = 0; i < P; i++) {
        const double h = 1e-6;
        double keep = p[i];
        p[i] = keep + h;
        double up = cost_double(net, p, x, y, m, l2);
        p[i] = keep - h;
        double down = cost_double(net, p, x, y, m, l2);
        p[i] = keep;
        double numeric = (up - down) / (2 * h);
        if (!(fabs(g[i] - numeric) <= 1e-4 * (1 + fabs(numeric))))
            fail_msg("parameter %zu of %zu: backprop %.9g, finite difference %.9g "
                     "(m=%zu, hidden %d, cost %d, l2 %g)", i, P, g[i], numeric, m,
                     (int)nnc_net_hidden(net), (int)nnc_net_cost(net), l2);
    }
    free(g);
    free(p);
}

static void gradient_check_spec(nnc_activation hidden, nnc_cost cost, double l2)
{
    static const size_t shapes[][5] = {{3, 2}, {4, 5, 3}, {6, 5, 4, 3}, {3, 4, 4, 3, 2}};
    static const size_t depth[] = {2, 3, 4, 5};
    static const size_t batch[] = {1, 3, 7};
    uint64_t st = 11;
    float x[7 * 6], y[7 * 3];
    for (size_t s = 0; s < 4; s++)
        for (size_t b = 0; b < 3; b++) {
            nnc_net_spec spec;
            nnc_net_spec_init(&spec, shapes[s], depth[s]);
            spec.hidden = hidden;
            spec.cost = cost;
            spec.seed = 100 * s + b;
            nnc_net *net;
            assert_ok(nnc_net_create_spec(&spec, &net));
            random_batch(&st, net, batch[b], x, y);
            check_gradient(net, x, y, batch[b], l2);
            nnc_net_free(net);
        }
}

static void seed_network_gradient_matches_finite_differences(void **state)
{
    (void)state;
    gradient_check_spec(NNC_ACT_SIGMOID, NNC_COST_QUADRATIC, 0.0);
}

/* Every hidden activation with every cost, without and with L2. */
static void every_cost_and_activation_matches_finite_differences(void **state)
{
    (void)state;
    const nnc_activation acts[] = {NNC_ACT_SIGMOID, NNC_ACT_TANH, NNC_ACT_RELU,
                                   NNC_ACT_LEAKY_RELU};
    const nnc_cost costs[] = {NNC_COST_QUADRATIC, NNC_COST_CROSS_ENTROPY,
                              NNC_COST_SOFTMAX_LOGLIK};
    for (int a = 0; a < 4; a++)
        for (int c = 0; c < 3; c++) {
            gradient_check_spec(acts[a], costs[c], 0.0);
            gradient_check_spec(acts[a], costs[c], 0.37);
        }
}

/* Linear outputs with each regression cost, every hidden activation. */
static void regression_costs_match_finite_differences(void **state)
{
    (void)state;
    const nnc_activation acts[] = {NNC_ACT_SIGMOID, NNC_ACT_TANH, NNC_ACT_RELU,
                                   NNC_ACT_LEAKY_RELU};
    const nnc_cost costs[] = {NNC_COST_MSE, NNC_COST_MAE, NNC_COST_HUBER};
    for (int a = 0; a < 4; a++)
        for (int c = 0; c < 3; c++) {
            gradient_check_spec(acts[a], costs[c], 0.0);
            gradient_check_spec(acts[a], costs[c], 0.37);
        }
}

/* Logits of ±1000: the softmax cost and its gradient stay finite and right. */
static void softmax_stays_finite_on_extreme_logits(void **state)
{
    (void)state;
    const size_t sizes[] = {2, 3};
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, 2);
    spec.cost = NNC_COST_SOFTMAX_LOGLIK;
    nnc_net *net;
    assert_ok(nnc_net_create_spec(&spec, &net));
    float *w = nnc_net_weights(net, 1), *b = nnc_net_biases(net, 1);
    memset(w, 0, 6 * sizeof *w);
    b[0] = 1000.0f, b[1] = -1000.0f, b[2] = 0.0f;        /* logits 1000, -1000, 0 */
    const float x[2] = {0.5f, 0.5f}, y_right[3] = {1, 0, 0}, y_wrong[3] = {0, 1, 0};
    float out[3], g[9];
    double cost;
    assert_ok(nnc_feedforward(net, x, 1, out));
    assert_true(out[0] == 1.0f && out[1] == 0.0f && out[2] == 0.0f);
    assert_ok(nnc_gradient(net, x, y_right, 1, 0.0, &cost, g));
    assert_true(isfinite(cost) && cost >= 0.0 && cost < 1e-6);
    assert_ok(nnc_gradient(net, x, y_wrong, 1, 0.0, &cost, g));
    assert_true(fabs(cost - 2000.0) < 1e-3);               /* -ln a_1 = 1000 + 1000 */
    for (int i = 0; i < 9; i++)
        assert_true(isfinite(g[i]));
    assert_true(fabs(g[6] - 1.0f) < 1e-6 && fabs(g[7] + 1.0f) < 1e-6);   /* δ = a - y */
    nnc_net_free(net);
}

static void batch_gradient_is_sum_of_example_gradients(void **state)
{
    (void)state;
    const size_t sizes[] = {8, 6, 5, 4};
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 4, 3, &net));
    size_t P = nnc_net_param_count(net), m = 9;
    float x[9 * 8], y[9 * 4];
    uint64_t st = 5;
    random_batch(&st, net, m, x, y);
    float *batch = malloc(P * sizeof(float)), *one = malloc(P * sizeof(float));
    double *sum = calloc(P, sizeof(double));
    assert_ok(nnc_gradient(net, x, y, m, 0.0, NULL, batch));
    for (size_t i = 0; i < m; i++) {            /* the tutorial: backprop per example */
        assert_ok(nnc_gradient(net, x + i * 8, y + i * 4, 1, 0.0, NULL, one));
        for (size_t k = 0; k < P; k++)
            sum[k] += one[k];
    }
    for (size_t k = 0; k < P; k++)
        if (!(fabs(batch[k] - sum[k]) <= 1e-5 * (1 + fabs(sum[k]))))
            fail_msg("parameter %zu: batch gradient %.9g, summed per-example %.9g", k,
                     batch[k], sum[k]);
    free(batch);
    free(one);
    free(sum);
    nnc_net_free(net);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(seed_network_gradient_matches_finite_differences),
    cmocka_unit_test(every_cost_and_activation_matches_finite_differences),
    cmocka_unit_test(regression_costs_match_finite_differences),
    cmocka_unit_test(softmax_stays_finite_on_extreme_logits),
    cmocka_unit_test(batch_gradient_is_sum_of_example_gradients),
};
TEST_GROUP(gradient_tests, "gradient", tests);
