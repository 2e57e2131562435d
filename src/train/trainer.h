/* trainer.h — mini-batch SGD one epoch at a time: batches, optimiser,
 * schedule and early stopping. It knows no files: what a run keeps between
 * epochs is a nnc__train_state, which the caller may save and give back. */
#ifndef NNC_TRAINER_H
#define NNC_TRAINER_H

#include <stdint.h>

#include "../data/dataset.h"
#include "../net/net.h"

/* Where a run stands between epochs, beside the network itself; its arrays
 * are in the network's packed layout and belong to the trainer. */
typedef struct {
    unsigned next_epoch;
    float    eta;                 /* after any halving                       */
    uint64_t steps;               /* optimiser updates so far                */
    unsigned n_arrays;            /* the optimiser's: 0, 1 or 2              */
    float   *arrays[2];           /* n_params floats each                    */
    int      best_epoch;          /* -1: none yet                            */
    size_t   best_valid_correct;  /* a classifier's                          */
    float    best_valid_rmse;     /* a regression's (lower is better)        */
    unsigned since_best, since_change;
    float   *best;                /* the best epoch's parameters (early
                                     stopping), or NULL                      */
} nnc__train_state;

typedef struct nnc__trainer nnc__trainer;

/* Checks opts and data against net and allocates everything the run needs,
 * before its first batch. */
nnc_status nnc__trainer_create(nnc_net *net, const nnc_data *data, const nnc_train_opts *opts,
                               nnc__trainer **out);
void nnc__trainer_free(nnc__trainer *t);

/* The run's state: read it after an epoch, or set it (arrays copied into
 * the trainer's) before the first to continue a run. */
nnc__train_state *nnc__trainer_state(nnc__trainer *t);

/* 1 once the run has had its epochs. */
int nnc__trainer_done(const nnc__trainer *t);

/* Trains the next epoch, measures what opts->monitor asks for into r, adds it
 * to the network's history and updates the schedule; *stop becomes 1 when
 * the schedule ends the run. On divergence or a stop request the network
 * and the state stay as after the last whole epoch. */
nnc_status nnc__trainer_epoch(nnc__trainer *t, nnc_epoch_report *r, int *stop);

/* After the last epoch: a run that ended well gets the best network back
 * (early stopping); summary (if not NULL) says what the run did. */
void nnc__trainer_finish(nnc__trainer *t, nnc_status s, nnc_train_summary *summary);

#endif
