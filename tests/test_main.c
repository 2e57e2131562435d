/* test_main.c — runs every test group, or the one named as the argument
 * (--list names them), and prints one summary line. */
#define _DEFAULT_SOURCE   /* realpath */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

int tests_skipped;

/* The groups, in the order of tests/meson.build's list, which generates
 * test_groups.h: NNC_TEST_GROUPS is X(name) for each, and test_<name>.c
 * defines <name>_tests. */
#include "test_groups.h"

#define X(name) extern const test_group name##_tests;
NNC_TEST_GROUPS
#undef X

static const struct {
    const char       *name;   /* as the build names it */
    const test_group *group;
} groups[] = {
#define X(name) {#name, &name##_tests},
    NNC_TEST_GROUPS
#undef X
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
    size_t n_groups = sizeof groups / sizeof groups[0], matched = 0;
    for (size_t g = 0; g < n_groups; g++)
        if (strcmp(groups[g].name, groups[g].group->name) != 0) {
            fprintf(stderr, "nnc tests: test_%s.c names its group \"%s\"\n", groups[g].name,
                    groups[g].group->name);
            return 1;
        }
    if (only && !strcmp(only, "--list")) {
        for (size_t g = 0; g < n_groups; g++)
            printf("%s\n", groups[g].name);
        return 0;
    }
    const char *dir = getenv("NNC_MNIST_DIR");
    if (dir && *dir && !realpath(dir, mnist))
        *mnist = '\0';
    if (chdir(NNC_TEST_BUILDDIR) != 0) {
        fprintf(stderr, "nnc tests: cannot enter %s\n", NNC_TEST_BUILDDIR);
        return 1;
    }
    size_t total = 0;
    int failed = 0;
    for (size_t g = 0; g < n_groups; g++) {
        const test_group *group = groups[g].group;
        if (only && strcmp(only, group->name) != 0)
            continue;
        failed += _cmocka_run_group_tests(group->name, group->tests, group->count, NULL, NULL);
        total += group->count;
        matched++;
    }
    if (only && !matched) {
        fprintf(stderr, "nnc tests: no group named \"%s\" (--list names them)\n", only);
        return 1;
    }
    printf("\nnnc tests: %zu passed, %d failed, %d skipped\n",
           total - (size_t)failed - (size_t)tests_skipped, failed, tests_skipped);
    return failed ? 1 : 0;
}
