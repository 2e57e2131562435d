/* test_reference.c — one epoch of nnc's SGD against the tutorial's simple_nn.py.
 * The numbers come from tests/reference/tutorial_reference.py (float64 numpy,
 * the tutorial's own update_mini_batch), kept in tests/reference/tutorial_epoch.txt. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define REF_FILE SRC("tests/reference/tutorial_epoch.txt")
#define MAXN 16

/* Reads "<tag> W<l>" / "<tag> b<l>" lines into nnc's layout (W transposed). */
static void read_params(FILE *f, const char *tag, const size_t *sizes, size_t L,
                        double *out)
{
    size_t off = 0;
    char t[16], name[16];
    for (size_t l = 1; l <= L; l++) {
        size_t n_in = sizes[l - 1], n = sizes[l];
        assert_int_equal(fscanf(f, "%15s %15s", t, name), 2);
        assert_string_equal(t, tag);
        for (size_t j = 0; j < n; j++)          /* the tutorial's w[j][k], n x n_in */
            for (size_t k = 0; k < n_in; k++)
                assert_int_equal(fscanf(f, "%lf", &out[off + k * n + j]), 1);
        off += n_in * n;
        assert_int_equal(fscanf(f, "%15s %15s", t, name), 2);
        for (size_t j = 0; j < n; j++)
            assert_int_equal(fscanf(f, "%lf", &out[off + j]), 1);
        off += n;
    }
}

static void one_epoch_matches_seed(void **state)
{
    (void)state;
    FILE *f = fopen(REF_FILE, "r");
    if (!f)
        fail_msg("cannot open %s (run the tests from the repository root)", REF_FILE);
    size_t sizes[MAXN], n_layers = 0, samples, batch;
    double eta;
    char word[16];
    assert_int_equal(fscanf(f, "%15s", word), 1);
    assert_string_equal(word, "sizes");
    while (fscanf(f, "%zu", &sizes[n_layers]) == 1)
        n_layers++;
    assert_int_equal(fscanf(f, "%15s %zu %zu %lf", word, &samples, &batch, &eta), 4);
    size_t n0 = sizes[0], L = n_layers - 1;
    float *x = malloc(samples * n0 * sizeof *x);
    uint8_t labels[64];
    for (size_t i = 0; i < samples; i++) {
        unsigned c;
        assert_int_equal(fscanf(f, "%15s %u", word, &c), 2);
        labels[i] = (uint8_t)c;
        for (size_t j = 0; j < n0; j++) {
            double v;
            assert_int_equal(fscanf(f, "%lf", &v), 1);
            x[i * n0 + j] = (float)v;
        }
    }
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, n_layers, 0, &net));
    size_t P = nnc_net_param_count(net);
    double *start = malloc(P * sizeof *start), *end = malloc(P * sizeof *end);
    read_params(f, "start", sizes, L, start);
    read_params(f, "end", sizes, L, end);
    fclose(f);
    float *p = nnc_net_params(net);
    for (size_t i = 0; i < P; i++)
        p[i] = (float)start[i];             /* exact: the script rounded them */

    nnc_data *data;
    assert_ok(nnc_data_from_floats(x, labels, samples, n0, &data));
    nnc_train_opts opts;
    nnc_train_opts_init(&opts);
    opts.epochs = 1;
    opts.batch_size = batch;
    opts.eta = (float)eta;
    opts.shuffle = 0;                       /* the script's fixed order */
    assert_ok(nnc_train(net, data, &opts, NULL));
    double worst = 0;
    for (size_t i = 0; i < P; i++) {
        double err = fabs(p[i] - end[i]) / (1 + fabs(end[i]));
        worst = err > worst ? err : worst;
        if (!(err <= 2e-6))
            fail_msg("parameter %zu: nnc %.9g, seed %.9g", i, p[i], end[i]);
        /* and the epoch really moved it, so equality is not trivial */
    }
    double moved = 0;
    for (size_t i = 0; i < P; i++)
        moved = fmax(moved, fabs(end[i] - start[i]));
    assert_true(moved > 1e-2);
    print_message("    largest relative difference to the tutorial: %.3g\n", worst);
    nnc_data_free(data);
    nnc_net_free(net);
    free(x);
    free(start);
    free(end);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(one_epoch_matches_seed),
};
TEST_GROUP(reference_tests, "reference", tests);
