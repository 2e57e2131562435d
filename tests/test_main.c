/* test_main.c — runs every test group and prints one summary line. */
#define _DEFAULT_SOURCE   /* realpath */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

int tests_skipped;

extern const test_group fault_tests, kernel_tests, gradient_tests, reference_tests,
    training_tests, feature_tests, model_tests, image_tests, pickle_tests, csv_tests,
    idx_tests, cli_tests, mnist_tests, pool_tests, pinned_tests, picture_tests, table_tests,
    python_tests, export_tests, recipe_tests, answer_tests, learning_tests;

static const test_group *const groups[] = {
    &pool_tests,   &kernel_tests, &gradient_tests, &reference_tests, &training_tests,
    &feature_tests, &model_tests,   &image_tests,    &pickle_tests, &csv_tests,
    &idx_tests,     &cli_tests,     &mnist_tests,   &pinned_tests, &fault_tests, &picture_tests,
    &table_tests,   &python_tests, &export_tests, &recipe_tests, &answer_tests, &learning_tests,
};

/* NNC_MNIST_DIR made absolute before the tests move to their build folder */
static char mnist[4096];

const char *mnist_dir(void)
{
    return *mnist ? mnist : NULL;
}

const char *python_with_numpy(void)
{
    static char py[256];
    const char *env = getenv("NNC_PYTHON");
    snprintf(py, sizeof py, "%s", env && *env ? env : "python3");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s' -c 'import numpy' >/dev/null 2>&1", py);
    return system(cmd) == 0 ? py : NULL;
}

const char *scratch_path(const char *name)
{
    static char path[512];
    mkdir("test-scratch", 0777);
    snprintf(path, sizeof path, "test-scratch/%s", name);
    return path;
}

const char *nnc_command(void)
{
    static char cmd[512];
    const char *wrapper = getenv("NNC_TEST_WRAPPER");
    snprintf(cmd, sizeof cmd, "%s ./nnc", wrapper ? wrapper : "");
    return cmd;
}

int run_command(const char *cmd, char *out, size_t cap)
{
    char full[2048];
    if (!strncmp(cmd, "nnc ", 4) || !strcmp(cmd, "nnc")) {
        snprintf(full, sizeof full, "%s%s 2>&1", nnc_command(), cmd + 3);
    } else {
        snprintf(full, sizeof full, "%s 2>&1", cmd);
    }
    FILE *p = popen(full, "r");
    if (!p)
        return -1;
    size_t len = fread(out, 1, cap - 1, p);
    out[len] = '\0';
    char rest[4096];   /* read to the end: a command cut off by a full pipe is not its test */
    while (fread(rest, 1, sizeof rest, p) > 0)
        ;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

nnc_net *train_on_mnist(const char *dir, const nnc_net_spec *spec, const nnc_train_opts *opts,
                        nnc_data **test)
{
    nnc_data *train;
    nnc_net *net;
    size_t correct;
    assert_ok(nnc_mnist_load(dir, &train, NULL, test));
    assert_ok(nnc_net_create_spec(spec, &net));
    assert_ok(nnc_evaluate(net, *test, &correct));
    assert_true(correct < 2000);              /* untrained: near chance */
    assert_ok(nnc_train(net, train, opts, NULL));
    nnc_data_free(train);
    return net;
}

float test_uniform(uint64_t *state, float lo, float hi)
{
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return lo + (hi - lo) * (float)((*state >> 40) * 0x1.0p-24);
}

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;   /* run one group by name */
    const char *dir = getenv("NNC_MNIST_DIR");
    if (dir && *dir && !realpath(dir, mnist))
        *mnist = '\0';
    if (chdir(NNC_TEST_BUILDDIR) != 0) {
        fprintf(stderr, "nnc tests: cannot enter %s\n", NNC_TEST_BUILDDIR);
        return 1;
    }
    size_t total = 0;
    int failed = 0;
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        if (only && strcmp(only, groups[g]->name) != 0)
            continue;
        failed += _cmocka_run_group_tests(groups[g]->name, groups[g]->tests,
                                          groups[g]->count, NULL, NULL);
        total += groups[g]->count;
    }
    printf("\nnnc tests: %zu passed, %d failed, %d skipped\n",
           total - (size_t)failed - (size_t)tests_skipped, failed, tests_skipped);
    return failed ? 1 : 0;
}
