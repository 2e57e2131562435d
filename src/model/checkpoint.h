/* checkpoint.h — a network with the state of the run that trains it, saved
 * after every epoch so that the run can continue exactly where it stood. */
#ifndef NNC_CHECKPOINT_H
#define NNC_CHECKPOINT_H

#include <stdint.h>

#include "../net/net.h"

/* What a run needs beyond the network to continue bit for bit. The arrays
 * are in the network's packed layout. */
typedef struct {
    unsigned next_epoch;
    float    eta;
    uint64_t steps;          /* optimiser updates so far                      */
    unsigned n_arrays;       /* 0, 1 or 2 optimiser arrays of n_params floats */
    float   *arrays[2];
    int      best_epoch;     /* by validation accuracy or RMSE; -1: none      */
    uint32_t best_valid_correct;   /* a classifier's best count correct      */
    float    best_valid_rmse;      /* a regression's best RMSE; NaN otherwise */
    uint32_t since_best, since_change;
    float   *best;           /* best parameters (early stopping), or NULL     */
    /* the run's settings, so that a resumed run is the same run; files
     * written before they were kept have none */
    int            has_settings;
    nnc_train_opts settings;  /* the training fields; no pointers            */
} nnc__run_state;

/* Saves net and st to path atomically. */
nnc_status nnc__checkpoint_save(const nnc_net *net, const nnc__run_state *st,
                                const char *path);

/* Reads a checkpoint for a run of net: its network must have net's sizes,
 * activation and cost, and its state n_arrays optimiser arrays and best
 * parameters if and only if with_best. On success net takes the saved
 * parameters, generator and record, and st the state (free it with
 * nnc__run_state_free); on failure net is unchanged. */
nnc_status nnc__checkpoint_load(const char *path, nnc_net *net, unsigned n_arrays,
                                int with_best, nnc__run_state *st);

void nnc__run_state_free(nnc__run_state *st);

/* Copies the fields of a run's settings that a checkpoint keeps (epochs,
 * mini-batch, learning rate, L2, optimiser and its constants, dropout,
 * schedules, shuffle, monitor, distortions) from `from` into `to`;
 * pointers untouched. */
void nnc__copy_settings(nnc_train_opts *to, const nnc_train_opts *from);

#endif
