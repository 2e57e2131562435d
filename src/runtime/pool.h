/* pool.h — a fixed set of worker threads that run the chunks of one product.
 *
 * Work is cut into tasks whose boundaries never depend on the thread count,
 * so results are bit-identical with 1 or N threads; the pool only decides
 * who computes which task. */
#ifndef NNC_POOL_H
#define NNC_POOL_H

#include <stddef.h>

#include "nnc.h"

typedef struct nnc__pool nnc__pool;
typedef void (*nnc__task_fn)(void *arg, size_t task);

/* A pool of `threads` threads in all, the caller's included (threads >= 2). */
nnc_status nnc__pool_create(unsigned threads, nnc__pool **out);
void nnc__pool_free(nnc__pool *pool);

/* Work of `len` items cut into tasks of `span` items (the last may be
 * shorter): how many tasks, and how many items task t has. */
static inline size_t nnc__task_count(size_t len, size_t span) { return (len + span - 1) / span; }
static inline size_t nnc__task_len(size_t len, size_t span, size_t t)
{
    return len - t * span < span ? len - t * span : span;
}

/* Work of `len` units shared by `tasks` tasks: task t takes units
 * [nnc__range_first, nnc__range_end). One task divides nothing. */
static inline size_t nnc__range_first(size_t len, size_t tasks, size_t t)
{
    return t == 0 ? 0 : len * t / tasks;
}
static inline size_t nnc__range_end(size_t len, size_t tasks, size_t t)
{
    return t + 1 == tasks ? len : len * (t + 1) / tasks;
}

/* Runs fn(arg, t) for t = 0 .. n_tasks-1 and returns when all are done.
 * pool NULL runs them in order on the calling thread. */
void nnc__pool_run(nnc__pool *pool, nnc__task_fn fn, void *arg, size_t n_tasks);

#endif
