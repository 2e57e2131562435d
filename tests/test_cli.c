/* test_cli.c — the nnc command's exit codes and messages. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void usage_errors_exit_2(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(run_command("nnc", out, sizeof out), 2);
    assert_int_equal(run_command("nnc frobnicate", out, sizeof out), 2);
    assert_non_null(strstr(out, "frobnicate"));
    assert_int_equal(run_command("nnc train --layers 784,x,10", out, sizeof out), 2);
    assert_non_null(strstr(out, "--layers"));
    assert_int_equal(run_command("nnc train --batch 0", out, sizeof out), 2);
    assert_int_equal(run_command("nnc train --eta -1", out, sizeof out), 2);
    assert_int_equal(run_command("nnc train --epochs", out, sizeof out), 2);
    assert_int_equal(run_command("nnc train extra", out, sizeof out), 2);
    assert_int_equal(run_command("nnc train --cost hinge", out, sizeof out), 2);
    assert_non_null(strstr(out, "quadratic, cross-entropy, softmax"));
    assert_int_equal(run_command("nnc train --dropout 1.5", out, sizeof out), 2);
    assert_int_equal(run_command("nnc train --preset fastest", out, sizeof out), 2);
    assert_int_equal(run_command("nnc train --monitor train-cost,bogus", out, sizeof out), 2);
    assert_non_null(strstr(out, "bogus"));
}

static void help_and_version_exit_0(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(run_command("nnc --version", out, sizeof out), 0);
    assert_non_null(strstr(out, NNC_VERSION));
    assert_int_equal(run_command("nnc train --help", out, sizeof out), 0);
    assert_non_null(strstr(out, "--layers"));
    assert_non_null(strstr(out, "(3.0; adam: 0.001; regression: 0.01)"));
}

static void missing_data_exits_1_naming_the_folder(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(run_command("nnc train --data no-such-folder", out, sizeof out), 1);
    assert_non_null(strstr(out, "no-such-folder: no such folder"));
}

static void fetch_script_checks_md5(void **state)
{
    (void)state;
    char out[4096], cmd[1024];
    /* a folder whose training images are not MNIST's */
    assert_int_equal(system("mkdir -p test-scratch/fake-mnist && "
                            "printf x | gzip > test-scratch/fake-mnist/train-images-idx3-ubyte.gz"),
                     0);
    assert_int_equal(run_command("'" SRC("scripts/fetch-mnist.sh") "' --check test-scratch/fake-mnist", out,
                         sizeof out), 1);
    assert_non_null(strstr(out, "train-images-idx3-ubyte.gz: content MD5"));
    assert_non_null(strstr(out, "t10k-labels-idx1-ubyte(.gz) is missing"));
    const char *dir = mnist_dir();
    if (!dir)
        SKIP_TEST("NNC_MNIST_DIR is not set to a folder");
    snprintf(cmd, sizeof cmd, "'%s' --check '%s'", SRC("scripts/fetch-mnist.sh"), dir);
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
}

/* The README's C example builds against the library as it is. */
static void readme_example_compiles(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(run_command("sed -n '/^```c$/,/^```$/p' '" SRC("README.md") "' | sed '1d;$d' "
                                 "> test-scratch/readme_example.c", out, sizeof out), 0);
    assert_int_equal(run_command("grep -q nnc_train test-scratch/readme_example.c", out,
                                 sizeof out), 0);
    if (run_command("${CC:-cc} -std=c11 -Wall -Werror -I'" SRC("include") "' "
                    "test-scratch/readme_example.c -c -o test-scratch/readme.o",
                    out, sizeof out) != 0)
        fail_msg("the README's example does not compile: %s", out);
}

/* Each folder of the library includes only what it may know
 * (docs/ARCHITECTURE.md), and the command only the public header. */
static void includes_follow_the_architecture(void **state)
{
    (void)state;
    char out[4096];
    if (run_command("'" SRC("scripts/check-includes.sh") "' '" NNC_TEST_SRCDIR "'", out,
                    sizeof out) != 0)
        fail_msg("%s", out);
}

