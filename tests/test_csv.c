/* test_csv.c — CSV datasets: header or not, 0-255 or 0-1 detected, broken
 * lines refused with their line number; the CLI trains on CSV files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "testutil.h"

static const char *write_csv(const char *name, const char *text)
{
    const char *path = scratch_path(name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    static char copy[4][512];
    static int next;
    char *c = copy[next++ % 4];
    snprintf(c, 512, "%s", path);
    return c;
}

static void reads_bytes_and_unit_values(void **state)
{
    (void)state;
    nnc_data *d;
    int unit;
    float x[3];
    assert_ok(nnc_csv_load(write_csv("b.csv", "label,p1,p2,p3\n7,0,128,255\n2,1,2,3\n"), &d,
                           &unit));
    assert_int_equal(unit, 0);
    assert_int_equal(nnc_data_count(d), 2);
    assert_int_equal(nnc_data_dim(d), 3);
    assert_int_equal(nnc_data_label(d, 0), 7);
    nnc_data_input(d, 0, x);
    assert_true(x[0] == 0.0f && x[1] == 0.5f && x[2] == 255.0f / 256);
    nnc_data_free(d);
    assert_ok(nnc_csv_load(write_csv("u.csv", "3,0,0.25,1\r\n\n4, 0.5 ,1,0\n"), &d, &unit));
    assert_int_equal(unit, 1);
    nnc_data_input(d, 1, x);
    assert_true(x[0] == 0.5f && x[1] == 1.0f && x[2] == 0.0f);
    assert_int_equal(nnc_data_label(d, 1), 4);
    nnc_data_free(d);
}

static void expect_error(const char *name, const char *text, const char *words)
{
    nnc_data *d = (nnc_data *)1;
    const char *path = write_csv(name, text);
    assert_int_equal(nnc_csv_load(path, &d, NULL), NNC_ERR_FORMAT);
    assert_null(d);
    if (!strstr(nnc_last_error(), words) || !strstr(nnc_last_error(), name))
        fail_msg("'%s' should name %s and say '%s'", nnc_last_error(), name, words);
}

static void broken_csv_is_refused(void **state)
{
    (void)state;
    expect_error("cols.csv", "1,2,3\n1,2\n", "line 2 has 1 values");
    expect_error("word.csv", "1,2,3\n1,x,3\n", "line 2, field 2: not a finite number");
    /* a first line that starts with a label is data, not a header */
    expect_error("nan.csv", "1,0.2,NaN\n0,0.5,0.5\n", "line 1, field 3: not a finite number");
    expect_error("inf.csv", "1,0.2,0.5\n0,inf,0.5\n", "line 2, field 2: not a finite number");
    expect_error("label.csv", "1.5,2,3\n", "label 1.5");
    expect_error("range.csv", "1,0.5,300\n", "expected integers 0-255");
    expect_error("neg.csv", "1,-1,0\n", "expected integers 0-255");
    expect_error("empty.csv", "a,b,c\n", "no samples (line 1 was taken as a header");
}

/* A row whose first fraction comes after whole numbers keeps them: the
 * switch from bytes to floats happens in the middle of that row. */
static void fractions_after_whole_numbers_keep_the_row(void **state)
{
    (void)state;
    nnc_data *d;
    int unit;
    float x[3];
    assert_ok(nnc_csv_load(write_csv("mixed.csv", "2,0,1,0\n3,1,0,0.5\n"), &d, &unit));
    assert_int_equal(unit, 1);
    nnc_data_input(d, 0, x);
    assert_true(x[0] == 0.0f && x[1] == 1.0f && x[2] == 0.0f);
    nnc_data_input(d, 1, x);
    assert_true(x[0] == 1.0f && x[1] == 0.0f && x[2] == 0.5f);
    nnc_data_free(d);
}

static void cli_trains_on_csv_files(void **state)
{
    (void)state;
    FILE *tr = fopen(scratch_path("train.csv"), "w"), *te = fopen(scratch_path("test.csv"), "w");
    assert_non_null(tr);
    assert_non_null(te);
    for (int i = 0; i < 40; i++) {           /* label i%2, value says which */
        FILE *f = i < 30 ? tr : te;
        fprintf(f, "%d,%d,%d\n", i % 2, i % 2 ? 250 : 5, i % 2 ? 5 : 250);
    }
    fclose(tr);
    fclose(te);
    char out[8192];
    assert_int_equal(run_command("nnc train --data test-scratch/train.csv --test "
                                 "test-scratch/test.csv --layers 2,4,2 --epochs 30 --eta 3",
                                 out, sizeof out), 0);
    if (!strstr(out, "(pixels 0-255)") || !strstr(out, "Epoch 29: 10 / 10"))
        fail_msg("nnc train printed: %s", out);
}

