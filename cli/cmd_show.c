/* cmd_show.c — `nnc show MODEL --weights|--errors|--confusion -o PICTURE.png`:
 * what a network learned and where it goes wrong, as pictures. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "pictures.h"

#define DEFAULT_ERRORS 64

static void usage(FILE *out)
{
    fprintf(out,
            "usage: nnc show MODEL --weights|--errors|--confusion -o PICTURE.png\n"
            "                [--data PATH] [--test FILE.csv] [--count N]\n"
            "\n"
            "Draws what a network learned, for inputs that are square images.\n"
            "  -w, --weights      every unit of the first hidden layer as a tile of its\n"
            "                     incoming weights, red positive and blue negative on one\n"
            "                     scale for the sheet, full colour from its 99th percentile\n"
            "                     (3 pixels per weight, 2 between tiles), and under\n"
            "                     them a colour key from -scale through 0 to +scale\n"
            "  -e, --errors       misclassified test samples, the most confident mistakes\n"
            "                     first, each as 'label -> prediction' and the network's\n"
            "                     output for the prediction\n"
            "  -c, --confusion    the confusion matrix as a heat map with its counts (rows:\n"
            "                     label, columns: prediction, shaded by the row's fraction)\n"
            "  -o, --output FILE  the picture to write (.png)\n"
            "  -d, --data PATH    for --errors and --confusion: the data as 'nnc eval'\n"
            "                     takes it (default: $NNC_DATA, else data/mnist)\n"
            "      --test FILE    with a CSV --data: the CSV to judge on instead\n"
            "  -n, --count N      --errors: at most N samples (default %d)\n"
            "  -h, --help         show this help\n",
            DEFAULT_ERRORS);
}

enum { SHOW_WEIGHTS = 1, SHOW_ERRORS = 2, SHOW_CONFUSION = 4 };

/* The picture of what; NULL after printing why not. */
static canvas *draw(int what, nnc_net *net, const char *model, const char *data,
                    const char *test_csv, size_t count)
{
    if (what == SHOW_WEIGHTS) {
        float scale;
        canvas *c = picture_weights(net, model, &scale);
        if (c)
            printf("%zu units of layer 1 as tiles, red positive and blue negative, full "
                   "colour at +-%.3g and beyond\n"
                   "colour key: -%.3g blue, 0 white, +%.3g red (the 99th percentile of the "
                   "weights' sizes)\n", nnc_net_size(net, 1), scale, scale, scale);
        return c;
    }
    if (nnc_cost_is_regression(nnc_net_cost(net))) {
        cli_error("%s: a regression network has no classes to confuse or mistake", model);
        return NULL;
    }
    nnc_data *test;
    int loaded = cli_load_test_set(net, data, test_csv, NULL, 0, &test);
    if (loaded != 1)
        return NULL;
    canvas *c = NULL;
    if (what == SHOW_ERRORS) {
        size_t wrong;
        if ((c = picture_errors(net, test, count, &wrong)))
            printf("%zu of %zu samples of %s misclassified, %zu shown\n", wrong,
                   nnc_data_count(test), nnc_data_source(test), wrong < count ? wrong : count);
    } else {
        size_t k = nnc_net_outputs(net);
        size_t *cm = calloc(k * k, sizeof *cm);
        if (!cm)
            cli_error("out of memory");
        else if (nnc_confusion_matrix(net, test, cm) != NNC_OK)
            cli_error("%s", nnc_last_error());
        else if ((c = picture_confusion(net, cm, k)))
            printf("confusion matrix of %s on %s, %zu classes\n", model, nnc_data_source(test),
                   k);
        free(cm);
    }
    nnc_data_free(test);
    return c;
}

int cmd_show(int argc, char **argv)
{
    static const struct option longopts[] = {{"weights", no_argument, NULL, 'w'},
                                             {"errors", no_argument, NULL, 'e'},
                                             {"confusion", no_argument, NULL, 'c'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"data", required_argument, NULL, 'd'},
                                             {"test", required_argument, NULL, 't'},
                                             {"count", required_argument, NULL, 'n'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *output = NULL, *data = default_data_dir(), *test_csv = NULL;
    unsigned long long count = DEFAULT_ERRORS;
    int what = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "weco:d:n:h", longopts, NULL)) != -1) {
        if (c == 'w' || c == 'e' || c == 'c') {
            what |= c == 'w' ? SHOW_WEIGHTS : c == 'e' ? SHOW_ERRORS : SHOW_CONFUSION;
        } else if (c == 'o') {
            output = optarg;
        } else if (c == 'd') {
            data = optarg;
        } else if (c == 't') {
            test_csv = optarg;
        } else if (c == 'n') {
            if (!parse_uint("--count", optarg, 10000, &count))
                return EXIT_USAGE;
            if (count == 0) {
                cli_error("--count: at least 1");
                return EXIT_USAGE;
            }
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            cli_bad_option("show", argv[optind - 1], longopts);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1 || !output ||
        (what != SHOW_WEIGHTS && what != SHOW_ERRORS && what != SHOW_CONFUSION)) {
        cli_error("show: expects MODEL, one of --weights, --errors or --confusion, and -o "
                  "FILE.png; try 'nnc show --help'");
        return EXIT_USAGE;
    }
    if (!cli_ends_with(output, ".png")) {
        cli_error("show: %s: only .png pictures are written", output);
        return EXIT_USAGE;
    }
    nnc_net *net = cli_load_model(argv[optind]);
    if (!net)
        return 1;
    canvas *picture = draw(what, net, argv[optind], data, test_csv, (size_t)count);
    int ok = picture && canvas_finish(picture, output, NULL);
    if (ok)
        printf("wrote %s\n", output);
    nnc_net_free(net);
    return ok ? 0 : 1;
}
