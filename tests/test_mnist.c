/* test_mnist.c — end to end on real MNIST from $NNC_MNIST_DIR (skipped, and
 * counted as skipped, when it is not set). */
#include <stdlib.h>

#include "testutil.h"

static void loads_the_seed_split(void **state)
{
    (void)state;
    const char *dir = mnist_dir();
    if (!dir)
        SKIP_TEST("NNC_MNIST_DIR is not set to a folder");
    nnc_data *tr, *va, *te;
    assert_ok(nnc_mnist_load(dir, &tr, &va, &te));
    assert_int_equal(nnc_data_count(tr), 50000);
    assert_int_equal(nnc_data_count(va), 10000);
    assert_int_equal(nnc_data_count(te), 10000);
    assert_int_equal(nnc_data_dim(tr), 784);
    /* label counts of t10k as published with the files */
    const size_t want[10] = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};
    size_t count[10] = {0}, train_count[10] = {0};
    for (size_t i = 0; i < 10000; i++)
        count[nnc_data_label(te, i)]++;
    for (int c = 0; c < 10; c++)
        assert_int_equal(count[c], want[c]);
    /* training + validation together are the 60,000 training labels */
    const size_t want_train[10] = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
    for (size_t i = 0; i < 50000; i++)
        train_count[nnc_data_label(tr, i)]++;
    for (size_t i = 0; i < 10000; i++)
        train_count[nnc_data_label(va, i)]++;
    for (int c = 0; c < 10; c++)
        assert_int_equal(train_count[c], want_train[c]);
    nnc_data_free(tr);
    nnc_data_free(va);
    nnc_data_free(te);
}

static void seed_configuration_reaches_90_percent_in_3_epochs(void **state)
{
    (void)state;
    const char *dir = mnist_dir();
    if (!dir)
        SKIP_TEST("NNC_MNIST_DIR is not set to a folder");
    const size_t sizes[] = {784, 30, 10};
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, 3);
    spec.seed = 1;
    nnc_train_opts opts;
    nnc_train_opts_init(&opts);
    opts.epochs = 3;
    nnc_data *te;
    nnc_net *net = train_on_mnist(dir, &spec, &opts, &te);
    size_t correct;
    assert_ok(nnc_evaluate(net, te, &correct));
    print_message("    [784,30,10] after 3 epochs: %zu / 10000\n", correct);
    assert_true(correct >= 9000);
    nnc_net_free(net);
    nnc_data_free(te);
}

/* network2's chapter-3 setup at eta 0.5 (a numpy port gives 96.6% here). */
static void chapter3_configuration_reaches_96_percent_in_3_epochs(void **state)
{
    (void)state;
    const char *dir = mnist_dir();
    if (!dir)
        SKIP_TEST("NNC_MNIST_DIR is not set to a folder");
    const size_t sizes[] = {784, 100, 10};
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, 3);
    spec.cost = NNC_COST_CROSS_ENTROPY;
    spec.init = NNC_INIT_SCALED;
    spec.seed = 1;
    nnc_train_opts opts;
    nnc_train_opts_init(&opts);
    opts.epochs = 3;
    opts.eta = 0.5f;
    opts.lambda = 5.0f;
    nnc_data *te;
    nnc_net *net = train_on_mnist(dir, &spec, &opts, &te);
    size_t correct;
    assert_ok(nnc_evaluate(net, te, &correct));
    print_message("    [784,100,10] cross-entropy, lambda 5, after 3 epochs: %zu / 10000\n",
                  correct);
    assert_true(correct >= 9600);
    nnc_net_free(net);
    nnc_data_free(te);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(chapter3_configuration_reaches_96_percent_in_3_epochs),
    cmocka_unit_test(loads_the_seed_split),
    cmocka_unit_test(seed_configuration_reaches_90_percent_in_3_epochs),
};
TEST_GROUP(mnist_tests, "mnist", tests);