/* A typo gets the nearest option's name; 'nnc help COMMAND' is the
 * command's --help; --monitor adds to the test line, never drops it. */
static void the_command_helps_the_user(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(run_command("nnc train --lamda 5", out, sizeof out), 2);
    assert_non_null(strstr(out, "did you mean '--lambda'?"));
    assert_int_equal(run_command("nnc train --eta", out, sizeof out), 2);
    assert_non_null(strstr(out, "'--eta' needs a value"));
    assert_int_equal(run_command("nnc help train", out, sizeof out), 0);
    assert_non_null(strstr(out, "usage: nnc train"));
    FILE *f = fopen(scratch_path("monitor.csv"), "w");
    assert_non_null(f);
    for (int i = 0; i < 40; i++)
        fprintf(f, "%d,%d,%d\n", i % 2, (i % 2) * 200, 255 - (i % 2) * 200);
    fclose(f);
    assert_int_equal(run_command("nnc train --data test-scratch/monitor.csv --test "
                                 "test-scratch/monitor.csv --layers 2,3,2 --epochs 1 "
                                 "--monitor train-cost", out, sizeof out), 0);
    if (!strstr(out, "Epoch 0: ") || !strstr(out, " / 40 ") || !strstr(out, "train cost"))
        fail_msg("%s", out);
    /* eval takes the data sources train takes: here the CSV itself */
    assert_int_equal(run_command("nnc train --data test-scratch/monitor.csv --layers 2,3,2 "
                                 "--epochs 5 --save test-scratch/monitor.nnc", out, sizeof out),
                     0);
    assert_int_equal(run_command("nnc eval --data test-scratch/monitor.csv "
                                 "test-scratch/monitor.nnc", out, sizeof out), 0);
    if (!strstr(out, "on test-scratch/monitor.csv") || !strstr(out, " / 40 "))
        fail_msg("%s", out);
    /* data that does not fit the network is refused before the run starts */
    assert_int_equal(run_command("nnc train --data test-scratch/monitor.csv --layers 3,3,2 "
                                 "--epochs 1", out, sizeof out), 1);
    if (!strstr(out, "monitor.csv: samples have 2 inputs, the network takes 3") ||
        strstr(out, "training ["))
        fail_msg("%s", out);
}

/* nnc info says which kind of file it reads, and nothing a format does not
 * record. */
static void info_says_what_a_file_holds(void **state)
{
    (void)state;
    char out[4096];
    FILE *f = fopen(scratch_path("info.csv"), "w");
    assert_non_null(f);
    for (int i = 0; i < 20; i++)
        fprintf(f, "%d,%d,%d\n", i % 2, (i % 2) * 200, 255 - (i % 2) * 200);
    fclose(f);
    assert_int_equal(run_command("nnc train --data test-scratch/info.csv --layers 2,3,2 "
                                 "--epochs 2 --save test-scratch/info.json "
                                 "--checkpoint test-scratch/info-ck.nnc", out, sizeof out), 0);
    assert_int_equal(run_command("nnc info test-scratch/info.json", out, sizeof out), 0);
    if (!strstr(out, "network2 JSON") || strstr(out, "created:") || strstr(out, "trained:"))
        fail_msg("%s", out);
    assert_int_equal(run_command("nnc info test-scratch/info-ck.nnc", out, sizeof out), 0);
    if (!strstr(out, "nnc checkpoint") || !strstr(out, "trained:     2 epochs") ||
        !strstr(out, "history:     2 epochs"))
        fail_msg("%s", out);
    assert_int_equal(run_command("nnc info --history test-scratch/info-ck.nnc", out, sizeof out),
                     0);
    if (!strstr(out, "\n    0  ") || !strstr(out, "\n    1  ") || strstr(out, "\n    2  "))
        fail_msg("a line per epoch: %s", out);
    nnc_file_kind kind;
    assert_int_equal(nnc_model_file_kind(SRC("tests/golden/tiny.nnc"), &kind), NNC_OK);
    assert_int_equal(kind, NNC_FILE_MODEL);
}

