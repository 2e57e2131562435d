/* test_pickle.c — the tutorial's data format: pickles made by numpy in Python 3
 * (protocols 2 and 4) and in the form Python 2's cPickle writes, then broken
 * ones, each refused with its own error. Fixtures: reference/make_pickles.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *fixture_dir(void)
{
    static int made = -1;
    if (made < 0) {
        const char *py = python_with_numpy();
        char cmd[512];
        snprintf(cmd, sizeof cmd, "mkdir -p test-scratch/pkl && %s "
                 "'" SRC("tests/reference/make_pickles.py") "' test-scratch/pkl", py ? py : "false");
        made = py && system(cmd) == 0;
    }
    return made ? "test-scratch/pkl" : NULL;
}

static void check_values(const char *file)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", fixture_dir(), file);
    nnc_data *sets[3];
    assert_ok(nnc_pickle_load(path, &sets[0], &sets[1], &sets[2]));
    const size_t counts[3] = {30, 10, 12};
    FILE *f = fopen("test-scratch/pkl/expect.txt", "r");
    assert_non_null(f);
    float x[784];
    for (int s = 0; s < 3; s++) {
        assert_int_equal(nnc_data_count(sets[s]), counts[s]);
        assert_int_equal(nnc_data_dim(sets[s]), 784);
        nnc_data_input(sets[s], 0, x);
        for (int j = 0; j < 784; j++) {
            int k;
            assert_int_equal(fscanf(f, "%d", &k), 1);
            assert_true(x[j] == k / 256.0f);
        }
        for (size_t i = 0; i < counts[s]; i++) {
            unsigned label;
            assert_int_equal(fscanf(f, "%u", &label), 1);
            assert_int_equal(nnc_data_label(sets[s], i), label);
        }
        nnc_data_free(sets[s]);
    }
    fclose(f);
}

static void numpy_pickles_of_every_protocol_load(void **state)
{
    (void)state;
    if (!fixture_dir())
        SKIP_TEST("no python3 with numpy to make the fixtures (set NNC_PYTHON)");
    check_values("p2.pkl.gz");
    check_values("p4.pkl.gz");
    check_values("py2.pkl.gz");
    /* values that are not multiples of 1/256 are kept exactly, as floats */
    nnc_data *tr;
    assert_ok(nnc_pickle_load("test-scratch/pkl/floats.pkl.gz", &tr, NULL, NULL));
    float x[784];
    nnc_data_input(tr, 0, x);
    assert_true(x[0] == 0.3f);
    nnc_data_free(tr);
}

static void expect_refused(const char *file, const char *words)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", fixture_dir(), file);
    nnc_data *a = (nnc_data *)1, *b = (nnc_data *)1, *c = (nnc_data *)1;
    nnc_status s = nnc_pickle_load(path, &a, &b, &c);
    if (s != NNC_ERR_FORMAT)
        fail_msg("%s: expected a format error, got %s", file, nnc_status_name(s));
    assert_null(a);
    assert_null(b);
    assert_null(c);
    if (!strstr(nnc_last_error(), words) || !strstr(nnc_last_error(), file))
        fail_msg("%s: message '%s' should say '%s'", file, nnc_last_error(), words);
}

static void broken_pickles_are_refused(void **state)
{
    (void)state;
    if (!fixture_dir())
        SKIP_TEST("no python3 with numpy to make the fixtures (set NNC_PYTHON)");
    expect_refused("evil.pkl.gz", "names a global other than");
    expect_refused("two.pkl.gz", "three (images, labels) pairs");
    expect_refused("cut.pkl.gz", "truncated");
    expect_refused("shape.pkl.gz", "labels n integers");
    expect_refused("expect.txt", "opcode");
}

/* Raw pickles written here, each a way to make a reader allocate or compute
 * without bound, or to reach undefined behaviour; each must fail at once. */
static void hostile_pickles_fail_fast(void **state)
{
    (void)state;
    struct {
        const char *name, *words;
        size_t      len;
        const char *bytes;
    } cases[] = {
        /* PROTO 2, NONE, LONG_BINPUT 0x7fffffff, STOP: a memo of 2^31 entries */
        {"memo.pkl", "memo index beyond", 10, "\x80\x02Nr\xff\xff\xff\x7f."},
        /* PROTO 2, EMPTY_TUPLE on an empty stack, STOP */
        {"empty.pkl", "three (images, labels) pairs", 4, "\x80\x02)."},
        /* protocol 5 */
        {"p5.pkl", "protocol 5 is not one", 4, "\x80\x05N."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = scratch_path(cases[i].name);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(cases[i].bytes, 1, cases[i].len, f), cases[i].len);
        fclose(f);
        nnc_data *d = (nnc_data *)1;
        assert_int_equal(nnc_pickle_load(path, &d, NULL, NULL), NNC_ERR_FORMAT);
        assert_null(d);
        if (!strstr(nnc_last_error(), cases[i].words))
            fail_msg("%s: '%s' should say '%s'", path, nnc_last_error(), cases[i].words);
    }
    /* a million NONE opcodes: a million objects */
    const char *path = scratch_path("nones.pkl");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("\x80\x02", f);
    for (int i = 0; i < 1000000; i++)
        fputc('N', f);
    fputc('.', f);
    fclose(f);
    nnc_data *d = (nnc_data *)1;
    assert_int_equal(nnc_pickle_load(path, &d, NULL, NULL), NNC_ERR_FORMAT);
    if (!strstr(nnc_last_error(), "too many objects"))
        fail_msg("'%s' should say 'too many objects'", nnc_last_error());
}

static void cli_trains_on_a_pickle(void **state)
{
    (void)state;
    if (!fixture_dir())
        SKIP_TEST("no python3 with numpy to make the fixtures (set NNC_PYTHON)");
    char out[2048];
    assert_int_equal(run_command("nnc train --data test-scratch/pkl/p4.pkl.gz "
                                 "--epochs 1 --layers 784,5,10", out, sizeof out), 0);
    if (!strstr(out, "on 30 samples") || !strstr(out, " / 12 "))
        fail_msg("nnc train printed: %s", out);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(numpy_pickles_of_every_protocol_load),
    cmocka_unit_test(broken_pickles_are_refused),
    cmocka_unit_test(hostile_pickles_fail_fast),
    cmocka_unit_test(cli_trains_on_a_pickle),
};
TEST_GROUP(pickle_tests, "pickle", tests);
