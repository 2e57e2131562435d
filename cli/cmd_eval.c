/* cmd_eval.c — `nnc eval MODEL...`: for a classifier accuracy, per-class
 * precision, recall and F1 and the confusion matrix, for a regression RMSE,
 * MAE and R², on a test set from any data source train takes; several
 * classifiers judge as a committee. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
    fputs("usage: nnc eval [--data PATH] [--test FILE.csv] [--label COLUMN] [--all-rows] "
          "MODEL...\n"
          "\n"
          "Evaluates a model (.nnc or network2 JSON) on a test set. A classifier:\n"
          "accuracy, precision, recall and F1 per class (named as in training), and\n"
          "the confusion matrix; a regression: RMSE, MAE and R2. Several classifiers\n"
          "with the same inputs and outputs: each one's accuracy, then the report of\n"
          "their committee, which takes the class of their outputs averaged.\n"
          "  -d, --data PATH     an MNIST folder or a pickle like the tutorial's\n"
          "                      mnist.pkl.gz (their test set), or a table: its columns\n"
          "                      found by the names the model was trained on; the file\n"
          "                      it was trained on judged by the rows its training held\n"
          "                      out, another file whole (default: $NNC_DATA, else\n"
          "                      data/mnist)\n"
          "      --test FILE     with a table --data: the table to evaluate on instead\n"
          "      --label COLUMN  the table's label column(s), by name or number from 1\n"
          "                      (default: the one the model was trained with)\n"
          "      --all-rows      judge every row of the table, training rows included\n"
          "      --precision P   f32, or bf16: the products in bfloat16 with float32\n"
          "                      sums, where the CPU has them            (f32)\n"
          "  -h, --help          show this help\n",
          out);
}

/* Class c as the model names it, else its number. */
static const char *class_name(const nnc_net *net, size_t c, char *buf, size_t cap)
{
    const char *name = nnc_net_class_name(net, c);
    if (name)
        return name;
    snprintf(buf, cap, "%zu", c);
    return buf;
}

static void print_report(const nnc_net *net, const size_t *cm, size_t k, size_t n)
{
    size_t correct = 0, width = 5;
    char buf[32];
    for (size_t c = 0; c < k; c++) {
        correct += cm[c * k + c];
        size_t len = strlen(class_name(net, c, buf, sizeof buf));
        width = len > width ? (len < 24 ? len : 24) : width;
    }
    printf("accuracy: %zu / %zu (%.2f%%)\n\n%*s  precision  recall      F1  samples\n",
           correct, n, 100.0 * (double)correct / (double)n, (int)width, "class");
    for (size_t c = 0; c < k; c++) {
        size_t row = 0, col = 0;
        for (size_t j = 0; j < k; j++)
            row += cm[c * k + j], col += cm[j * k + c];
        double p = col ? (double)cm[c * k + c] / (double)col : 0.0,
               r = row ? (double)cm[c * k + c] / (double)row : 0.0;
        printf("%*.*s  %8.2f%%  %5.2f%%  %5.2f%%  %7zu\n", (int)width, (int)width,
               class_name(net, c, buf, sizeof buf), 100.0 * p, 100.0 * r,
               p + r > 0 ? 200.0 * p * r / (p + r) : 0.0, row);
    }
    printf("\nconfusion matrix (rows: label, columns: prediction)\n%*s", (int)width, "");
    for (size_t j = 0; j < k; j++)
        printf(" %*.*s", (int)(width > 6 ? 6 : width), (int)(width > 6 ? 6 : width),
               class_name(net, j, buf, sizeof buf));
    putchar('\n');
    for (size_t c = 0; c < k; c++) {
        printf("%*.*s", (int)width, (int)width, class_name(net, c, buf, sizeof buf));
        for (size_t j = 0; j < k; j++)
            printf(" %*zu", (int)(width > 6 ? 6 : width), cm[c * k + j]);
        putchar('\n');
    }
}

static int regression_report(const nnc_net *net, const nnc_data *test)
{
    double rmse, mae, r2;
    if (nnc_measure_regression(net, test, &rmse, &mae, &r2) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        return 1;
    }
    printf("samples: %zu\nRMSE:    %.6g\nMAE:     %.6g\nR2:      %.6f\n",
           nnc_data_count(test), rmse, mae, r2);
    return 0;
}

/* `nnc eval MODEL MODEL...`: each member's accuracy, then the committee's
 * report, on the test set the first model's training asks for. */