/* The values read, exactly: pixel bytes as byte / 256, reals as the floats
 * nearest them, labels as written; quoted fields, CRLF, blanks and blank
 * lines as the tables' tokenizer cuts them; a gzip'd copy reads the same. */
static void mnist_style_rows_read_their_values(void **state)
{
    (void)state;
    const char *text = "label, p1, p2, p3\r\n5,0,17,255\r\n\r\n9, 3 ,\"128\",1\n0,255,0,64\n";
    const char *raw = write_csv("values.csv", text);
    nnc_data *d, *g, *t;
    int unit = -1, unit_g = -1;
    assert_ok(nnc_csv_load(raw, &d, &unit));
    assert_int_equal(unit, 0);
    assert_int_equal(nnc_data_count(d), 3);
    assert_int_equal(nnc_data_dim(d), 3);
    assert_true(nnc_data_is_pixels(d));
    static const unsigned labels[3] = {5, 9, 0};
    static const float bytes[3][3] = {{0, 17, 255}, {3, 128, 1}, {255, 0, 64}};
    float x[3];
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(nnc_data_label(d, i), labels[i]);
        nnc_data_input(d, i, x);
        for (size_t j = 0; j < 3; j++)
            assert_true(x[j] == bytes[i][j] / 256.0f);
    }
    /* the same rows gzip'd */
    const char *gz_path = scratch_path("values.csv.gz");
    char gz_copy[512];
    snprintf(gz_copy, sizeof gz_copy, "%s", gz_path);
    gzFile f = gzopen(gz_copy, "wb");
    assert_non_null(f);
    assert_int_equal(gzputs(f, text), (int)strlen(text));
    gzclose(f);
    assert_ok(nnc_csv_load(gz_copy, &g, &unit_g));
    assert_int_equal(unit_g, unit);
    assert_int_equal(nnc_data_count(g), 3);
    for (size_t i = 0; i < 3; i++) {
        float y[3];
        nnc_data_input(d, i, x);
        nnc_data_input(g, i, y);
        assert_memory_equal(x, y, sizeof x);
        assert_int_equal(nnc_data_label(g, i), labels[i]);
    }
    /* and the table reader agrees on them */
    nnc_csv_options o;
    nnc_csv_options_init(&o);
    assert_ok(nnc_csv_read(raw, &o, &t));
    for (size_t i = 0; i < 3; i++) {
        float y[3];
        nnc_data_input(d, i, x);
        nnc_data_input(t, i, y);
        assert_memory_equal(x, y, sizeof x);
        assert_int_equal(nnc_data_label(t, i), labels[i]);
    }
    nnc_data_free(d), nnc_data_free(g), nnc_data_free(t);

    assert_ok(nnc_csv_load(write_csv("reals.csv", "1,0.1,0.7\n0,1e-3,0\n"), &d, &unit));
    assert_int_equal(unit, 1);
    assert_false(nnc_data_is_pixels(d));
    nnc_data_input(d, 0, x);
    assert_true(x[0] == 0.1f && x[1] == 0.7f);
    nnc_data_input(d, 1, x);
    assert_true(x[0] == 1e-3f && x[1] == 0.0f);
    nnc_data_free(d);

    /* a truncated gzip'd file is refused, naming it */
    FILE *cut = fopen(gz_copy, "r+b");
    assert_non_null(cut);
    fseek(cut, 0, SEEK_END);
    long size = ftell(cut);
    fclose(cut);
    assert_int_equal(truncate(gz_copy, size - 12), 0);
    assert_int_equal(nnc_csv_load(gz_copy, &g, &unit), NNC_ERR_FORMAT);
    if (!strstr(nnc_last_error(), "values.csv.gz") || !strstr(nnc_last_error(), "truncated"))
        fail_msg("'%s'", nnc_last_error());
    assert_null(g);
    /* an unclosed quote is the tokenizer's error, with its line */
    assert_int_equal(nnc_csv_load(write_csv("quote.csv", "1,2\n3,\"4\n"), &d, &unit),
                     NNC_ERR_FORMAT);
    if (!strstr(nnc_last_error(), "quote.csv: line 2: a quote opened here is never closed"))
        fail_msg("'%s'", nnc_last_error());
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(reads_bytes_and_unit_values),
    cmocka_unit_test(broken_csv_is_refused),
    cmocka_unit_test(fractions_after_whole_numbers_keep_the_row),
    cmocka_unit_test(cli_trains_on_csv_files),
    cmocka_unit_test(mnist_style_rows_read_their_values),
};
TEST_GROUP(csv_tests, "csv", tests);