/* A progress line on a terminal, none elsewhere; --json and --metrics. */
static void a_run_reports_itself(void **state)
{
    (void)state;
    char cmd[1024], out[16384];
    FILE *f = fopen(scratch_path("report.csv"), "w");
    assert_non_null(f);
    for (int i = 0; i < 20000; i++)
        fprintf(f, "%d,%d,%d\n", i % 2, (i % 2) * 200, 255 - (i % 2) * 200);
    fclose(f);
    const char *run = "train --data test-scratch/report.csv --test test-scratch/report.csv "
                      "--layers 2,300,2 --epochs 2";
    /* under a pseudo-terminal (script), stderr is a terminal */
    snprintf(cmd, sizeof cmd, "script -qec \"%s %s\" /dev/null", nnc_command(), run);
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
    if (!strstr(out, "\r\033[Kepoch 0 [") || !strstr(out, "batches") ||
        !strstr(out, "Epoch 1: "))
        fail_msg("no progress line on a terminal: %s", out);
    snprintf(cmd, sizeof cmd, "nnc %s", run);
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
    if (strchr(out, '\r') || strstr(out, "\033[") || !strstr(out, "Epoch 1: "))
        fail_msg("control characters when stderr is not a terminal: %s", out);
    /* --json: one object per epoch; --metrics: a header and a row per epoch */
    snprintf(cmd, sizeof cmd, "nnc %s --json --monitor train-cost "
             "--metrics test-scratch/report-metrics.csv 2>/dev/null | grep '^{' | "
             "python3 -c 'import json, sys; r = [json.loads(l) for l in sys.stdin]; "
             "print(len(r), r[1][\"epoch\"], r[1][\"test_count\"], \"train_cost\" in r[1])'",
             run);
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
    if (strcmp(out, "2 1 20000 True\n") != 0)
        fail_msg("--json gave: %s", out);
    f = fopen("test-scratch/report-metrics.csv", "r");
    assert_non_null(f);
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "epoch,seconds,eta,train_cost,test_accuracy,running_cost,"
                              "running_accuracy,warnings\n");
    int rows = 0;
    while (fgets(line, sizeof line, f))
        rows++;
    fclose(f);
    assert_int_equal(rows, 2);
}

/* The man page documents every option nnc train --help lists. */
static void the_man_page_knows_every_option(void **state)
{
    (void)state;
    static const char *const commands[] = {"train", "eval", "info", "predict", "plot", "show",
                                           "report", "export", "serve"};
    FILE *f = fopen(SRC("man/nnc.1"), "r");
    assert_non_null(f);
    static char page[65536];
    size_t len = fread(page, 1, sizeof page - 1, f);
    page[len] = '\0';
    fclose(f);
    int options = 0;
    for (size_t c = 0; c < sizeof commands / sizeof *commands; c++) {
        char cmd[64], out[8192];
        snprintf(cmd, sizeof cmd, "nnc %s --help", commands[c]);
        assert_int_equal(run_command(cmd, out, sizeof out), 0);
        for (const char *p = strstr(out, " --"); p; p = strstr(p + 3, " --")) {
            char name[64], roff[80];
            if (sscanf(p + 3, "%63[a-z-]", name) != 1)
                continue;
            snprintf(roff, sizeof roff, "\\-\\-%s", name);   /* --x as roff writes it */
            for (char *ch = roff + 4; *ch; ch++)
                if (*ch == '-')   /* inner hyphens are \- too */
                    memmove(ch + 1, ch, strlen(ch) + 1), *ch++ = '\\';
            if (!strstr(page, roff))
                fail_msg("man/nnc.1 does not mention %s's --%s", commands[c], name);
            options++;
        }
    }
    assert_true(options > 40);
}

