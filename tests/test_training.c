/* test_training.c — SGD learns, the generator is reproducible, bad
 * arguments are refused with a message. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "math/backprop.h"
#include "runtime/threads.h"
#include "testutil.h"

static void tiny_network_learns_xor(void **state)
{
    (void)state;
    const float x[] = {0, 0, 0, 1, 1, 0, 1, 1}, y[] = {0, 1, 1, 0};
    const uint8_t labels[] = {0, 1, 1, 0};
    const size_t sizes[] = {2, 4, 1};
    nnc_net *net;
    nnc_data *data;
    assert_ok(nnc_net_create(sizes, 3, 1, &net));
    assert_ok(nnc_data_from_floats(x, labels, 4, 2, &data));
    assert_ok(nnc_data_set_targets(data, y, 1));
    double before, after;
    assert_ok(nnc_gradient(net, x, y, 4, 0.0, &before, NULL));
    nnc_train_opts opts;
    nnc_train_opts_init(&opts);
    opts.epochs = 4000;
    opts.batch_size = 4;
    opts.eta = 2.0f;
    assert_ok(nnc_train(net, data, &opts, NULL));
    assert_ok(nnc_gradient(net, x, y, 4, 0.0, &after, NULL));
    float out[4];
    assert_ok(nnc_feedforward(net, x, 4, out));
    for (int i = 0; i < 4; i++)
        if (!(fabsf(out[i] - y[i]) < 0.1f))
            fail_msg("XOR(%g, %g) = %g after training (cost %g -> %g)", x[2 * i],
                     x[2 * i + 1], out[i], before, after);
    assert_true(after < 0.1 * before);
    nnc_data_free(data);
    nnc_net_free(net);
}

/* Trains a fresh [5,4,3] network for 3 epochs of shuffled SGD. */
static nnc_net *trained(uint64_t seed)
{
    uint64_t st = 99;
    float x[40 * 5];
    uint8_t labels[40];
    for (int i = 0; i < 40 * 5; i++)
        x[i] = test_uniform(&st, 0, 1);
    for (int i = 0; i < 40; i++)
        labels[i] = (uint8_t)(i % 3);
    const size_t sizes[] = {5, 4, 3};
    nnc_net *net;
    nnc_data *data;
    assert_ok(nnc_net_create(sizes, 3, seed, &net));
    assert_ok(nnc_data_from_floats(x, labels, 40, 5, &data));
    nnc_train_opts opts;
    nnc_train_opts_init(&opts);
    opts.epochs = 3;
    opts.batch_size = 7;   /* 40 = 5 x 7 + 5: a smaller last batch */
    assert_ok(nnc_train(net, data, &opts, NULL));
    nnc_data_free(data);
    return net;
}

static void same_seed_gives_bit_identical_networks(void **state)
{
    (void)state;
    const size_t sizes[] = {784, 30, 10};
    nnc_net *a, *b, *c;
    assert_ok(nnc_net_create(sizes, 3, 42, &a));
    assert_ok(nnc_net_create(sizes, 3, 42, &b));
    assert_ok(nnc_net_create(sizes, 3, 43, &c));
    size_t bytes = nnc_net_param_count(a) * sizeof(float);
    assert_int_equal(nnc_net_param_count(a), 784 * 30 + 30 + 30 * 10 + 10);
    assert_memory_equal(nnc_net_params(a), nnc_net_params(b), bytes);
    assert_memory_not_equal(nnc_net_params(a), nnc_net_params(c), bytes);
    nnc_net_free(a); nnc_net_free(b); nnc_net_free(c);

    nnc_net *t1 = trained(7), *t2 = trained(7), *t3 = trained(8);
    bytes = nnc_net_param_count(t1) * sizeof(float);
    assert_memory_equal(nnc_net_params(t1), nnc_net_params(t2), bytes);
    assert_memory_not_equal(nnc_net_params(t1), nnc_net_params(t3), bytes);
    nnc_net_free(t1); nnc_net_free(t2); nnc_net_free(t3);
}

