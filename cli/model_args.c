/* model_args.c — loading a model named on the command line, and the MNIST
 * folder option shared by eval and predict. */
#include <stdio.h>

#include "cli.h"

nnc_net *cli_load_model(const char *path)
{
    nnc_net *net;
    if (nnc_model_load(path, &net) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        return NULL;
    }
    return net;
}

const char *cli_activation_name(nnc_activation a)
{
    static const char *names[] = {"sigmoid", "tanh", "relu", "leaky-relu"};
    return (unsigned)a < 4 ? names[a] : "?";
}

const char *cli_cost_name(nnc_cost c)
{
    static const char *names[] = {"quadratic", "cross-entropy", "softmax", "mse", "mae",
                                  "huber"};
    return (unsigned)c < 6 ? names[c] : "?";
}

const char *cli_init_name(nnc_init i)
{
    static const char *names[] = {"normal", "scaled", "he", "glorot"};
    return (unsigned)i < 4 ? names[i] : "?";
}

const char *cli_optimizer_name(nnc_optimizer o)
{
    static const char *names[] = {"sgd", "momentum", "nesterov", "adam"};
    return (unsigned)o < 4 ? names[o] : "?";
}
