/* shard_sum.h — a mini-batch's gradient as the sum of its shards' gradients,
 * over the processes of a group.
 *
 * NNC_REDUCE_FIXED: the batch's `shards` shards are dealt out to the
 * processes in contiguous runs (tree.h); each process computes its shards
 * and adds them up as far as the fixed tree lets it, then the processes
 * exchange those partial sums a slice of the gradient at a time and each
 * finishes the tree for its slice, so every addition is the one a process
 * alone makes. NNC_REDUCE_FAST: one shard per process, summed by MPI.
 *
 * The gradient is made of parts (ranges of it) that the caller computes
 * one at a time for a shard, so that the tree is added a part at a time in
 * cache rather than a whole gradient per shard through memory. */
#ifndef NNC_DIST_SHARD_SUM_H
#define NNC_DIST_SHARD_SUM_H

#include <stddef.h>

#include "dist.h"

typedef struct nnc__shard_sum nnc__shard_sum;

/* A range of the gradient the caller computes in one piece. Parts follow
 * each other in the gradient without overlapping; what no part covers
 * stays 0. */
typedef struct {
    size_t offset, count;
} nnc__sum_part;

/* What the caller does for shard `shard` of `shards`: gets it ready (its
 * forward and backward passes) and tallies it (tally_size doubles); then
 * writes part `part` of its gradient (the part's count floats) into out. */
typedef struct {
    void (*prepare)(void *ctx, unsigned shard, unsigned shards, double *tally);
    void (*part)(void *ctx, unsigned shard, size_t part, float *out);
    void *ctx;
} nnc__shard_work;

/* For sums of count floats cut into parts over the group d (NULL: this
 * process alone), with tally_size doubles tallied per shard and n_flags
 * doubles summed over the processes. Checks that the group has no more
 * processes than shards and that the buffers fit in memory. */
nnc_status nnc__shard_sum_create(const nnc_dist *d, unsigned shards, nnc_reduce reduce,
                                 size_t count, const nnc__sum_part *parts, size_t n_parts,
                                 size_t tally_size, size_t n_flags, nnc__shard_sum **out);
void nnc__shard_sum_free(nnc__shard_sum *x);

/* The shards a batch is cut into (NNC_REDUCE_FAST: the group's size), and
 * the ones this process computes: [*lo, *hi). */
unsigned nnc__shard_sum_shards(const nnc__shard_sum *x);
void nnc__shard_sum_mine(const nnc__shard_sum *x, unsigned *lo, unsigned *hi);

/* Prepares this process's shards, then sums every process's shards' parts
 * into sum (count floats, the same bits on every process); tallies gets
 * every shard's tally (shards x tally_size), flags (n_flags; in: this
 * process's) their sums over the processes. */
nnc_status nnc__shard_sum_run(nnc__shard_sum *x, const nnc__shard_work *work, float *sum,
                              double *tallies, double *flags);

#endif
