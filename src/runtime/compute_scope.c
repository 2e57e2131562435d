/* compute_scope.c — subnormals flushed and OpenBLAS on one thread for the
 * length of a call (compute_scope.h). */
#include <pthread.h>

#include "compute_scope.h"

#if defined(__x86_64__) || defined(__SSE2__)
#include <pmmintrin.h>
#include <xmmintrin.h>
#define HAVE_MXCSR 1
#endif

#ifdef NNC_HAVE_OPENBLAS
#include <cblas.h>

/* OpenBLAS's thread count is one setting for the whole process: the first
 * of any overlapping nnc calls saves it, the last puts it back. */
static pthread_mutex_t blas_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned blas_users;
static int blas_host_threads;

static void blas_begin(void)
{
    pthread_mutex_lock(&blas_lock);
    if (blas_users++ == 0) {
        blas_host_threads = openblas_get_num_threads();
        if (blas_host_threads != 1)
            openblas_set_num_threads(1);
    }
    pthread_mutex_unlock(&blas_lock);
}

static void blas_end(void)
{
    pthread_mutex_lock(&blas_lock);
    if (--blas_users == 0 && blas_host_threads != 1)
        openblas_set_num_threads(blas_host_threads);
    pthread_mutex_unlock(&blas_lock);
}
#else
static void blas_begin(void) {}
static void blas_end(void) {}
#endif

nnc__compute_scope nnc__compute_begin(void)
{
    nnc__compute_scope scope = {0};
#ifdef HAVE_MXCSR
    scope.mxcsr = _mm_getcsr();
    _mm_setcsr(scope.mxcsr | _MM_FLUSH_ZERO_ON | _MM_DENORMALS_ZERO_ON);
#endif
    blas_begin();
    return scope;
}

void nnc__compute_end(nnc__compute_scope scope)
{
    blas_end();
#ifdef HAVE_MXCSR
    _mm_setcsr(scope.mxcsr);
#else
    (void)scope;
#endif
}
