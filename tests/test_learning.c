/* test_learning.c — each epoch's running measure (what the batches' forward
 * passes saw), the warnings of a run that stops learning, and inputs and
 * targets that are not numbers refused as the data's fault. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* The last epoch's report, and whether any epoch had a warning. */
typedef struct {
    nnc_epoch_report last;
    unsigned         any_warnings;
    unsigned         epochs;
} reports;

static int keep_report(nnc_net *net, const nnc_epoch_report *r, void *user)
{
    (void)net;
    reports *k = user;
    k->last = *r;
    k->any_warnings |= r->warnings;
    k->epochs++;
    return 0;
}

/* n samples of `dim` inputs in k blobs around corners of the unit cube, the
 * class the blob's; targets (when y is not NULL) a linear function. */
static void blobs(size_t n, size_t dim, unsigned k, float spread, float *x, uint8_t *labels,
                  float *y)
{
    uint64_t st = 5;
    for (size_t i = 0; i < n; i++) {
        labels[i] = (uint8_t)(i % k);
        for (size_t j = 0; j < dim; j++)
            x[i * dim + j] = (float)((labels[i] >> (j % 3)) & 1) + test_uniform(&st, -spread, spread);
        if (y)
            y[i] = 2.0f * x[i * dim] - x[i * dim + 1] + 0.5f;
    }
}

static nnc_net *net_of(const size_t *sizes, size_t layers, nnc_activation act, nnc_cost cost)
{
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, layers);
    spec.hidden = act;
    spec.cost = cost;
    spec.init = act == NNC_ACT_RELU ? NNC_INIT_HE : NNC_INIT_SCALED;
    spec.seed = 7;
    nnc_net *net;
    assert_ok(nnc_net_create_spec(&spec, &net));
    return net;
}

static void close_to(double got, double want, double rel, const char *what)
{
    if (!(fabs(got - want) <= rel * fabs(want) + 1e-12))
        fail_msg("%s: running %.9g, measured %.9g", what, got, want);
}

/* With the data in order and eta tiny, an epoch's running figures are a
 * measurement of the network over the training set: they equal a separate
 * one, for each cost's fast form. */
static void running_measure_equals_a_measurement(void **state)
{
    (void)state;
    enum { N = 300, D = 6 };
    float x[N * D], y[N];
    uint8_t labels[N];
    blobs(N, D, 4, 0.7f, x, labels, y);
    const nnc_cost costs[] = {NNC_COST_QUADRATIC, NNC_COST_CROSS_ENTROPY,
                              NNC_COST_SOFTMAX_LOGLIK, NNC_COST_MSE, NNC_COST_MAE,
                              NNC_COST_HUBER};
    for (size_t c = 0; c < sizeof costs / sizeof costs[0]; c++) {
        int regression = nnc_cost_is_regression(costs[c]);
        const size_t sizes[] = {D, 9, regression ? 1 : 4};
        nnc_net *net = net_of(sizes, 3, NNC_ACT_TANH, costs[c]);
        nnc_data *d;
        if (regression)
            assert_ok(nnc_data_from_targets(x, y, N, D, 1, &d));
        else
            assert_ok(nnc_data_from_floats(x, labels, N, D, &d));
        reports k = {0};
        nnc_train_opts o;
        nnc_train_opts_init(&o);
        o.epochs = 1, o.batch_size = 7, o.eta = 1e-9f, o.shuffle = 0;
        o.on_epoch = keep_report, o.user = &k;
        assert_ok(nnc_train(net, d, &o, NULL));
        const nnc_measure *run = &k.last.running;
        assert_int_equal(run->n, N);
        size_t correct;
        double cost;
        assert_ok(nnc_measure_data(net, d, &correct, &cost));
        close_to(run->cost, cost, 1e-5, "cost");
        if (regression) {
            double rmse, mae, r2;
            assert_ok(nnc_measure_regression(net, d, &rmse, &mae, &r2));
            close_to(run->rmse, rmse, 1e-5, "RMSE");
            close_to(run->mae, mae, 1e-5, "MAE");
            close_to(run->r2, r2, 1e-5, "R²");
            assert_int_equal(run->correct, 0);
        } else {
            assert_int_equal(run->correct, correct);
            assert_true(isnan(run->rmse));
        }
        nnc_data_free(d);
        nnc_net_free(net);
    }
}

/* The same on MNIST's real images: the tutorial's network, one epoch in
 * order at a tiny eta, against a measurement of the training set. */
