/* checkpoint.c — checkpoints: .nnc files with a training-state section. */
#include <string.h>

#include "model_file.h"

nnc_status nnc__checkpoint_save(const nnc_net *net, const nnc__run_state *st,
                                const char *path)
{
    return nnc__model_write(net, st, path);
}

static int same_network(const nnc_net *a, const nnc_net *b)
{
    if (a->n_layers != b->n_layers || a->hidden != b->hidden || a->cost != b->cost)
        return 0;
    for (size_t l = 0; l < a->n_layers; l++)
        if (a->sizes[l] != b->sizes[l])
            return 0;
    return 1;
}

nnc_status nnc__checkpoint_load(const char *path, nnc_net *net, unsigned n_arrays,
                                int with_best, nnc__run_state *st)
{
    nnc_net *saved;
    nnc_status s = nnc__model_read(path, &saved, st);
    if (s != NNC_OK)
        return s;
    if (!same_network(saved, net))
        s = nnc__fail(NNC_ERR_MISMATCH, "%s: the checkpoint's network differs from this one",
                      path);
    else if (st->n_arrays != n_arrays)
        s = nnc__fail(NNC_ERR_MISMATCH, "%s: the checkpoint was made with another optimiser",
                      path);
    else if (!with_best != !st->best)
        s = nnc__fail(NNC_ERR_MISMATCH,
                      "%s: early stopping must be %s as when the checkpoint was made", path,
                      st->best ? "on" : "off");
    if (s == NNC_OK) {
        memcpy(net->params, saved->params, net->n_params * sizeof *net->params);
        net->rng = saved->rng;
        net->record = saved->record;
    } else {
        nnc__run_state_free(st);
    }
    nnc_net_free(saved);
    return s;
}
