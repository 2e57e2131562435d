/* vector_avx2.c — AVX2 element-wise kernels (see vector.h).
 * Compiled with -mavx2 -mfma; only called when the CPU has both. */
#include <immintrin.h>
#include <math.h>

#include "exp_poly.h"
#include "vector.h"

/* e^x as exp_poly.h describes, 2^n built in the exponent bits as 2 · 2^(n-1)
 * so that n = 128 (x up to ln FLT_MAX) still fits. Below -80 the result only
 * meets a 1 it is added to in the sigmoid, so x is clamped there; above
 * ln FLT_MAX it is infinity, as from expf. NaN stays NaN. */
#define LN_FLT_MAX 88.7228394f

static inline __m256 exp_avx2(__m256 x_in)
{
    const __m256 x = _mm256_min_ps(_mm256_set1_ps(LN_FLT_MAX),
                                   _mm256_max_ps(_mm256_set1_ps(-80.0f), x_in));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(EXP_LOG2E)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(EXP_LN2_HI), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(EXP_LN2_LO), r);
    __m256 p = _mm256_set1_ps(EXP_P0);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_P1));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_P2));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_P3));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_P4));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_P5));
    __m256 y = _mm256_fmadd_ps(_mm256_mul_ps(p, r), r, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i bits = _mm256_slli_epi32(
        _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127 - 1)), 23);
    y = _mm256_mul_ps(_mm256_add_ps(y, y), _mm256_castsi256_ps(bits));
    return _mm256_blendv_ps(y, _mm256_set1_ps(INFINITY),
                            _mm256_cmp_ps(x_in, _mm256_set1_ps(LN_FLT_MAX), _CMP_GT_OQ));
}

static void sigmoid_avx2(float *z, size_t count)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 e = exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), _mm256_loadu_ps(z + i)));
        _mm256_storeu_ps(z + i, _mm256_div_ps(one, _mm256_add_ps(one, e)));
    }
    if (i < count) {   /* the tail through a small buffer: no masked loads needed */
        float tail[8] = {0};
        for (size_t j = i; j < count; j++)
            tail[j - i] = z[j];
        __m256 e = exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), _mm256_loadu_ps(tail)));
        _mm256_storeu_ps(tail, _mm256_div_ps(one, _mm256_add_ps(one, e)));
        for (size_t j = i; j < count; j++)
            z[j] = tail[j - i];
    }
}

static void bytes_to_floats_avx2(const uint8_t *src, float scale, float *dst, size_t count)
{
    const __m256 s = _mm256_set1_ps(scale);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m128i b = _mm_loadl_epi64((const __m128i *)(src + i));
        __m256 f = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b));
        _mm256_storeu_ps(dst + i, _mm256_mul_ps(f, s));
    }
    for (; i < count; i++)
        dst[i] = src[i] * scale;
}

const nnc__vector_ops nnc__vector_avx2 = {"avx2", sigmoid_avx2, bytes_to_floats_avx2};