static void running_measure_equals_a_measurement_on_mnist(void **state)
{
    (void)state;
    const char *dir = mnist_dir();
    if (!dir)
        SKIP_TEST("NNC_MNIST_DIR not set");
    nnc_data *train, *valid, *test;
    assert_ok(nnc_mnist_load(dir, &train, &valid, &test));
    const nnc_cost costs[] = {NNC_COST_QUADRATIC, NNC_COST_SOFTMAX_LOGLIK};
    for (size_t c = 0; c < 2; c++) {
        const size_t sizes[] = {784, 30, 10};
        nnc_net *net = net_of(sizes, 3, NNC_ACT_SIGMOID, costs[c]);
        reports k = {0};
        nnc_train_opts o;
        nnc_train_opts_init(&o);
        o.epochs = 1, o.eta = 1e-9f, o.shuffle = 0, o.on_epoch = keep_report, o.user = &k;
        assert_ok(nnc_train(net, train, &o, NULL));
        size_t correct;
        double cost;
        assert_ok(nnc_measure_data(net, train, &correct, &cost));
        assert_int_equal(k.last.running.n, 50000);
        assert_int_equal(k.last.running.correct, correct);
        close_to(k.last.running.cost, cost, 1e-5, "MNIST cost");
        nnc_net_free(net);
    }
    nnc_data_free(train);
    nnc_data_free(valid);
    nnc_data_free(test);
}

/* Normal training records the running measure every epoch, kept in the
 * network's history and in the .nnc files it is saved to; L2 is in its
 * cost as in the training measure's. */
static void running_measure_is_recorded_and_saved(void **state)
{
    (void)state;
    enum { N = 240, D = 5 };
    float x[N * D];
    uint8_t labels[N];
    blobs(N, D, 3, 0.3f, x, labels, NULL);
    const size_t sizes[] = {D, 8, 3};
    nnc_net *net = net_of(sizes, 3, NNC_ACT_SIGMOID, NNC_COST_CROSS_ENTROPY);
    nnc_data *d;
    assert_ok(nnc_data_from_floats(x, labels, N, D, &d));
    reports k = {0};
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 6, o.eta = 0.5f, o.lambda = 0.1f, o.monitor = NNC_MONITOR_TRAIN_COST;
    o.on_epoch = keep_report, o.user = &k;
    assert_ok(nnc_train(net, d, &o, NULL));
    size_t count;
    const nnc_epoch_report *h = nnc_net_history(net, &count);
    assert_int_equal(count, 6);
    for (size_t e = 0; e < count; e++) {
        assert_int_equal(h[e].running.n, N);
        assert_true(isfinite(h[e].running.cost) && h[e].running.cost > 0.0);
        assert_true(h[e].running.correct <= N);
        assert_int_equal(h[e].warnings, 0);
    }
    assert_true(h[5].running.correct > h[0].running.correct || h[5].running.correct == N);
    assert_true(h[5].running.cost < h[0].running.cost);
    /* the same scale as the training set's measured cost, L2 term included */
    assert_true(fabs(h[5].running.cost - h[5].train.cost) < 0.5 * h[5].train.cost);
    const char *path = scratch_path("running.nnc");
    assert_ok(nnc_model_save(net, path));
    nnc_net *back;
    assert_ok(nnc_model_load(path, &back));
    size_t back_count;
    const nnc_epoch_report *b = nnc_net_history(back, &back_count);
    assert_int_equal(back_count, count);
    for (size_t e = 0; e < count; e++) {
        assert_memory_equal(&b[e].running, &h[e].running, sizeof h[e].running);
        assert_int_equal(b[e].warnings, h[e].warnings);
        assert_int_equal(b[e].warning_layer, h[e].warning_layer);
    }
    nnc_net_free(back);
    nnc_net_free(net);
    nnc_data_free(d);
}

/* Files written before the running measure existed still load; their
 * epochs have none (cost NaN, n 0) and no warnings. */
static void old_files_load_without_running_measures(void **state)
{
    (void)state;
    const char *files[] = {SRC("tests/data/old-model-v1.nnc"),
                           SRC("tests/data/old-checkpoint-v1.nnc")};
    for (size_t f = 0; f < 2; f++) {
        nnc_net *net;
        assert_ok(nnc_model_load(files[f], &net));
        size_t count;
        const nnc_epoch_report *h = nnc_net_history(net, &count);
        for (size_t e = 0; e < count; e++) {
            assert_true(isnan(h[e].running.cost));
            assert_int_equal(h[e].running.n, 0);
            assert_int_equal(h[e].warnings, 0);
        }
        /* saved again, the entries carry the (empty) running measure */
        assert_ok(nnc_model_save(net, scratch_path("resaved-v1.nnc")));
        nnc_net *back;
        assert_ok(nnc_model_load(scratch_path("resaved-v1.nnc"), &back));
        size_t back_count;
        nnc_net_history(back, &back_count);
        assert_int_equal(back_count, count);
        nnc_net_free(back);
        nnc_net_free(net);
    }
}

