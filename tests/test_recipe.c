/* test_recipe.c — the recipe, the one owner of a run's decisions: names both
 * ways, options checked with their name in the message, presets under the
 * options given in any order, the shape, cost, scaling and optimiser chosen
 * from the data, splits, and the rules for a network or run from a file. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static nnc_recipe *recipe(const char *const *options)
{
    nnc_recipe *r;
    assert_ok(nnc_recipe_create(&r));
    for (size_t i = 0; options && options[i]; i += 2)
        assert_ok(nnc_recipe_set(r, options[i], options[i + 1]));
    return r;
}

/* Every name maps to its value and back, and a wrong one lists the valid. */
static void names_go_both_ways(void **state)
{
    (void)state;
    static const nnc_names_kind kinds[] = {NNC_NAMES_ACTIVATION, NNC_NAMES_COST, NNC_NAMES_INIT,
                                           NNC_NAMES_OPTIMIZER, NNC_NAMES_SCALING,
                                           NNC_NAMES_TASK};
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        int n = 0;
        for (int v = 0; nnc_name_of(kinds[k], v); v++, n++) {
            int back = -1;
            assert_ok(nnc_value_of(kinds[k], nnc_name_of(kinds[k], v), &back));
            assert_int_equal(back, v);
            assert_non_null(strstr(nnc_names_list(kinds[k]), nnc_name_of(kinds[k], v)));
        }
        assert_true(n >= 2);
    }
    assert_string_equal(nnc_name_of(NNC_NAMES_ACTIVATION, NNC_ACT_LEAKY_RELU), "leaky-relu");
    assert_string_equal(nnc_name_of(NNC_NAMES_COST, NNC_COST_SOFTMAX_LOGLIK), "softmax");
    assert_string_equal(nnc_name_of(NNC_NAMES_MONITOR, NNC_MONITOR_VALID_ACCURACY),
                        "valid-accuracy");
    int v;
    assert_int_equal(nnc_value_of(NNC_NAMES_ACTIVATION, "gelu", &v), NNC_ERR_ARG);
    assert_string_equal(nnc_last_error(), "'gelu' is not one of sigmoid, tanh, relu, leaky-relu");
    assert_null(nnc_name_of(NNC_NAMES_OPTIMIZER, 99));
}

/* Bad values are refused with the option's name; the recipe stays as it was. */
static void options_are_checked_where_they_are_given(void **state)
{
    (void)state;
    static const struct {
        const char *option, *value, *message;
    } bad[] = {
        {"eta", "-1", "eta: the learning rate must be positive"},
        {"eta", "fast", "eta: 'fast' is not a number"},
        {"batch", "0", "batch: must be at least 1"},
        {"layers", "784", "layers: a network needs at least 2 layers"},
        {"hidden", "30,x", "hidden: '30,x' is not a list of layer sizes"},
        {"activation", "gelu", "activation: 'gelu' is not one of sigmoid, tanh, relu"},
        {"dropout", "1", "dropout: must be in [0, 1)"},
        {"preset", "fastest", "preset: 'fastest' is not one of tutorial, network2, best"},
        {"monitor", "train-cost,loss", "monitor: 'loss' is not one of train-cost"},
        {"valid-split", "1.5", "valid-split: a fraction between 0 and 1, not 1.5"},
        {"shuffle", "maybe", "shuffle: 'maybe' is not one of no, yes"},
        {"learning-rate", "3", "learning-rate: not an option of a recipe"},
    };
    nnc_recipe *r = recipe(NULL);
    assert_ok(nnc_recipe_set(r, "eta", "0.25"));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(nnc_recipe_set(r, bad[i].option, bad[i].value), NNC_ERR_ARG);
        if (strncmp(nnc_last_error(), bad[i].message, strlen(bad[i].message)) != 0)
            fail_msg("%s %s: '%s'", bad[i].option, bad[i].value, nnc_last_error());
    }
    nnc_data *d;
    static const float x[4] = {0.1f, 0.2f, 0.3f, 0.4f};
    static const uint8_t y[4] = {0, 1, 0, 1};
    assert_ok(nnc_data_from_floats(x, y, 4, 1, &d));
    nnc_net *net;
    assert_ok(nnc_recipe_make_net(r, d, &net));
    nnc_train_opts o;
    assert_ok(nnc_recipe_train_opts(r, net, NULL, NULL, &o));
    assert_true(o.eta == 0.25f);   /* the good value stayed */
    assert_int_equal(o.batch_size, 10);
    assert_true(nnc_recipe_given(r, "eta") && !nnc_recipe_given(r, "batch"));
    for (size_t i = 0; nnc_recipe_option(i); i++)
        assert_int_equal(nnc_recipe_given(r, nnc_recipe_option(i)),
                         !strcmp(nnc_recipe_option(i), "eta"));
    nnc_net_free(net);
    nnc_data_free(d);
    nnc_recipe_free(r);
}