/* A regression model's info never shows accuracy: its summary line and
 * --history give RMSE, MAE and R2, as the run's metrics file recorded them;
 * its report and curves neither. */
static void a_regression_is_judged_by_its_fit(void **state)
{
    (void)state;
    FILE *f = fopen(scratch_path("fit.csv"), "w");
    assert_non_null(f);
    fputs("x1,x2,y\n", f);
    uint64_t st = 5;
    for (int i = 0; i < 300; i++) {
        double a = test_uniform(&st, -5, 5), b = test_uniform(&st, -5, 5);
        fprintf(f, "%.4f,%.4f,%.4f\n", a, b, 3 * a - 2 * b + 1);
    }
    fclose(f);
    static char out[16384];
    assert_int_equal(run_command("nnc train --data test-scratch/fit.csv --label y --task regress "
                                 "--epochs 3 --test-split 0.2 --valid-split 0.1 --monitor "
                                 "valid-accuracy --metrics test-scratch/fit-run.csv --save "
                                 "test-scratch/fit.nnc", out, sizeof out), 0);
    /* the last row of the metrics file: epoch 2's fit */
    double v_rmse, v_mae, v_r2, t_rmse, t_mae, t_r2;
    f = fopen("test-scratch/fit-run.csv", "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "epoch,seconds,eta,valid_rmse,valid_mae,valid_r2,test_rmse,"
                              "test_mae,test_r2,running_cost,running_rmse,running_mae,"
                              "running_r2,warnings\n");
    for (int e = 0; e < 3; e++)
        assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_int_equal(sscanf(line, "2,%*f,%*f,%lf,%lf,%lf,%lf,%lf,%lf", &v_rmse, &v_mae, &v_r2,
                            &t_rmse, &t_mae, &t_r2), 6);
    assert_int_equal(run_command("nnc info test-scratch/fit.nnc", out, sizeof out), 0);
    if (strstr(out, "accuracy") || strstr(out, "%"))
        fail_msg("a regression with an accuracy: %s", out);
    const char *at = strstr(out, "last test RMSE ");
    double rmse, mae, r2;
    if (!at || sscanf(at, "last test RMSE %lf, MAE %lf, R2 %lf", &rmse, &mae, &r2) != 3)
        fail_msg("no test fit: %s", out);
    if (fabs(rmse - t_rmse) > 1e-3 * t_rmse || fabs(mae - t_mae) > 1e-3 * t_mae ||
        fabs(r2 - t_r2) > 1e-4)
        fail_msg("info says RMSE %g MAE %g R2 %g, the run %g %g %g", rmse, mae, r2, t_rmse,
                 t_mae, t_r2);
    if (!strstr(out, "best validation RMSE "))
        fail_msg("%s", out);
    assert_int_equal(run_command("nnc info --history test-scratch/fit.nnc", out, sizeof out),
                     0);
    if (strstr(out, "acc") || strstr(out, "%") || !strstr(out, "test RMSE") ||
        !strstr(out, "test MAE") || !strstr(out, "test R2"))
        fail_msg("--history of a regression: %s", out);
    at = strstr(out, "\n    2  ");
    double cols[9];
    if (!at || sscanf(at, "\n    2 %*f %*f - - - %lf %lf %lf %lf %lf %lf", &cols[0], &cols[1],
                      &cols[2], &cols[3], &cols[4], &cols[5]) != 6)
        fail_msg("epoch 2's row: %s", out);
    if (fabs(cols[0] - v_rmse) > 1e-3 * v_rmse || fabs(cols[2] - v_r2) > 1e-4 ||
        fabs(cols[3] - t_rmse) > 1e-3 * t_rmse || fabs(cols[5] - t_r2) > 1e-4)
        fail_msg("epoch 2: %s", at);
    /* the report: the fit, and curves of R2 */
    assert_int_equal(run_command("nnc report test-scratch/fit.nnc --data test-scratch/fit.csv "
                                 "-o test-scratch/fit.html", out, sizeof out), 0);
    f = fopen("test-scratch/fit.html", "r");
    assert_non_null(f);
    static char page[1 << 18];
    page[fread(page, 1, sizeof page - 1, f)] = '\0';
    fclose(f);
    if (strstr(page, "accuracy") || strstr(page, "%</text>") || !strstr(page, "RMSE") ||
        !strstr(page, "test_r2"))
        fail_msg("the report of a regression: %.2000s", page);
}

