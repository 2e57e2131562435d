/* test_answers.c — every output right or refused: what a new user meets when
 * an answer could be plausible and wrong, and the warning or error each
 * case now gets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include "testutil.h"

static const char *write_rows(const char *name, const char *header, int rows,
                              void (*row)(FILE *, int))
{
    const char *path = scratch_path(name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%s\n", header);
    for (int i = 0; i < rows; i++)
        row(f, i);
    fclose(f);
    return path;
}

/* iris as scikit-learn ships it, the species a number in the last column */
static void iris_row(FILE *f, int i)
{
    static const double lengths[] = {4.4, 4.6, 4.9, 5.0, 5.1, 5.4, 5.5, 5.8, 6.0, 6.1, 6.3};
    fprintf(f, "%.1f,%.1f,%.1f,%d\n", lengths[(i * 7) % 11], 2.0 + (i % 13) * 0.15,
            1.0 + (i % 29) * 0.2, i % 3);
}

/* A label column of measurements trains as many classes: said, with the
 * options that choose otherwise. */
static void a_label_that_looks_continuous_is_questioned(void **state)
{
    (void)state;
    const char *path = write_rows("iris.csv", "sepal_length,sepal_width,petal_length,species",
                                  150, iris_row);
    char cmd[512], out[8192];
    snprintf(cmd, sizeof cmd, "nnc train --data %s --epochs 1", path);
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
    if (!strstr(out, "the labels are 11 distinct numbers, which look like a measurement") ||
        !strstr(out, "(--label)") || !strstr(out, "(--task regress)"))
        fail_msg("%s", out);
    snprintf(cmd, sizeof cmd, "nnc train --data %s --label species --epochs 1", path);
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
    if (strstr(out, "look like a measurement"))
        fail_msg("species are classes:\n%s", out);
}

/* --json: stdout holds JSON objects only, one a line; the words go to stderr. */
static void json_output_is_only_json(void **state)
{
    (void)state;
    const char *path = write_rows("iris-json.csv", "sepal_length,sepal_width,petal_length,species",
                                  150, iris_row);
    char cmd[1024], out[8192];
    snprintf(cmd, sizeof cmd, "(%s train --data %s --label species --epochs 3 --json --save "
             "test-scratch/json.nnc 2>/dev/null)", nnc_command(), path);
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
    int lines = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"), lines++)
        if (line[0] != '{' || line[strlen(line) - 1] != '}')
            fail_msg("not a JSON object: '%s'", line);
    assert_int_equal(lines, 3);
}

/* -q is --quiet. */
static void q_is_quiet(void **state)
{
    (void)state;
    const char *path = write_rows("iris-q.csv", "sepal_length,sepal_width,petal_length,species",
                                  60, iris_row);
    char cmd[512], out[4096];
    snprintf(cmd, sizeof cmd, "nnc train --data %s --label species --epochs 1 -q", path);
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "Epoch 0"));
}

/* houses as the README's example has them: an id, four inputs, the price */
static void house_row(FILE *f, int i)
{
    uint64_t st = 77 + (uint64_t)i * 2654435761u;
    double area = test_uniform(&st, 40, 250), rooms = 1 + (i % 8);
    double age = test_uniform(&st, 0, 80), km = test_uniform(&st, 0, 40);
    fprintf(f, "%d,%.1f,%.0f,%.0f,%.2f,%.1f\n", i, area, rooms, age, km,
            2.5 * area + 12 * rooms - 1.5 * age - 4 * km + 100);
}

/* The value after `key` in text, as a number. */
static double value_after(const char *text, const char *key)
{
    const char *at = strstr(text, key);
    if (!at)
        fail_msg("no '%s' in:\n%s", key, text);
    return strtod(at + strlen(key), NULL);
}

/* A model remembers its label and ignored columns and its split: eval on
 * the training file judges the held-out rows, with the label it trained on,
 * and gets the last epoch's figures; another file is judged whole. */
