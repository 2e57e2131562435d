/* vector_avx512.c — AVX-512 element-wise kernels (see vector.h).
 * Compiled with -mavx512f; only called when the CPU has AVX-512F. */
#include <immintrin.h>

#include "exp_poly.h"
#include "vector.h"

/* e^x as exp_poly.h describes; 2^n by scalef. */
static inline __m512 exp_avx512(__m512 x)
{
    x = _mm512_min_ps(_mm512_set1_ps(104.0f), _mm512_max_ps(_mm512_set1_ps(-104.0f), x)); /* NaN stays */
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(EXP_LOG2E)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(EXP_LN2_HI), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(EXP_LN2_LO), r);
    __m512 p = _mm512_set1_ps(EXP_P0);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(EXP_P1));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(EXP_P2));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(EXP_P3));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(EXP_P4));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(EXP_P5));
    __m512 y = _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(y, n);   /* y 2^n, overflowing to inf, underflowing to 0 */
}

static void sigmoid_avx512(float *z, size_t count)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    size_t i = 0;
    for (; i < count; i += 16) {
        __mmask16 mk = count - i >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (count - i)) - 1);
        __m512 v = _mm512_maskz_loadu_ps(mk, z + i);
        __m512 e = exp_avx512(_mm512_sub_ps(_mm512_setzero_ps(), v));
        _mm512_mask_storeu_ps(z + i, mk, _mm512_div_ps(one, _mm512_add_ps(one, e)));
    }
}

static void bytes_to_floats_avx512(const uint8_t *src, float scale, float *dst, size_t count)
{
    const __m512 s = _mm512_set1_ps(scale);
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m128i b = _mm_loadu_si128((const __m128i *)(src + i));
        __m512 f = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(b));
        _mm512_storeu_ps(dst + i, _mm512_mul_ps(f, s));
    }
    for (; i < count; i++)
        dst[i] = src[i] * scale;
}

const nnc__vector_ops nnc__vector_avx512 = {"avx512", sigmoid_avx512, bytes_to_floats_avx512};
