/* testutil.h — shared by the test files: groups, skips, small helpers. */
#ifndef NNC_TESTUTIL_H
#define NNC_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "nnc.h"

typedef struct {
    const char              *name;
    const struct CMUnitTest *tests;
    size_t                   count;
} test_group;

#define TEST_GROUP(var, name, array) \
    const test_group var = {name, array, sizeof(array) / sizeof(array[0])}

/* Counts a skip for the summary line, then skips the test. */
extern int tests_skipped;
#define SKIP_TEST(why)                                   \
    do {                                                 \
        tests_skipped++;                                 \
        print_message("    skipped: %s\n", why);         \
        skip();                                          \
    } while (0)

/* The MNIST folder from NNC_MNIST_DIR, or NULL (the caller skips). */
const char *mnist_dir(void);

/* The Python interpreter with numpy: $NNC_PYTHON, else python3; NULL if
 * that one cannot import numpy. */
const char *python_with_numpy(void);

/* A network of spec trained on MNIST's 50,000 training images with opts;
 * also checks that, untrained, it was near chance. The test set comes back in
 * *test. The caller frees both. */
nnc_net *train_on_mnist(const char *dir, const nnc_net_spec *spec, const nnc_train_opts *opts,
                        nnc_data **test);

/* A file of the source tree, wherever the tests run from (the build defines
 * NNC_TEST_SRCDIR). The tests run inside their build folder (NNC_TEST_BUILDDIR),
 * next to the nnc command, with scratch files in test-scratch/. */
#define SRC(path) NNC_TEST_SRCDIR "/" path

/* A scratch file's path, its folder created on first use. */
const char *scratch_path(const char *name);

/* Asserts a call succeeded, printing nnc's message if not. */
#define assert_ok(call)                                                   \
    do {                                                                  \
        nnc_status st_ = (call);                                          \
        if (st_ != NNC_OK)                                                \
            fail_msg("%s -> %s: %s", #call, nnc_status_name(st_),         \
                     nnc_last_error());                                   \
    } while (0)

/* Runs a shell command with stderr joined to stdout; returns its exit status
 * and the start of its output in out. A command starting with "nnc " runs
 * the nnc command built beside the tests (through $NNC_TEST_WRAPPER, e.g. an
 * emulator, if set). */
int run_command(const char *cmd, char *out, size_t cap);

/* How to run the nnc command inside a longer shell command. */
const char *nnc_command(void);

/* Uniform float in [lo, hi) from a test-local generator state. */
float test_uniform(uint64_t *state, float lo, float hi);

#endif