static int committee(char **files, size_t k, const char *dir, const char *test_csv,
                     const char *label, int all_rows)
{
    nnc_net **nets = calloc(k, sizeof *nets);
    nnc_data *test = NULL;
    size_t *cm = NULL;
    int status = 1, loaded = 1;
    for (size_t m = 0; nets && m < k && loaded == 1; m++)
        loaded = (nets[m] = cli_load_model(files[m])) != NULL;
    if (!nets)
        cli_error("out of memory");
    else if (loaded == 1)
        loaded = cli_load_test_set(nets[0], dir, test_csv, label, all_rows, &test);
    size_t nL = loaded == 1 ? nnc_net_outputs(nets[0]) : 0, kc = nL == 1 ? 2 : nL;
    if (loaded == 1 && !(cm = calloc(kc * kc, sizeof *cm)))
        cli_error("out of memory");
    else if (loaded == 1 &&
             nnc_committee_confusion((const nnc_net *const *)nets, k, test, cm) != NNC_OK)
        cli_error("%s", nnc_last_error());
    else if (loaded == 1) {
        for (size_t m = 0; m < k; m++) {
            size_t correct = 0;
            if (nnc_evaluate(nets[m], test, &correct) == NNC_OK)
                printf("member %zu, %s: %zu / %zu (%.2f%%)\n", m + 1, files[m], correct,
                       nnc_data_count(test),
                       100.0 * (double)correct / (double)nnc_data_count(test));
        }
        printf("committee of %zu (outputs averaged) on %s\n", k, nnc_data_source(test));
        print_report(nets[0], cm, kc, nnc_data_count(test));
        status = 0;
    }
    free(cm);
    nnc_data_free(test);
    for (size_t m = 0; nets && m < k; m++)
        nnc_net_free(nets[m]);
    free(nets);
    return loaded < 0 ? EXIT_USAGE : status;
}

int cmd_eval(int argc, char **argv)
{
    static const struct option longopts[] = {{"data", required_argument, NULL, 'd'},
                                             {"test", required_argument, NULL, 't'},
                                             {"label", required_argument, NULL, 'L'},
                                             {"all-rows", no_argument, NULL, 'A'},
                                             {"precision", required_argument, NULL, 'P'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *dir = default_data_dir(), *test_csv = NULL, *label = NULL;
    int c, all_rows = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
        if (c == 'd')
            dir = optarg;
        else if (c == 't')
            test_csv = optarg;
        else if (c == 'L')
            label = optarg;
        else if (c == 'A')
            all_rows = 1;
        else if (c == 'P' && !cli_precision_arg(optarg))
            return EXIT_USAGE;
        else if (c == 'P')
            continue;
        else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            cli_bad_option("eval", argv[optind - 1], longopts);
            return EXIT_USAGE;
        }
    }
    if (argc - optind < 1) {
        cli_error("eval: expects a model file; try 'nnc eval --help'");
        return EXIT_USAGE;
    }
    if (argc - optind > 1)
        return committee(argv + optind, (size_t)(argc - optind), dir, test_csv, label,
                         all_rows);
    nnc_net *net = cli_load_model(argv[optind]);
    if (!net)
        return 1;
    nnc_data *test;
    int loaded = cli_load_test_set(net, dir, test_csv, label, all_rows, &test);
    if (loaded != 1) {
        nnc_net_free(net);
        return loaded < 0 ? EXIT_USAGE : 1;
    }
    if (nnc_cost_is_regression(nnc_net_cost(net)) || nnc_data_targets(test)) {
        printf("model %s on %s\n", argv[optind], nnc_data_source(test));
        int status = nnc_data_targets(test) ? regression_report(net, test) : 1;
        if (!nnc_data_targets(test))
            cli_error("%s: no target columns to judge a regression by (--label)",
                      nnc_data_source(test));
        nnc_data_free(test);
        nnc_net_free(net);
        return status;
    }
    size_t k = nnc_net_outputs(net) == 1 ? 2 : nnc_net_outputs(net);
    size_t *cm = calloc(k * k, sizeof *cm);
    int status = 1;
    if (!cm)
        cli_error("out of memory");
    else if (nnc_confusion_matrix(net, test, cm) != NNC_OK)
        cli_error("%s", nnc_last_error());
    else {
        printf("model %s on %s\n", argv[optind], nnc_data_source(test));
        print_report(net, cm, k, nnc_data_count(test));
        status = 0;
    }
    free(cm);
    nnc_data_free(test);
    nnc_net_free(net);
    return status;
}
