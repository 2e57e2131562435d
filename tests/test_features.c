/* test_features.c — L2, optimisers, dropout, schedules and monitoring. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/dropout.h"
#include "runtime/compute_scope.h"
#if defined(__x86_64__) || defined(__SSE__)
#include <xmmintrin.h>
#endif
#ifdef NNC_HAVE_OPENBLAS
#include <cblas.h>
#endif
#include "testutil.h"

enum { N = 60, IN = 5, OUT = 3 };

/* A small random classification problem. */
static nnc_data *problem(float *x_out)
{
    static float x[N * IN];
    uint8_t labels[N];
    uint64_t st = 21;
    for (int i = 0; i < N; i++) {
        labels[i] = (uint8_t)(i % OUT);
        for (int j = 0; j < IN; j++)   /* class shifts the inputs: learnable */
            x[i * IN + j] = test_uniform(&st, 0, 1) + (j == labels[i] ? 0.8f : 0.0f);
    }
    if (x_out)
        memcpy(x_out, x, sizeof x);
    nnc_data *d;
    assert_ok(nnc_data_from_floats(x, labels, N, IN, &d));
    return d;
}

static void l2_update_is_network2s(void **state)
{
    (void)state;
    const size_t sizes[] = {IN, 4, OUT};
    float x[N * IN], y[N * OUT];
    nnc_data *d = problem(x);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < OUT; j++)
            y[i * OUT + j] = (float)(nnc_data_label(d, i) == (unsigned)j);
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 3, 4, &net));
    size_t P = nnc_net_param_count(net);
    float *g = malloc(P * sizeof *g), *before = malloc(P * sizeof *before);
    memcpy(before, nnc_net_params(net), P * sizeof *before);
    assert_ok(nnc_gradient(net, x, y, N, 0.0, NULL, g));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 1, o.batch_size = N, o.shuffle = 0, o.eta = 0.5f, o.lambda = 3.0f;
    assert_ok(nnc_train(net, d, &o, NULL));
    /* w <- (1 - eta lambda / n) w - (eta / m) Σ∇w; biases without decay */
    const float *after = nnc_net_params(net);
    size_t w1 = IN * 4, b1 = 4, w2 = 4 * OUT;
    for (size_t i = 0; i < P; i++) {
        int is_bias = (i >= w1 && i < w1 + b1) || i >= w1 + b1 + w2;
        double decay = is_bias ? 1.0 : 1.0 - 0.5 * 3.0 / N;
        double want = decay * before[i] - 0.5 / N * g[i];
        if (!(fabs(after[i] - want) <= 1e-6 * (1 + fabs(want))))
            fail_msg("parameter %zu: %.9g, network2's update gives %.9g", i, after[i], want);
    }
    free(g);
    free(before);
    nnc_net_free(net);
    nnc_data_free(d);
}

static double mean_cost(const nnc_net *net, const nnc_data *d)
{
    size_t correct;
    double c;
    assert_ok(nnc_measure_data(net, d, &correct, &c));
    return c;
}

static void every_optimizer_decreases_the_cost(void **state)
{
    (void)state;
    nnc_data *d = problem(NULL);
    const size_t sizes[] = {IN, 8, OUT};
    const nnc_optimizer kinds[] = {NNC_OPT_SGD, NNC_OPT_MOMENTUM, NNC_OPT_NESTEROV,
                                   NNC_OPT_ADAM};
    const float etas[] = {1.0f, 0.1f, 0.1f, 0.01f};
    for (int k = 0; k < 4; k++) {
        nnc_net_spec spec;
        nnc_net_spec_init(&spec, sizes, 3);
        spec.cost = NNC_COST_CROSS_ENTROPY;
        spec.seed = 9;
        nnc_net *net;
        assert_ok(nnc_net_create_spec(&spec, &net));
        double before = mean_cost(net, d);
        nnc_train_opts o;
        nnc_train_opts_init(&o);
        o.epochs = 30, o.batch_size = 6, o.eta = etas[k], o.optimizer = kinds[k];
        assert_ok(nnc_train(net, d, &o, NULL));
        double after = mean_cost(net, d);
        if (!(after < 0.7 * before))
            fail_msg("optimiser %d: cost %.4f -> %.4f", k, before, after);
        nnc_net_free(net);
    }
    nnc_data_free(d);
}