/* Trains a net of `act` on the blobs at eta for `epochs`; the reports. */
static reports run_blobs(nnc_activation act, nnc_cost cost, float eta, unsigned epochs)
{
    enum { N = 600, D = 6 };
    float x[N * D];
    uint8_t labels[N];
    blobs(N, D, 4, 0.3f, x, labels, NULL);
    const size_t sizes[] = {D, 12, 4};
    nnc_net *net = net_of(sizes, 3, act, cost);
    nnc_data *d;
    assert_ok(nnc_data_from_floats(x, labels, N, D, &d));
    reports k = {0};
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = epochs, o.eta = eta, o.on_epoch = keep_report, o.user = &k;
    assert_ok(nnc_train(net, d, &o, NULL));
    assert_int_equal(k.epochs, epochs);
    nnc_net_free(net);
    nnc_data_free(d);
    return k;
}

static void warning_says(const nnc_epoch_report *r, const char *words)
{
    char text[512];
    size_t len = nnc_epoch_warning(r, text, sizeof text);
    assert_int_equal(len, strlen(text));
    if (!strstr(text, words))
        fail_msg("warning '%s' (bits 0x%x) should say '%s'", text, r->warnings, words);
}

/* A run that stops learning says so, naming the likely cause; a sound one
 * says nothing. */
static void stuck_runs_are_warned_about(void **state)
{
    (void)state;
    reports sound = run_blobs(NNC_ACT_SIGMOID, NNC_COST_CROSS_ENTROPY, 0.5f, 5);
    assert_int_equal(sound.any_warnings, 0);
    assert_true(sound.last.running.correct > sound.last.running.n * 9 / 10);
    char text[16] = "x";
    assert_int_equal(nnc_epoch_warning(&sound.last, text, sizeof text), 0);
    assert_string_equal(text, "");

    reports huge = run_blobs(NNC_ACT_SIGMOID, NNC_COST_QUADRATIC, 1e9f, 3);
    assert_true(huge.last.warnings & NNC_WARN_CHANCE);
    warning_says(&huge.last, "eta 1e+09 is likely too large");
    warning_says(&huge.last, "chance level");

    reports relu = run_blobs(NNC_ACT_RELU, NNC_COST_SOFTMAX_LOGLIK, 1000.0f, 3);
    assert_true(relu.last.warnings & (NNC_WARN_DEAD | NNC_WARN_CHANCE));
    if (relu.last.warnings & NNC_WARN_DEAD) {
        assert_int_equal(relu.last.warning_layer, 1);
        warning_says(&relu.last, "hidden layer 1 are all dead");
    }
    /* a short buffer gets what fits, and the full length */
    char small[10];
    size_t full = nnc_epoch_warning(&huge.last, NULL, 0);
    assert_int_equal(nnc_epoch_warning(&huge.last, small, sizeof small), full);
    assert_int_equal(strlen(small), sizeof small - 1);
}

/* A regression fed nothing to go on (its inputs all equal) can do no better
 * than its targets' mean, and says so; one that learns says nothing. */
static reports run_fit(int inputs_informative)
{
    enum { N = 300 };
    float x[N * 2], y[N];
    uint64_t st = 9;
    for (int i = 0; i < N; i++) {
        float a = test_uniform(&st, -1.0f, 1.0f), b = test_uniform(&st, -1.0f, 1.0f);
        x[2 * i] = inputs_informative ? a : 0.5f;
        x[2 * i + 1] = inputs_informative ? b : 0.5f;
        y[i] = 2.0f * a - b;
    }
    const size_t sizes[] = {2, 8, 1};
    nnc_net *net = net_of(sizes, 3, NNC_ACT_TANH, NNC_COST_MSE);
    nnc_data *d;
    assert_ok(nnc_data_from_targets(x, y, N, 2, 1, &d));
    reports k = {0};
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 4, o.batch_size = 10, o.eta = 0.05f;
    o.on_epoch = keep_report, o.user = &k;
    assert_ok(nnc_train(net, d, &o, NULL));
    nnc_net_free(net);
    nnc_data_free(d);
    return k;
}

