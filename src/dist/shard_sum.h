/* shard_sum.h — a mini-batch's gradient as the sum of its shards' gradients,
 * over the processes of a group.
 *
 * NNC_REDUCE_FIXED: the batch's `shards` shards are dealt out to the
 * processes in contiguous runs (tree.h); each process computes its shards
 * and adds them up as far as the fixed tree lets it, then the processes
 * exchange those partial sums a slice of the gradient at a time and each
 * finishes the tree for its slice, so every addition is the one a process
 * alone makes. NNC_REDUCE_FAST: one shard per process, summed by MPI. */
#ifndef NNC_DIST_SHARD_SUM_H
#define NNC_DIST_SHARD_SUM_H

#include <stddef.h>

#include "dist.h"

typedef struct nnc__shard_sum nnc__shard_sum;

/* Computes shard `shard` of `shards`: its gradient (count floats) into grad
 * and what the caller tallies for it (tally_size doubles) into tally. */
typedef void (*nnc__shard_fn)(void *ctx, unsigned shard, unsigned shards, float *grad,
                              double *tally);

/* For sums of count floats over the group d (NULL: this process alone),
 * with tally_size doubles tallied per shard and n_flags doubles summed over
 * the processes. Checks that the group has no more processes than shards
 * and that the buffers fit in memory. */
nnc_status nnc__shard_sum_create(const nnc_dist *d, unsigned shards, nnc_reduce reduce,
                                 size_t count, size_t tally_size, size_t n_flags,
                                 nnc__shard_sum **out);
void nnc__shard_sum_free(nnc__shard_sum *x);

/* The shards a batch is cut into (NNC_REDUCE_FAST: the group's size). */
unsigned nnc__shard_sum_shards(const nnc__shard_sum *x);

/* Computes this process's shards through fn and sums every process's into
 * sum (count floats, the same bits on every process); tallies gets every
 * shard's tally (shards x tally_size), flags (n_flags; in: this process's)
 * their sums over the processes. */
nnc_status nnc__shard_sum_run(nnc__shard_sum *x, nnc__shard_fn fn, void *ctx, float *sum,
                              double *tallies, double *flags);

#endif
