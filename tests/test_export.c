/* test_export.c — the exported C header, compiled by gcc and clang with
 * -std=c99 -Wall -Wextra -pedantic -Werror, computes what nnc_feedforward
 * computes (every activation and output layer, with input scaling); a
 * trained MNIST network classifies the test images as nnc does, and its int8
 * export loses at most 0.3 points of accuracy with a quarter of the bytes. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

/* A program that feeds every input row of argv[1] through model_predict (or
 * model_classify, built with -DCLASSIFY) and writes the results to argv[2]. */
static const char driver[] =
    "#include <stdio.h>\n"
    "#include \"model.h\"\n"
    "int main(int argc, char **argv)\n"
    "{\n"
    "    FILE *in = fopen(argv[1], \"rb\"), *out = fopen(argv[2], \"wb\");\n"
    "    (void)argc;\n"
    "    float x[MODEL_INPUTS], y[MODEL_OUTPUTS];\n"
    "    if (!in || !out)\n"
    "        return 1;\n"
    "    while (fread(x, sizeof x, 1, in) == 1) {\n"
    "#ifdef CLASSIFY\n"
    "        int c = model_classify(x);\n"
    "        (void)y;\n"
    "        fwrite(&c, sizeof c, 1, out);\n"
    "#else\n"
    "        model_predict(x, y);\n"
    "        fwrite(y, sizeof y, 1, out);\n"
    "#endif\n"
    "    }\n"
    "    return fclose(out) != 0;\n"
    "}\n";

static int have(const char *cc)
{
    char cmd[128], out[256];
    snprintf(cmd, sizeof cmd, "%s --version", cc);
    return run_command(cmd, out, sizeof out) == 0;
}

/* onnxruntime from npm (npm install in tests/onnx) and node to run it. */
static int have_onnxruntime(void)
{
    char cmd[1024], out[256];
    snprintf(cmd, sizeof cmd, "test -d '%s' && node --version",
             SRC("tests/onnx/node_modules/onnxruntime-node"));
    return run_command(cmd, out, sizeof out) == 0;
}

/* Exports net as test-scratch/model.h, compiles the driver with cc and runs
 * it on the n rows of x; the results go to result (n x per_row bytes). */
static void run_export(const nnc_net *net, int int8, const char *cc, const float *x, size_t n,
                       int classify, void *result, size_t per_row)
{
    assert_ok(nnc_export_c(net, scratch_path("model.h"), "model", int8));
    FILE *f = fopen(scratch_path("driver.c"), "w");
    assert_non_null(f);
    fputs(driver, f);
    fclose(f);
    f = fopen(scratch_path("inputs.bin"), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(x, sizeof *x * nnc_net_inputs(net), n, f), n);
    fclose(f);
    char cmd[1024], out[8192];
    snprintf(cmd, sizeof cmd, "%s -std=c99 -Wall -Wextra -pedantic -Werror -O1 %s "
             "-o test-scratch/driver test-scratch/driver.c -lm", cc,
             classify ? "-DCLASSIFY" : "");
    if (run_command(cmd, out, sizeof out) != 0)
        fail_msg("%s%s does not compile the header:\n%s", cc, int8 ? " (int8)" : "", out);
    snprintf(cmd, sizeof cmd, "test-scratch/driver test-scratch/inputs.bin "
             "test-scratch/results.bin");
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
    f = fopen(scratch_path("results.bin"), "rb");
    assert_non_null(f);
    assert_int_equal(fread(result, per_row, n, f), n);
    fclose(f);
}

/* The outputs of nnc's reference kernels, which the process cannot switch
 * to once it has chosen: `NNC_KERNELS=ref nnc predict` on the rows as a
 * table, whose values are printed to be read back exactly. */
