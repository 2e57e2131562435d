/* shard_sum.c — a mini-batch's gradient summed over shards and processes
 * (shard_sum.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/error.h"
#include "../runtime/memory.h"
#include "shard_sum.h"
#include "tree.h"

struct nnc__shard_sum {
    const nnc_dist *d;
    nnc_reduce      reduce;
    unsigned        shards, rank, size, depth;
    size_t          count, tally_size, n_flags;
    nnc__sum_part  *parts;
    size_t          n_parts, largest_part;
    nnc__tree_node *nodes;      /* every process's cover, process by process  */
    size_t         *first;      /* process r's nodes: first[r] .. first[r+1]  */
    float         **own;        /* this process's nodes' sums                 */
    float         **temp;       /* a part's, one per level of the tree         */
    float          *received;   /* the others' nodes' parts of this slice      */
    size_t         *slice;      /* process r finishes sum[slice[r], slice[r+1]) */
    size_t         *slice_part; /* its parts: slice_part[r] .. slice_part[r+1]  */
    int             n_requests; /* in flight, of n_request_cap at most          */
    size_t          n_request_cap;
    double         *tally_buf;  /* shards x tally_size, then n_flags           */
#ifdef NNC_HAVE_MPI
    MPI_Request    *requests;
    int            *counts, *displs;
#endif
};

void nnc__shard_sum_free(nnc__shard_sum *x)
{
    if (!x)
        return;
    size_t n_own = x->first ? x->first[x->rank + 1] - x->first[x->rank] : 0;
    for (size_t i = 0; x->own && i < n_own; i++)
        free(x->own[i]);
    for (unsigned l = 0; x->temp && l < x->depth; l++)
        free(x->temp[l]);
    free(x->own);
    free(x->temp);
    free(x->parts);
    free(x->received);
    free(x->nodes);
    free(x->first);
    free(x->slice);
    free(x->slice_part);
    free(x->tally_buf);
#ifdef NNC_HAVE_MPI
    free(x->requests);
    free(x->counts);
    free(x->displs);
#endif
    free(x);
}

unsigned nnc__shard_sum_shards(const nnc__shard_sum *x)
{
    return x->shards;
}

void nnc__shard_sum_mine(const nnc__shard_sum *x, unsigned *lo, unsigned *hi)
{
    if (x->reduce == NNC_REDUCE_FAST)
        *lo = x->rank, *hi = x->rank + 1;
    else
        nnc__tree_share(x->shards, x->rank, x->size, lo, hi);
}

/* The covers of every process's shards, and the slices of the sum: about
 * count / size floats each, in whole parts, so that a slice can leave as
 * soon as its parts are added up. */
static nnc_status plan(nnc__shard_sum *x)
{
    size_t per = 2 * (size_t)(x->depth + 1);
    x->nodes = malloc((size_t)x->size * per * sizeof *x->nodes);
    x->first = malloc(((size_t)x->size + 1) * sizeof *x->first);
    x->slice = malloc(((size_t)x->size + 1) * sizeof *x->slice);
    x->slice_part = malloc(((size_t)x->size + 1) * sizeof *x->slice_part);
    if (!x->nodes || !x->first || !x->slice || !x->slice_part)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for the plan of %u shards", x->shards);
    size_t k = 0, p = 0;
    for (unsigned r = 0; r < x->size; r++) {
        unsigned lo, hi;
        nnc__tree_share(x->shards, r, x->size, &lo, &hi);
        x->first[r] = k;
        k += nnc__tree_cover(x->shards, lo, hi, x->nodes + k);
        size_t at = x->count * r / x->size;
        while (r && p < x->n_parts && x->parts[p].offset < at)
            p++;
        x->slice_part[r] = r ? p : 0;
        x->slice[r] = !r ? 0 : p < x->n_parts ? x->parts[p].offset : x->count;
    }
    x->first[x->size] = k;
    x->slice[x->size] = x->count;
    x->slice_part[x->size] = x->n_parts;
    return NNC_OK;
}

/* The buffers: this process's node sums, the fold's temporaries, the parts
 * of its slice the others send, the tallies. */
