/* test_python.c — the Python package's own tests (pytest), run against this
 * build's library: the numpy API, the tutorial's drop-in, an offline
 * install. Skipped when there is no python3 with numpy and pytest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void the_python_package_passes_its_tests(void **state)
{
    (void)state;
    if (getenv("NNC_TEST_WRAPPER"))
        SKIP_TEST("a cross-built library does not load into this machine's Python");
#ifdef NNC_TEST_SANITIZED
    SKIP_TEST("a sanitized library loads only into a sanitized Python");
#endif
    const char *python = python_with_numpy();
    static char cmd[4096], out[65536];
    snprintf(cmd, sizeof cmd, "'%s' -c 'import pytest'", python ? python : "false");
    if (!python || run_command(cmd, out, sizeof out) != 0)
        SKIP_TEST("no python3 with numpy and pytest (set NNC_PYTHON)");
    snprintf(cmd, sizeof cmd,
             "cd '%s' && NNC_LIBRARY='%s/libnnc.so' NNC_MNIST_DIR='%s' '%s' -m pytest -q "
             "-p no:cacheprovider tests",
             SRC("python"), NNC_TEST_BUILDDIR, mnist_dir() ? mnist_dir() : "", python);
    int status = run_command(cmd, out, sizeof out);
    const char *summary = strrchr(out, '\n');
    while (summary && summary > out && summary[-1] != '\n')
        summary--;
    printf("    pytest: %s", summary ? summary : out);
    if (status != 0)
        fail_msg("pytest failed (exit %d):\n%s", status, out);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(the_python_package_passes_its_tests),
};
TEST_GROUP(python_tests, "python", tests);
