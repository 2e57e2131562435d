/* cmd_predict.c — `nnc predict MODEL IMAGE...`: class and outputs of each
 * image (PNG, JPEG or PGM); `nnc predict MODEL rows.csv`: a CSV of the
 * predicted label (or values) and the outputs of every row. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
    fputs("usage: nnc predict [--invert auto|yes|no] [--center|--no-center] MODEL IMAGE...\n"
          "       nnc predict [--label COLUMN] MODEL ROWS.csv\n"
          "\n"
          "For a table (.csv, .tsv, .txt) of rows with the training file's columns\n"
          "(found by name where there is a header; the label columns may be absent),\n"
          "writes CSV to stdout: per row the predicted label (as in training) and each\n"
          "class's output, or a regression's predicted values.\n"
          "  -L, --label COLUMN the rows' label column(s), by name or number from 1\n"
          "                     (default: the first column, if it is not an input)\n"
          "\n"
          "Prints the predicted class and the network's outputs for each image (PNG,\n"
          "JPEG or PGM, grey or RGB), scaled to the network's square input. The outputs of a\n"
          "softmax network are probabilities; sigmoid outputs are scores in (0, 1)\n"
          "that need not sum to 1, and are printed as they are.\n"
          "  -i, --invert WHEN  make digits light on dark as in MNIST: auto (when the\n"
          "                     border is light), yes, no                  (auto)\n"
          "  -c, --center       prepare as MNIST's digits were: take away the paper's\n"
          "                     level (grey paper, uneven light), stretch the ink's\n"
          "                     contrast, fit the digit in 20x20 and centre it by\n"
          "                     its centre of mass (the default for images that are\n"
          "                     not already the network's size)\n"
          "      --no-center    only scale the image to the network's size\n"
          "      --precision P  f32, or bf16: the products in bfloat16 with float32\n"
          "                     sums, where the CPU has them             (f32)\n"
          "  -h, --help         show this help\n",
          out);
}

/* The class and the outputs as the network gives them: rescaling sigmoid
 * outputs to sum to 1 would dress them up as probabilities they are not. */
static void print_prediction(const nnc_net *net, const char *file, const float *out, size_t k)
{
    size_t best = 0;
    for (size_t j = 1; j < k; j++)
        best = out[j] > out[best] ? j : best;
    if (nnc_net_class_name(net, best))
        printf("%s: %s  ", file, nnc_net_class_name(net, best));
    else
        printf("%s: %zu  ", file, best);
    for (size_t j = 0; j < k; j++)
        printf(" %zu:%.3f", j, out[j]);
    putchar('\n');
}

