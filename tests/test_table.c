/* test_table.c — tables as people have them: dialects, label columns by name
 * or number, string classes, errors by line and column; splits by class;
 * regression learnt exactly; scaling kept with the model, so that raw rows
 * in any column order get the answers training gave. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *write_table(const char *name, const char *text)
{
    const char *path = scratch_path(name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static nnc_data *read_table(const char *name, const char *text, const char *label,
                            nnc_task task)
{
    nnc_csv_options o;
    nnc_csv_options_init(&o);
    o.label = label, o.task = task;
    nnc_data *d = NULL;
    if (nnc_csv_read(write_table(name, text), &o, &d) != NNC_OK)
        fail_msg("%s: %s", name, nnc_last_error());
    return d;
}

/* The same three rows in every dialect give the same samples and classes. */
static void every_dialect_reads_alike(void **state)
{
    (void)state;
    static const struct {
        const char *name, *text, *label;
    } dialects[] = {
        {"comma.csv", "a,kind,b\n1.5,cat,2\n-3,dog,4e2\n0,cat,7\n", "kind"},
        {"semi.csv", "a;kind;b\r\n1.5;\"cat\";2\r\n\r\n-3;\"dog\";400\r\n0;cat;7", "2"},
        {"tab.tsv", "1.5\tcat\t2\n-3\tdog\t400\n\n0\tcat\t7\n\n", "2"},
        {"quoted.csv", "\"a\",\"kind, of\",\"b\"\n 1.5 , \"cat\" ,2\n-3,\"d\"\"og\",400\n"
                       "0,\"cat\",7\n", "2"},
    };
    for (size_t i = 0; i < sizeof dialects / sizeof *dialects; i++) {
        nnc_data *d = read_table(dialects[i].name, dialects[i].text, dialects[i].label,
                                 NNC_TASK_CLASSIFY);
        assert_int_equal(nnc_data_count(d), 3);
        assert_int_equal(nnc_data_dim(d), 2);
        float x[2];
        nnc_data_input(d, 1, x);
        if (x[0] != -3.0f || x[1] != 400.0f)
            fail_msg("%s: row 2 reads %g, %g", dialects[i].name, x[0], x[1]);
        assert_int_equal(nnc_data_classes(d), 2);   /* cat, dog (or d"og), by bytes */
        assert_string_equal(nnc_data_class_name(d, 0), "cat");
        assert_int_equal(nnc_data_label(d, 0), 0);
        assert_int_equal(nnc_data_label(d, 1), 1);
        if (i == 3)
            assert_string_equal(nnc_data_class_name(d, 1), "d\"og");
        nnc_data_free(d);
    }
    /* --ignore and integer labels, which are their own class numbers */
    nnc_csv_options o;
    nnc_csv_options_init(&o);
    o.label = "y", o.ignore = "id";
    nnc_data *d;
    assert_ok(nnc_csv_read(write_table("ids.csv", "id,x,y\n17,0.5,3\n18,0.25,1\n"), &o, &d));
    assert_int_equal(nnc_data_dim(d), 1);
    assert_int_equal(nnc_data_classes(d), 4);   /* 0 .. 3, though 0 and 2 are absent */
    assert_int_equal(nnc_data_label(d, 0), 3);
    assert_string_equal(nnc_data_input_name(d, 0), "x");
    nnc_data_free(d);
}

static void expect_error(const char *name, const char *text, const char *label, nnc_task task,
                         const char *words)
{
    nnc_csv_options o;
    nnc_csv_options_init(&o);
    o.label = label, o.task = task;
    nnc_data *d = NULL;
    nnc_status s = nnc_csv_read(write_table(name, text), &o, &d);
    assert_null(d);
    if (s == NNC_OK || !strstr(nnc_last_error(), words))
        fail_msg("%s: '%s' should say '%s'", name, nnc_last_error(), words);
    if (!strstr(nnc_last_error(), name))
        fail_msg("%s: '%s' should name the file", name, nnc_last_error());
}

