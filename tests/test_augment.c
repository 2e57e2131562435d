/* test_augment.c — distortions of image training data: the identity leaves
 * images as they are, a rotation moves pixels where it should, the elastic
 * field has the statistics its alpha and sigma ask for, runs are the same
 * for any thread count, only images are distorted, a checkpoint keeps them,
 * and distortions help a small network on a small part of MNIST. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "train/augment.h"
#include "testutil.h"

static const nnc_augment identity = {1, 0, 0, 0, 0, 0, 4};

/* n images of side x side pixel bytes: a blob in a random place each, and
 * labels 0 .. 2 by the blob's column third. */
static nnc_data *blobs(size_t n, size_t side, uint64_t seed)
{
    uint8_t *x = calloc(n * side * side, 1), *labels = malloc(n);
    assert_non_null(x);
    assert_non_null(labels);
    uint64_t st = seed;
    for (size_t i = 0; i < n; i++) {
        size_t cx = 1 + (size_t)test_uniform(&st, 0, (float)(side - 2.01f));
        size_t cy = 1 + (size_t)test_uniform(&st, 0, (float)(side - 2.01f));
        for (size_t y = cy - 1; y <= cy + 1; y++)
            for (size_t xx = cx - 1; xx <= cx + 1; xx++)
                x[i * side * side + y * side + xx] = (uint8_t)(120 + 40 * (xx == cx));
        labels[i] = (uint8_t)(cx * 3 / side);
    }
    nnc_data *d;
    assert_ok(nnc_data_from_bytes(x, labels, n, side * side, &d));
    free(x);
    free(labels);
    return d;
}

static void identity_leaves_images_unchanged(void **state)
{
    (void)state;
    nnc_data *d = blobs(20, 28, 5);
    nnc__aug_config c;
    assert_ok(nnc__aug_config_init(&c, &identity, 28, 28));
    float *scratch = malloc(nnc__aug_scratch(&c) * sizeof *scratch);
    uint8_t out[784];
    for (size_t i = 0; i < 20; i++) {
        nnc__aug_sample(&c, d, 7, 3, i, out, scratch);
        assert_memory_equal(out, d->st->x_u8 + i * 784, 784);
    }
    /* floats too, bit for bit */
    float in[784], fout[784];
    uint64_t st = 3;
    for (int i = 0; i < 784; i++)
        in[i] = test_uniform(&st, 0, 1);
    uint8_t lab = 0;
    nnc_data *f;
    assert_ok(nnc_data_from_floats(in, &lab, 1, 784, &f));
    nnc__aug_sample(&c, f, 7, 0, 0, fout, scratch);
    assert_memory_equal(fout, in, sizeof in);
    free(scratch);
    nnc_data_free(f);

    /* and a run with identity distortions is the run without them */
    const size_t sizes[] = {784, 12, 3};
    nnc_net *a, *b;
    assert_ok(nnc_net_create(sizes, 3, 9, &a));
    assert_ok(nnc_net_create(sizes, 3, 9, &b));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 2;
    o.eta = 0.5f;
    assert_ok(nnc_train(a, d, &o, NULL));
    o.augment = identity;
    assert_ok(nnc_train(b, d, &o, NULL));
    assert_memory_equal(a->params, b->params, a->n_params * sizeof(float));
    nnc_net_free(a);
    nnc_net_free(b);
    nnc_data_free(d);
}