/* The options on the option lines of a command's help: "  -x, --name ARG"
 * or "      --name ARG" (a line of text naming another option is not one);
 * the short name, or 0, in letter[i]. Returns how many. */
static int option_lines(const char *help, char (*name)[32], int *letter, int cap)
{
    int n = 0;
    for (const char *line = help; line && n < cap;
         line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        const char *p = line;
        while (*p == ' ')
            p++;
        if (p - line < 2)
            continue;
        letter[n] = 0;
        if (p[0] == '-' && p[1] != '-' && p[2] == ',' && p[3] == ' ')
            letter[n] = p[1], p += 4;
        if (strncmp(p, "--", 2) != 0)
            continue;
        size_t len = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");
        if (!len || len >= sizeof name[0])
            continue;
        memcpy(name[n], p + 2, len);
        name[n][len] = '\0';
        n++;
    }
    return n;
}

/* Whether the command takes an option: the option, then --help twice (so
 * that one taking a value takes the first and the second shows the help). */
static int accepts(const char *command, const char *option)
{
    char cmd[256], out[16384];
    snprintf(cmd, sizeof cmd, "nnc %s %s --help --help", command, option);
    int status = run_command(cmd, out, sizeof out);
    if (status != 0 && status != 1 && status != 2)
        fail_msg("'%s' exited %d: %s", cmd, status, out);
    return !strstr(out, "unknown option") && !strstr(out, "is unknown or needs a value");
}

/* Every option a command accepts is on an option line of its help, with its
 * short name if it has one, and every option its help lists is accepted;
 * the options tried are every letter, and every long option of the man page
 * and of the commands' getopt tables. -q is --quiet where --quiet is. */
