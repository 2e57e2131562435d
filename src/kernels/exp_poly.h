/* exp_poly.h — the constants of the vectorised e^x (vector_avx512.c,
 * vector_avx2.c): x = n ln2 + r with |r| <= ln2/2, ln2 split in two parts so
 * that r is exact, then e^r by Cephes' degree-6 polynomial for expf
 * (relative error about 1e-7), scaled by 2^n. */
#ifndef NNC_EXP_POLY_H
#define NNC_EXP_POLY_H

#define EXP_LOG2E   1.44269504088896341f
#define EXP_LN2_HI  0.693359375f
#define EXP_LN2_LO  -2.12194440e-4f
#define EXP_P0      1.9875691500e-4f
#define EXP_P1      1.3981999507e-3f
#define EXP_P2      8.3334519073e-3f
#define EXP_P3      4.1665795894e-2f
#define EXP_P4      1.6666665459e-1f
#define EXP_P5      5.0000001201e-1f

#endif