static void rotation_moves_a_pixel_where_it_should(void **state)
{
    (void)state;
    enum { S = 29 };   /* centre (14, 14) on a pixel */
    nnc__aug_config c;
    assert_ok(nnc__aug_config_init(&c, &identity, S, S));
    float *scratch = malloc(nnc__aug_scratch(&c) * sizeof *scratch);
    float in[S * S] = {0}, out[S * S], sx[S * S], sy[S * S];
    in[14 * S + 24] = 1.0f;   /* (x 24, y 14): 10 right of the centre */
    nnc__aug_affine quarter = {(float)(3.14159265358979323846 / 2), 1, 1, 0, 0, 0};
    nnc__aug_map(&c, &quarter, 1, 0, 0, sx, sy, scratch);
    nnc__aug_resample(in, S, S, sx, sy, out, scratch);
    /* x turned towards y: 10 below the centre */
    assert_true(out[24 * S + 14] > 0.999f);
    float sum = 0;
    for (int i = 0; i < S * S; i++)
        sum += out[i];
    assert_true(fabsf(sum - 1.0f) < 1e-4f);

    /* 30 degrees, scaled by 2: (14 + 20 cos 30, 14 + 20 sin 30) shows it */
    nnc__aug_affine turn = {(float)(3.14159265358979323846 / 6), 2, 2, 0, 0, 0};
    in[14 * S + 24] = 0.0f;
    in[14 * S + 19] = 1.0f;   /* 5 right of the centre, x 2: 10 */
    nnc__aug_map(&c, &turn, 1, 0, 0, sx, sy, scratch);
    int best = 0;
    nnc__aug_resample(in, S, S, sx, sy, out, scratch);
    for (int i = 1; i < S * S; i++)
        best = out[i] > out[best] ? i : best;
    assert_int_equal(best % S, 14 + (int)lrint(10 * cos(3.14159265358979 / 6)));
    assert_int_equal(best / S, 14 + (int)lrint(10 * sin(3.14159265358979 / 6)));

    /* a shift of 3 pixels along x, with shear and scale at their identity */
    nnc__aug_affine shift = {0, 1, 1, 0, 3, 0};
    nnc__aug_map(&c, &shift, 1, 0, 0, sx, sy, scratch);
    nnc__aug_resample(in, S, S, sx, sy, out, scratch);
    assert_true(out[14 * S + 22] == 1.0f);
    free(scratch);
}

static void elastic_field_has_its_statistics(void **state)
{
    (void)state;
    const float alpha = 34.0f, sigma = 4.0f;
    nnc_augment p = identity;
    p.elastic_alpha = alpha;
    p.elastic_sigma = sigma;
    nnc__aug_config c;
    assert_ok(nnc__aug_config_init(&c, &p, 28, 28));
    float *scratch = malloc(nnc__aug_scratch(&c) * sizeof *scratch);
    float sx[784], sy[784];
    nnc__aug_affine none = {0, 1, 1, 0, 0, 0};
    /* pixels 12 .. 15 see the whole Gaussian (3 sigma = 12) */
    double sum = 0, sq = 0, cross = 0;
    size_t count = 0;
    for (size_t s = 0; s < 3000; s++) {
        nnc__aug_map(&c, &none, 42, 1, s, sx, sy, scratch);
        for (size_t y = 12; y < 16; y++)
            for (size_t x = 12; x < 16; x++) {
                double dx = sx[y * 28 + x] - (double)x, dy = sy[y * 28 + x] - (double)y;
                sum += dx + dy;
                sq += dx * dx + dy * dy;
                cross += dx * dy;
                count += 2;
            }
    }
    double mean = sum / (double)count, sd = sqrt(sq / (double)count - mean * mean);
    /* uniform noise has variance 1/3; a Gaussian of sigma keeps sum g^2 of
     * it per axis, 1 / (2 sigma sqrt(pi)) for the normalised kernel, so
     * sd = alpha / sqrt(3) / (2 sigma sqrt(pi)) = 1.384 px here */
    double expected = alpha / sqrt(3.0) / (2.0 * sigma * sqrt(3.14159265358979));
    print_message("    elastic field: mean %.4f, sd %.4f (expected %.4f)\n", mean, sd, expected);
    assert_true(fabs(mean) < 0.03 * expected);
    assert_true(fabs(sd / expected - 1.0) < 0.05);
    assert_true(fabs(cross / (double)(count / 2)) < 0.05 * expected * expected);   /* x, y apart */
    /* the same (seed, epoch, sample) draws the same field; another epoch another */
    float sx2[784], sy2[784];
    nnc__aug_map(&c, &none, 42, 1, 7, sx, sy, scratch);
    nnc__aug_map(&c, &none, 42, 1, 7, sx2, sy2, scratch);
    assert_memory_equal(sx, sx2, sizeof sx);
    nnc__aug_map(&c, &none, 42, 2, 7, sx2, sy2, scratch);
    assert_memory_not_equal(sx, sx2, sizeof sx);
    free(scratch);
}