/* The generator's normals have the moments of N(0, 1), and its shuffle is a
 * permutation that moves things. */
static void generator_draws_standard_normals(void **state)
{
    (void)state;
    nnc__rng r;
    nnc__rng_seed(&r, 2026);
    double s1 = 0, s2 = 0, s4 = 0;
    const int N = 200000;
    for (int i = 0; i < N; i++) {
        double v = nnc__rng_normal(&r);
        s1 += v; s2 += v * v; s4 += v * v * v * v;
    }
    assert_true(fabs(s1 / N) < 0.01);
    assert_true(fabs(s2 / N - 1) < 0.01);
    assert_true(fabs(s4 / N - 3) < 0.06);       /* kurtosis of a normal */
    size_t idx[100], seen[100] = {0}, moved = 0;
    for (size_t i = 0; i < 100; i++)
        idx[i] = i;
    nnc__rng_shuffle(&r, idx, 100);
    for (size_t i = 0; i < 100; i++) {
        seen[idx[i]]++;
        moved += idx[i] != i;
    }
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(seen[i], 1);
    assert_true(moved > 80);
}

/* Wide layers and large batches take the threaded BLAS path. */
static nnc_net *trained_with_threads(unsigned threads)
{
    enum { N = 384, IN = 784 };
    uint64_t st = 3;
    float *x = malloc(N * IN * sizeof *x);
    uint8_t labels[N];
    for (int i = 0; i < N * IN; i++)
        x[i] = test_uniform(&st, 0, 1);
    for (int i = 0; i < N; i++)
        labels[i] = (uint8_t)(i % 10);
    const size_t sizes[] = {IN, 1024, 300, 10};   /* the shapes where OpenBLAS's
                                                     own threads differed */
    nnc_net *net;
    nnc_data *data;
    assert_ok(nnc_net_create(sizes, 4, 5, &net));
    assert_ok(nnc_data_from_floats(x, labels, N, IN, &data));
    nnc_train_opts opts;
    nnc_train_opts_init(&opts);
    opts.epochs = 2;
    opts.batch_size = 128;
    opts.eta = 0.1f;
    opts.threads = threads;
    assert_ok(nnc_train(net, data, &opts, NULL));
    nnc_data_free(data);
    free(x);
    return net;
}

static void thread_count_does_not_change_results(void **state)
{
    (void)state;
    nnc_net *one = trained_with_threads(1), *two = trained_with_threads(2);
    assert_memory_equal(nnc_net_params(one), nnc_net_params(two),
                        nnc_net_param_count(one) * sizeof(float));
    nnc_net_free(one);
    nnc_net_free(two);
}

static void automatic_threads_keep_small_networks_on_one(void **state)
{
    (void)state;
    const size_t seed[] = {784, 30, 10}, wide[] = {784, 1024, 1024, 10};
    nnc_net *s, *w;
    assert_ok(nnc_net_create(seed, 3, 0, &s));
    assert_ok(nnc_net_create(wide, 4, 0, &w));
    assert_int_equal(nnc__threads_for(nnc__step_flops(s, 10), 0), 1);
    assert_true(nnc__threads_for(nnc__step_flops(w, 128), 0) >= 1);
    if (sysconf(_SC_NPROCESSORS_ONLN) >= 2)
        assert_true(nnc__threads_for(nnc__step_flops(w, 128), 0) >= 2);
    assert_int_equal(nnc__threads_for(nnc__step_flops(s, 10), 3), 3);   /* as asked */
    nnc_net_free(s);
    nnc_net_free(w);
}