static void reference_outputs(const nnc_net *net, const float *x, size_t n, float *y)
{
    size_t d = nnc_net_inputs(net), k = nnc_net_outputs(net);
    assert_ok(nnc_model_save(net, scratch_path("ref-model.nnc")));
    FILE *f = fopen(scratch_path("ref-rows.csv"), "w");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            fprintf(f, "%.9g%c", x[i * d + j], j + 1 < d ? ',' : '\n');
    fclose(f);
    static char out[65536];
    setenv("NNC_KERNELS", "ref", 1);
    int status = run_command("nnc predict test-scratch/ref-model.nnc test-scratch/ref-rows.csv",
                             out, sizeof out);
    unsetenv("NNC_KERNELS");
    assert_int_equal(status, 0);
    const char *p = strchr(out, '\n');   /* past the header */
    for (size_t i = 0; i < n; i++) {
        assert_non_null(p);
        p++;
        if (!nnc_cost_is_regression(nnc_net_cost(net)))
            p = strchr(p, ',') + 1;   /* past the predicted class */
        for (size_t j = 0; j < k; j++) {
            char *end;
            y[i * k + j] = strtof(p, &end);
            assert_true(end > p);
            p = end + (*end == ',');
        }
        p = strchr(p, '\n');
    }
}

static void every_kind_of_network_computes_as_nnc(void **state)
{
    (void)state;
    const char *compilers[] = {"gcc", "clang"};
    const nnc_activation acts[] = {NNC_ACT_SIGMOID, NNC_ACT_TANH, NNC_ACT_RELU,
                                   NNC_ACT_LEAKY_RELU};
    const nnc_cost costs[] = {NNC_COST_QUADRATIC, NNC_COST_CROSS_ENTROPY,
                              NNC_COST_SOFTMAX_LOGLIK, NNC_COST_MSE};
    if (getenv("NNC_TEST_WRAPPER"))
        SKIP_TEST("the header is compiled for this machine, nnc for another");
    enum { N = 25, D = 6, K = 4 };
    const size_t sizes[] = {D, 9, 7, K};
    float x[N * D], want[N * K], got[N * K];
    uint64_t st = 21;
    for (int i = 0; i < N * D; i++)
        x[i] = test_uniform(&st, -3.0f, 3.0f);
    int compiled = 0;
    for (int c = 0; c < 2; c++) {
        if (!have(compilers[c]))
            continue;
        compiled++;
        for (int a = 0; a < 4; a++)
            for (int k = 0; k < 4; k++) {
                nnc_net_spec spec;
                nnc_net_spec_init(&spec, sizes, 4);
                spec.hidden = acts[a], spec.cost = costs[k], spec.seed = (uint64_t)(10 * a + k);
                nnc_net *net;
                assert_ok(nnc_net_create_spec(&spec, &net));
                if (k == 3) {   /* a scaled network takes raw inputs */
                    float shift[D], factor[D];
                    for (int j = 0; j < D; j++)
                        shift[j] = (float)j - 2.5f, factor[j] = 0.5f + 0.1f * (float)j;
                    assert_ok(nnc_net_set_scaling(net, shift, factor));
                }
                assert_ok(nnc_feedforward(net, x, N, want));
                run_export(net, 0, compilers[c], x, N, 0, got, sizeof(float) * K);
                /* nnc's fastest kernels sum in another order: rounding apart */
                for (int i = 0; i < N * K; i++)
                    if (!(fabsf(got[i] - want[i]) <= 1e-5f * fmaxf(1.0f, fabsf(want[i]))))
                        fail_msg("%s, activation %d, cost %d: output %d is %.9g, nnc %.9g",
                                 compilers[c], a, k, i, got[i], want[i]);
                /* with the reference kernels, whose order the header keeps: equal,
                 * but for the subnormals nnc flushes to zero as it computes */
                reference_outputs(net, x, N, want);
                for (int i = 0; i < N * K; i++)
                    if (got[i] != want[i] && !(want[i] == 0.0f && fabsf(got[i]) < FLT_MIN))
                        fail_msg("%s, activation %d, cost %d: output %d is %.9g, nnc's "
                                 "reference kernels %.9g", compilers[c], a, k, i, got[i],
                                 want[i]);
                /* the same model gives the same bytes */
                struct stat s1, s2;
                assert_ok(nnc_export_c(net, scratch_path("again.h"), "model", 0));
                assert_int_equal(stat(scratch_path("model.h"), &s1), 0);
                assert_int_equal(stat(scratch_path("again.h"), &s2), 0);
                assert_int_equal(s1.st_size, s2.st_size);
                nnc_net_free(net);
            }
    }
    if (!compiled)
        SKIP_TEST("neither gcc nor clang is there to compile the header");
    /* names that are not C identifiers are refused */
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 4, 1, &net));
    assert_int_equal(nnc_export_c(net, scratch_path("bad.h"), "9lives", 0), NNC_ERR_ARG);
    assert_non_null(strstr(nnc_last_error(), "not a C identifier"));
    nnc_net_free(net);
}

