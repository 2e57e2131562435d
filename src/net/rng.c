/* rng.c — xoshiro256** with splitmix64 seeding; portable normal draws. */
#include <math.h>

#include "rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void nnc__rng_seed(nnc__rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
    r->has_spare = 0;
    r->spare = 0.0;
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t nnc__rng_u64(nnc__rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double nnc__rng_uniform(nnc__rng *r)
{
    return (double)(nnc__rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t nnc__rng_below(nnc__rng *r, uint64_t bound)
{
    /* Reject the top partial copy of [0, bound) so every value is equally likely. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;
    do
        x = nnc__rng_u64(r);
    while (x >= limit);
    return x % bound;
}

/* ln(x) for x > 0 from exactly rounded operations only: x = m 2^e with m in
 * [1/sqrt2, sqrt2), ln m = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.172. libm's
 * log may differ in the last bit between machines; this may not. */
static double portable_log(double x)
{
    int e;
    double m = frexp(x, &e);            /* exact: m in [0.5, 1) */
    if (m < 0.70710678118654752440) {
        m *= 2.0;
        e -= 1;
    }
    double s = (m - 1.0) / (m + 1.0), s2 = s * s, term = s, sum = 0.0;
    for (int k = 1; k < 40; k += 2) {   /* converges to < 1e-17 in 12 terms */
        double next = sum + term / k;
        if (next == sum)
            break;
        sum = next;
        term *= s2;
    }
    return 2.0 * sum + e * 0.69314718055994530942;
}

double nnc__rng_normal(nnc__rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u, v, q;
    do {
        u = 2.0 * nnc__rng_uniform(r) - 1.0;
        v = 2.0 * nnc__rng_uniform(r) - 1.0;
        q = u * u + v * v;
    } while (q >= 1.0 || q == 0.0);
    double f = sqrt(-2.0 * portable_log(q) / q);   /* sqrt is exactly rounded */
    r->spare = v * f;
    r->has_spare = 1;
    return u * f;
}

void nnc__rng_shuffle(nnc__rng *r, size_t *idx, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)nnc__rng_below(r, i);
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}