static void bad_tables_say_where(void **state)
{
    (void)state;
    expect_error("missing.csv", "a,b,y\n1,2,0\n3,,1\n", "y", NNC_TASK_CLASSIFY,
                 "line 3, column 2 ('b'): a missing value");
    expect_error("word.csv", "a,b,y\n1,2,0\n3,four,1\n", "y", NNC_TASK_CLASSIFY,
                 "line 3, column 2 ('b'): 'four' is not a number");
    expect_error("short.csv", "1,2,0\n3,1\n", NULL, NNC_TASK_CLASSIFY,
                 "line 2 has 2 fields, the first line 3");
    expect_error("quote.csv", "a,b\n1,\"2\n", NULL, NNC_TASK_CLASSIFY, "never closed");
    expect_error("nolabel.csv", "a,b\n1,2\n", "c", NNC_TASK_CLASSIFY,
                 "'c' is neither a column's name nor a number 1-2");
    expect_error("target.csv", "x,y\n1,2\n2,high\n", "y", NNC_TASK_REGRESS,
                 "line 3, column 2 ('y'): 'high' is not a number");
    expect_error("empty.csv", "a,b\n\n", NULL, NNC_TASK_CLASSIFY, "no samples");
    char many[8192] = "x,y\n";
    for (int i = 0; i < 300; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "1,c%d\n", i);
    expect_error("classes.csv", many, "y", NNC_TASK_CLASSIFY, "more than 256 distinct labels");
}

/* A held-out fraction keeps each class's share, and the seed decides it. */
static void splits_are_stratified_and_reproducible(void **state)
{
    (void)state;
    enum { N = 200 };
    float x[N];
    uint8_t labels[N];
    for (int i = 0; i < N; i++)
        x[i] = (float)i, labels[i] = (uint8_t)(i < 160 ? 0 : 1);   /* 160 / 40 */
    nnc_data *d, *rest, *held, *rest2, *held2;
    assert_ok(nnc_data_from_floats(x, labels, N, 1, &d));
    assert_ok(nnc_data_split(d, 0.25, 7, &rest, &held));
    assert_int_equal(nnc_data_count(held), 50);
    size_t ones = 0;
    for (size_t i = 0; i < 50; i++)
        ones += nnc_data_label(held, i);
    assert_int_equal(ones, 10);   /* 40 x 0.25 */
    assert_ok(nnc_data_split(d, 0.25, 7, &rest2, &held2));
    float a, b;
    for (size_t i = 0; i < 50; i++) {
        nnc_data_input(held, i, &a);
        nnc_data_input(held2, i, &b);
        assert_true(a == b);
    }
    nnc_data_free(rest2), nnc_data_free(held2);
    assert_ok(nnc_data_split(d, 0.25, 8, &rest2, &held2));
    int same = 1;
    for (size_t i = 0; i < 50; i++) {
        nnc_data_input(held, i, &a);
        nnc_data_input(held2, i, &b);
        same = same && a == b;
    }
    assert_false(same);
    nnc_data_free(rest), nnc_data_free(held), nnc_data_free(rest2), nnc_data_free(held2);
    assert_int_equal(nnc_data_split(d, 1.0, 7, &rest2, &held2), NNC_ERR_ARG);
    assert_null(rest2);
    nnc_data_free(d);
}

/* A borrowed matrix is read where it is, never written, and not freed with
 * the dataset (the sanitizers see to the last). */