static nnc_status allocate(nnc__shard_sum *x)
{
    size_t n_own = x->first[x->rank + 1] - x->first[x->rank];
    size_t foreign = x->first[x->size] - n_own;
    size_t slice = x->slice[x->rank + 1] - x->slice[x->rank];
    double floats = (double)x->count * (double)n_own + (double)x->largest_part * x->depth +
                    (double)foreign * slice;
    nnc_status s = nnc__check_memory(floats * sizeof(float), "the shards' gradient sums");
    if (s != NNC_OK)
        return s;
    x->own = calloc(n_own ? n_own : 1, sizeof *x->own);
    x->temp = calloc(x->depth ? x->depth : 1, sizeof *x->temp);
    x->received = malloc((foreign * slice > 0 ? foreign * slice : 1) * sizeof *x->received);
    x->tally_buf = malloc((x->shards * x->tally_size + x->n_flags + 1) * sizeof *x->tally_buf);
    int ok = x->own && x->temp && x->received && x->tally_buf;
    /* what no part covers stays 0 in every sum */
    for (size_t i = 0; ok && i < n_own; i++)
        ok = (x->own[i] = calloc(x->count, sizeof(float))) != NULL;
    for (unsigned l = 0; ok && l < x->depth; l++)
        ok = (x->temp[l] = malloc(x->largest_part * sizeof(float))) != NULL;
#ifdef NNC_HAVE_MPI
    size_t n_requests = n_own * x->size + foreign;
    if (n_requests < x->n_parts)   /* the fast mode's buckets */
        n_requests = x->n_parts;
    x->n_request_cap = n_requests;
    x->requests = malloc((n_requests ? n_requests : 1) * sizeof *x->requests);
    x->counts = malloc(x->size * sizeof *x->counts);
    x->displs = malloc(x->size * sizeof *x->displs);
    ok = ok && x->requests && x->counts && x->displs;
    for (unsigned r = 0; ok && r < x->size; r++) {
        x->displs[r] = (int)x->slice[r];
        x->counts[r] = (int)(x->slice[r + 1] - x->slice[r]);
    }
#endif
    return ok ? NNC_OK
              : nnc__fail(NNC_ERR_NOMEM, "out of memory for the shards' gradient sums");
}

nnc_status nnc__shard_sum_create(const nnc_dist *d, unsigned shards, nnc_reduce reduce,
                                 size_t count, const nnc__sum_part *parts, size_t n_parts,
                                 size_t tally_size, size_t n_flags, nnc__shard_sum **out)
{
    *out = NULL;
    unsigned size = nnc__dist_size(d);
    if (reduce == NNC_REDUCE_FAST)
        shards = size;
    if (shards == 0 || shards > 4096)
        return nnc__fail(NNC_ERR_ARG, "shards: 1 to 4096, not %u", shards);
    if (size > shards)
        return nnc__fail(NNC_ERR_ARG, "%u processes and %u shards: each process needs a "
                         "shard of every mini-batch; give --shards %u or more", size, shards,
                         size);
    if (count > INT_MAX)
        return nnc__fail(NNC_ERR_ARG, "%zu parameters: more than one MPI message holds",
                         count);
    nnc__shard_sum *x = calloc(1, sizeof *x);
    if (!x)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for the shards' gradient sums");
    *x = (nnc__shard_sum){.d = d, .reduce = reduce, .shards = shards,
                          .rank = nnc__dist_rank(d), .size = size, .count = count,
                          .tally_size = tally_size, .n_flags = n_flags,
                          .depth = reduce == NNC_REDUCE_FAST ? 0 : nnc__tree_depth(shards)};
    nnc_status s = NNC_OK;
    if (!(x->parts = malloc((n_parts ? n_parts : 1) * sizeof *parts)))
        s = nnc__fail(NNC_ERR_NOMEM, "out of memory for the parts of a gradient");
    for (size_t i = 0; s == NNC_OK && i < n_parts; i++) {
        if (parts[i].offset > count || parts[i].count > count - parts[i].offset ||
            (i && parts[i].offset < parts[i - 1].offset + parts[i - 1].count))
            s = nnc__fail(NNC_ERR_ARG, "the parts of a gradient must follow each other "
                          "within it");
        x->parts[i] = parts[i];
        x->largest_part = parts[i].count > x->largest_part ? parts[i].count : x->largest_part;
    }
    x->n_parts = n_parts;
    if (s == NNC_OK)
        s = plan(x);
    if (s == NNC_OK)
        s = allocate(x);
    if (s != NNC_OK) {
        nnc__shard_sum_free(x);
        return s;
    }
    *out = x;
    return NNC_OK;
}

/* dst[i] += src[i]: the tree's one addition. */
static void add(float *restrict dst, const float *restrict src, size_t count)
{
    for (size_t i = 0; i < count; i++)
        dst[i] += src[i];
}

/* Part p of the sum of the shards [lo, hi), a node of the tree, into dst,
 * each shard's part computed as it is needed; level: the node's depth. */