/* A [1,1] network, one sample: w, b after two steps of an optimiser. */
static void two_steps(nnc_optimizer kind, float eta, float w0, float b0, float *w, float *b)
{
    const size_t sizes[] = {1, 1};
    const float x[1] = {0.8f}, y[1] = {1.0f};
    const uint8_t label[1] = {0};
    nnc_net *net;
    nnc_data *d;
    assert_ok(nnc_net_create(sizes, 2, 0, &net));
    nnc_net_weights(net, 1)[0] = w0;
    nnc_net_biases(net, 1)[0] = b0;
    assert_ok(nnc_data_from_floats(x, label, 1, 1, &d));
    assert_ok(nnc_data_set_targets(d, y, 1));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 2, o.batch_size = 1, o.eta = eta, o.optimizer = kind, o.momentum = 0.5f;
    assert_ok(nnc_train(net, d, &o, NULL));
    *w = nnc_net_weights(net, 1)[0];
    *b = nnc_net_biases(net, 1)[0];
    nnc_net_free(net);
    nnc_data_free(d);
}

/* ∂C/∂w and ∂C/∂b of ½(σ(wx + b) − 1)² at x = 0.8, by hand. */
static void grad_by_hand(double w, double b, double *gw, double *gb)
{
    double a = 1.0 / (1.0 + exp(-(w * 0.8 + b)));
    double delta = (a - 1.0) * a * (1.0 - a);
    *gw = delta * 0.8;
    *gb = delta;
}

static void optimizer_steps_match_hand_computation(void **state)
{
    (void)state;
    const double w0 = 0.3, b0 = -0.2, eta = 0.1, mu = 0.5;
    double gw, gb, w, b;
    float fw, fb;

    /* Adam: m = β1 m + (1−β1) g, v = β2 v + (1−β2) g², step η m̂ / (√v̂ + ε) */
    double mw = 0, vw = 0, mb = 0, vb = 0;
    w = w0, b = b0;
    for (int t = 1; t <= 2; t++) {
        grad_by_hand(w, b, &gw, &gb);
        mw = 0.9 * mw + 0.1 * gw, vw = 0.999 * vw + 0.001 * gw * gw;
        mb = 0.9 * mb + 0.1 * gb, vb = 0.999 * vb + 0.001 * gb * gb;
        double c1 = 1 - pow(0.9, t), c2 = 1 - pow(0.999, t);
        w -= eta * (mw / c1) / (sqrt(vw / c2) + 1e-8);
        b -= eta * (mb / c1) / (sqrt(vb / c2) + 1e-8);
    }
    two_steps(NNC_OPT_ADAM, (float)eta, (float)w0, (float)b0, &fw, &fb);
    assert_true(fabs(fw - w) < 1e-6 && fabs(fb - b) < 1e-6);
    assert_true(fabs(w - w0 - 0.2) < 1e-3);   /* Adam's first steps are ~η each */

    /* momentum: v = μv − ηg; w += v */
    double v_w = 0, v_b = 0;
    w = w0, b = b0;
    for (int t = 0; t < 2; t++) {
        grad_by_hand(w, b, &gw, &gb);
        v_w = mu * v_w - eta * gw, v_b = mu * v_b - eta * gb;
        w += v_w, b += v_b;
    }
    two_steps(NNC_OPT_MOMENTUM, (float)eta, (float)w0, (float)b0, &fw, &fb);
    assert_true(fabs(fw - w) < 1e-6 && fabs(fb - b) < 1e-6);

    /* Nesterov, look-ahead form: v' = μv − ηg; w += −μv + (1+μ)v' */
    v_w = 0, v_b = 0, w = w0, b = b0;
    for (int t = 0; t < 2; t++) {
        grad_by_hand(w, b, &gw, &gb);
        double nw = mu * v_w - eta * gw, nb = mu * v_b - eta * gb;
        w += -mu * v_w + (1 + mu) * nw, b += -mu * v_b + (1 + mu) * nb;
        v_w = nw, v_b = nb;
    }
    two_steps(NNC_OPT_NESTEROV, (float)eta, (float)w0, (float)b0, &fw, &fb);
    assert_true(fabs(fw - w) < 1e-6 && fabs(fb - b) < 1e-6);
}

