/* nnc-bench-augment — what distorting one MNIST digit costs, as `--preset
 * simard` distorts them (rotation 10, zoom 0.1, elastic alpha 34, sigma 4),
 * on one thread: the best of 40 rounds of 10,000 digits in thread CPU time,
 * so that other work on the machine does not count. A hash of every pixel of
 * one epoch's 50,000 distorted digits tells whether a change kept them.
 *
 *   nnc-bench-augment MNIST_DIR [--affine-only] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "train/augment.h"

enum { ROUNDS = 40, PER_ROUND = 10000 };

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: nnc-bench-augment MNIST_DIR [--affine-only]\n");
        return 2;
    }
    nnc_data *train, *valid;
    if (nnc_mnist_load(argv[1], &train, &valid, NULL) != NNC_OK) {
        fprintf(stderr, "%s\n", nnc_last_error());
        return 1;
    }
    nnc_augment p = {1, 10, 0.1f, 0, 0, 34, 4};
    if (argc > 2 && strcmp(argv[2], "--affine-only") == 0)
        p.elastic_alpha = 0;
    nnc__aug_config c;
    if (nnc__aug_config_init(&c, &p, 28, 28) != NNC_OK) {
        fprintf(stderr, "%s\n", nnc_last_error());
        return 1;
    }
    float *scratch = calloc(nnc__aug_scratch(&c), sizeof *scratch);
    uint8_t out[784];
    unsigned sink = 0;
    double best = 1e30;
    size_t n = nnc_data_count(train);
    for (int r = 0; r < ROUNDS; r++) {
        size_t first = (size_t)r * PER_ROUND % (n - PER_ROUND);
        double t = cpu_seconds();
        for (size_t i = first; i < first + PER_ROUND; i++) {
            nnc__aug_sample(&c, train, 0, (unsigned)r, i, out, scratch);
            sink += out[400];   /* keeps the work */
        }
        t = cpu_seconds() - t;
        best = t < best ? t : best;
    }
    uint64_t hash = 0xcbf29ce484222325u;   /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        nnc__aug_sample(&c, train, 0, 0, i, out, scratch);
        for (int k = 0; k < 784; k++)
            hash = (hash ^ out[k]) * 0x100000001b3u;
    }
    printf("%s: %.3f us per digit (best of %d rounds of %d, thread CPU time); epoch 0's "
           "pixels hash %016llx (%u)\n",
           p.elastic_alpha > 0 ? "affine + elastic" : "affine only",
           best / PER_ROUND * 1e6, ROUNDS, PER_ROUND, (unsigned long long)hash, sink % 10);
    free(scratch);
    nnc_data_free(train);
    nnc_data_free(valid);
    return 0;
}
