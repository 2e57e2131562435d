/* test_version.c — the version is written once, NNC_VERSION in nnc.h; every
 * place that shows it agrees: the library, the build (project, shared
 * library, pkg-config file), the command, the manual page and the Python
 * package. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* The start of a file in out (NUL-terminated); fails if it cannot be read. */
static void read_file(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    size_t len = fread(out, 1, cap - 1, f);
    out[len] = '\0';
    fclose(f);
}

static void the_library_build_and_command_agree_with_the_header(void **state)
{
    (void)state;
    static char out[65536];
    assert_string_equal(nnc_version(), NNC_VERSION);
    assert_string_equal(NNC_TEST_PROJECT_VERSION, NNC_VERSION);   /* meson.build's */
    assert_int_equal(run_command("'" SRC("scripts/version.sh") "'", out, sizeof out), 0);
    assert_string_equal(out, NNC_VERSION "\n");
    assert_int_equal(run_command("nnc --version", out, sizeof out), 0);
    assert_string_equal(out, "nnc " NNC_VERSION "\n");
    read_file("meson-private/nnc.pc", out, sizeof out);
    if (!strstr(out, "\nVersion: " NNC_VERSION "\n"))
        fail_msg("nnc.pc has another version:\n%s", out);
    assert_int_equal(run_command("test -f libnnc.so." NNC_VERSION, out, sizeof out), 0);
}

static void the_manual_page_says_the_version(void **state)
{
    (void)state;
    static char page[65536];
    read_file(SRC("man/nnc.1"), page, sizeof page);
    assert_non_null(strstr(page, "\"nnc @NNC_VERSION@\""));   /* filled in by the build */
    read_file("nnc.1", page, sizeof page);                     /* the page installed */
    if (strncmp(page, ".TH NNC 1 ", 10) != 0 || !strstr(page, "\"nnc " NNC_VERSION "\""))
        fail_msg("the built manual page's title: %.80s", page);
}

static void the_python_package_has_the_librarys_version(void **state)
{
    (void)state;
    static char cmd[4096], out[65536];
    if (getenv("NNC_TEST_WRAPPER"))
        SKIP_TEST("a cross-built library does not load into this machine's Python");
#ifdef NNC_TEST_SANITIZED
    SKIP_TEST("a sanitized library loads only into a sanitized Python");
#endif
    const char *python = python_with_numpy();
    if (!python)
        SKIP_TEST("no python3 with numpy (set NNC_PYTHON)");
    /* the package's __version__, and the version pyproject.toml gives the
     * distribution as setuptools reads it */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && NNC_LIBRARY='%s/libnnc.so' '%s' -c 'import nnc; print(nnc.__version__)"
             "' && NNC_LIBRARY='%s/libnnc.so' '%s' -W ignore -c 'from setuptools.config.pyprojecttoml "
             "import read_configuration as r; print(r(\"pyproject.toml\")[\"project\"]"
             "[\"version\"])'",
             SRC("python"), NNC_TEST_BUILDDIR, python, NNC_TEST_BUILDDIR, python);
    int status = run_command(cmd, out, sizeof out);
    if (status != 0)
        fail_msg("python failed (exit %d):\n%s", status, out);
    assert_string_equal(out, NNC_VERSION "\n" NNC_VERSION "\n");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(the_library_build_and_command_agree_with_the_header),
    cmocka_unit_test(the_manual_page_says_the_version),
    cmocka_unit_test(the_python_package_has_the_librarys_version),
};
TEST_GROUP(version_tests, "version", tests);