static void bad_arguments_are_refused(void **state)
{
    (void)state;
    nnc_net *net = (nnc_net *)1;
    const size_t one[] = {5}, zero[] = {5, 0, 3};
    assert_int_equal(nnc_net_create(one, 1, 0, &net), NNC_ERR_ARG);
    assert_null(net);
    assert_int_equal(nnc_net_create(zero, 3, 0, &net), NNC_ERR_ARG);
    assert_non_null(strstr(nnc_last_error(), "layer 1"));

    const size_t sizes[] = {3, 2};
    const float x[] = {0.1f, 0.2f, 0.3f};
    const uint8_t bad_label[] = {2};
    nnc_data *data;
    assert_ok(nnc_net_create(sizes, 2, 0, &net));
    assert_ok(nnc_data_from_floats(x, bad_label, 1, 3, &data));
    nnc_train_opts opts;
    nnc_train_opts_init(&opts);
    assert_int_equal(nnc_train(net, data, &opts, NULL), NNC_ERR_MISMATCH);
    assert_non_null(strstr(nnc_last_error(), "label 2"));
    opts.batch_size = 0;
    assert_int_equal(nnc_train(net, data, &opts, NULL), NNC_ERR_ARG);
    nnc_data_free(data);
    nnc_net_free(net);
}

/* The trainer's padded block: weight rows start on cache lines, copying in
 * and out again gives the same parameters, and the padding stays zero. */
static void padded_layout_round_trips(void **state)
{
    (void)state;
    const size_t sizes[] = {784, 30, 10};
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 3, 3, &net));
    nnc__layout padded;
    assert_ok(nnc__layout_init(&padded, sizes, 3, 16));
    assert_int_equal(padded.stride[1], 32);
    assert_int_equal(padded.stride[2], 16);
    for (size_t l = 1; l < 3; l++) {
        assert_int_equal(padded.w_offset[l] % 16, 0);
        assert_int_equal(padded.b_offset[l] % 16, 0);
        assert_int_equal(net->packed.stride[l], sizes[l]);
    }
    assert_int_equal(net->packed.count, nnc_net_param_count(net));
    assert_int_equal(padded.count, 784 * 32 + 32 + 30 * 16 + 16);
    float *block = nnc__layout_alloc(&padded), *back = nnc__layout_alloc(&net->packed);
    assert_non_null(block);
    assert_non_null(back);
    assert_int_equal((uintptr_t)block % 64, 0);
    nnc__layout_copy(sizes, &net->packed, net->params, &padded, block);
    nnc__layout_copy(sizes, &padded, block, &net->packed, back);
    assert_memory_equal(back, net->params, net->n_params * sizeof(float));
    assert_true(block[padded.w_offset[1] + 5 * 32 + 7] == nnc_net_weights(net, 1)[5 * 30 + 7]);
    for (size_t p = 0; p < 784; p++)
        for (size_t j = 30; j < 32; j++)
            assert_true(block[padded.w_offset[1] + p * 32 + j] == 0.0f);
    free(block);
    free(back);
    nnc__layout_free(&padded);
    nnc_net_free(net);

    /* rows a multiple of 512 B long get one cache line more */
    const size_t wide[] = {784, 1024, 128, 100};
    assert_ok(nnc__layout_init(&padded, wide, 4, 16));
    assert_int_equal(padded.stride[1], 1040);
    assert_int_equal(padded.stride[2], 144);
    assert_int_equal(padded.stride[3], 112);
    nnc__layout_free(&padded);
    assert_ok(nnc__layout_init(&padded, wide, 4, 1));   /* packed: never */
    assert_int_equal(padded.stride[1], 1024);
    nnc__layout_free(&padded);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(tiny_network_learns_xor),
    cmocka_unit_test(same_seed_gives_bit_identical_networks),
    cmocka_unit_test(generator_draws_standard_normals),
    cmocka_unit_test(thread_count_does_not_change_results),
    cmocka_unit_test(automatic_threads_keep_small_networks_on_one),
    cmocka_unit_test(bad_arguments_are_refused),
    cmocka_unit_test(padded_layout_round_trips),
};
TEST_GROUP(training_tests, "training", tests);
