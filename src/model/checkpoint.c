/* checkpoint.c — checkpoints: .nnc files with a training-state section. */
#include <string.h>

#include "model_file.h"

void nnc__copy_settings(nnc_train_opts *to, const nnc_train_opts *from)
{
    to->epochs = from->epochs;
    to->batch_size = from->batch_size;
    to->eta = from->eta;
    to->shuffle = from->shuffle;
    to->lambda = from->lambda;
    to->optimizer = from->optimizer;
    to->momentum = from->momentum;
    to->adam_beta1 = from->adam_beta1;
    to->adam_beta2 = from->adam_beta2;
    to->adam_epsilon = from->adam_epsilon;
    to->dropout = from->dropout;
    to->monitor = from->monitor;
    to->halve_after = from->halve_after;
    to->min_eta_factor = from->min_eta_factor;
    to->early_stop = from->early_stop;
    to->cosine = from->cosine;
    to->augment = from->augment;
}

nnc_status nnc_checkpoint_settings(const char *path, nnc_train_opts *opts,
                                   unsigned *next_epoch)
{
    if (!path || !opts)
        return nnc__fail(NNC_ERR_ARG, "nnc_checkpoint_settings: NULL argument");
    nnc_net *net;
    nnc__run_state st;
    nnc_status s = nnc__model_read(path, &net, &st);
    if (s != NNC_OK)
        return s;
    if (!st.has_settings)
        s = nnc__fail(NNC_ERR_FORMAT, "%s: a checkpoint from before runs kept their settings",
                      path);
    else
        nnc__copy_settings(opts, &st.settings);
    if (next_epoch)
        *next_epoch = st.next_epoch;
    nnc__run_state_free(&st);
    nnc_net_free(net);
    return s;
}

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
        s = nnc__net_set_history(net, saved->history, saved->history_len);
    }
    if (s != NNC_OK) {
        nnc__run_state_free(st);
    }
    nnc_net_free(saved);
    return s;
}