static void fold_part(nnc__shard_sum *x, const nnc__shard_work *w, unsigned lo, unsigned hi,
                      unsigned level, size_t p, float *dst)
{
    if (hi - lo == 1) {
        w->part(w->ctx, lo, p, dst);
        return;
    }
    unsigned mid = nnc__tree_mid(lo, hi);
    fold_part(x, w, lo, mid, level + 1, p, dst);
    fold_part(x, w, mid, hi, level + 1, p, x->temp[level]);
    add(dst, x->temp[level], x->parts[p].count);
}

/* The sum of the shards [lo, hi) into dst (count floats), a part at a time. */
static void fold_node(nnc__shard_sum *x, const nnc__shard_work *w, unsigned lo, unsigned hi,
                      float *dst)
{
    for (size_t p = 0; p < x->n_parts; p++)
        fold_part(x, w, lo, hi, 0, p, dst + x->parts[p].offset);
}

#ifdef NNC_HAVE_MPI
/* Where the node [lo, hi) of some process sits in this process's slice, or
 * NULL when no process holds it whole. */
static float *held_node(nnc__shard_sum *x, unsigned lo, unsigned hi)
{
    size_t slice_lo = x->slice[x->rank], slice = x->slice[x->rank + 1] - slice_lo;
    size_t foreign = 0;
    for (unsigned r = 0; r < x->size; r++)
        for (size_t i = x->first[r]; i < x->first[r + 1]; i++) {
            int match = x->nodes[i].lo == lo && x->nodes[i].hi == hi;
            if (r == x->rank) {
                if (match)
                    return x->own[i - x->first[r]] + slice_lo;
            } else {
                if (match)
                    return x->received + foreign * slice;
                foreign++;
            }
        }
    return NULL;
}

/* The tree's sum over this process's slice, from the nodes the processes
 * hold; adds into those nodes' slices, each used once. */
static float *fold_slice(nnc__shard_sum *x, unsigned lo, unsigned hi)
{
    float *held = held_node(x, lo, hi);
    if (held)
        return held;
    unsigned mid = nnc__tree_mid(lo, hi);
    float *left = fold_slice(x, lo, mid), *right = fold_slice(x, mid, hi);
    add(left, right, x->slice[x->rank + 1] - x->slice[x->rank]);
    return left;
}

/* Asks for the others' nodes' parts of this process's slice. */
static int post_receives(nnc__shard_sum *x)
{
    size_t slice = x->slice[x->rank + 1] - x->slice[x->rank], foreign = 0;
    int rc = MPI_SUCCESS;
    for (unsigned r = 0; r < x->size && rc == MPI_SUCCESS; r++)
        for (size_t i = x->first[r]; r != x->rank && i < x->first[r + 1] && rc == MPI_SUCCESS;
             i++)
            rc = MPI_Irecv(x->received + foreign++ * slice, (int)slice, MPI_FLOAT, (int)r,
                           (int)i, x->d->comm, &x->requests[x->n_requests++]);
    return rc;
}

/* Sends slice j of each of this process's node sums to process j. */
static int send_slice(nnc__shard_sum *x, unsigned j)
{
    int rc = MPI_SUCCESS;
    for (size_t i = x->first[x->rank]; i < x->first[x->rank + 1] && rc == MPI_SUCCESS; i++)
        rc = MPI_Isend(x->own[i - x->first[x->rank]] + x->slice[j],
                       (int)(x->slice[j + 1] - x->slice[j]), MPI_FLOAT, (int)j, (int)i,
                       x->d->comm, &x->requests[x->n_requests++]);
    return rc;
}

/* This process's shards summed as far as it can, a slice at a time: the
 * others' slices first, each sent once its parts are added up while the
 * rest are computed, its own last; then its slice finished from what the
 * others sent, and every slice gathered everywhere. */
static nnc_status sum_group_fixed(nnc__shard_sum *x, const nnc__shard_work *w, float *sum)
{
    x->n_requests = 0;
    int rc = post_receives(x), done;
    for (unsigned step = 1; step <= x->size && rc == MPI_SUCCESS; step++) {
        unsigned j = (x->rank + step) % x->size;
        for (size_t i = x->first[x->rank]; i < x->first[x->rank + 1]; i++)
            for (size_t p = x->slice_part[j]; p < x->slice_part[j + 1]; p++) {
                fold_part(x, w, x->nodes[i].lo, x->nodes[i].hi, 0, p,
                          x->own[i - x->first[x->rank]] + x->parts[p].offset);
                /* MPI moves large messages only while it is called */
                if (x->n_requests && rc == MPI_SUCCESS)
                    rc = MPI_Testall(x->n_requests, x->requests, &done, MPI_STATUSES_IGNORE);
            }
        if (j != x->rank && rc == MPI_SUCCESS)
            rc = send_slice(x, j);
    }
    if (rc == MPI_SUCCESS)
        rc = MPI_Waitall(x->n_requests, x->requests, MPI_STATUSES_IGNORE);
    if (rc != MPI_SUCCESS)
        return nnc__dist_fail(rc, "exchanging the shards' sums");
    float *mine = fold_slice(x, 0, x->shards);
    rc = MPI_Allgatherv(mine, x->counts[x->rank], MPI_FLOAT, sum, x->counts, x->displs,
                        MPI_FLOAT, x->d->comm);
    return rc == MPI_SUCCESS ? NNC_OK : nnc__dist_fail(rc, "gathering the summed gradient");
}