static void mnist_exports_classify_as_nnc_and_int8_keeps_accuracy(void **state)
{
    (void)state;
    const char *dir = mnist_dir();
    if (!dir)
        SKIP_TEST("NNC_MNIST_DIR is not set to a folder");
    if (!have("gcc") || getenv("NNC_TEST_WRAPPER"))
        SKIP_TEST("no gcc for this machine to compile the header");
    /* chapter 3's network, a few epochs */
    const size_t sizes[] = {784, 100, 10};
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, 3);
    spec.cost = NNC_COST_CROSS_ENTROPY, spec.init = NNC_INIT_SCALED;
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 3, o.eta = 0.1f, o.lambda = 5.0f;
    nnc_data *test;
    nnc_net *net = train_on_mnist(dir, &spec, &o, &test);
    size_t n = nnc_data_count(test), correct;
    assert_ok(nnc_evaluate(net, test, &correct));
    float *x = malloc(n * 784 * sizeof *x), *y = malloc(n * 10 * sizeof *y);
    int *cls = malloc(n * sizeof *cls);
    assert_true(x && y && cls);
    for (size_t i = 0; i < n; i++)
        nnc_data_input(test, i, x + i * 784);
    assert_ok(nnc_feedforward(net, x, n, y));
    run_export(net, 0, "gcc", x, n, 1, cls, sizeof *cls);
    size_t differ = 0;
    for (size_t i = 0; i < n; i++) {
        size_t best = 0;
        for (size_t j = 1; j < 10; j++)
            best = y[i * 10 + j] > y[i * 10 + best] ? j : best;
        differ += (size_t)cls[i] != best;
    }
    assert_int_equal(differ, 0);
    /* and in onnxruntime, when it is installed */
    char cmd[2048], out[8192];
    if (have_onnxruntime()) {
        assert_ok(nnc_export_onnx(net, scratch_path("mnist.onnx")));
        snprintf(cmd, sizeof cmd, "node '%s' test-scratch/mnist.onnx test-scratch/inputs.bin "
                 "%zu 784 test-scratch/onnx-out.bin", SRC("tests/onnx/run.js"), n);
        if (run_command(cmd, out, sizeof out) != 0)
            fail_msg("onnxruntime does not run the MNIST model: %s", out);
        float *o = malloc(n * 10 * sizeof *o);
        FILE *f = fopen(scratch_path("onnx-out.bin"), "rb");
        assert_true(o && f);
        assert_int_equal(fread(o, sizeof *o * 10, n, f), n);
        fclose(f);
        size_t onnx_differ = 0;
        for (size_t i = 0; i < n; i++) {
            size_t a = 0, b = 0;
            for (size_t j = 1; j < 10; j++) {
                a = o[i * 10 + j] > o[i * 10 + a] ? j : a;
                b = y[i * 10 + j] > y[i * 10 + b] ? j : b;
            }
            onnx_differ += a != b;
        }
        free(o);
        assert_int_equal(onnx_differ, 0);
    }
    run_export(net, 1, "gcc", x, n, 1, cls, sizeof *cls);
    size_t int8_correct = 0, int8_differ = 0;
    assert_ok(nnc_int8_feedforward(net, x, n, y));   /* the library computes it too */
    for (size_t i = 0; i < n; i++) {
        size_t best = 0;
        for (size_t j = 1; j < 10; j++)
            best = y[i * 10 + j] > y[i * 10 + best] ? j : best;
        int8_differ += best != (size_t)cls[i];
        int8_correct += (unsigned)cls[i] == nnc_data_label(test, i);
    }
    assert_int_equal(int8_differ, 0);
    double lost = 100.0 * ((double)correct - (double)int8_correct) / (double)n;
    print_message("    int8: %zu / %zu against float %zu / %zu (%.2f points lost)\n",
                  int8_correct, n, correct, n, lost);
    if (lost > 0.3)
        fail_msg("int8 loses %.2f points: %zu against %zu of %zu", lost, int8_correct, correct,
                 n);
    struct stat fs, qs;   /* the int8 weights: a quarter of the float ones */
    assert_ok(nnc_export_c(net, scratch_path("float.h"), "model", 0));
    assert_int_equal(stat(scratch_path("float.h"), &fs), 0);
    assert_int_equal(stat(scratch_path("model.h"), &qs), 0);
    assert_true(qs.st_size < fs.st_size / 2);   /* text: "-27, " against "-2.75079440e-02f, " */
    free(x), free(y), free(cls);
    nnc_data_free(test);
    nnc_net_free(net);
}