static void a_model_judges_its_own_held_out_rows(void **state)
{
    (void)state;
    write_rows("houses.csv", "id,area_m2,rooms,age_years,distance_km,price_k", 2000, house_row);
    char out[16384], last[256];
    assert_int_equal(run_command("nnc train --data test-scratch/houses.csv --label price_k "
                                 "--ignore id --task regress --test-split 0.2 --epochs 20 "
                                 "--save test-scratch/houses.nnc", out, sizeof out), 0);
    const char *epoch = strstr(out, "Epoch 19:");
    assert_non_null(epoch);
    snprintf(last, sizeof last, "%.*s", (int)strcspn(epoch, "\n"), epoch);
    double rmse = value_after(last, "RMSE "), r2 = value_after(last, "R2 ");
    assert_true(r2 > 0.9);
    assert_int_equal(run_command("nnc eval --data test-scratch/houses.csv test-scratch/houses.nnc",
                                 out, sizeof out), 0);
    if (!strstr(out, "judging the 400 of its 2000 rows that training held out as its test set"))
        fail_msg("%s", out);
    assert_float_equal(value_after(out, "RMSE:"), rmse, 0.006 * rmse);
    assert_float_equal(value_after(out, "R2:"), r2, 1e-4);
    /* --all-rows: every row, training rows included, asked for */
    assert_int_equal(run_command("nnc eval --all-rows --data test-scratch/houses.csv "
                                 "test-scratch/houses.nnc", out, sizeof out), 0);
    if (!strstr(out, "judging all 2000 rows (--all-rows)") || !strstr(out, "samples: 2000"))
        fail_msg("%s", out);
    /* the same rows less one: another file, judged whole, still by price_k */
    FILE *in = fopen("test-scratch/houses.csv", "r"), *part = fopen("test-scratch/part.csv", "w");
    char line[256];
    for (int i = 0; fgets(line, sizeof line, in) && i < 1800; i++)
        fputs(line, part);
    fclose(in);
    fclose(part);
    assert_int_equal(run_command("nnc eval --data test-scratch/part.csv test-scratch/houses.nnc",
                                 out, sizeof out), 0);
    if (!strstr(out, "judging all 1799 rows (not the rows the model held out from"))
        fail_msg("%s", out);
    assert_true(value_after(out, "R2:") > 0.9);
    /* and the library keeps it all in the file */
    nnc_net *net;
    assert_ok(nnc_model_load("test-scratch/houses.nnc", &net));
    nnc_data_origin o;
    assert_true(nnc_net_origin(net, &o));
    assert_string_equal(o.label, "price_k");
    assert_string_equal(o.ignore, "id");
    assert_true(o.test_split == 0.2f && o.valid_split == 0.0f && o.rows == 2000);
    assert_int_equal(o.image_width, 0);
    assert_false(nnc_net_image_size(net, NULL, NULL));
    nnc_net_free(net);
}

/* MNIST's networks know they see 28 x 28 images; a model file from before
 * origins were kept still loads, and is taken for what its shape says. */
static void images_are_known_as_images(void **state)
{
    (void)state;
    nnc_net *net;
    assert_ok(nnc_model_load(SRC("tests/data/old-model-v1.nnc"), &net));
    assert_false(nnc_net_origin(net, NULL));
    assert_false(nnc_net_image_size(net, NULL, NULL));   /* 4 inputs: a table */
    nnc_net_free(net);
    uint8_t pixels[2 * 784] = {0};
    uint8_t labels[2] = {0, 1};
    nnc_data *d;
    assert_ok(nnc_data_from_bytes(pixels, labels, 2, 784, &d));
    size_t w, h;
    assert_true(nnc_data_image_size(d, &w, &h));
    assert_true(w == 28 && h == 28);
    nnc_recipe *r;
    assert_ok(nnc_recipe_create(&r));
    assert_ok(nnc_recipe_make_net(r, d, &net));
    assert_true(nnc_net_image_size(net, &w, &h) && w == 28 && h == 28);
    nnc_data_free(d);
    nnc_net_free(net);
    /* four pixel columns are a table's, not a 2 x 2 image */
    assert_ok(nnc_data_from_bytes(pixels, labels, 2, 4, &d));
    assert_false(nnc_data_image_size(d, NULL, NULL));
    assert_ok(nnc_recipe_make_net(r, d, &net));
    assert_false(nnc_net_image_size(net, NULL, NULL));
    nnc_data_free(d);
    nnc_net_free(net);
    nnc_recipe_free(r);
}

/* scikit-learn's bundled files: a line of counts, then rows without a header */
static void a_line_of_counts_is_skipped_on_request(void **state)
{
    (void)state;
    FILE *f = fopen("test-scratch/skl.csv", "w");
    assert_non_null(f);
    fprintf(f, "60,3,setosa,versicolor,virginica\n");
    for (int i = 0; i < 60; i++)
        iris_row(f, i);
    fclose(f);
    char out[8192];
    assert_int_equal(run_command("nnc train --data test-scratch/skl.csv --epochs 1", out,
                                 sizeof out), 1);
    if (!strstr(out, "line 2 has 4 fields, the header 5 (is line 1 a line of counts") ||
        !strstr(out, "--skip-lines 1"))
        fail_msg("%s", out);
    assert_int_equal(run_command("nnc train --data test-scratch/skl.csv --skip-lines 1 --label 4 "
                                 "--valid-split 0.25 --epochs 2 --save test-scratch/skl.nnc",
                                 out, sizeof out), 0);
    if (!strstr(out, "60 rows, 3 inputs, 3 classes"))
        fail_msg("%s", out);
    /* the model reads its file again as training did: the line skipped, column 4 the label */
    assert_int_equal(run_command("nnc eval --data test-scratch/skl.csv test-scratch/skl.nnc",
                                 out, sizeof out), 0);
    if (!strstr(out, "judging the 15 of its 60 rows that training held out as its validation"))
        fail_msg("%s", out);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_label_that_looks_continuous_is_questioned),
    cmocka_unit_test(json_output_is_only_json),
    cmocka_unit_test(q_is_quiet),
    cmocka_unit_test(a_model_judges_its_own_held_out_rows),
    cmocka_unit_test(images_are_known_as_images),
    cmocka_unit_test(a_line_of_counts_is_skipped_on_request),
};
TEST_GROUP(answers_tests, "answers", tests);