static void borrowed_inputs_stay_the_callers(void **state)
{
    (void)state;
    enum { N = 40, D = 3 };
    float *x = malloc(N * D * sizeof *x), y[N];
    uint8_t labels[N];
    assert_non_null(x);
    for (int i = 0; i < N * D; i++)
        x[i] = (float)(i % 7) / 7.0f;
    for (int i = 0; i < N; i++)
        labels[i] = (uint8_t)(i % 2), y[i] = (float)i;
    nnc_data *d, *slice, *r;
    assert_ok(nnc_data_borrow_floats(x, labels, NULL, N, D, 0, &d));
    assert_ok(nnc_data_slice(d, 10, 20, &slice));
    x[12 * D + 1] = 0.5f;   /* seen through the dataset and its slice */
    float row[D];
    nnc_data_input(slice, 2, row);
    assert_true(row[1] == 0.5f);
    const size_t sizes[] = {D, 4, 2};
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 3, 1, &net));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 2;
    assert_ok(nnc_train(net, d, &o, NULL));
    nnc_data_free(d);
    nnc_data_free(slice);
    assert_ok(nnc_data_borrow_floats(x, NULL, y, N, D, 1, &r));
    assert_int_equal(nnc_data_targets(r), 1);
    nnc_data_free(r);
    assert_true(x[12 * D + 1] == 0.5f && x[1] == 1.0f / 7.0f);
    assert_int_equal(nnc_data_borrow_floats(x, NULL, NULL, N, D, 0, &r), NNC_ERR_ARG);
    nnc_net_free(net);
    free(x);
}

/* y = 3 x1 - 2 x2 + 1 without noise, from the caller's arrays: R² > 0.999. */
static void a_linear_target_is_learnt(void **state)
{
    (void)state;
    enum { N = 2000 };
    static float x[N * 2], y[N];
    uint64_t st = 3;
    for (int i = 0; i < N; i++) {
        x[2 * i] = test_uniform(&st, -5.0f, 5.0f) * 100.0f;   /* unscaled on purpose */
        x[2 * i + 1] = test_uniform(&st, -5.0f, 5.0f);
        y[i] = 3.0f * x[2 * i] / 100.0f - 2.0f * x[2 * i + 1] + 1.0f;
    }
    nnc_data *d, *train, *test;
    assert_ok(nnc_data_from_targets(x, y, N, 2, 1, &d));
    assert_ok(nnc_data_split(d, 0.2, 1, &train, &test));
    const size_t sizes[] = {2, 16, 1};
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, 3);
    spec.hidden = NNC_ACT_TANH, spec.cost = NNC_COST_MSE, spec.init = NNC_INIT_GLOROT;
    nnc_net *net;
    assert_ok(nnc_net_create_spec(&spec, &net));
    assert_ok(nnc_net_fit_scaling(net, train, NNC_SCALE_STANDARD));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.optimizer = NNC_OPT_ADAM, o.eta = 0.01f, o.epochs = 40;
    assert_ok(nnc_train(net, train, &o, NULL));
    double rmse, mae, r2;
    assert_ok(nnc_measure_regression(net, test, &rmse, &mae, &r2));
    if (!(r2 > 0.999))
        fail_msg("R2 %.6f (RMSE %.4g, MAE %.4g)", r2, rmse, mae);
    assert_true(mae <= rmse && rmse < 0.2);
    /* and the network's own answer for a raw input */
    float in[2] = {200.0f, -1.0f}, out;   /* y = 3*2 + 2 + 1 = 9 */
    assert_ok(nnc_feedforward(net, in, 1, &out));
    assert_true(fabsf(out - 9.0f) < 0.2f);
    nnc_net_free(net);
    nnc_data_free(d), nnc_data_free(train), nnc_data_free(test);
}

/* Rows of three classes named by words, decided by features on very
 * different scales (income in the tens of thousands, a score in [0, 1]). */
static void write_customers(const char *name, int prescaled, int rows, uint64_t seed)
{
    FILE *f = fopen(scratch_path(name), "w");
    assert_non_null(f);
    fputs("income,age,score,tier\n", f);
    for (int i = 0; i < rows; i++) {
        double income = test_uniform(&seed, 0, 100000), age = test_uniform(&seed, 18, 90),
               score = test_uniform(&seed, 0, 1);
        double v = income / 100000 * 2 + score - age / 90;
        const char *tier = v > 1.2 ? "gold" : v > 0.4 ? "silver" : "bronze";
        if (prescaled)
            fprintf(f, "%.6f,%.6f,%.6f,%s\n", income / 100000, (age - 18) / 72, score, tier);
        else
            fprintf(f, "%.0f,%.1f,%.4f,%s\n", income, age, score, tier);
    }
    fclose(f);
}