/* ONNX: onnx's own checker accepts the file (Debian's python3-onnx) and
 * onnxruntime (tests/onnx, from npm) computes nnc's outputs from it. */
static void onnx_models_run_in_onnxruntime(void **state)
{
    (void)state;
    char cmd[2048], out[8192];
    const char *python = python_with_numpy();
    snprintf(cmd, sizeof cmd, "'%s' -c 'import onnx.checker'", python ? python : "false");
    int checker = python && run_command(cmd, out, sizeof out) == 0;
    int runtime = have_onnxruntime();
    if (!checker && !runtime)
        SKIP_TEST("neither python3-onnx nor onnxruntime-node (npm install in tests/onnx)");
    const nnc_activation acts[] = {NNC_ACT_SIGMOID, NNC_ACT_RELU, NNC_ACT_TANH,
                                   NNC_ACT_LEAKY_RELU};
    const nnc_cost costs[] = {NNC_COST_QUADRATIC, NNC_COST_SOFTMAX_LOGLIK, NNC_COST_MSE,
                              NNC_COST_CROSS_ENTROPY};
    enum { N = 16, D = 5, K = 3 };
    const size_t sizes[] = {D, 8, 6, K};
    float x[N * D], want[N * K], got[N * K];
    uint64_t st = 8;
    for (int i = 0; i < N * D; i++)
        x[i] = test_uniform(&st, -2.0f, 2.0f);
    for (int v = 0; v < 4; v++) {
        nnc_net_spec spec;
        nnc_net_spec_init(&spec, sizes, 4);
        spec.hidden = acts[v], spec.cost = costs[v], spec.seed = (uint64_t)v;
        nnc_net *net;
        assert_ok(nnc_net_create_spec(&spec, &net));
        if (v % 2) {
            const float shift[D] = {1, -1, 0.5f, 0, 2}, factor[D] = {0.5f, 2, 1, 3, 0.25f};
            assert_ok(nnc_net_set_scaling(net, shift, factor));
        }
        assert_ok(nnc_export_onnx(net, scratch_path("model.onnx")));
        if (checker) {
            snprintf(cmd, sizeof cmd, "'%s' -c 'import onnx, onnx.checker; "
                     "onnx.checker.check_model(onnx.load(\"test-scratch/model.onnx\"), "
                     "full_check=True)'", python);
            if (run_command(cmd, out, sizeof out) != 0)
                fail_msg("onnx.checker refuses the model of activation %d, cost %d:\n%s",
                         acts[v], costs[v], out);
        }
        if (runtime) {
            FILE *f = fopen(scratch_path("onnx-in.bin"), "wb");
            assert_non_null(f);
            fwrite(x, sizeof x, 1, f);
            fclose(f);
            snprintf(cmd, sizeof cmd, "node '%s' test-scratch/model.onnx test-scratch/onnx-in.bin "
                     "%d %d test-scratch/onnx-out.bin", SRC("tests/onnx/run.js"), N, D);
            if (run_command(cmd, out, sizeof out) != 0)
                fail_msg("onnxruntime does not run the model: %s", out);
            f = fopen(scratch_path("onnx-out.bin"), "rb");
            assert_non_null(f);
            assert_int_equal(fread(got, sizeof got, 1, f), 1);
            fclose(f);
            assert_ok(nnc_feedforward(net, x, N, want));
            for (int i = 0; i < N * K; i++)
                if (!(fabsf(got[i] - want[i]) <= 1e-5f * fmaxf(1.0f, fabsf(want[i]))))
                    fail_msg("activation %d, cost %d: output %d is %.9g in onnxruntime, "
                             "%.9g in nnc", acts[v], costs[v], i, got[i], want[i]);
        }
        nnc_net_free(net);
    }
    if (!runtime)
        print_message("    onnxruntime-node is not installed: the outputs went unchecked\n");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(onnx_models_run_in_onnxruntime),
    cmocka_unit_test(every_kind_of_network_computes_as_nnc),
    cmocka_unit_test(mnist_exports_classify_as_nnc_and_int8_keeps_accuracy),
};
TEST_GROUP(export_tests, "export", tests);
