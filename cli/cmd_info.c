/* cmd_info.c — `nnc info MODEL`: what a model file holds. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
    fputs("usage: nnc info [--history] MODEL\n"
          "\n"
          "Prints the sizes, activations, cost, parameter count and training record\n"
          "of a model file (.nnc or network2 JSON), and a line on its history.\n"
          "  -H, --history  every epoch trained: seconds, eta and what was measured\n"
          "                 (accuracy, or a regression's RMSE, MAE and R2, and cost)\n"
          "  -h, --help     show this help\n",
          out);
}

static void print_percent(const nnc_measure *m)
{
    if (m->n)
        printf("  %8.2f%%", 100.0 * (double)m->correct / (double)m->n);
    else
        printf("  %9s", "-");
}

static void print_cost(const nnc_measure *m)
{
    if (!isnan(m->cost))
        printf("  %10.5f", m->cost);
    else
        printf("  %10s", "-");
}

/* A regression's fit: RMSE, MAE and R2, or dashes when it was not measured. */
static void print_fit(const nnc_measure *m)
{
    if (m->n && !isnan(m->rmse))
        printf("  %10.4g  %10.4g  %8.4f", m->rmse, m->mae, m->r2);
    else
        printf("  %10s  %10s  %8s", "-", "-", "-");
}

static void print_history(const nnc_epoch_report *h, size_t n, int regression)
{
    if (regression)
        printf("\nepoch   seconds       eta  train RMSE   train MAE  train R2  valid RMSE   "
               "valid MAE  valid R2   test RMSE    test MAE   test R2  train cost  "
               "valid cost   test cost\n");
    else
        printf("\nepoch   seconds       eta  train acc  valid acc   test acc  train cost  "
               "valid cost   test cost\n");
    for (size_t e = 0; e < n; e++) {
        printf("%5u  %8.3f  %8g", h[e].epoch, h[e].train_seconds, (double)h[e].eta);
        (regression ? print_fit : print_percent)(&h[e].train);
        (regression ? print_fit : print_percent)(&h[e].valid);
        (regression ? print_fit : print_percent)(&h[e].test);
        print_cost(&h[e].train);
        print_cost(&h[e].valid);
        print_cost(&h[e].test);
        putchar('\n');
    }
}

/* A regression's line: the best validation RMSE and the last test fit. */
static void summarise_fit(const nnc_epoch_report *h, size_t n)
{
    double seconds = 0;
    size_t best = n;
    for (size_t e = 0; e < n; e++) {
        seconds += h[e].train_seconds;
        if (h[e].valid.n && !isnan(h[e].valid.rmse) &&
            (best == n || h[e].valid.rmse < h[best].valid.rmse))
            best = e;
    }
    printf("history:     %zu epochs in %.1f s", n, seconds);
    if (best < n)
        printf("; best validation RMSE %.4g at epoch %u", h[best].valid.rmse, h[best].epoch);
    const nnc_measure *t = &h[n - 1].test;
    if (t->n && !isnan(t->rmse))
        printf("; last test RMSE %.4g, MAE %.4g, R2 %.4f", t->rmse, t->mae, t->r2);
    printf(" (--history lists them)\n");
}

/* One line: how many epochs, and the best validation and last test accuracy
 * (a regression: RMSE, MAE and R2). */
static void summarise_history(const nnc_epoch_report *h, size_t n, int regression)
{
    if (!n) {
        printf("history:     none kept\n");
        return;
    }
    if (regression) {
        summarise_fit(h, n);
        return;
    }
    double seconds = 0;
    size_t best = n;
    for (size_t e = 0; e < n; e++) {
        seconds += h[e].train_seconds;
        if (h[e].valid.n && (best == n || (double)h[e].valid.correct / (double)h[e].valid.n >
                                              (double)h[best].valid.correct /
                                                  (double)h[best].valid.n))
            best = e;
    }
    printf("history:     %zu epochs in %.1f s", n, seconds);
    if (best < n)
        printf("; best validation accuracy %.2f%% at epoch %u",
               100.0 * (double)h[best].valid.correct / (double)h[best].valid.n, h[best].epoch);
    if (h[n - 1].test.n)
        printf("; last test accuracy %.2f%%",
               100.0 * (double)h[n - 1].test.correct / (double)h[n - 1].test.n);
    printf(" (--history lists them)\n");
}

int cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {{"history", no_argument, NULL, 'H'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int history = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "Hh", longopts, NULL)) != -1) {
        if (c == 'H') {
            history = 1;
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            cli_bad_option("info", argv[optind - 1], longopts);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        cli_error("info: expects one model file; try 'nnc info --help'");
        return EXIT_USAGE;
    }
    const char *path = argv[optind];
    nnc_file_kind kind;
    nnc_net *net = cli_load_model(path);
    if (!net)
        return 1;
    if (nnc_model_file_kind(path, &kind) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        nnc_net_free(net);
        return 1;
    }
    const nnc_train_record *r = nnc_net_record(net);
    static const char *const kinds[] = {
        "nnc model",
        "nnc checkpoint: the network with its training state (nnc train --resume continues it)",
        "network2 JSON: sizes, weights, biases and cost only"};
    printf("model:       %s\nfile:        %s\nlayers:      ", path, kinds[kind]);
    for (size_t l = 0; l < nnc_net_layers(net); l++)
        printf(l ? ", %zu" : "%zu", nnc_net_size(net, l));
    printf("\nhidden:      %s\noutput/cost: %s\nparameters:  %zu\n",
           nnc_name_of(NNC_NAMES_ACTIVATION, nnc_net_hidden(net)), nnc_name_of(NNC_NAMES_COST, nnc_net_cost(net)),
           nnc_net_param_count(net));
    if (nnc_net_classes(net)) {
        printf("classes:    ");
        for (size_t c = 0; c < nnc_net_classes(net); c++)
            printf("%s %s", c ? "," : "", nnc_net_class_name(net, c));
        putchar('\n');
    }
    if (nnc_net_input_name(net, 0)) {
        size_t d = nnc_net_inputs(net);
        printf("inputs:     ");
        for (size_t j = 0; j < d && j < 16; j++)
            printf("%s %s", j ? "," : "", nnc_net_input_name(net, j));
        printf(d > 16 ? ", ... (%zu)\n" : "\n", d);
    }
    if (nnc_net_scaling(net, NULL, NULL))
        printf("scaling:     each input shifted and scaled as fitted on the training set\n");
    if (kind == NNC_FILE_NETWORK2_JSON) {   /* the format records nothing more */
        nnc_net_free(net);
        return 0;
    }
    printf("created:     init %s, seed %llu\n", nnc_name_of(NNC_NAMES_INIT, r->init),
           (unsigned long long)r->seed);
    if (r->epochs)
        printf("trained:     %u epochs; last run: %s, mini-batch %zu, eta %g, lambda %g, "
               "dropout %g\n",
               r->epochs, nnc_name_of(NNC_NAMES_OPTIMIZER, r->optimizer), r->batch_size, r->eta, r->lambda,
               r->dropout);
    else
        printf("trained:     not yet\n");
    nnc_train_opts run;
    nnc_train_opts_init(&run);
    unsigned next;
    if (kind == NNC_FILE_CHECKPOINT && nnc_checkpoint_settings(path, &run, &next) == NNC_OK) {
        const nnc_augment *a = &run.augment;
        printf("run:         epoch %u next of %u; schedule %s; augment ", next, run.epochs,
               run.cosine ? "cosine" : "constant");
        if (a->on)
            printf("rotate %g, zoom %g, shear %g, shift %g, elastic-alpha %g, elastic-sigma "
                   "%g\n", (double)a->rotate, (double)a->zoom, (double)a->shear,
                   (double)a->shift, (double)a->elastic_alpha, (double)a->elastic_sigma);
        else
            printf("no\n");
    }
    size_t n;
    const nnc_epoch_report *h = nnc_net_history(net, &n);
    int regression = nnc_cost_is_regression(nnc_net_cost(net));
    summarise_history(h, n, regression);
    if (history && n)
        print_history(h, n, regression);
    nnc_net_free(net);
    return 0;
}
