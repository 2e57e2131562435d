/* test_pool.c — the thread pool: every task once per run, and a thread's
 * share taken over when that thread is held up. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "runtime/pool.h"
#include "testutil.h"

enum { MAX_TASKS = 64 };

typedef struct {
    atomic_int      runs[MAX_TASKS];   /* how often each task ran */
    pthread_t       ran_on[MAX_TASKS];
    pthread_t       caller;
    int             hold_worker;      /* a task not run by the caller sleeps */
} counts;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void count_task(void *arg, size_t t)
{
    counts *c = arg;
    c->ran_on[t] = pthread_self();
    if (c->hold_worker && !pthread_equal(pthread_self(), c->caller))
        sleep_ms(50);
    atomic_fetch_add(&c->runs[t], 1);
}

/* Many short runs back to back, so that workers often wake late, while the
 * next run is being set up: none may run a task twice or miss one. */
static void every_task_runs_once_per_run(void **state)
{
    (void)state;
    static counts c;
    for (unsigned threads = 2; threads <= 3; threads++) {
        nnc__pool *pool;
        assert_ok(nnc__pool_create(threads, &pool));
        for (int run = 0; run < 20000; run++) {
            size_t n = (size_t)run % 33;
            memset(&c, 0, sizeof c);
            c.caller = pthread_self();
            nnc__pool_run(pool, count_task, &c, n);
            for (size_t t = 0; t < MAX_TASKS; t++)
                if (atomic_load(&c.runs[t]) != (t < n))
                    fail_msg("run %d: task %zu of %zu ran %d times (%u threads)", run, t, n,
                             atomic_load(&c.runs[t]), threads);
        }
        nnc__pool_free(pool);
    }
}

/* A worker held up by its first task (here: asleep for 50 ms) leaves the
 * rest of its range to the caller, which still sees every task done once
 * when the run returns. */
static void a_held_up_worker_leaves_its_tasks_to_the_caller(void **state)
{
    (void)state;
    nnc__pool *pool;
    assert_ok(nnc__pool_create(2, &pool));
    static counts c;
    memset(&c, 0, sizeof c);
    c.caller = pthread_self();
    c.hold_worker = 1;
    enum { N = 8 };   /* the worker owns tasks 4..7 */
    nnc__pool_run(pool, count_task, &c, N);
    int by_caller = 0;
    for (size_t t = 0; t < N; t++) {
        assert_int_equal(atomic_load(&c.runs[t]), 1);
        by_caller += pthread_equal(c.ran_on[t], c.caller) != 0;
    }
    /* the worker ran at most the one task it was sleeping in, or none if it
     * woke after the caller had taken them all */
    assert_true(by_caller >= N - 1);
    nnc__pool_free(pool);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_task_runs_once_per_run),
    cmocka_unit_test(a_held_up_worker_leaves_its_tasks_to_the_caller),
};

TEST_GROUP(pool_tests, "pool", tests);
