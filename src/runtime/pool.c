/* pool.c — worker threads woken per product (see pool.h).
 *
 * A batch of a wide network runs a dozen products and element-wise steps a
 * few hundred microseconds apart; waking a sleeping thread costs tens of
 * microseconds in a virtual machine. So a worker that finished a run watches
 * for the next one for a while (SPIN_ROUNDS) before it sleeps on the
 * condition variable, and the caller watches for the tasks likewise.
 *
 * Each thread owns an equal range of a run's tasks and takes them in order,
 * but a thread that runs out takes the tasks nobody has started from the
 * other ranges: on a shared host a vCPU can lose the processor for
 * milliseconds, and the others then do its share instead of waiting for it.
 * The caller waits for the tasks, not for the workers, so a worker that
 * wakes after its run is over finds nothing to do. Which thread runs a task
 * never changes what the task computes. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

#include "error.h"
#include "pool.h"

/* The next task of one thread's range, tagged with the run it belongs to:
 * run (low 32 bits of the generation) << 32 | task. A thread claims a task
 * by moving it on, and only while the tag is that of the run it woke for. */
typedef struct {
    _Alignas(64) atomic_uint_least64_t next;   /* a cache line each */
} task_range;

struct nnc__pool {
    pthread_mutex_t lock;
    pthread_cond_t  wake, done;
    pthread_t      *workers;
    task_range     *ranges;       /* one per thread                        */
    unsigned        n_threads;    /* caller included                       */
    unsigned        started;      /* workers successfully created          */
    atomic_ulong    generation;   /* bumped for every run                  */
    atomic_size_t   finished;     /* tasks of this run done                */
    atomic_int      quit;
    _Atomic(nnc__task_fn) fn;      /* this run's work, published before    */
    _Atomic(void *)      arg;     /* the generation                       */
    atomic_size_t        n_tasks;
};

typedef struct {
    nnc__pool *pool;
    unsigned  index;   /* 1 .. n_threads-1; the caller is 0 */
} worker_arg;

static worker_arg *worker_args(nnc__pool *p) { return (worker_arg *)(p->workers + p->n_threads); }

/* Takes the next task of range r, ending at `end`, if run `tag` still has
 * one there. */
static int claim(task_range *r, uint32_t tag, size_t end, size_t *task)
{
    uint_least64_t v = atomic_load(&r->next);
    for (;;) {
        if ((uint32_t)(v >> 32) != tag || (v & 0xffffffffu) >= end)
            return 0;
        if (atomic_compare_exchange_weak(&r->next, &v, v + 1)) {
            *task = (size_t)(v & 0xffffffffu);
            return 1;
        }
    }
}

/* One run as a thread saw it when it woke. */
typedef struct {
    unsigned long generation;
    nnc__task_fn   fn;
    void         *arg;
    size_t        n_tasks;
} run_view;

/* Thread `index` takes the tasks of its own range first (the index-th of
 * n_threads equal ranges: a product and the element-wise step after it
 * split their work in the same order, so a thread mostly reads what it
 * wrote itself), then whatever the other ranges have left. */
static void run_tasks(nnc__pool *p, unsigned index, const run_view *run)
{
    uint32_t tag = (uint32_t)run->generation;
    size_t task;
    for (unsigned j = 0; j < p->n_threads; j++) {
        unsigned r = (index + j) % p->n_threads;
        size_t end = nnc__range_end(run->n_tasks, p->n_threads, r);
        while (claim(&p->ranges[r], tag, end, &task)) {
            run->fn(run->arg, task);
            if (atomic_fetch_add(&p->finished, 1) + 1 == run->n_tasks) {
                pthread_mutex_lock(&p->lock);
                pthread_cond_signal(&p->done);
                pthread_mutex_unlock(&p->lock);
            }
        }
    }
}

/* The run of generation g, or 0 when the caller has begun writing another
 * (g odd: being written). The generation read again after the fields
 * proves they are g's: the caller marks a new run odd before it writes. */
static int view_run(nnc__pool *p, unsigned long g, run_view *run)
{
    if (g & 1)
        return 0;
    run->generation = g;
    run->fn = atomic_load(&p->fn);
    run->arg = atomic_load(&p->arg);
    run->n_tasks = atomic_load(&p->n_tasks);
    return atomic_load(&p->generation) == g;
}

/* About 100-300 microseconds of pause instructions. */
#define SPIN_ROUNDS 4000

static void *worker_main(void *varg)
{
    worker_arg *wa = varg;
    nnc__pool *p = wa->pool;
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
        unsigned long g = atomic_load(&p->generation);
        run_view run;
        if (!view_run(p, g, &run))
            continue;   /* being written: watch again */
        seen = g;
        run_tasks(p, wa->index, &run);
    }
    return NULL;
}

nnc_status nnc__pool_create(unsigned threads, nnc__pool **out)
{
    *out = NULL;
    if (threads < 2)
        return nnc__fail(NNC_ERR_ARG, "a thread pool needs at least 2 threads");
    nnc__pool *p = calloc(1, sizeof *p);
    /* one block: worker handles, then their arguments */
    void *block = p ? malloc(threads * (sizeof(pthread_t) + sizeof(worker_arg))) : NULL;
    if (!block) {
        free(p);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for %u threads", threads);
    }
    p->ranges = aligned_alloc(64, threads * sizeof *p->ranges);
    if (!p->ranges) {
        free(block);
        free(p);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for %u threads", threads);
    }
    for (unsigned i = 0; i < threads; i++)
        atomic_init(&p->ranges[i].next, 0);   /* tag 0: no run yet */
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

void nnc__pool_free(nnc__pool *p)
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
    free(p->ranges);
    free(p);
}

void nnc__pool_run(nnc__pool *p, nnc__task_fn fn, void *arg, size_t n_tasks)
{
    if (!p || n_tasks < 2 || n_tasks > UINT32_MAX) {
        for (size_t t = 0; t < n_tasks; t++)
            fn(arg, t);
        return;
    }
    /* an odd generation while the run is written, the next even one to
     * publish it (view_run); no worker is inside the previous run, whose
     * tasks are all done, and none can claim a task of this one before its
     * ranges carry its tag */
    unsigned long generation = atomic_load(&p->generation) + 2;
    uint_least64_t tag = (uint_least64_t)(uint32_t)generation << 32;
    atomic_store(&p->generation, generation - 1);
    atomic_store(&p->fn, fn);
    atomic_store(&p->arg, arg);
    atomic_store(&p->n_tasks, n_tasks);
    atomic_store(&p->finished, 0);
    for (unsigned r = 0; r < p->n_threads; r++)
        atomic_store(&p->ranges[r].next, tag | nnc__range_first(n_tasks, p->n_threads, r));
    pthread_mutex_lock(&p->lock);
    atomic_store(&p->generation, generation);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    run_view run = {generation, fn, arg, n_tasks};
    run_tasks(p, 0, &run);
    for (int i = 0; i < SPIN_ROUNDS && atomic_load(&p->finished) < n_tasks; i++)
        CPU_RELAX();
    pthread_mutex_lock(&p->lock);
    while (atomic_load(&p->finished) < n_tasks)
        pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
}
