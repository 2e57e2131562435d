/* test_architecture.c — the rooms of docs/ARCHITECTURE.md hold in the source
 * tree, and the checker that says so catches a planted violation of each of
 * its rules in a copy of the tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void the_tree_follows_the_architecture(void **state)
{
    (void)state;
    char cmd[1024], out[8192];
    snprintf(cmd, sizeof cmd, "bash '%s' '%s'", SRC("scripts/check-includes.sh"), SRC(""));
    if (run_command(cmd, out, sizeof out) != 0)
        fail_msg("%s", out);
    assert_non_null(strstr(out, "includes follow the architecture"));
}

#define COPY "test-scratch/architecture"

/* In the copy of the tree: keeps `file`, appends `line` to it (or runs
 * `edit`), runs the checker, and puts the file back. */
static int check_planted(const char *file, const char *line, const char *edit, char *out,
                         size_t cap)
{
    char cmd[4096];
    const char *kept = file ? file : "scripts/check-includes.sh";
    snprintf(cmd, sizeof cmd,
             "cd " COPY " && cp %s kept.orig && %s%s%s%s%s; bash scripts/check-includes.sh .; "
             "status=$?; mv kept.orig %s; exit $status",
             kept, line ? "printf '%s\\n' '" : "", line ? line : "", line ? "' >> " : "",
             line ? file : "", edit ? edit : "", kept);
    return run_command(cmd, out, cap);
}

static void every_rule_catches_its_violation(void **state)
{
    (void)state;
#ifdef NNC_TEST_SANITIZED
    SKIP_TEST("a check of the sources, the same in every build: the plain build runs it");
#endif
    char setup[2048], out[8192];
    snprintf(setup, sizeof setup, "rm -rf " COPY " && mkdir -p " COPY " && cp -r '%s' '%s' '%s' "
             COPY "/", SRC("src"), SRC("cli"), SRC("scripts"));
    assert_int_equal(run_command(setup, out, sizeof out), 0);
    static const struct {
        const char *file, *line, *edit, *said;
    } planted[] = {
        {"src/train/train.c", "#include \"../model/model_file.h\"", NULL,
         "src/train/train.c includes ../model/model_file.h: src/train may not know model"},
        {"src/eval/evaluate.c", "#include \"../train/trainer.h\"", NULL,
         "src/eval may not know train"},
        {"src/data/csv.c", "static void planted(void) { nnc_net_free(0); }", NULL,
         "calls nnc_net_free: src/data may not use it"},
        {"src/net/net.c", "static void planted(void) { nnc_data_free(0); }", NULL,
         "calls nnc_data_free: src/net may not use it"},
        {"src/recipe/decide.c", "static void planted(void) { nnc_train(0, 0, 0, 0); }", NULL,
         "calls nnc_train: src/recipe may not use it"},
        {"src/train/train.c", "static void planted(void) { nnc_model_save(0, 0); }", NULL,
         "calls nnc_model_save: src/train may not use it"},
        {"src/kernels/dense_ref.c", "static const nnc_net *planted;", NULL,
         "names a network or dataset: kernels see pointers and shapes"},
        {"src/math/cost.c", "static void planted(void) { printf(\"x\"); }", NULL,
         "prints or exits: the library returns a status"},
        {"src/run/run.c", "static void planted(void) { exit(1); }", NULL,
         "prints or exits: the library returns a status"},
        {"cli/main.c", "#include \"../src/net/net.h\"", NULL,
         "cli/main.c includes a library internal"},
        {NULL, NULL, "sed -i 's/^    \\[runtime\\]=\"\"/    [runtime]=\"net\"/' scripts/check-includes.sh",
         "the rooms' arrows make a circle"},
    };
    for (size_t i = 0; i < sizeof planted / sizeof *planted; i++) {
        int status = check_planted(planted[i].file, planted[i].line, planted[i].edit, out,
                                   sizeof out);
        if (status != 1 || !strstr(out, planted[i].said))
            fail_msg("planted '%s' in %s: exit %d, said:\n%s", planted[i].line ? planted[i].line
                     : planted[i].edit, planted[i].file ? planted[i].file : "the checker",
                     status, out);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(the_tree_follows_the_architecture),
    cmocka_unit_test(every_rule_catches_its_violation),
};
TEST_GROUP(architecture_tests, "architecture", tests);