/* A preset lies under the options, whatever order they come in. */
static void presets_lie_under_the_options_given(void **state)
{
    (void)state;
    static const char *const before[] = {"eta", "0.5", "preset", "network2", NULL};
    static const char *const after[] = {"preset", "network2", "eta", "0.5", NULL};
    static const float x[6] = {1, 2, 3, 4, 5, 6};
    static const uint8_t y[3] = {0, 9, 4};
    nnc_data *d;
    assert_ok(nnc_data_from_floats(x, y, 3, 2, &d));
    nnc_train_opts o[2];
    nnc_net *net[2];
    for (int i = 0; i < 2; i++) {
        nnc_recipe *r = recipe(i ? after : before);
        assert_ok(nnc_recipe_make_net(r, d, &net[i]));
        assert_ok(nnc_recipe_train_opts(r, net[i], NULL, NULL, &o[i]));
        nnc_recipe_free(r);
    }
    for (int i = 0; i < 2; i++) {
        assert_true(o[i].eta == 0.5f && o[i].lambda == 5.0f && o[i].epochs == 60);
        assert_int_equal(nnc_net_layers(net[i]), 3);
        assert_int_equal(nnc_net_size(net[i], 0), 2);
        assert_int_equal(nnc_net_size(net[i], 1), 100);      /* network2's hidden layer */
        assert_int_equal(nnc_net_size(net[i], 2), 10);       /* labels up to 9 */
        assert_int_equal(nnc_net_cost(net[i]), NNC_COST_CROSS_ENTROPY);
        assert_int_equal(nnc_net_record(net[i])->init, NNC_INIT_SCALED);
    }
    assert_memory_equal(nnc_net_params(net[0]), nnc_net_params(net[1]),
                        nnc_net_param_count(net[0]) * sizeof(float));
    /* no test set: the fit is shown on the training set */
    assert_int_equal(o[0].monitor, NNC_MONITOR_TRAIN_ACCURACY);
    nnc_net_free(net[0]);
    nnc_net_free(net[1]);
    nnc_data_free(d);
}

/* A regression table: linear outputs with mse, standard scaling for wide
 * inputs, Adam at 0.01 unless an optimiser, eta or preset is given. */
static void a_regression_gets_its_own_defaults(void **state)
{
    (void)state;
    float x[40], y[20];
    for (int i = 0; i < 20; i++) {
        x[2 * i] = 1000.0f * (float)i;
        x[2 * i + 1] = (float)(i % 3);
        y[i] = 0.5f * (float)i;
    }
    nnc_data *d;
    assert_ok(nnc_data_from_targets(x, y, 20, 2, 1, &d));
    nnc_recipe *r = recipe((const char *const[]){"hidden", "5,4", NULL});
    nnc_net *net;
    assert_ok(nnc_recipe_make_net(r, d, &net));
    assert_int_equal(nnc_net_layers(net), 4);
    assert_int_equal(nnc_net_size(net, 3), 1);
    assert_int_equal(nnc_net_cost(net), NNC_COST_MSE);
    const float *shift, *factor;
    assert_true(nnc_net_scaling(net, &shift, &factor));
    assert_float_equal(shift[0], 9500.0f, 1e-2);
    nnc_train_opts o;
    assert_ok(nnc_recipe_train_opts(r, net, NULL, NULL, &o));
    assert_int_equal(o.optimizer, NNC_OPT_ADAM);
    assert_true(o.eta == 0.01f);
    assert_non_null(strstr(nnc_recipe_notes(r), "regression: adam, eta 0.01"));
    assert_ok(nnc_recipe_set(r, "optimizer", "momentum"));
    assert_ok(nnc_recipe_train_opts(r, net, NULL, NULL, &o));
    assert_true(o.optimizer == NNC_OPT_MOMENTUM && o.eta == 3.0f);
    assert_string_equal(nnc_recipe_notes(r), "");
    assert_ok(nnc_recipe_set(r, "optimizer", "adam"));
    assert_ok(nnc_recipe_train_opts(r, net, NULL, NULL, &o));
    assert_true(o.eta == 0.001f);
    /* a classification cost given for a regression is refused, by name */
    nnc_net *bad;
    assert_ok(nnc_recipe_set(r, "cost", "softmax"));
    assert_int_equal(nnc_recipe_make_net(r, d, &bad), NNC_ERR_ARG);
    assert_string_equal(nnc_last_error(), "cost softmax: regression takes mse, mae or huber");
    nnc_net_free(net);
    nnc_data_free(d);
    nnc_recipe_free(r);
}

/* Labels as text become classes by the table reader's rule; two classes
 * may be one sigmoid output; inputs in [0, 1] are not scaled. */