/* A CSV field: quoted when it holds a separator, quote or line break. */
static void csv_field(const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

/* Class c as the model names it, else its number. */
static void class_field(const nnc_net *net, size_t c)
{
    if (nnc_net_class_name(net, c))
        csv_field(nnc_net_class_name(net, c));
    else
        printf("%zu", c);
}

/* Every row of a table through the network, as CSV on stdout. */
static int predict_rows(const nnc_net *net, const char *path, const char *label)
{
    nnc_data *rows;
    if (!cli_table_for_model(net, label, path, &rows))
        return 1;
    size_t n = nnc_data_count(rows), d = nnc_data_dim(rows), k = nnc_net_outputs(net);
    int regression = nnc_cost_is_regression(nnc_net_cost(net));
    float *x = malloc(d * sizeof *x), *y = malloc(k * sizeof *y);
    if (!x || !y) {
        cli_error("out of memory");
        free(x), free(y), nnc_data_free(rows);
        return 1;
    }
    if (regression) {
        for (size_t j = 0; j < k; j++)
            printf(k == 1 ? "%sprediction" : "%sprediction_%zu", j ? "," : "", j + 1);
    } else {
        fputs("prediction", stdout);
        size_t classes = k == 1 ? 2 : k;
        for (size_t c = k == 1 ? 1 : 0; c < classes; c++) {   /* one output: class 1's */
            fputs(",output_", stdout);
            class_field(net, c);
        }
    }
    putchar('\n');
    int status = 0;
    for (size_t i = 0; i < n && status == 0; i++) {
        nnc_data_input(rows, i, x);
        if (nnc_feedforward(net, x, 1, y) != NNC_OK) {
            cli_error("%s", nnc_last_error());
            status = 1;
            break;
        }
        if (!regression) {
            size_t best = 0;
            for (size_t j = 1; j < k; j++)
                best = y[j] > y[best] ? j : best;
            class_field(net, k == 1 ? (size_t)(y[0] > 0.5f) : best);
            putchar(',');
        }
        for (size_t j = 0; j < k; j++)
            printf(j ? ",%.9g" : "%.9g", y[j]);   /* a float read back exactly */
        putchar('\n');
    }
    free(x), free(y);
    nnc_data_free(rows);
    return status;
}

int cmd_predict(int argc, char **argv)
{
    static const struct option longopts[] = {{"invert", required_argument, NULL, 'i'},
                                             {"center", no_argument, NULL, 'c'},
                                             {"no-center", no_argument, NULL, 'n'},
                                             {"label", required_argument, NULL, 'L'},
                                             {"precision", required_argument, NULL, 'P'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    nnc_invert invert = NNC_INVERT_AUTO;
    int centre = 2, c;   /* automatic */
    const char *label = NULL;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "i:cL:h", longopts, NULL)) != -1) {
        if (c == 'i') {
            if (!strcmp(optarg, "auto")) invert = NNC_INVERT_AUTO;
            else if (!strcmp(optarg, "yes")) invert = NNC_INVERT_YES;
            else if (!strcmp(optarg, "no")) invert = NNC_INVERT_NO;
            else {
                cli_error("--invert: '%s' is not one of auto, yes, no", optarg);
                return EXIT_USAGE;
            }
        } else if (c == 'c') {
            centre = 1;
        } else if (c == 'n') {
            centre = 0;
        } else if (c == 'L') {
            label = optarg;
        } else if (c == 'P') {
            if (!cli_precision_arg(optarg))
                return EXIT_USAGE;
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            cli_bad_option("predict", argv[optind - 1], longopts);
            return EXIT_USAGE;
        }
    }
    if (argc - optind < 2) {
        cli_error("predict: expects a model and images or a table; try 'nnc predict --help'");
        return EXIT_USAGE;
    }
    nnc_net *net = cli_load_model(argv[optind]);
    if (!net)
        return 1;
    if (cli_is_table(argv[optind + 1])) {
        if (argc - optind != 2) {
            cli_error("predict: one table at a time");
            nnc_net_free(net);
            return EXIT_USAGE;
        }
        int status = predict_rows(net, argv[optind + 1], label);
        nnc_net_free(net);
        return status;
    }
    size_t n_in = nnc_net_inputs(net), k = nnc_net_outputs(net), side, height;
    int status = 0;
    if (!nnc_net_image_size(net, &side, &height) || side != height) {
        cli_error("%s takes a table's rows of %zu columns%s%s%s, not an image: give it rows "
                  "(.csv)", argv[optind], n_in, nnc_net_input_name(net, 0) ? " (" : "",
                  nnc_net_input_name(net, 0) ? nnc_net_input_name(net, 0) : "",
                  nnc_net_input_name(net, 0) ? ", ...)" : "");
        nnc_net_free(net);
        return 1;
    }
    float *x = malloc(n_in * sizeof *x), *out = malloc(k * sizeof *out);
    for (int i = optind + 1; x && out && i < argc; i++) {
        if (nnc_image_load(argv[i], side, side, invert, centre, x) != NNC_OK ||
            nnc_feedforward(net, x, 1, out) != NNC_OK) {
            cli_error("%s", nnc_last_error());
            status = 1;   /* go on with the other images */
            continue;
        }
        print_prediction(net, argv[i], out, k);
    }
    if (!x || !out) {
        cli_error("out of memory");
        status = 1;
    }
    free(x);
    free(out);
    nnc_net_free(net);
    return status;
}
