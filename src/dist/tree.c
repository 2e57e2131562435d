/* tree.c — the fixed tree of shard sums (tree.h). */
#include "tree.h"

void nnc__tree_share(unsigned shards, unsigned rank, unsigned size, unsigned *lo,
                     unsigned *hi)
{
    *lo = (unsigned)((unsigned long long)shards * rank / size);
    *hi = (unsigned)((unsigned long long)shards * (rank + 1) / size);
}

unsigned nnc__tree_depth(unsigned shards)
{
    unsigned depth = 0;
    while ((1ull << depth) < shards)
        depth++;
    return depth;
}

/* The cover of [lo, hi) within the tree node [a, b). */
static size_t cover(unsigned a, unsigned b, unsigned lo, unsigned hi, nnc__tree_node *out)
{
    if (hi <= a || b <= lo || a >= b)
        return 0;
    if (lo <= a && b <= hi) {
        out[0] = (nnc__tree_node){a, b};
        return 1;
    }
    unsigned mid = nnc__tree_mid(a, b);
    size_t k = cover(a, mid, lo, hi, out);
    return k + cover(mid, b, lo, hi, out + k);
}

size_t nnc__tree_cover(unsigned shards, unsigned lo, unsigned hi, nnc__tree_node *out)
{
    return cover(0, shards, lo, hi, out);
}
