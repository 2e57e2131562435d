/* cmd_info.c — `nnc info MODEL`: what a model file holds. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_info(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        puts("usage: nnc info MODEL\n\nPrints the sizes, activations, cost, parameter count and "
             "training record\nof a model file (.nnc or network2 JSON).");
        return 0;
    }
    if (argc != 2) {
        cli_error("info: expects one model file; try 'nnc info --help'");
        return EXIT_USAGE;
    }
    nnc_file_kind kind;
    nnc_net *net = cli_load_model(argv[1]);
    if (!net)
        return 1;
    if (nnc_model_file_kind(argv[1], &kind) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        nnc_net_free(net);
        return 1;
    }
    const nnc_train_record *r = nnc_net_record(net);
    static const char *const kinds[] = {
        "nnc model",
        "nnc checkpoint: the network with its training state (nnc train --resume continues it)",
        "network2 JSON: sizes, weights, biases and cost only"};
    printf("model:       %s\nfile:        %s\nlayers:      ", argv[1], kinds[kind]);
    for (size_t l = 0; l < nnc_net_layers(net); l++)
        printf(l ? ", %zu" : "%zu", nnc_net_size(net, l));
    printf("\nhidden:      %s\noutput/cost: %s\nparameters:  %zu\n",
           cli_activation_name(nnc_net_hidden(net)), cli_cost_name(nnc_net_cost(net)),
           nnc_net_param_count(net));
    if (kind == NNC_FILE_NETWORK2_JSON) {   /* the format records nothing more */
        nnc_net_free(net);
        return 0;
    }
    printf("created:     init %s, seed %llu\n", cli_init_name(r->init),
           (unsigned long long)r->seed);
    if (r->epochs)
        printf("trained:     %u epochs; last run: %s, mini-batch %zu, eta %g, lambda %g, "
               "dropout %g\n",
               r->epochs, cli_optimizer_name(r->optimizer), r->batch_size, r->eta, r->lambda,
               r->dropout);
    else
        printf("trained:     not yet\n");
    nnc_net_free(net);
    return 0;
}