static void dropout_keeps_expectation_and_is_off_at_evaluation(void **state)
{
    (void)state;
    enum { M = 200000 };
    float *a = malloc(M * sizeof *a), *mask = malloc(M * sizeof *mask),
          *out = malloc(M * sizeof *out);
    for (int i = 0; i < M; i++)
        a[i] = 0.25f + (float)(i % 4) * 0.25f;    /* mean 0.625 */
    nnc__rng r;
    nnc__rng_seed(&r, 5);
    nnc__drop_units(&r, 0.7f, a, mask, out, M);
    double sum_a = 0, sum_out = 0, zeros = 0;
    for (int i = 0; i < M; i++) {
        sum_a += a[i], sum_out += out[i], zeros += mask[i] == 0.0f;
        assert_true(mask[i] == 0.0f || fabsf(mask[i] - 1.0f / 0.7f) < 1e-6f);
    }
    assert_true(fabs(sum_out / sum_a - 1.0) < 0.01);     /* expectation kept */
    assert_true(fabs(zeros / M - 0.3) < 0.005);           /* 30% dropped */
    free(a), free(mask), free(out);

    /* trained with dropout, evaluated without: the same input gives the
     * same output twice, and it is the plain forward pass */
    float x[N * IN];
    nnc_data *d = problem(x);
    const size_t sizes[] = {IN, 16, 16, OUT};
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 4, 2, &net));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 3, o.eta = 0.5f, o.dropout = 0.5f;
    assert_ok(nnc_train(net, d, &o, NULL));
    float out1[N * OUT], out2[N * OUT];
    assert_ok(nnc_feedforward(net, x, N, out1));
    assert_ok(nnc_feedforward(net, x, N, out2));
    assert_memory_equal(out1, out2, sizeof out1);
    nnc_net_free(net);
    nnc_data_free(d);
}

typedef struct {
    int    calls;
    double valid_cost, train_cost;
    size_t test_n;
} seen;

static int watch(nnc_net *net, const nnc_epoch_report *r, void *user)
{
    (void)net;
    seen *s = user;
    s->calls++;
    s->valid_cost = r->valid.cost;
    s->train_cost = r->train.cost;
    s->test_n = r->test.n;
    return 0;
}

static void monitoring_reports_what_was_asked(void **state)
{
    (void)state;
    nnc_data *d = problem(NULL), *v;
    assert_ok(nnc_data_slice(d, 0, 20, &v));
    const size_t sizes[] = {IN, 6, OUT};
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 3, 3, &net));
    seen s = {0, 0, 0, 0};
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 2, o.lambda = 2.0f, o.validation = v;
    o.monitor = NNC_MONITOR_VALID_COST;
    o.on_epoch = watch, o.user = &s;
    assert_ok(nnc_train(net, d, &o, NULL));
    assert_int_equal(s.calls, 2);
    assert_true(isnan(s.train_cost));        /* not asked for */
    assert_int_equal(s.test_n, 0);
    /* valid cost = mean cost + (λ / 2n) Σ w², n = the training set's size */
    size_t correct;
    double c, w2 = 0;
    assert_ok(nnc_measure_data(net, v, &correct, &c));
    for (size_t l = 1; l < 3; l++)
        for (size_t i = 0; i < sizes[l - 1] * sizes[l]; i++)
            w2 += (double)nnc_net_weights(net, l)[i] * nnc_net_weights(net, l)[i];
    assert_true(fabs(s.valid_cost - (c + 0.5 * 2.0 / N * w2)) < 1e-6 * (1 + c));
    o.monitor = NNC_MONITOR_TEST_ACCURACY;    /* without test data: refused */
    assert_int_equal(nnc_train(net, d, &o, NULL), NNC_ERR_ARG);
    nnc_net_free(net);
    nnc_data_free(v);
    nnc_data_free(d);
}

static void schedule_halves_eta_and_stops(void **state)
{
    (void)state;
    nnc_data *d = problem(NULL), *v;
    assert_ok(nnc_data_slice(d, 0, 30, &v));
    const size_t sizes[] = {IN, 6, OUT};
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 3, 3, &net));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    /* eta so small nothing changes: accuracy never improves after epoch 0 */
    o.epochs = 50, o.eta = 1e-12f, o.validation = v;
    o.halve_after = 1, o.min_eta_factor = 0.25f;
    nnc_train_summary sum;
    assert_ok(nnc_train(net, d, &o, &sum));
    assert_int_equal(sum.best_epoch, 0);
    assert_int_equal(sum.epochs_run, 4);      /* eta, eta/2, eta/4, then eta/8 < eta/4 */
    assert_true(sum.final_eta == 1e-12f / 8);
    nnc_net_free(net);
    nnc_data_free(v);
    nnc_data_free(d);
}

