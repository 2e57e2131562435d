/* model_args.c — loading a model named on the command line. */
#include <stdio.h>

#include "cli.h"

/* The precision models compute in, from --precision. */
static nnc_precision load_precision = NNC_PRECISION_F32;

int cli_precision_arg(const char *name)
{
    int value;
    if (nnc_value_of(NNC_NAMES_PRECISION, name, &value) != NNC_OK) {
        cli_error("--precision: %s", nnc_last_error());
        return 0;
    }
    load_precision = (nnc_precision)value;
    return 1;
}

nnc_net *cli_load_model(const char *path)
{
    nnc_net *net;
    if (nnc_model_load(path, &net) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        return NULL;
    }
    static int said;
    if (nnc_net_set_precision(net, load_precision) != load_precision && !said++)
        cli_error("this CPU has no bf16 instructions: computing in float32");
    return net;
}