static double accuracy_of(const char *out)
{
    const char *at = strstr(out, "Epoch 19: ");
    unsigned correct, n;
    if (!at || sscanf(at, "Epoch 19: %u / %u", &correct, &n) != 2)
        fail_msg("no last epoch line in: %s", out);
    return (double)correct / n;
}

static void raw_tables_learn_as_scaled_ones_and_predict_by_name(void **state)
{
    (void)state;
    write_customers("raw.csv", 0, 2000, 5);
    write_customers("prescaled.csv", 1, 2000, 5);
    static char out[65536];
    assert_int_equal(run_command("nnc train --data test-scratch/raw.csv --label tier --epochs 20 "
                                 "--test-split 0.2 --save test-scratch/raw.nnc", out,
                                 sizeof out), 0);
    double raw = accuracy_of(out);
    assert_int_equal(run_command("nnc train --data test-scratch/prescaled.csv --label tier "
                                 "--epochs 20 --test-split 0.2", out, sizeof out), 0);
    double prescaled = accuracy_of(out);
    if (!(raw > 0.9 && raw > prescaled - 0.02))
        fail_msg("raw table %.3f, prescaled %.3f", raw, prescaled);
    /* unscaled the same table learns far worse: the scaling does the work */
    assert_int_equal(run_command("nnc train --data test-scratch/raw.csv --label tier --epochs 20 "
                                 "--test-split 0.2 --scale none", out, sizeof out), 0);
    if (!(accuracy_of(out) < raw - 0.1))
        fail_msg("without scaling %.3f, with %.3f", accuracy_of(out), raw);

    /* the saved model takes raw rows: its outputs for them are predict's */
    nnc_net *net;
    assert_ok(nnc_model_load(scratch_path("raw.nnc"), &net));
    assert_int_equal(nnc_net_classes(net), 3);
    assert_string_equal(nnc_net_class_name(net, 0), "bronze");
    write_table("rows.csv", "income,age,score\n90000,30,0.9\n1000,80,0.1\n50000,50,0.5\n");
    write_table("shuffled.csv", "score;note;age;income;tier\n0.9;a;30;90000;gold\n"
                                "0.1;b;80;1000;gold\n0.5;\"c; d\";50;50000;bronze\n");
    assert_int_equal(run_command("nnc predict test-scratch/raw.nnc test-scratch/rows.csv", out,
                                 sizeof out), 0);
    static const float rows[3][3] = {{90000, 30, 0.9f}, {1000, 80, 0.1f}, {50000, 50, 0.5f}};
    const char *line = strchr(out, '\n');
    assert_non_null(line);
    if (strncmp(out, "prediction,output_bronze,output_gold,output_silver\n", 51) != 0)
        fail_msg("header: %s", out);
    for (int r = 0; r < 3; r++) {
        float y[3];
        assert_ok(nnc_feedforward(net, rows[r], 1, y));
        size_t best = y[1] > y[0] ? 1 : 0;
        best = y[2] > y[best] ? 2 : best;
        char want[128];
        snprintf(want, sizeof want, "\n%s,%.9g,%.9g,%.9g\n", nnc_net_class_name(net, best),
                 y[0], y[1], y[2]);
        if (!strstr(line, want))
            fail_msg("row %d: expected '%s' in %s", r, want + 1, out);
    }
    char again[4096];
    assert_int_equal(run_command("nnc predict --label tier test-scratch/raw.nnc "
                                 "test-scratch/shuffled.csv", again, sizeof again), 0);
    assert_string_equal(again, out);   /* columns found by name */
    assert_int_equal(run_command("nnc eval --data test-scratch/raw.csv --label tier "
                                 "test-scratch/raw.nnc", out, sizeof out), 0);
    if (!strstr(out, "bronze") || !strstr(out, "F1"))
        fail_msg("%s", out);
    write_table("no-age.csv", "income,score\n1000,0.5\n");
    assert_int_equal(run_command("nnc predict test-scratch/raw.nnc test-scratch/no-age.csv", out,
                                 sizeof out), 1);
    assert_non_null(strstr(out, "no-age.csv: no column 'age', an input of the model"));
    write_table("platinum.csv", "income,age,score,tier\n1000,30,0.5,platinum\n");
    assert_int_equal(run_command("nnc eval --data test-scratch/platinum.csv --label tier "
                                 "test-scratch/raw.nnc", out, sizeof out), 1);
    assert_non_null(strstr(out, "label 'platinum' is not one of the model's 3 classes"));
    nnc_net_free(net);
}