/* The field's correlation between pixels d apart along either axis: a
 * Gaussian of sigma smoothing white noise leaves exp(-d^2 / (4 sigma^2)),
 * whichever lattice the noise lies on. */
static void elastic_field_correlates_over_sigma(void **state)
{
    (void)state;
    enum { S = 64, LO = 24, HI = 40 };   /* and 8 on: all of the Gaussian */
    const float sigmas[] = {1.5f, 2.5f, 4.0f};
    const int lags[] = {1, 2, 3, 4, 8};
    float *sx = malloc(S * S * sizeof *sx), *sy = malloc(S * S * sizeof *sy);
    assert_non_null(sx);
    assert_non_null(sy);
    for (size_t k = 0; k < sizeof sigmas / sizeof *sigmas; k++) {
        nnc_augment p = identity;
        p.elastic_alpha = 10.0f;
        p.elastic_sigma = sigmas[k];
        nnc__aug_config c;
        assert_ok(nnc__aug_config_init(&c, &p, S, S));
        float *scratch = malloc(nnc__aug_scratch(&c) * sizeof *scratch);
        assert_non_null(scratch);
        nnc__aug_affine none = {0, 1, 1, 0, 0, 0};
        double var = 0, prod[5] = {0};
        size_t count = 0;
        for (size_t s = 0; s < 3000; s++) {
            nnc__aug_map(&c, &none, 9, 0, s, sx, sy, scratch);
            for (size_t y = LO; y < HI; y++)
                for (size_t x = LO; x < HI; x++) {
                    double dx = sx[y * S + x] - (double)x, dy = sy[y * S + x] - (double)y;
                    var += dx * dx + dy * dy;
                    for (int l = 0; l < 5; l++) {   /* x's field along x, y's along y */
                        size_t d = (size_t)lags[l];
                        prod[l] += dx * (sx[y * S + x + d] - (double)(x + d)) +
                                   dy * (sy[(y + d) * S + x] - (double)(y + d));
                    }
                    count += 2;
                }
        }
        for (int l = 0; l < 5; l++) {
            double got = prod[l] / var, d = lags[l];
            double want = exp(-d * d / (4.0 * sigmas[k] * sigmas[k]));
            print_message("    sigma %.1f, lag %d: correlation %.3f (expected %.3f)\n",
                          (double)sigmas[k], lags[l], got, want);
            assert_true(fabs(got - want) < 0.02);
        }
        free(scratch);
    }
    free(sx);
    free(sy);
}

static void thread_count_does_not_change_distortions(void **state)
{
    (void)state;
    nnc_data *d = blobs(5000, 8, 11);   /* chunks of ~2048: made ahead */
    const size_t sizes[] = {64, 10, 3};
    nnc_net *net[3];
    unsigned threads[] = {1, 2, 2};
    for (int i = 0; i < 3; i++) {
        assert_ok(nnc_net_create(sizes, 3, 21, &net[i]));
        nnc_train_opts o;
        nnc_train_opts_init(&o);
        o.epochs = 2;
        o.eta = 0.5f;
        o.threads = threads[i];
        o.augment = (nnc_augment){1, 15, 0.1f, 0.1f, 1, 8, 2};
        if (i == 2)
            o.batch_size = 7;   /* a chunk not a power of two */
        assert_ok(nnc_train(net[i], d, &o, NULL));
    }
    assert_memory_equal(net[0]->params, net[1]->params, net[0]->n_params * sizeof(float));
    assert_memory_not_equal(net[0]->params, net[2]->params, net[0]->n_params * sizeof(float));
    for (int i = 0; i < 3; i++)
        nnc_net_free(net[i]);
    nnc_data_free(d);
}

