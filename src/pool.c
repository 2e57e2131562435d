/* pool.c — worker threads woken per product (see pool.h).
 *
 * A batch of a wide network runs a dozen products and element-wise steps a
 * few hundred microseconds apart; waking a sleeping thread costs tens of
 * microseconds in a virtual machine. So a worker that finished a run watches
 * for the next one for a while (SPIN_ROUNDS) before it sleeps on the
 * condition variable, and the caller watches for the workers likewise. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

#include "internal.h"
#include "pool.h"

struct nnc_pool {
    pthread_mutex_t lock;
    pthread_cond_t  wake, done;
    pthread_t      *workers;
    unsigned        n_threads;    /* caller included                       */
    unsigned        started;      /* workers successfully created          */
    atomic_ulong    generation;   /* bumped for every run                  */
    atomic_uint     pending;      /* workers still busy with this run      */
    atomic_int      quit;
    nnc_task_fn     fn;
    void           *arg;
    size_t          n_tasks;
};

typedef struct {
    nnc_pool *pool;
    unsigned  index;   /* 1 .. n_threads-1; the caller is 0 */
} worker_arg;

static worker_arg *worker_args(nnc_pool *p) { return (worker_arg *)(p->workers + p->n_threads); }

/* Thread `index` takes the index-th of n_threads equal ranges of tasks: the
 * tasks of a product and of the element-wise step after it split their work
 * in the same order, so a thread mostly reads what it wrote itself. */
static void run_share(nnc_pool *p, unsigned index)
{
    size_t last = nnc__range_end(p->n_tasks, p->n_threads, index);
    for (size_t t = nnc__range_first(p->n_tasks, p->n_threads, index); t < last; t++)
        p->fn(p->arg, t);
}

/* About 100-300 microseconds of pause instructions. */
#define SPIN_ROUNDS 4000

static void *worker_main(void *varg)
{
    worker_arg *wa = varg;
    nnc_pool *p = wa->pool;
    unsigned long seen = 0;
    for (;;) {
        for (int i = 0; i < SPIN_ROUNDS && atomic_load(&p->generation) == seen &&
                        !atomic_load(&p->quit); i++)
            CPU_RELAX();
        pthread_mutex_lock(&p->lock);
        while (atomic_load(&p->generation) == seen && !atomic_load(&p->quit))
            pthread_cond_wait(&p->wake, &p->lock);
        pthread_mutex_unlock(&p->lock);
        if (atomic_load(&p->quit))
            break;
        seen = atomic_load(&p->generation);
        run_share(p, wa->index);
        if (atomic_fetch_sub(&p->pending, 1) == 1) {
            pthread_mutex_lock(&p->lock);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->lock);
        }
    }
    return NULL;
}

nnc_status nnc__pool_create(unsigned threads, nnc_pool **out)
{
    *out = NULL;
    if (threads < 2)
        return nnc__fail(NNC_ERR_ARG, "a thread pool needs at least 2 threads");
    nnc_pool *p = calloc(1, sizeof *p);
    /* one block: worker handles, then their arguments */
    void *block = p ? malloc(threads * (sizeof(pthread_t) + sizeof(worker_arg))) : NULL;
    if (!block) {
        free(p);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for %u threads", threads);
    }
    p->workers = block;
    p->n_threads = threads;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    for (unsigned i = 1; i < threads; i++) {
        worker_args(p)[i] = (worker_arg){p, i};
        if (pthread_create(&p->workers[i], NULL, worker_main, &worker_args(p)[i]) != 0) {
            nnc__pool_free(p);
            return nnc__fail(NNC_ERR_NOMEM, "cannot start thread %u of %u", i, threads);
        }
        p->started = i;
    }
    *out = p;
    return NNC_OK;
}

void nnc__pool_free(nnc_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    atomic_store(&p->quit, 1);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 1; i <= p->started; i++)
        pthread_join(p->workers[i], NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    free(p->workers);
    free(p);
}

void nnc__pool_run(nnc_pool *p, nnc_task_fn fn, void *arg, size_t n_tasks)
{
    if (!p || n_tasks < 2) {
        for (size_t t = 0; t < n_tasks; t++)
            fn(arg, t);
        return;
    }
    /* the task fields are written before the generation that publishes them */
    p->fn = fn;
    p->arg = arg;
    p->n_tasks = n_tasks;
    atomic_store(&p->pending, p->n_threads - 1);
    pthread_mutex_lock(&p->lock);
    atomic_fetch_add(&p->generation, 1);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    run_share(p, 0);
    for (int i = 0; i < SPIN_ROUNDS && atomic_load(&p->pending) > 0; i++)
        CPU_RELAX();
    pthread_mutex_lock(&p->lock);
    while (atomic_load(&p->pending) > 0)
        pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
}
