/* split.c — holding out a random fraction of a dataset for validation or
 * testing: reproducible from a seed, and stratified by class, so that a
 * small table's validation set has each class in its share. */
#include <math.h>
#include <stdlib.h>

#include "dataset.h"

/* splitmix64: a small generator of its own, so that a split does not move
 * the network's generator (whose draws define the training run). */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void shuffle(size_t *v, size_t n, uint64_t *s)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(next(s) % i);
        size_t t = v[i - 1];
        v[i - 1] = v[j], v[j] = t;
    }
}

static int ascending(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

nnc_status nnc_data_split(const nnc_data *data, double fraction, uint64_t seed,
                          nnc_data **rest, nnc_data **held_out)
{
    *rest = *held_out = NULL;
    if (!data || !(fraction > 0.0 && fraction < 1.0))
        return nnc__fail(NNC_ERR_ARG, "a split holds out a fraction between 0 and 1, not %g",
                         fraction);
    size_t n = data->n;
    if (n < 2)
        return nnc__fail(NNC_ERR_ARG, "%s: %zu sample%s cannot be split", data->st->source, n,
                         n == 1 ? "" : "s");
    size_t *order = malloc(n * sizeof *order), *held = malloc(n * sizeof *held),
           *kept = malloc(n * sizeof *kept);
    if (!order || !held || !kept) {
        free(order), free(held), free(kept);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory splitting %zu samples", n);
    }
    uint64_t state = seed;
    size_t n_held = 0, n_kept = 0;
    /* with labels, one group per class (in label order); else one group */
    unsigned groups = 1;
    if (data->st->labels && !data->st->targets)
        for (size_t i = 0; i < n; i++)
            groups = nnc_data_label(data, i) + 1u > groups ? nnc_data_label(data, i) + 1u : groups;
    for (unsigned g = 0; g < groups; g++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (groups == 1 || nnc_data_label(data, i) == g)
                order[m++] = i;
        shuffle(order, m, &state);
        size_t h = (size_t)llround(fraction * (double)m);
        for (size_t i = 0; i < m; i++) {
            if (i < h)
                held[n_held++] = order[i];
            else
                kept[n_kept++] = order[i];
        }
    }
    /* rounding per class may leave one side empty: move one sample over */
    if (n_held == 0)
        held[n_held++] = kept[--n_kept];
    else if (n_kept == 0)
        kept[n_kept++] = held[--n_held];
    qsort(held, n_held, sizeof *held, ascending);   /* in the file's order */
    qsort(kept, n_kept, sizeof *kept, ascending);
    nnc_status s = nnc_data_select(data, kept, n_kept, rest);
    if (s == NNC_OK && (s = nnc_data_select(data, held, n_held, held_out)) != NNC_OK) {
        nnc_data_free(*rest);
        *rest = NULL;
    }
    free(order), free(held), free(kept);
    return s;
}