static void only_images_are_distorted(void **state)
{
    (void)state;
    const float x[] = {0, 1, 2, 3, 4, 5};
    const uint8_t labels[] = {0, 1};
    nnc_data *d;
    assert_ok(nnc_data_from_floats(x, labels, 2, 3, &d));
    const size_t sizes[] = {3, 2, 2};
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 3, 1, &net));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.augment = identity;
    assert_int_equal(nnc_train(net, d, &o, NULL), NNC_ERR_ARG);
    assert_true(strncmp(nnc_last_error(), "augment:", 8) == 0);
    nnc_net_free(net);
    nnc_data_free(d);

    /* the recipe checks the ranges, naming the option */
    nnc_recipe *r;
    assert_ok(nnc_recipe_create(&r));
    assert_int_equal(nnc_recipe_set(r, "rotate", "-3"), NNC_ERR_ARG);
    assert_true(strncmp(nnc_last_error(), "rotate:", 7) == 0);
    assert_int_equal(nnc_recipe_set(r, "elastic-sigma", "0.1"), NNC_ERR_ARG);
    assert_int_equal(nnc_recipe_set(r, "augment", "maybe"), NNC_ERR_ARG);
    assert_ok(nnc_recipe_set(r, "zoom", "0.2"));   /* a range given turns them on */
    assert_ok(nnc_recipe_set(r, "schedule", "cosine"));
    nnc_recipe_free(r);
}

/* Trains [784, 100, 10] on 2,000 MNIST digits for a fixed number of epochs
 * and returns its validation count. */
static size_t small_run(const nnc_data *train, const nnc_data *valid, int augment)
{
    const size_t sizes[] = {784, 100, 10};
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, 3);
    spec.hidden = NNC_ACT_RELU;
    spec.cost = NNC_COST_SOFTMAX_LOGLIK;
    spec.init = NNC_INIT_HE;
    spec.seed = 3;
    nnc_net *net;
    assert_ok(nnc_net_create_spec(&spec, &net));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 30;
    o.eta = 0.05f;
    o.cosine = 1;
    if (augment)
        o.augment = (nnc_augment){1, 10, 0.1f, 0, 0, 34, 4};
    assert_ok(nnc_train(net, train, &o, NULL));
    size_t correct;
    assert_ok(nnc_evaluate(net, valid, &correct));
    nnc_net_free(net);
    return correct;
}

static void distortions_help_a_small_network(void **state)
{
    (void)state;
    const char *dir = mnist_dir();
    if (!dir)
        SKIP_TEST("NNC_MNIST_DIR not set");
    nnc_data *all, *valid, *train;
    assert_ok(nnc_mnist_load(dir, &all, &valid, NULL));
    assert_ok(nnc_data_slice(all, 0, 2000, &train));
    size_t plain = small_run(train, valid, 0), distorted = small_run(train, valid, 1);
    print_message("    2,000 digits, 30 epochs: %zu / 10000 plain, %zu distorted\n", plain,
                  distorted);
    assert_true(distorted > plain + 100);
    nnc_data_free(train);
    nnc_data_free(all);
    nnc_data_free(valid);
}

/* Stops a run after its second epoch, as an interruption would. */
static int stop_after_two(nnc_net *net, const nnc_epoch_report *report, void *user)
{
    (void)net, (void)user;
    return report->epoch == 1;
}

/* The bit of the recipe option called name. */
static uint64_t option_bit(const char *name)
{
    for (size_t i = 0; nnc_recipe_option(i); i++)
        if (strcmp(nnc_recipe_option(i), name) == 0)
            return UINT64_C(1) << i;
    fail_msg("no recipe option %s", name);
    return 0;
}

/* A checkpoint keeps the distortions and the schedule: the recipe resumes
 * with them, not given again, to the uninterrupted run's bits, and refuses
 * other distortions or another schedule, naming the option. */
