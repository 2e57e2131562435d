/* model_args.c — loading a model named on the command line. */
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