static void a_regression_that_cannot_fit_is_warned_about(void **state)
{
    (void)state;
    reports blind = run_fit(0);
    assert_true(blind.last.warnings & NNC_WARN_NO_FIT);
    warning_says(&blind.last, "no better than each target's mean");
    reports seeing = run_fit(1);
    assert_int_equal(seeing.any_warnings, 0);
    assert_true(seeing.last.running.r2 > 0.5);
}

/* The same on MNIST: eta 1e9 is at chance and says eta is too large, ReLU
 * at eta 1000 is dead or at chance, the tutorial's run warns of nothing. */
static void stuck_mnist_runs_are_warned_about(void **state)
{
    (void)state;
    const char *dir = mnist_dir();
    if (!dir)
        SKIP_TEST("NNC_MNIST_DIR not set");
    nnc_data *train, *valid, *test;
    assert_ok(nnc_mnist_load(dir, &train, &valid, &test));
    const size_t sizes[] = {784, 30, 10};
    struct {
        nnc_activation act;
        nnc_init       init;
        float          eta;
        unsigned       epochs;
        unsigned       want;   /* one of these bits; 0: none at all */
    } runs[] = {
        {NNC_ACT_SIGMOID, NNC_INIT_NORMAL, 3.0f, 10, 0},
        {NNC_ACT_SIGMOID, NNC_INIT_NORMAL, 1e9f, 2, NNC_WARN_CHANCE},
        {NNC_ACT_RELU, NNC_INIT_HE, 1000.0f, 2, NNC_WARN_DEAD | NNC_WARN_CHANCE},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        nnc_net_spec spec;
        nnc_net_spec_init(&spec, sizes, 3);
        spec.hidden = runs[i].act, spec.init = runs[i].init;
        nnc_net *net;
        assert_ok(nnc_net_create_spec(&spec, &net));
        reports k = {0};
        nnc_train_opts o;
        nnc_train_opts_init(&o);
        o.epochs = runs[i].epochs, o.eta = runs[i].eta;
        o.monitor = NNC_MONITOR_TEST_ACCURACY, o.test = test;
        o.on_epoch = keep_report, o.user = &k;
        assert_ok(nnc_train(net, train, &o, NULL));
        char text[512];
        nnc_epoch_warning(&k.last, text, sizeof text);
        if (runs[i].want ? !(k.last.warnings & runs[i].want) : k.any_warnings != 0)
            fail_msg("run %zu (eta %g): warnings 0x%x, test %zu / %zu: '%s'", i,
                     (double)runs[i].eta, k.any_warnings, k.last.test.correct, k.last.test.n,
                     text);
        if (runs[i].eta == 1e9f)
            warning_says(&k.last, "eta 1e+09 is likely too large");
        nnc_net_free(net);
    }
    nnc_data_free(train);
    nnc_data_free(valid);
    nnc_data_free(test);
}

static void expect_refused(const nnc_data *train, const nnc_data *valid, const char *words)
{
    const size_t sizes[] = {3, 4, 2};
    nnc_net *net = net_of(sizes, 3, NNC_ACT_SIGMOID, NNC_COST_MSE);
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 1, o.eta = 0.1f;
    if (valid)
        o.validation = valid, o.monitor = NNC_MONITOR_VALID_COST;
    assert_int_equal(nnc_train(net, train, &o, NULL), NNC_ERR_FORMAT);
    if (!strstr(nnc_last_error(), words))
        fail_msg("message '%s' should say '%s'", nnc_last_error(), words);
    nnc_net_free(net);
}

/* NaN or infinite inputs and targets are the data's fault: refused when a
 * dataset is made of them and, should borrowed inputs change later, before
 * training, naming the row and column, not blamed on eta. */
