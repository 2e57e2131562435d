/* cmd_show.c — `nnc show MODEL --weights|--errors|--confusion -o PICTURE.png`:
 * what a network learned and where it goes wrong, as pictures. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "pictures.h"

#define DEFAULT_ERRORS 64
#define DEFAULT_AUGMENTED 10
#define AUGMENT_EPOCHS 8

static void usage(FILE *out)
{
    fprintf(out,
            "usage: nnc show MODEL --weights|--errors|--confusion -o PICTURE.png\n"
            "                [--data PATH] [--test FILE.csv] [--count N]\n"
            "       nnc show --augment [--data PATH] [--count N] [--seed N]\n"
            "                [--rotate DEG] [--zoom F] [--shear F] [--shift PIXELS]\n"
            "                [--elastic-alpha A] [--elastic-sigma S] -o PICTURE.png\n"
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
            "  -n, --count N      --errors: at most N samples (default %d);\n"
            "                     --augment: N training images (default %d)\n"
            "  -a, --augment      the first training images of --data, each beside 8\n"
            "                     distortions of it as 'nnc train --augment' draws them in\n"
            "                     epochs 0 .. 7 (with --seed, and the distortion options\n"
            "                     of 'nnc train', which they take as it does):\n"
            "  -s, --seed N       the run's seed the distortions are drawn from (0)\n"
            "      --rotate DEG   turn by up to DEG degrees either way (10)\n"
            "      --zoom F       scale width and height by 1 +- F (0.1)\n"
            "      --shear F      shear x by up to F times y (0)\n"
            "      --shift PIXELS move by up to PIXELS along each axis (0)\n"
            "      --elastic-alpha A  the elastic field's scale, pixels (34)\n"
            "      --elastic-sigma S  its Gaussian's standard deviation, pixels (4)\n"
            "  -h, --help         show this help\n",
            DEFAULT_ERRORS, DEFAULT_AUGMENTED);
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

/* `nnc show --augment`: training images beside their distortions. */
static int show_augment(nnc_recipe *r, uint64_t seed, const char *data, size_t count,
                        const char *output)
{
    nnc_data *train = NULL;
    if (nnc_data_load(data, &train, NULL, NULL) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        return 1;
    }
    nnc_augment a;
    nnc_recipe_augment(r, &a);
    a.on = 1;
    canvas *picture = picture_augment(train, &a, seed, count, AUGMENT_EPOCHS);
    int ok = picture && canvas_finish(picture, output, NULL);
    if (ok)
        printf("wrote %s: %zu training images of %s beside %d distortions each (rotate %g, "
               "zoom %g, shear %g, shift %g, elastic alpha %g sigma %g, seed %llu)\n",
               output, count < nnc_data_count(train) ? count : nnc_data_count(train),
               nnc_data_source(train), AUGMENT_EPOCHS, (double)a.rotate, (double)a.zoom,
               (double)a.shear, (double)a.shift, (double)a.elastic_alpha,
               (double)a.elastic_sigma, (unsigned long long)seed);
    nnc_data_free(train);
    return ok ? 0 : 1;
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
                                             {"augment", no_argument, NULL, 'a'},
                                             {"seed", required_argument, NULL, 's'},
                                             {"rotate", required_argument, NULL, 256},
                                             {"zoom", required_argument, NULL, 256},
                                             {"shear", required_argument, NULL, 256},
                                             {"shift", required_argument, NULL, 256},
                                             {"elastic-alpha", required_argument, NULL, 256},
                                             {"elastic-sigma", required_argument, NULL, 256},
                                             {NULL, 0, NULL, 0}};
    const char *output = NULL, *data = default_data_dir(), *test_csv = NULL;
    unsigned long long count = 0, seed = 0;
    int what = 0, c, index = 0, augment = 0;
    nnc_recipe *recipe;   /* the distortions, as `nnc train` takes them */
    if (nnc_recipe_create(&recipe) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        return 1;
    }
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "weco:d:n:has:", longopts, &index)) != -1) {
        if (c == 256) {
            if (nnc_recipe_set(recipe, longopts[index].name, optarg) != NNC_OK) {
                cli_error("--%s", nnc_last_error());
                nnc_recipe_free(recipe);
                return EXIT_USAGE;
            }
        } else if (c == 'a') {
            augment = 1;
        } else if (c == 's') {
            if (!parse_uint("--seed", optarg, UINT64_MAX, &seed)) {
                nnc_recipe_free(recipe);
                return EXIT_USAGE;
            }
        } else if (c == 'w' || c == 'e' || c == 'c') {
            what |= c == 'w' ? SHOW_WEIGHTS : c == 'e' ? SHOW_ERRORS : SHOW_CONFUSION;
        } else if (c == 'o') {
            output = optarg;
        } else if (c == 'd') {
            data = optarg;
        } else if (c == 't') {
            test_csv = optarg;
        } else if (c == 'n') {
            if (!parse_uint("--count", optarg, 10000, &count) || count == 0) {
                if (count == 0)
                    cli_error("--count: at least 1");
                nnc_recipe_free(recipe);
                return EXIT_USAGE;
            }
        } else if (c == 'h') {
            usage(stdout);
            nnc_recipe_free(recipe);
            return 0;
        } else {
            cli_bad_option("show", argv[optind - 1], longopts);
            nnc_recipe_free(recipe);
            return EXIT_USAGE;
        }
    }
    if (augment) {
        int status = EXIT_USAGE;
        if (what || argc != optind || !output)
            cli_error("show: --augment takes no model, no other picture, and -o FILE.png; try "
                      "'nnc show --help'");
        else if (!cli_ends_with(output, ".png"))
            cli_error("show: %s: only .png pictures are written", output);
        else
            status = show_augment(recipe, seed, data, count ? (size_t)count : DEFAULT_AUGMENTED,
                                  output);
        nnc_recipe_free(recipe);
        return status;
    }
    nnc_recipe_free(recipe);
    if (!count)
        count = DEFAULT_ERRORS;
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
