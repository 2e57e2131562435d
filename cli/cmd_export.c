/* cmd_export.c — `nnc export MODEL --c model.h`: the model as a C99 header
 * that runs with no library, in float or with int8 weights; `--onnx
 * model.onnx`: as an ONNX model for the runtimes that read it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
    fputs("usage: nnc export MODEL --c FILE.h [--name NAME] [--quantize int8]\n"
          "       nnc export MODEL --onnx FILE.onnx\n"
          "\n"
          "Writes the model as one self-contained C99 header: the parameters as static\n"
          "const arrays and NAME_predict(in, out) (and NAME_classify(in) for a\n"
          "classifier), with the model's input scaling inside; no allocation, nothing\n"
          "but <math.h>. The header's comment says what the inputs and outputs are.\n"
          "  -c, --c FILE         the header to write\n"
          "  -n, --name NAME      the prefix of its names, a C identifier\n"
          "                       (default: the file's name, e.g. digits for digits.h)\n"
          "  -q, --quantize int8  weights as int8 per output unit (a quarter of the\n"
          "                       float size), each layer's inputs quantised per call\n"
          "                       and the products summed in integers\n"
          "  -d, --data PATH      with --quantize int8: the test data (as 'nnc eval'\n"
          "                       takes it) to report the accuracy int8 costs\n"
          "  -x, --onnx FILE      an ONNX model (IR 7, opset 13): input 'input' [batch,\n"
          "                       inputs], output 'output' [batch, outputs]; the input\n"
          "                       scaling as Sub and Mul, layers as Gemm\n"
          "  -h, --help           show this help\n",
          out);
}

/* The default name: the file's base name without .h, made an identifier. */
static void name_of(const char *path, char *name, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = 0;
    for (const char *p = base; *p && *p != '.' && n + 1 < cap; p++) {
        int letter = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
        int digit = *p >= '0' && *p <= '9';
        name[n] = letter || (digit && n > 0) ? *p : '_';
        n++;
    }
    name[n] = '\0';
    if (!n)
        snprintf(name, cap, "model");
}

/* The test set's accuracy of the float network and of its int8 export. */
static int int8_accuracy(const nnc_net *net, const char *data)
{
    if (nnc_cost_is_regression(nnc_net_cost(net))) {
        cli_error("--data: accuracy is for classifiers; this network is a regression");
        return 1;
    }
    nnc_data *test;
    int loaded = cli_load_test_set(net, data, NULL, NULL, 0, &test);
    if (loaded != 1)
        return loaded < 0 ? EXIT_USAGE : 1;
    size_t n = nnc_data_count(test), d = nnc_data_dim(test), k = nnc_net_outputs(net);
    float *x = malloc(n * d * sizeof *x), *y = malloc(n * k * sizeof *y);
    size_t correct = 0, correct8 = 0;
    int ok = x && y && nnc_evaluate(net, test, &correct) == NNC_OK;
    for (size_t i = 0; ok && i < n; i++)
        nnc_data_input(test, i, x + i * d);
    ok = ok && nnc_int8_feedforward(net, x, n, y) == NNC_OK;
    for (size_t i = 0; ok && i < n; i++) {
        const float *o = y + i * k;
        size_t best = 0;
        for (size_t j = 1; j < k; j++)
            best = o[j] > o[best] ? j : best;
        if (k == 1)
            best = o[0] > 0.5f;
        correct8 += best == nnc_data_label(test, i);
    }
    if (ok)
        printf("int8 on %s: %zu / %zu (float: %zu / %zu; %.2f points lost)\n",
               nnc_data_source(test), correct8, n, correct, n,
               100.0 * ((double)correct - (double)correct8) / (double)n);
    else
        cli_error("%s", x && y ? nnc_last_error() : "out of memory");
    free(x), free(y);
    nnc_data_free(test);
    return ok ? 0 : 1;
}

int cmd_export(int argc, char **argv)
{
    static const struct option longopts[] = {{"c", required_argument, NULL, 'c'},
                                             {"name", required_argument, NULL, 'n'},
                                             {"quantize", required_argument, NULL, 'q'},
                                             {"onnx", required_argument, NULL, 'x'},
                                             {"data", required_argument, NULL, 'd'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *header = NULL, *name = NULL, *onnx = NULL, *data = NULL;
    int int8 = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "c:n:q:x:d:h", longopts, NULL)) != -1) {
        if (c == 'x') {
            onnx = optarg;
        } else if (c == 'd') {
            data = optarg;
        } else if (c == 'c') {
            header = optarg;
        } else if (c == 'n') {
            name = optarg;
        } else if (c == 'q') {
            if (strcmp(optarg, "int8") != 0) {
                cli_error("--quantize: '%s' is not int8", optarg);
                return EXIT_USAGE;
            }
            int8 = 1;
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            cli_bad_option("export", argv[optind - 1], longopts);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1 || (!header && !onnx)) {
        cli_error("export: expects MODEL and --c FILE.h or --onnx FILE.onnx; try 'nnc export "
                  "--help'");
        return EXIT_USAGE;
    }
    char fallback[65];
    if (!name && header) {
        name_of(header, fallback, sizeof fallback);
        name = fallback;
    }
    nnc_net *net = cli_load_model(argv[optind]);
    if (!net)
        return 1;
    int status = 0;
    if (onnx && nnc_export_onnx(net, onnx) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        status = 1;
    } else if (onnx) {
        printf("wrote %s: ONNX, opset 13, input 'input' [batch, %zu], output 'output' "
               "[batch, %zu]\n", onnx, nnc_net_inputs(net), nnc_net_outputs(net));
    }
    if (status || !header) {
        /* done, or the ONNX export failed */
    } else if (nnc_export_c(net, header, name, int8) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        status = 1;
    } else {
        size_t weights = 0, params = nnc_net_param_count(net);
        for (size_t l = 1; l < nnc_net_layers(net); l++)
            weights += nnc_net_size(net, l - 1) * nnc_net_size(net, l);
        printf("wrote %s: %s_predict%s, parameters ", header, name,
               nnc_cost_is_regression(nnc_net_cost(net)) ? "" : " and _classify");
        if (int8)   /* what quantisation saves, beside the float size */
            printf("%zu bytes (int8 weights, float biases and scales; float: %zu bytes)\n",
                   weights + 4 * (params - weights), 4 * params);
        else
            printf("%zu bytes (float)\n", 4 * params);
    }
    if (status == 0 && int8 && data)
        status = int8_accuracy(net, data);
    nnc_net_free(net);
    return status;
}