static void classes_and_binary_outputs_come_from_the_labels(void **state)
{
    (void)state;
    static const float x[8] = {0.1f, 0.9f, 0.2f, 0.8f, 0.3f, 0.7f, 0.4f, 0.6f};
    static const char *const labels[4] = {"yes", "no", "yes", "no"};
    nnc_data *d;
    assert_ok(nnc_table_from_arrays(x, 4, 2, labels, NULL, 0, NULL, NULL, "rows", &d));
    assert_int_equal(nnc_data_classes(d), 2);
    assert_string_equal(nnc_data_class_name(d, 0), "no");
    assert_int_equal(nnc_data_label(d, 0), 1);
    nnc_recipe *r = recipe((const char *const[]){"binary", "sigmoid", NULL});
    nnc_net *net;
    assert_ok(nnc_recipe_make_net(r, d, &net));
    assert_int_equal(nnc_net_outputs(net), 1);
    assert_int_equal(nnc_net_cost(net), NNC_COST_CROSS_ENTROPY);
    assert_false(nnc_net_scaling(net, NULL, NULL));
    assert_string_equal(nnc_net_class_name(net, 1), "yes");
    nnc_net_free(net);
    nnc_recipe_free(r);
    nnc_data_free(d);
    /* small integers are their own classes and the inputs pixels, as in a CSV */
    static const float px[4] = {0, 255, 17, 3};
    static const char *const digits[2] = {"7", "2"};
    assert_ok(nnc_table_from_arrays(px, 2, 2, digits, NULL, 0, NULL, NULL, "digits", &d));
    assert_true(nnc_data_is_pixels(d));
    assert_int_equal(nnc_data_classes(d), 8);
    assert_int_equal(nnc_data_label(d, 0), 7);
    /* raw rows for a pixel model are read as its training read them: byte / 256 */
    nnc_recipe *pr = recipe(NULL);
    nnc_net *pnet;
    assert_ok(nnc_recipe_make_net(pr, d, &pnet));
    assert_true(nnc_net_pixel_inputs(pnet));
    float got[16], want[16], seen[4];
    for (int i = 0; i < 4; i++)
        seen[i] = px[i] / 256.0f;
    assert_ok(nnc_recipe_predict_rows(pnet, px, 2, got));
    assert_ok(nnc_feedforward(pnet, seen, 2, want));
    assert_memory_equal(got, want, 2 * nnc_net_outputs(pnet) * sizeof(float));
    nnc_net_free(pnet);
    nnc_recipe_free(pr);
    nnc_data_free(d);
    static const float nan_row[4] = {1, 2, NAN, 4};
    assert_int_equal(nnc_table_from_arrays(nan_row, 2, 2, digits, NULL, 0, NULL, NULL, "X", &d),
                     NNC_ERR_FORMAT);
    assert_string_equal(nnc_last_error(), "X: row 2, column 1: nan is not a finite number");
}

/* Splits by the recipe's seed: the same rows each time, the network's
 * generator untouched; early stopping holds out 10% and says so. */
static void splits_are_reproducible_and_explained(void **state)
{
    (void)state;
    float x[200];
    uint8_t y[200];
    for (int i = 0; i < 200; i++)
        x[i] = (float)i, y[i] = (uint8_t)(i % 2);
    nnc_data *all;
    assert_ok(nnc_data_from_floats(x, y, 200, 1, &all));
    nnc_recipe *r = recipe((const char *const[]){"test-split", "0.2", "early-stop", "3", NULL});
    nnc_data *train, *valid, *test, *train2, *valid2, *test2;
    assert_ok(nnc_recipe_split(r, all, 0, &train, &valid, &test));
    assert_non_null(strstr(nnc_recipe_notes(r), "holding out 10% of the rows"));
    assert_int_equal(nnc_data_count(test), 40);
    assert_int_equal(nnc_data_count(valid), 16);
    assert_int_equal(nnc_data_count(train), 144);
    assert_ok(nnc_recipe_split(r, all, 0, &train2, &valid2, &test2));
    float a, b;
    for (size_t i = 0; i < 40; i++) {
        nnc_data_input(test, i, &a);
        nnc_data_input(test2, i, &b);
        assert_true(a == b);
    }
    nnc_data *t3, *v3, *s3;   /* a caller's own validation set: nothing more held out */
    assert_ok(nnc_recipe_split(r, all, 1, &t3, &v3, &s3));
    assert_null(v3);
    assert_int_equal(nnc_data_count(t3), 160);
    nnc_data *sets[] = {train, valid, test, train2, valid2, test2, t3, s3, all};
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
        nnc_data_free(sets[i]);
    nnc_recipe_free(r);
}

/* A network from a file keeps its shape: options that disagree come back
 * as bits; a resumed run refuses other training settings, bit by bit. */