static void resumed_distortions_are_the_same_run(void **state)
{
    (void)state;
    nnc_data *d = blobs(600, 8, 13);
    const size_t sizes[] = {64, 10, 3};
    const char *ck = scratch_path("augment-ck.nnc");
    nnc_net *once, *twice, *loaded;
    assert_ok(nnc_net_create(sizes, 3, 21, &once));
    assert_ok(nnc_net_create(sizes, 3, 21, &twice));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 4;
    o.eta = 0.5f;
    o.cosine = 1;
    o.augment = (nnc_augment){1, 15, 0.1f, 0.1f, 1, 8, 2};
    assert_ok(nnc_train(once, d, &o, NULL));
    o.checkpoint = ck;
    o.on_epoch = stop_after_two;
    assert_ok(nnc_train(twice, d, &o, NULL));
    nnc_net_free(twice);

    nnc_train_opts saved;
    nnc_train_opts_init(&saved);
    unsigned next;
    assert_ok(nnc_checkpoint_settings(ck, &saved, &next));
    assert_int_equal(next, 2);
    assert_int_equal(saved.epochs, 4);
    assert_int_equal(saved.cosine, 1);
    assert_memory_equal(&saved.augment, &o.augment, sizeof o.augment);
    char cmd[512], out[4096];   /* and says so */
    snprintf(cmd, sizeof cmd, "nnc info %s", ck);
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
    if (!strstr(out, "epoch 2 next of 4; schedule cosine; augment rotate 15, zoom 0.1, shear "
                     "0.1, shift 1, elastic-alpha 8, elastic-sigma 2"))
        fail_msg("%s", out);

    /* the recipe, given nothing but the checkpoint, continues the same run */
    nnc_recipe *r;
    uint64_t differ;
    assert_ok(nnc_recipe_create(&r));
    assert_ok(nnc_recipe_resume(r, ck, &next, &differ));
    assert_true(differ == 0);
    assert_ok(nnc_model_load(ck, &loaded));
    nnc_train_opts ro;
    assert_ok(nnc_recipe_train_opts(r, loaded, NULL, NULL, &ro));
    assert_int_equal(ro.cosine, 1);
    assert_memory_equal(&ro.augment, &o.augment, sizeof o.augment);
    ro.resume = ck;
    assert_ok(nnc_train(loaded, d, &ro, NULL));
    assert_memory_equal(once->params, loaded->params, once->n_params * sizeof(float));
    nnc_recipe_free(r);
    nnc_net_free(loaded);
    nnc_net_free(once);

    /* the same values given again are the same run; others are refused */
    const char *same[][2] = {{"rotate", "15"}, {"augment", "yes"}, {"schedule", "cosine"}};
    const char *other[][2] = {{"rotate", "10"},       {"elastic-sigma", "3"},
                              {"augment", "no"},      {"schedule", "constant"},
                              {"preset", "network2"}, {"preset", "simard"}};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        assert_ok(nnc_recipe_create(&r));
        assert_ok(nnc_recipe_set(r, same[i][0], same[i][1]));
        assert_ok(nnc_recipe_resume(r, ck, &next, &differ));
        assert_true(differ == 0);
        nnc_recipe_free(r);
    }
    for (size_t i = 0; i < sizeof other / sizeof *other; i++) {
        assert_ok(nnc_recipe_create(&r));
        assert_ok(nnc_recipe_set(r, other[i][0], other[i][1]));
        assert_int_equal(nnc_recipe_resume(r, ck, &next, &differ), NNC_ERR_MISMATCH);
        assert_true(differ == option_bit(other[i][0]));
        if (strncmp(nnc_last_error(), other[i][0], strlen(other[i][0])) != 0 ||
            !strstr(nnc_last_error(), "schedule cosine, augment rotate 15, zoom 0.1"))
            fail_msg("%s", nnc_last_error());
        nnc_recipe_free(r);
    }
    nnc_data_free(d);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(identity_leaves_images_unchanged),
    cmocka_unit_test(rotation_moves_a_pixel_where_it_should),
    cmocka_unit_test(elastic_field_has_its_statistics),
    cmocka_unit_test(elastic_field_correlates_over_sigma),
    cmocka_unit_test(thread_count_does_not_change_distortions),
    cmocka_unit_test(only_images_are_distorted),
    cmocka_unit_test(resumed_distortions_are_the_same_run),
    cmocka_unit_test(distortions_help_a_small_network),
};
TEST_GROUP(augment_tests, "augment", tests);
