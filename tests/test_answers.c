/* test_answers.c — every output right or refused: what a new user meets when
 * an answer could be plausible and wrong, and the warning or error each
 * case now gets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_label_that_looks_continuous_is_questioned),
    cmocka_unit_test(json_output_is_only_json),
    cmocka_unit_test(q_is_quiet),
};
TEST_GROUP(answer_tests, "answers", tests);
