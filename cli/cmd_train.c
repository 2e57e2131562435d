/* cmd_train.c — `nnc train`: the seed's test.py, with options. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "nnc.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: nnc train [OPTIONS]\n"
            "\n"
            "Trains a network on MNIST by mini-batch SGD and prints, after every epoch,\n"
            "'Epoch j: correct / 10000' on the test set and the epoch's training time.\n"
            "Defaults are the seed's test.py.\n"
            "\n"
            "  -l, --layers LIST   layer sizes, input first          (784,30,10)\n"
            "  -e, --epochs N      training epochs                   (10)\n"
            "  -b, --batch N       mini-batch size                   (10)\n"
            "  -r, --eta X         learning rate                     (3.0)\n"
            "  -s, --seed N        seed of the network's generator   (0)\n"
            "  -t, --threads N     threads, 0 = choose               (0)\n"
            "  -d, --data DIR      folder with the four MNIST IDX files, raw or .gz\n"
            "                      (default: $NNC_DATA, else data/mnist)\n"
            "  -h, --help          show this help\n");
}

typedef struct {
    const nnc_data *test;
    size_t          n_test;
} progress;

static int report_epoch(nnc_net *net, const nnc_epoch_report *r, void *user)
{
    const progress *p = user;
    size_t correct;
    if (nnc_evaluate(net, p->test, &correct) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        return 1;
    }
    printf("Epoch %u: %zu / %zu  (%.3f s)\n", r->epoch, correct, p->n_test, r->train_seconds);
    fflush(stdout);
    return 0;
}

int cmd_train(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"layers", required_argument, NULL, 'l'}, {"epochs", required_argument, NULL, 'e'},
        {"batch", required_argument, NULL, 'b'},  {"eta", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'},   {"threads", required_argument, NULL, 't'},
        {"data", required_argument, NULL, 'd'},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    size_t sizes[MAX_LAYERS] = {784, 30, 10}, n_layers = 3;
    unsigned long long v, seed = 0;
    const char *data_dir = default_data_dir();
    nnc_train_opts opts;
    nnc_train_opts_init(&opts);

    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "l:e:b:r:s:t:d:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'l': if (!parse_layers("--layers", optarg, sizes, &n_layers)) return EXIT_USAGE; break;
        case 'e': if (!parse_uint("--epochs", optarg, 1000000, &v)) return EXIT_USAGE; opts.epochs = (unsigned)v; break;
        case 'b': if (!parse_uint("--batch", optarg, 1u << 20, &v) || v == 0) { if (v == 0) cli_error("--batch: must be at least 1"); return EXIT_USAGE; } opts.batch_size = v; break;
        case 'r': if (!parse_float("--eta", optarg, &opts.eta)) return EXIT_USAGE; break;
        case 's': if (!parse_uint("--seed", optarg, UINT64_MAX, &seed)) return EXIT_USAGE; break;
        case 't': if (!parse_uint("--threads", optarg, 256, &v)) return EXIT_USAGE; opts.threads = (unsigned)v; break;
        case 'd': data_dir = optarg; break;
        case 'h': usage(stdout); return 0;
        default: fputs("try 'nnc train --help'\n", stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("train: unexpected argument '%s'; try 'nnc train --help'", argv[optind]);
        return EXIT_USAGE;
    }
    if (!(opts.eta > 0.0f)) {
        cli_error("--eta: the learning rate must be positive");
        return EXIT_USAGE;
    }

    nnc_data *train = NULL, *test = NULL;
    nnc_net *net = NULL;
    int status = 1;
    if (nnc_mnist_load(data_dir, &train, NULL, &test) != NNC_OK ||
        nnc_net_create(sizes, n_layers, seed, &net) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        goto done;
    }
    printf("nnc: training [");
    for (size_t l = 0; l < n_layers; l++)
        printf(l ? ", %zu" : "%zu", sizes[l]);
    printf("] on %zu samples, %u epochs, mini-batch %zu, eta %g, seed %llu\n",
           nnc_data_count(train), opts.epochs, opts.batch_size, opts.eta, seed);
    progress p = {test, nnc_data_count(test)};
    opts.on_epoch = report_epoch;
    opts.user = &p;
    if (nnc_train(net, train, &opts) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        goto done;
    }
    status = 0;
done:
    nnc_net_free(net);
    nnc_data_free(train);
    nnc_data_free(test);
    return status;
}