/* A regression through the command: --task regress, RMSE and R² per epoch,
 * eval and predict give the values. */
static void the_command_regresses(void **state)
{
    (void)state;
    FILE *f = fopen(scratch_path("line.csv"), "w");
    assert_non_null(f);
    fputs("x1,x2,y\n", f);
    uint64_t st = 9;
    for (int i = 0; i < 1500; i++) {
        double a = test_uniform(&st, -5, 5), b = test_uniform(&st, -5, 5);
        fprintf(f, "%.5f,%.5f,%.5f\n", a, b, 3 * a - 2 * b + 1);
    }
    fclose(f);
    static char out[65536];
    assert_int_equal(run_command("nnc train --data test-scratch/line.csv --label y --task regress "
                                 "--optimizer adam --eta 0.01 --epochs 40 --test-split 0.2 "
                                 "--metrics test-scratch/line-run.csv --save "
                                 "test-scratch/line.nnc", out, sizeof out), 0);
    const char *last = strstr(out, "Epoch 39: test RMSE ");
    double rmse, mae, r2;
    if (!last || sscanf(last, "Epoch 39: test RMSE %lf  MAE %lf  R2 %lf", &rmse, &mae, &r2) != 3)
        fail_msg("%s", out);
    if (!(r2 > 0.999))
        fail_msg("R2 %.5f: %s", r2, last);
    assert_int_equal(run_command("nnc eval --data test-scratch/line.csv --label y "
                                 "test-scratch/line.nnc", out, sizeof out), 0);
    if (!strstr(out, "RMSE:") || !strstr(out, "R2:      0.99"))
        fail_msg("%s", out);
    write_table("line-rows.csv", "x2,x1\n1,2\n");   /* y = 6 - 2 + 1 = 5 */
    assert_int_equal(run_command("nnc predict test-scratch/line.nnc test-scratch/line-rows.csv",
                                 out, sizeof out), 0);
    double v;
    if (sscanf(out, "prediction\n%lf", &v) != 1 || fabs(v - 5.0) > 0.2)
        fail_msg("%s", out);
    FILE *m = fopen(scratch_path("line-run.csv"), "r");
    assert_non_null(m);
    char header[256];
    assert_non_null(fgets(header, sizeof header, m));
    fclose(m);
    assert_non_null(strstr(header, "test_rmse,test_mae,test_r2"));
    /* a classification cost for a regression is refused */
    assert_int_equal(run_command("nnc train --data test-scratch/line.csv --label y --task "
                                 "regress --cost softmax", out, sizeof out), 2);
    assert_non_null(strstr(out, "regression takes mse, mae or huber"));
    assert_int_equal(run_command("nnc train --data test-scratch --label y", out, sizeof out), 2);
    assert_non_null(strstr(out, "--label: only with a table (CSV) as the data"));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_dialect_reads_alike),
    cmocka_unit_test(bad_tables_say_where),
    cmocka_unit_test(splits_are_stratified_and_reproducible),
    cmocka_unit_test(borrowed_inputs_stay_the_callers),
    cmocka_unit_test(a_linear_target_is_learnt),
    cmocka_unit_test(raw_tables_learn_as_scaled_ones_and_predict_by_name),
    cmocka_unit_test(the_command_regresses),
};
TEST_GROUP(table_tests, "table", tests);