static void non_finite_data_is_refused_naming_row_and_column(void **state)
{
    (void)state;
    enum { N = 6 };
    float x[N * 3], y[N * 2];
    uint8_t labels[N] = {0};
    for (int i = 0; i < N * 3; i++)
        x[i] = (float)i / 10.0f;
    for (int i = 0; i < N * 2; i++)
        y[i] = (float)i;
    nnc_data *d = NULL;
    y[2 * 2 + 1] = NAN;   /* row 3, target column 2 */
    assert_int_equal(nnc_data_from_targets(x, y, N, 3, 2, &d), NNC_ERR_FORMAT);
    assert_null(d);
    assert_string_equal(nnc_last_error(),
                        "(memory): row 3, target column 2: nan is not a finite number");
    assert_int_equal(nnc_data_borrow_floats(x, NULL, y, N, 3, 2, &d), NNC_ERR_FORMAT);
    y[2 * 2 + 1] = 1.0f;
    x[4 * 3 + 0] = INFINITY;   /* row 5, column 1 */
    assert_int_equal(nnc_data_from_floats(x, labels, N, 3, &d), NNC_ERR_FORMAT);
    assert_string_equal(nnc_last_error(), "(memory): row 5, column 1: inf is not a finite number");
    x[4 * 3 + 0] = 0.0f;
    /* borrowed inputs changed after the dataset was made: nnc_train says so */
    nnc_data *borrowed, *good, *valid;
    assert_ok(nnc_data_borrow_floats(x, NULL, y, N, 3, 2, &borrowed));
    assert_ok(nnc_data_from_targets(x, y, N, 3, 2, &good));
    x[4 * 3 + 0] = -INFINITY;
    expect_refused(borrowed, NULL, "(memory): row 5, column 1: -inf is not a finite number");
    /* a validation set's too, counted in its source */
    assert_ok(nnc_data_slice(borrowed, 2, 4, &valid));
    expect_refused(good, valid, "row 5, column 1: -inf");
    nnc_data_free(valid);
    nnc_data_free(good);
    nnc_data_free(borrowed);
}

/* What a progress callback sees: the running figures of the samples so far,
 * and with progress_params the weights as they stand. */
typedef struct {
    const nnc_net *net;
    size_t         calls, bad_counts;
    float          last_weight;   /* W_1[0][0] at the last call          */
    float          first_weight;  /* at the first call                   */
    nnc_measure    last;
} watch;

static void watch_progress(const nnc_progress *p, void *user)
{
    watch *w = user;
    float now = nnc_net_params_const(w->net)[0];
    if (!w->calls++)
        w->first_weight = now;
    w->last_weight = now;
    w->bad_counts += p->running.n != p->samples_done || p->running.correct > p->running.n;
    w->last = p->running;
}

static void progress_sees_the_epoch_as_it_goes(void **state)
{
    (void)state;
    enum { N = 20000, D = 6 };
    static float x[N * D];
    static uint8_t labels[N];
    blobs(N, D, 4, 0.5f, x, labels, NULL);
    nnc_data *d;
    assert_ok(nnc_data_from_floats(x, labels, N, D, &d));
    const size_t sizes[] = {D, 8, 4};
    nnc_net *with = net_of(sizes, 3, NNC_ACT_SIGMOID, NNC_COST_CROSS_ENTROPY);
    nnc_net *without = net_of(sizes, 3, NNC_ACT_SIGMOID, NNC_COST_CROSS_ENTROPY);
    float start = nnc_net_params(with)[0];
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 1, o.eta = 0.5f;
    watch w;
    memset(&w, 0, sizeof w);
    w.net = with;
    o.on_progress = watch_progress, o.user = &w, o.progress_params = 1;
    assert_ok(nnc_train(with, d, &o, NULL));
    assert_true(w.calls >= 4);   /* every 4096 samples, and at the end */
    assert_int_equal(w.bad_counts, 0);
    assert_int_equal(w.last.n, N);
    assert_true(w.last.correct > N / 2);
    /* the weights moved within the epoch, and the last look saw the epoch's end */
    assert_true(w.first_weight != start);
    assert_true(w.last_weight == nnc_net_params(with)[0]);
    /* looking changes nothing */
    o.on_progress = NULL, o.progress_params = 0, o.user = NULL;
    assert_ok(nnc_train(without, d, &o, NULL));
    assert_memory_equal(nnc_net_params(with), nnc_net_params(without),
                        nnc_net_param_count(with) * sizeof(float));
    nnc_net_free(with);
    nnc_net_free(without);
    nnc_data_free(d);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(running_measure_equals_a_measurement),
    cmocka_unit_test(running_measure_equals_a_measurement_on_mnist),
    cmocka_unit_test(running_measure_is_recorded_and_saved),
    cmocka_unit_test(old_files_load_without_running_measures),
    cmocka_unit_test(stuck_runs_are_warned_about),
    cmocka_unit_test(a_regression_that_cannot_fit_is_warned_about),
    cmocka_unit_test(stuck_mnist_runs_are_warned_about),
    cmocka_unit_test(non_finite_data_is_refused_naming_row_and_column),
    cmocka_unit_test(progress_sees_the_epoch_as_it_goes),
};
TEST_GROUP(learning_tests, "learning", tests);
