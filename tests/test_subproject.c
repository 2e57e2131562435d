/* test_subproject.c — nnc as another project's Meson subproject: the program
 * in tests/subproject, copied into the scratch folder with subprojects/nnc
 * linked to this source tree, configures, builds and trains. Skipped without
 * meson on the PATH or for a cross build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define DIR NNC_TEST_BUILDDIR "/test-scratch/subproject"

static void a_program_builds_nnc_as_its_subproject(void **state)
{
    (void)state;
    static char out[65536];
    if (getenv("NNC_TEST_WRAPPER"))
        SKIP_TEST("a cross build: the subproject would be built for this machine");
    if (run_command("meson --version", out, sizeof out) != 0)
        SKIP_TEST("no meson on the PATH");
    scratch_path("");   /* the scratch folder */
    assert_int_equal(run_command("rm -rf '" DIR "' && mkdir -p '" DIR "/subprojects' && "
                                 "cp '" SRC("tests/subproject/meson.build") "' '"
                                 SRC("tests/subproject/main.c") "' '" DIR "' && "
                                 "ln -s '" NNC_TEST_SRCDIR "' '" DIR "/subprojects/nnc'",
                                 out, sizeof out), 0);
    if (run_command("meson setup '" DIR "/build' '" DIR "'", out, sizeof out) != 0)
        fail_msg("meson setup failed:\n%s", out);
    if (run_command("meson compile -C '" DIR "/build'", out, sizeof out) != 0)
        fail_msg("meson compile failed:\n%s", out);
    /* the library alone: none of nnc's own tests, benchmarks or command */
    assert_int_equal(run_command("test -e '" DIR "/build/subprojects/nnc/libnnc.a' && "
                                 "! test -e '" DIR "/build/subprojects/nnc/tests' && "
                                 "! test -e '" DIR "/build/subprojects/nnc/bench' && "
                                 "! test -e '" DIR "/build/subprojects/nnc/nnc'",
                                 out, sizeof out), 0);
    int status = run_command("'" DIR "/build/uses-nnc'", out, sizeof out);
    printf("    %s", out);
    assert_int_equal(status, 0);
    char expect[256];
    snprintf(expect, sizeof expect, "nnc %s (header %s): 42 parameters,", NNC_VERSION,
             NNC_VERSION);
    const char *counts = strstr(out, expect);
    size_t before = 0, after = 0;
    if (!counts || sscanf(counts + strlen(expect), " %zu / 200 before training, %zu / 200 after",
                          &before, &after) != 2)
        fail_msg("expected \"%s B / 200 before training, A / 200 after\", got: %s", expect, out);
    assert_true(before < 150);   /* untrained: near chance */
    assert_int_equal(after, 200);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(a_program_builds_nnc_as_its_subproject),
};
TEST_GROUP(subproject_tests, "subproject", tests);
