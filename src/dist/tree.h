/* tree.h — the fixed tree in which shard sums are added.
 *
 * The shards 0 .. S-1 of a mini-batch are the leaves of a binary tree: the
 * node [lo, hi) is the sum of [lo, mid) and [mid, hi), mid = lo + (hi-lo)/2,
 * the left added to the right. Every process adds in this tree, whatever
 * part of it it holds, so the total has the same bits for any number of
 * processes. */
#ifndef NNC_DIST_TREE_H
#define NNC_DIST_TREE_H

#include <stddef.h>

typedef struct {
    unsigned lo, hi;   /* the shards [lo, hi) */
} nnc__tree_node;

/* Where the node [lo, hi) splits. */
static inline unsigned nnc__tree_mid(unsigned lo, unsigned hi)
{
    return lo + (hi - lo) / 2;
}

/* The shards process `rank` of `size` computes: [*lo, *hi) of `shards`,
 * contiguous, the counts differing by at most one. */
void nnc__tree_share(unsigned shards, unsigned rank, unsigned size, unsigned *lo,
                     unsigned *hi);

/* The largest nodes of the tree over [0, shards) that lie inside [lo, hi),
 * left to right: what a process holding those shards can add up alone.
 * Writes at most 2 * (depth + 1) nodes to out (depth: of the tree) and
 * returns their count. */
size_t nnc__tree_cover(unsigned shards, unsigned lo, unsigned hi, nnc__tree_node *out);

/* The tree's depth over `shards` leaves: ceil(log2(shards)). */
unsigned nnc__tree_depth(unsigned shards);

#endif