static void early_stopping_keeps_the_best_network(void **state)
{
    (void)state;
    nnc_data *d = problem(NULL), *v;
    assert_ok(nnc_data_slice(d, 30, 30, &v));
    const size_t sizes[] = {IN, 6, OUT};
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 3, 8, &net));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 60, o.eta = 6.0f, o.batch_size = 3, o.validation = v, o.early_stop = 3;
    nnc_train_summary sum;
    assert_ok(nnc_train(net, d, &o, &sum));
    assert_true(sum.restored_best);
    /* best at epoch b, then 3 epochs without improvement: b + 4 epochs run */
    assert_true(sum.best_epoch >= 0);
    assert_int_equal(sum.epochs_run, (unsigned)sum.best_epoch + 4);
    assert_true(sum.epochs_run < 60);
    size_t correct;
    assert_ok(nnc_evaluate(net, v, &correct));
    assert_int_equal(correct, sum.best_valid_correct);   /* the best one came back */
    nnc_net_free(net);
    nnc_data_free(v);
    nnc_data_free(d);
}

#if defined(__x86_64__) || defined(__SSE__)
/* A product whose exact value, 1e-40, is subnormal: 0 when flushed. */
static float subnormal_product(void)
{
    volatile float a = 1e-30f, b = 1e-10f;
    return a * b;
}

static int record_product(nnc_net *net, const nnc_epoch_report *r, void *user)
{
    (void)net, (void)r;
    *(float *)user = subnormal_product();
    return 0;
}
#endif

/* Training runs with subnormals flushed to zero (compute_scope.h) and gives
 * the caller's mode back. */
static void training_flushes_subnormals_and_restores_the_mode(void **state)
{
    (void)state;
#if defined(__x86_64__) || defined(__SSE__)
    unsigned before = _mm_getcsr();
    assert_true(subnormal_product() > 0.0f);   /* IEEE by default */
    nnc_data *d = problem(NULL);
    const size_t sizes[] = {IN, 4, OUT};
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 3, 1, &net));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 1, o.monitor = 0;
    float inside = -1.0f;
    o.on_epoch = record_product, o.user = &inside;
    assert_ok(nnc_train(net, d, &o, NULL));
    assert_true(inside == 0.0f);
    /* the mode; the six exception flags (the low bits) are the computation's */
    assert_int_equal(_mm_getcsr() & ~0x3fu, before & ~0x3fu);
    assert_true(subnormal_product() > 0.0f);
    nnc_net_free(net);
    nnc_data_free(d);
#else
    SKIP_TEST("subnormal flushing is x86 only");
#endif
}

/* The host program's OpenBLAS thread count is its own again after nnc ran
 * (nnc runs OpenBLAS on one thread meanwhile). */
static void openblas_threads_are_given_back(void **state)
{
    (void)state;
#ifdef NNC_HAVE_OPENBLAS
    int before = openblas_get_num_threads();
    openblas_set_num_threads(2);
    nnc_data *d = problem(NULL);
    const size_t sizes[] = {IN, 4, OUT};
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 3, 1, &net));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 1;
    assert_ok(nnc_train(net, d, &o, NULL));
    assert_int_equal(openblas_get_num_threads(), 2);
    size_t correct;
    assert_ok(nnc_evaluate(net, d, &correct));
    assert_int_equal(openblas_get_num_threads(), 2);
    openblas_set_num_threads(before);
    nnc_net_free(net);
    nnc_data_free(d);
#else
    SKIP_TEST("built without OpenBLAS");
#endif
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(openblas_threads_are_given_back),
    cmocka_unit_test(l2_update_is_network2s),
    cmocka_unit_test(every_optimizer_decreases_the_cost),
    cmocka_unit_test(optimizer_steps_match_hand_computation),
    cmocka_unit_test(dropout_keeps_expectation_and_is_off_at_evaluation),
    cmocka_unit_test(monitoring_reports_what_was_asked),
    cmocka_unit_test(schedule_halves_eta_and_stops),
    cmocka_unit_test(early_stopping_keeps_the_best_network),
    cmocka_unit_test(training_flushes_subnormals_and_restores_the_mode),
};
TEST_GROUP(features_tests, "features", tests);
