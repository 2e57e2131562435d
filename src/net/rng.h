/* rng.h — the explicit-state generator every network owns.
 *
 * xoshiro256** (Blackman & Vigna) seeded through splitmix64. Normal draws use
 * Marsaglia's polar method with a logarithm built from +, *, / only, so the
 * same seed yields the same bits on every IEEE-754 machine and libm. */
#ifndef NNC_RNG_H
#define NNC_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
    int      has_spare;   /* the polar method makes normals in pairs */
    double   spare;
} nnc__rng;

void     nnc__rng_seed(nnc__rng *r, uint64_t seed);
uint64_t nnc__rng_u64(nnc__rng *r);
/* Uniform double in [0, 1) with 53 random bits. */
double   nnc__rng_uniform(nnc__rng *r);
/* Uniform integer in [0, bound), without modulo bias; bound > 0. */
uint64_t nnc__rng_below(nnc__rng *r, uint64_t bound);
/* Standard normal N(0, 1). */
double   nnc__rng_normal(nnc__rng *r);
/* Fisher-Yates shuffle of idx[0..n). */
void     nnc__rng_shuffle(nnc__rng *r, size_t *idx, size_t n);

#endif
