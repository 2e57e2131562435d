/* exchange.c — what summing a gradient over a group costs: the fixed tree
 * of shard sums (and, for comparison, MPI's allreduce) over sizes from a
 * few kilobytes to the wide network's 7.4 MB, without any computing.
 * Run under mpirun: mpirun -np K build/bench/nnc-bench-exchange [ROUNDS].
 * Rank 0 prints, per size, the median milliseconds of a sum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dist/shard_sum.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A shard's "gradient": its number everywhere, a part at a time. */
static void tally(void *ctx, unsigned shard, unsigned shards, double *t)
{
    (void)ctx, (void)shard, (void)shards;
    t[0] = 1.0;
}

#define PART 32768

static void fill(void *ctx, unsigned shard, size_t p, float *out)
{
    size_t count = *(const size_t *)ctx, n = count - p * PART < PART ? count - p * PART : PART;
    for (size_t i = 0; i < n; i++)
        out[i] = (float)shard;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    nnc_dist *group;
    if (nnc_dist_join(&argc, &argv, &group) != NNC_OK) {
        fprintf(stderr, "nnc-bench-exchange: %s\n", nnc_last_error());
        return 1;
    }
    int rounds = argc > 1 ? atoi(argv[1]) : 30;
    /* the tutorial's, N's, 311 KB, 2.5 MB and W's gradient, in floats */
    static const size_t sizes[] = {23860, 79510, 77750, 635000, 1863690};
    unsigned rank = nnc_dist_rank(group), size = nnc_dist_size(group);
    if (!rank)
        printf("# %u processes; median ms of one sum over %d rounds (shard-filling "
               "included; 8 shards)\n# %8s %10s %12s %12s\n",
               size, rounds, "floats", "bytes", "fixed tree", "fast");
    double *t = malloc((size_t)rounds * sizeof *t);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t count = sizes[s];
        float *sum = malloc(count * sizeof *sum);
        double ms[2];
        for (int mode = 0; mode < 2; mode++) {
            nnc__shard_sum *x;
            size_t n_parts = (count + PART - 1) / PART;
            nnc__sum_part *parts = malloc(n_parts * sizeof *parts);
            for (size_t p = 0; p < n_parts; p++)
                parts[p] = (nnc__sum_part){p * PART, count - p * PART < PART ? count - p * PART
                                                                             : PART};
            nnc__shard_work work = {tally, fill, &count};
            if (nnc__shard_sum_create(group, 8, mode ? NNC_REDUCE_FAST : NNC_REDUCE_FIXED,
                                      count, parts, n_parts, 1, 1, &x) != NNC_OK) {
                fprintf(stderr, "nnc-bench-exchange: %s\n", nnc_last_error());
                return 1;
            }
            double tallies[8], flags[1];
            for (int r = -3; r < rounds; r++) {   /* three rounds to warm up */
                flags[0] = 0.0;
                double t0 = now();
                if (nnc__shard_sum_run(x, &work, sum, tallies, flags) != NNC_OK) {
                    fprintf(stderr, "nnc-bench-exchange: %s\n", nnc_last_error());
                    return 1;
                }
                if (r >= 0)
                    t[r] = now() - t0;
            }
            qsort(t, (size_t)rounds, sizeof *t, by_value);
            ms[mode] = 1e3 * t[rounds / 2];
            nnc__shard_sum_free(x);
            free(parts);
        }
        if (!rank)
            printf("  %10zu %10zu %12.3f %12.3f\n", count, count * sizeof(float), ms[0], ms[1]);
        free(sum);
    }
    free(t);
    nnc_dist_leave(group);
    return 0;
}
