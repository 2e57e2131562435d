/* cmd_eval.c — `nnc eval MODEL`: accuracy, per-class precision and recall,
 * and the confusion matrix on a test set, from any data source train takes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static void usage(FILE *out)
{
    fputs("usage: nnc eval [--data PATH] [--test FILE.csv] MODEL\n"
          "\n"
          "Evaluates a model (.nnc or network2 JSON) on a test set: accuracy, precision\n"
          "and recall per class, and the confusion matrix.\n"
          "  -d, --data PATH  an MNIST folder or a pickle like the tutorial's mnist.pkl.gz\n"
          "                   (their test set), or a CSV file (evaluated whole)\n"
          "                   (default: $NNC_DATA, else data/mnist)\n"
          "      --test FILE  with a CSV --data: the CSV to evaluate on instead\n",
          out);
}

static void print_report(const size_t *cm, size_t k, size_t n)
{
    size_t correct = 0;
    for (size_t c = 0; c < k; c++)
        correct += cm[c * k + c];
    printf("accuracy: %zu / %zu (%.2f%%)\n\nclass  precision  recall  samples\n", correct, n,
           100.0 * (double)correct / (double)n);
    for (size_t c = 0; c < k; c++) {
        size_t row = 0, col = 0;
        for (size_t j = 0; j < k; j++)
            row += cm[c * k + j], col += cm[j * k + c];
        printf("%5zu  %8.2f%%  %5.2f%%  %7zu\n", c,
               col ? 100.0 * (double)cm[c * k + c] / (double)col : 0.0,
               row ? 100.0 * (double)cm[c * k + c] / (double)row : 0.0, row);
    }
    printf("\nconfusion matrix (rows: label, columns: prediction)\n      ");
    for (size_t j = 0; j < k; j++)
        printf("%6zu", j);
    putchar('\n');
    for (size_t c = 0; c < k; c++) {
        printf("%6zu", c);
        for (size_t j = 0; j < k; j++)
            printf("%6zu", cm[c * k + j]);
        putchar('\n');
    }
}

int cmd_eval(int argc, char **argv)
{
    static const struct option longopts[] = {{"data", required_argument, NULL, 'd'},
                                             {"test", required_argument, NULL, 't'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *dir = default_data_dir(), *test_csv = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
        if (c == 'd')
            dir = optarg;
        else if (c == 't')
            test_csv = optarg;
        else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            cli_bad_option("eval", argv[optind - 1], longopts);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        cli_error("eval: expects one model file; try 'nnc eval --help'");
        return EXIT_USAGE;
    }
    nnc_net *net = cli_load_model(argv[optind]);
    if (!net)
        return 1;
    nnc_data *test;
    int loaded = cli_load_test_set(dir, test_csv, &test);
    if (loaded != 1) {
        nnc_net_free(net);
        return loaded < 0 ? EXIT_USAGE : 1;
    }
    size_t k = nnc_net_outputs(net);
    size_t *cm = calloc(k * k, sizeof *cm);
    int status = 1;
    if (!cm)
        cli_error("out of memory");
    else if (nnc_confusion_matrix(net, test, cm) != NNC_OK)
        cli_error("%s", nnc_last_error());
    else {
        printf("model %s on %s\n", argv[optind], nnc_data_source(test));
        print_report(cm, k, nnc_data_count(test));
        status = 0;
    }
    free(cm);
    nnc_data_free(test);
    nnc_net_free(net);
    return status;
}