static void files_keep_their_network_and_their_run(void **state)
{
    (void)state;
    size_t sizes[] = {2, 3, 2};
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 3, 1, &net));
    uint64_t differ = 0;
    nnc_recipe *r = recipe((const char *const[]){"layers", "2,3,2", "cost", "quadratic", NULL});
    assert_ok(nnc_recipe_check_net(r, net, &differ));
    assert_int_equal(differ, 0);
    nnc_recipe_free(r);
    r = recipe((const char *const[]){"layers", "2,4,2", "activation", "relu", "eta", "9", NULL});
    assert_int_equal(nnc_recipe_check_net(r, net, &differ), NNC_ERR_MISMATCH);
    for (size_t i = 0; nnc_recipe_option(i); i++) {
        const char *o = nnc_recipe_option(i);
        assert_int_equal((int)(differ >> i & 1), !strcmp(o, "layers") || !strcmp(o, "activation"));
    }
    nnc_recipe_free(r);

    /* a checkpoint of a run with eta 0.5 and batch 4 */
    float x[16];
    uint8_t y[8];
    for (int i = 0; i < 8; i++)
        x[2 * i] = (float)i / 8, x[2 * i + 1] = 1.0f - (float)i / 8, y[i] = (uint8_t)(i % 2);
    nnc_data *d;
    assert_ok(nnc_data_from_floats(x, y, 8, 2, &d));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 2, o.eta = 0.5f, o.batch_size = 4;
    o.checkpoint = scratch_path("recipe-ck.nnc");
    assert_ok(nnc_train(net, d, &o, NULL));
    r = recipe((const char *const[]){"eta", "0.5", "epochs", "5", NULL});
    unsigned next;
    assert_ok(nnc_recipe_resume(r, o.checkpoint, &next, &differ));
    assert_int_equal(next, 2);
    nnc_train_opts resumed;
    assert_ok(nnc_recipe_train_opts(r, net, NULL, NULL, &resumed));
    assert_true(resumed.eta == 0.5f && resumed.batch_size == 4 && resumed.epochs == 5);
    nnc_recipe_free(r);
    r = recipe((const char *const[]){"batch", "5", "lambda", "0", "momentum", "0.9", NULL});
    assert_int_equal(nnc_recipe_resume(r, o.checkpoint, &next, &differ), NNC_ERR_MISMATCH);
    for (size_t i = 0; nnc_recipe_option(i); i++)   /* lambda and momentum are the run's */
        assert_int_equal((int)(differ >> i & 1), !strcmp(nnc_recipe_option(i), "batch"));
    nnc_recipe_free(r);
    r = recipe((const char *const[]){"preset", "network2", NULL});
    assert_int_equal(nnc_recipe_resume(r, o.checkpoint, &next, &differ), NNC_ERR_MISMATCH);
    assert_int_equal(differ, 1);   /* bit 0: the preset */
    assert_string_equal(nnc_recipe_option(0), "preset");
    nnc_recipe_free(r);
    nnc_data_free(d);
    nnc_net_free(net);
}

/* Options only a table takes are refused for other data, by the recipe. */
static void table_options_need_a_table(void **state)
{
    (void)state;
    assert_true(nnc_recipe_is_table("houses.csv") && nnc_recipe_is_table("a/b.tsv") &&
                nnc_recipe_is_table("x.txt"));
    assert_false(nnc_recipe_is_table("data/mnist") || nnc_recipe_is_table("mnist.pkl.gz") ||
                 nnc_recipe_is_table("csv"));
    nnc_recipe *r;
    assert_ok(nnc_recipe_create(&r));
    assert_ok(nnc_recipe_set(r, "eta", "0.5"));
    assert_ok(nnc_recipe_check_source(r, "data/mnist"));
    assert_ok(nnc_recipe_set(r, "test-split", "0.2"));
    assert_int_equal(nnc_recipe_check_source(r, "data/mnist"), NNC_ERR_ARG);
    assert_string_equal(nnc_last_error(),
                        "test-split: only with a table (CSV) as the data; data/mnist is not one");
    assert_ok(nnc_recipe_check_source(r, "houses.csv"));
    nnc_recipe_free(r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(names_go_both_ways),
    cmocka_unit_test(options_are_checked_where_they_are_given),
    cmocka_unit_test(presets_lie_under_the_options_given),
    cmocka_unit_test(a_regression_gets_its_own_defaults),
    cmocka_unit_test(classes_and_binary_outputs_come_from_the_labels),
    cmocka_unit_test(splits_are_reproducible_and_explained),
    cmocka_unit_test(files_keep_their_network_and_their_run),
    cmocka_unit_test(table_options_need_a_table),
};
TEST_GROUP(recipe_tests, "recipe", tests);