static void help_lists_every_option(void **state)
{
    (void)state;
    static const char *const commands[] = {"train", "eval", "info", "predict", "plot", "show",
                                           "report", "export", "serve"};
    static const char *const getopt_names[] = {
        "layers", "epochs", "batch", "eta", "seed", "threads", "data", "save", "help", "quiet",
        "activation", "cost", "init", "optimizer", "momentum", "lambda", "dropout",
        "halve-after", "early-stop", "monitor", "preset", "label", "ignore", "header", "sep",
        "task", "scale", "binary", "valid-split", "test-split", "hidden", "checkpoint",
        "resume", "init-from", "test", "metrics", "json", "history", "invert", "center",
        "no-center", "output", "weights", "errors", "confusion", "count", "c", "name",
        "quantize", "onnx", "serve", "port", "host"};
    /* the long options of the man page, as roff writes them: \-\-name\-more */
    FILE *f = fopen(SRC("man/nnc.1"), "r");
    assert_non_null(f);
    static char page[65536];
    page[fread(page, 1, sizeof page - 1, f)] = '\0';
    fclose(f);
    static char names[200][32];
    int n_names = 0;
    for (size_t i = 0; i < sizeof getopt_names / sizeof *getopt_names; i++)
        snprintf(names[n_names++], sizeof names[0], "%s", getopt_names[i]);
    for (const char *p = strstr(page, "\\-\\-"); p && n_names < 200;
         p = strstr(p + 1, "\\-\\-")) {
        char name[32];
        size_t len = 0;
        for (const char *q = p + 4; len + 1 < sizeof name;) {
            if (*q >= 'a' && *q <= 'z')
                name[len++] = *q++;
            else if (q[0] == '\\' && q[1] == '-' && q[2] >= 'a' && q[2] <= 'z')
                name[len++] = '-', q += 2;
            else
                break;
        }
        name[len] = '\0';
        int known = !len;
        for (int i = 0; i < n_names && !known; i++)
            known = !strcmp(names[i], name);
        if (!known)
            snprintf(names[n_names++], sizeof names[0], "%s", name);
    }
    assert_true(n_names >= 50);
    for (size_t c = 0; c < sizeof commands / sizeof *commands; c++) {
        char cmd[64], help[16384], again[16384];
        snprintf(cmd, sizeof cmd, "nnc %s --help", commands[c]);
        assert_int_equal(run_command(cmd, help, sizeof help), 0);
        snprintf(cmd, sizeof cmd, "nnc help %s", commands[c]);
        assert_int_equal(run_command(cmd, again, sizeof again), 0);
        assert_string_equal(help, again);
        static char shown[64][32];
        int letter[64], n_shown = option_lines(help, shown, letter, 64);
        assert_true(n_shown >= 2);
        /* what the help lists is taken, by both its names */
        for (int i = 0; i < n_shown; i++) {
            char option[40];
            snprintf(option, sizeof option, "--%.31s", shown[i]);
            if (!accepts(commands[c], option))
                fail_msg("nnc %s's help lists %s, which it does not take", commands[c], option);
            snprintf(option, sizeof option, "-%c", letter[i]);
            if (letter[i] && !accepts(commands[c], option))
                fail_msg("nnc %s's help lists %s for --%s, which it does not take",
                         commands[c], option, shown[i]);
        }
        /* what is taken is listed: a long option by its name (or one it
         * abbreviates), a letter as the short name of one */
        for (int i = 0; i < n_names; i++) {
            char option[40];
            snprintf(option, sizeof option, "--%.31s", names[i]);
            if (!accepts(commands[c], option))
                continue;
            int found = 0;
            for (int j = 0; j < n_shown && !found; j++)
                found = !strncmp(shown[j], names[i], strlen(names[i]));
            if (!found)
                fail_msg("nnc %s takes %s, but its help does not list it", commands[c], option);
        }
        for (int l = 0; l < 128; l++) {
            if (!((l >= 'a' && l <= 'z') || (l >= 'A' && l <= 'Z') || (l >= '0' && l <= '9')))
                continue;
            char option[3] = {'-', (char)l, '\0'};
            if (!accepts(commands[c], option))
                continue;
            int found = 0;
            for (int j = 0; j < n_shown && !found; j++)
                found = letter[j] == l;
            if (!found)
                fail_msg("nnc %s takes -%c, but its help does not list it", commands[c], l);
        }
        /* -q is --quiet wherever there is --quiet */
        if (accepts(commands[c], "--quiet")) {
            assert_true(accepts(commands[c], "-q"));
            for (int j = 0; j < n_shown; j++)
                if (letter[j] == 'q' && strcmp(shown[j], "quiet") != 0)
                    fail_msg("nnc %s: -q is --%s, not --quiet", commands[c], shown[j]);
        }
    }
    char out[8192];
    assert_int_equal(run_command("nnc help export", out, sizeof out), 0);
    assert_non_null(strstr(out, "--onnx FILE"));
    assert_int_equal(run_command("nnc help", out, sizeof out), 0);
    assert_non_null(strstr(out, "ONNX"));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(the_man_page_knows_every_option),
    cmocka_unit_test(help_lists_every_option),
    cmocka_unit_test(a_run_reports_itself),
    cmocka_unit_test(info_says_what_a_file_holds),
    cmocka_unit_test(a_regression_is_judged_by_its_fit),
    cmocka_unit_test(the_command_helps_the_user),
    cmocka_unit_test(includes_follow_the_architecture),
    cmocka_unit_test(readme_example_compiles),
    cmocka_unit_test(fetch_script_checks_md5),
    cmocka_unit_test(usage_errors_exit_2),
    cmocka_unit_test(help_and_version_exit_0),
    cmocka_unit_test(missing_data_exits_1_naming_the_folder),
};
TEST_GROUP(cli_tests, "cli", tests);
