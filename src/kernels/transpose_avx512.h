/* transpose_avx512.h — a 16 x 16 tile of 32-bit lanes turned around in
 * registers; included by the AVX-512 files only (compiled with -mavx512f). */
#ifndef NNC_TRANSPOSE_AVX512_H
#define NNC_TRANSPOSE_AVX512_H

#include <immintrin.h>

/* v[r] lane c -> v[c] lane r, for a 16 x 16 tile of floats. */
static inline __attribute__((always_inline)) void transpose16(__m512 v[16])
{
    __m512 t[16], u[16];
#pragma GCC unroll 8
    for (int q = 0; q < 16; q += 2) {   /* pairs of rows, within 128-bit lanes */
        t[q] = _mm512_unpacklo_ps(v[q], v[q + 1]);
        t[q + 1] = _mm512_unpackhi_ps(v[q], v[q + 1]);
    }
#pragma GCC unroll 4
    for (int q = 0; q < 16; q += 4) {   /* u[q + c]: column 4L + c of rows q..q+3 in lane L */
        u[q] = _mm512_shuffle_ps(t[q], t[q + 2], _MM_SHUFFLE(1, 0, 1, 0));
        u[q + 1] = _mm512_shuffle_ps(t[q], t[q + 2], _MM_SHUFFLE(3, 2, 3, 2));
        u[q + 2] = _mm512_shuffle_ps(t[q + 1], t[q + 3], _MM_SHUFFLE(1, 0, 1, 0));
        u[q + 3] = _mm512_shuffle_ps(t[q + 1], t[q + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
#pragma GCC unroll 4
    for (int c = 0; c < 4; c++) {       /* then the 128-bit lanes across the four */
        __m512 x0 = _mm512_shuffle_f32x4(u[c], u[4 + c], _MM_SHUFFLE(2, 0, 2, 0));
        __m512 x1 = _mm512_shuffle_f32x4(u[c], u[4 + c], _MM_SHUFFLE(3, 1, 3, 1));
        __m512 y0 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], _MM_SHUFFLE(2, 0, 2, 0));
        __m512 y1 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], _MM_SHUFFLE(3, 1, 3, 1));
        v[c] = _mm512_shuffle_f32x4(x0, y0, _MM_SHUFFLE(2, 0, 2, 0));
        v[8 + c] = _mm512_shuffle_f32x4(x0, y0, _MM_SHUFFLE(3, 1, 3, 1));
        v[4 + c] = _mm512_shuffle_f32x4(x1, y1, _MM_SHUFFLE(2, 0, 2, 0));
        v[12 + c] = _mm512_shuffle_f32x4(x1, y1, _MM_SHUFFLE(3, 1, 3, 1));
    }
}

#endif