/* Floats of the gradient summed by one allreduce in the fast mode. */
#define BUCKET_FLOATS (1u << 18)

/* The fast mode: this process's part of the batch, a bucket of parts at a
 * time, each bucket's allreduce started as soon as its parts are done and
 * moved along while the next ones are computed. */
static nnc_status sum_group_fast(nnc__shard_sum *x, const nnc__shard_work *w, float *sum)
{
    x->n_requests = 0;
    int rc = MPI_SUCCESS, done;
    size_t first = 0;   /* the open bucket's first part */
    for (size_t p = 0; p < x->n_parts && rc == MPI_SUCCESS; p++) {
        w->part(w->ctx, x->rank, p, sum + x->parts[p].offset);
        size_t from = x->parts[first].offset, to = x->parts[p].offset + x->parts[p].count;
        if (p + 1 == x->n_parts || to - from >= BUCKET_FLOATS) {
            if (x->n_requests == (int)x->n_request_cap)
                rc = MPI_Waitall(x->n_requests, x->requests, MPI_STATUSES_IGNORE),
                x->n_requests = 0;
            if (rc == MPI_SUCCESS)
                rc = MPI_Iallreduce(MPI_IN_PLACE, sum + from, (int)(to - from), MPI_FLOAT,
                                    MPI_SUM, x->d->comm, &x->requests[x->n_requests++]);
            first = p + 1;
        }
        if (x->n_requests && rc == MPI_SUCCESS)
            rc = MPI_Testall(x->n_requests, x->requests, &done, MPI_STATUSES_IGNORE);
    }
    if (rc == MPI_SUCCESS)
        rc = MPI_Waitall(x->n_requests, x->requests, MPI_STATUSES_IGNORE);
    return rc == MPI_SUCCESS ? NNC_OK : nnc__dist_fail(rc, "summing the gradient");
}

/* The group's sum of every process's shards, and of the tallies. */
static nnc_status sum_group(nnc__shard_sum *x, const nnc__shard_work *w, float *sum)
{
    nnc_status s = NNC_OK;
    if (x->reduce == NNC_REDUCE_FAST) {
        s = sum_group_fast(x, w, sum);
    } else {
        s = sum_group_fixed(x, w, sum);
    }
    /* the others' tallies are 0 here: the sums are exact */
    int rc = s == NNC_OK ? MPI_Allreduce(MPI_IN_PLACE, x->tally_buf,
                                         (int)(x->shards * x->tally_size + x->n_flags),
                                         MPI_DOUBLE, MPI_SUM, x->d->comm)
                         : MPI_SUCCESS;
    return rc == MPI_SUCCESS ? s : nnc__dist_fail(rc, "summing the shards' tallies");
}
#endif

nnc_status nnc__shard_sum_run(nnc__shard_sum *x, const nnc__shard_work *work, float *sum,
                              double *tallies, double *flags)
{
    size_t n_tallies = x->shards * x->tally_size;
    memset(x->tally_buf, 0, n_tallies * sizeof *x->tally_buf);
    memcpy(x->tally_buf + n_tallies, flags, x->n_flags * sizeof *flags);
    unsigned lo, hi;
    nnc__shard_sum_mine(x, &lo, &hi);
    for (unsigned s = lo; s < hi; s++)
        work->prepare(work->ctx, s, x->shards, x->tally_buf + (size_t)s * x->tally_size);
    nnc_status st = NNC_OK;
    if (x->size == 1) {   /* alone: the whole tree here, into the sum itself */
        if (x->reduce == NNC_REDUCE_FAST)
            for (size_t p = 0; p < x->n_parts; p++)
                work->part(work->ctx, 0, p, sum + x->parts[p].offset);
        else
            fold_node(x, work, 0, x->shards, sum);
    } else {
#ifdef NNC_HAVE_MPI
        st = sum_group(x, work, sum);
#endif
    }
    memcpy(tallies, x->tally_buf, n_tallies * sizeof *tallies);
    memcpy(flags, x->tally_buf + n_tallies, x->n_flags * sizeof *flags);
    return st;
}
