/* run.c — a training run as the public API has it: the trainer's epochs,
 * each followed by a checkpoint when asked for, and a run continued from
 * one. Here the trainer (train/) meets the files (model/). */
#include <string.h>

#include "../dist/dist.h"
#include "../model/atomic_file.h"
#include "../model/checkpoint.h"
#include "../runtime/compute_scope.h"
#include "../train/trainer.h"

/* Takes the network, generator and run state of a checkpoint. */
static nnc_status resume_from(nnc__trainer *t, nnc_net *net, const char *path)
{
    nnc__train_state *st = nnc__trainer_state(t);
    nnc__run_state saved;
    nnc_status s = nnc__checkpoint_load(path, net, st->n_arrays, st->best != NULL, &saved);
    if (s != NNC_OK)
        return s;
    size_t bytes = net->n_params * sizeof(float);
    for (unsigned a = 0; a < st->n_arrays; a++)
        memcpy(st->arrays[a], saved.arrays[a], bytes);
    if (st->best)
        memcpy(st->best, saved.best, bytes);
    st->steps = saved.steps;
    st->next_epoch = saved.next_epoch;
    st->eta = saved.eta;
    st->best_epoch = saved.best_epoch;
    st->best_valid_correct = saved.best_valid_correct;
    st->best_valid_rmse = saved.best_valid_rmse;
    st->since_best = saved.since_best;
    st->since_change = saved.since_change;
    nnc__run_state_free(&saved);
    return NNC_OK;
}

/* Saves the network with the run's state and settings. */
static nnc_status save_checkpoint(nnc__trainer *t, const nnc_net *net,
                                  const nnc_train_opts *opts)
{
    const nnc__train_state *st = nnc__trainer_state(t);
    nnc__run_state saved = {.next_epoch = st->next_epoch,
                            .eta = st->eta,
                            .steps = st->steps,
                            .n_arrays = st->n_arrays,
                            .arrays = {st->arrays[0], st->arrays[1]},
                            .best_epoch = st->best_epoch,
                            .best_valid_correct = (uint32_t)st->best_valid_correct,
                            .best_valid_rmse = st->best_valid_rmse,
                            .since_best = st->since_best,
                            .since_change = st->since_change,
                            .best = st->best,
                            .has_settings = 1};
    nnc__copy_settings(&saved.settings, opts);
    return nnc__checkpoint_save(net, &saved, opts->checkpoint);
}

/* FNV-1a over 64-bit words, the tail byte by byte. */
static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (; n >= 8; n -= 8, b += 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        h = (h ^ w) * 0x100000001b3u;
    }
    for (; n; n--, b++)
        h = (h ^ *b) * 0x100000001b3u;
    return h;
}

/* What every process of a group must start from alike: the network (its
 * parameters, input scaling and generator) and the training data. */
static nnc_status check_same_start(const nnc_net *net, const nnc_data *data, const nnc_dist *d)
{
    uint64_t h = 0xcbf29ce484222325u;
    h = hash_bytes(h, net->params, net->n_params * sizeof *net->params);
    if (net->in_shift) {
        h = hash_bytes(h, net->in_shift, net->sizes[0] * sizeof *net->in_shift);
        h = hash_bytes(h, net->in_factor, net->sizes[0] * sizeof *net->in_factor);
    }
    h = hash_bytes(h, net->rng.s, sizeof net->rng.s);
    nnc_status s = nnc__dist_same(d, h, "network");
    if (s != NNC_OK)
        return s;
    const nnc__storage *st = data->st;
    size_t rows = data->n, dim = data->dim, first = data->first;
    h = 0xcbf29ce484222325u;
    if (st->x_u8)
        h = hash_bytes(h, st->x_u8 + first * dim, rows * dim);
    else
        h = hash_bytes(h, st->x_f32 + first * dim, rows * dim * sizeof *st->x_f32);
    if (st->labels)
        h = hash_bytes(h, st->labels + first, rows);
    if (st->targets)
        h = hash_bytes(h, st->targets + first * st->n_targets,
                       rows * st->n_targets * sizeof *st->targets);
    return nnc__dist_same(d, h, "training data");
}

static nnc_status train(nnc_net *net, const nnc_data *data, const nnc_train_opts *opts,
                        nnc_train_summary *summary)
{
    nnc__trainer *t;
    nnc_dist *group = opts->dist;
    int writes = nnc__dist_rank(group) == 0;   /* a group's files are rank 0's */
    nnc_status s = nnc_dist_agree(group, nnc__trainer_create(net, data, opts, &t), NULL);
    if (s != NNC_OK) {   /* here or on another process */
        nnc__trainer_free(t);
        return s;
    }
    if (opts->checkpoint && writes)   /* now, not after the first epoch */
        s = nnc__check_writable(opts->checkpoint);
    if (s == NNC_OK && opts->resume)
        s = resume_from(t, net, opts->resume);
    s = nnc_dist_agree(group, s, NULL);
    if (s == NNC_OK && nnc__dist_size(group) > 1)
        s = check_same_start(net, data, group);
    int stop = 0;
    while (s == NNC_OK && !stop && !nnc__trainer_done(t)) {
        nnc_epoch_report r;
        s = nnc__trainer_epoch(t, &r, &stop);
        if (s == NNC_OK && opts->checkpoint && writes)
            s = save_checkpoint(t, net, opts);
        if (s == NNC_OK && opts->on_epoch && opts->on_epoch(net, &r, opts->user))
            stop = 1;
        if (nnc__dist_size(group) > 1) {   /* all go on, or all stop, together */
            s = nnc_dist_agree(group, s, NULL);
            stop = nnc__dist_any(group, stop);
        }
    }
    nnc__trainer_finish(t, s, summary);
    nnc__trainer_free(t);
    return s;
}

nnc_status nnc_train(nnc_net *net, const nnc_data *data, const nnc_train_opts *opts,
                     nnc_train_summary *summary)
{
    nnc__compute_scope scope = nnc__compute_begin();
    nnc_status s = train(net, data, opts, summary);
    nnc__compute_end(scope);
    return s;
}
