/* bench.c — seconds per epoch of the reference configurations on MNIST,
 * against the FLOP floor set by this machine's single-core SGEMM rate.
 *
 * usage: bench [MNIST_DIR] [--quick] [--only S|N|W|N-bf16|W-bf16] [--epochs N]
 *        (MNIST_DIR default: $NNC_MNIST_DIR, else data/mnist)
 *
 * FLOPs per sample for layers n_{l-1} -> n_l (one multiply-add = 2 FLOPs):
 * forward 2 n_{l-1} n_l, BP2 2 n_{l-1} n_l (not for the first layer), BP4
 * 2 n_{l-1} n_l, and the update 2 (n_{l-1} n_l + n_l) per mini-batch. */
#define _DEFAULT_SOURCE   /* wait4 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nnc.h"

/* The test set is evaluated this many times after training; the table gives
 * the median (the first run also pays for starting threads). */
#define EVAL_RUNS 7

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Best of `runs` runs of a large square SGEMM on one thread, in GFLOP/s. */
static double sgemm_rate(int runs)
{
    const int n = 2048;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n),
          *c = malloc(sizeof(float) * n * n);
    for (long i = 0; i < (long)n * n; i++) {
        a[i] = (float)(i % 17) * 0.01f;
        b[i] = (float)(i % 13) * 0.01f;
    }
    openblas_set_num_threads(1);
    double best = 1e30;
    for (int r = 0; r < runs; r++) {
        double t = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n,
                    0.0f, c, n);
        t = now() - t;
        best = t < best ? t : best;
    }
    free(a);
    free(b);
    free(c);
    return 2.0 * n * n * (double)n / best * 1e-9;
}

/* The machine's CPU time so far, in clock ticks over all CPUs: in all, and
 * stolen by the hypervisor for other guests (Linux's /proc/stat; both 0
 * where it cannot be read; ticks are usually 10 ms, so an S epoch reads 0 or
 * at least a tick). A step that lost CPU time to steal measures the host,
 * not nnc: the table shows how much each row lost. */
typedef struct {
    unsigned long long all, stolen;
} cpu_ticks;

static cpu_ticks read_cpu_ticks(void)
{
    cpu_ticks t = {0, 0};
    FILE *f = fopen("/proc/stat", "r");
    unsigned long long v[8] = {0};
    if (f && fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                    &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
        for (int i = 0; i < 8; i++)
            t.all += v[i];
        t.stolen = v[7];
    }
    if (f)
        fclose(f);
    return t;
}

static double flops_per_epoch(const size_t *sizes, size_t n_layers, size_t n, size_t batch)
{
    double per_sample = 0, params = 0;
    for (size_t l = 1; l < n_layers; l++) {
        double mn = (double)sizes[l - 1] * sizes[l];
        per_sample += 2 * mn * (l > 1 ? 3 : 2);
        params += mn + sizes[l];
    }
    double batches = (double)((n + batch - 1) / batch);
    return per_sample * n + 2 * params * batches;
}

/* One network's training, in steps of one slice of the training set each:
 * their times, and each step's GFLOP/s as a fraction of the mean of the
 * SGEMM rates measured just before and just after it (this shared machine's
 * speed drifts by 20-50% within seconds). */
#define MAX_STEPS 64
/* A step that lost less than this share of the machine's CPU time to steal. */
#define QUIET 0.01
typedef struct {
    double   seconds[MAX_STEPS], fraction[MAX_STEPS], rate[MAX_STEPS];
    double   epoch_seconds[MAX_STEPS];
    double   stolen_share[MAX_STEPS];   /* of the machine's CPU time, per step */
    unsigned long long ticks, stolen;   /* over its steps, all CPUs */
    unsigned steps;
} timing;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..count); sorts a copy, so v keeps its order. */
static double median(const double *v, size_t count)
{
    double sorted[MAX_STEPS];
    memcpy(sorted, v, count * sizeof *v);
    qsort(sorted, count, sizeof *sorted, cmp_double);
    return sorted[count / 2];
}

static double lowest(const double *v, size_t count)
{
    double m = v[0];
    for (size_t i = 1; i < count; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

static double highest(const double *v, size_t count)
{
    double m = v[0];
    for (size_t i = 1; i < count; i++)
        m = v[i] > m ? v[i] : m;
    return m;
}

/* A network shape trained once per thread count in `threads` (0: automatic);
 * the first count is 1, the one the others are set against. */
#define MAX_VARIANTS 4
typedef struct {
    const char *name;
    size_t      sizes[4], n_layers, batch;
    float       eta;
    nnc_cost    cost;
    unsigned    epochs;
    unsigned    slices;   /* steps per epoch: shorter steps interleave finer */
    unsigned    threads[MAX_VARIANTS];
    size_t      variants;
    /* bf16 rows: variant v trains in bfloat16 when bit v is set, and is set
     * against variant against[v] (float32 at its thread count), not the first */
    unsigned    bf16;
    size_t      against[MAX_VARIANTS];
} config;

static nnc_net *create_net(const config *c)
{
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, c->sizes, c->n_layers);
    spec.cost = c->cost;
    spec.init = c->cost == NNC_COST_QUADRATIC ? NNC_INIT_NORMAL : NNC_INIT_SCALED;
    spec.seed = 1;
    nnc_net *net;
    if (nnc_net_create_spec(&spec, &net) != NNC_OK) {
        fprintf(stderr, "bench: %s\n", nnc_last_error());
        exit(1);
    }
    return net;
}

static int keep_seconds(nnc_net *net, const nnc_epoch_report *r, void *user)
{
    (void)net;
    *(double *)user = r->train_seconds;
    return 0;
}

/* One pass over `data`, continuing net's training (the order comes from the
 * net's own generator, so passes trained one call at a time are those of
 * one call); returns its training time. */
static double train_pass(nnc_net *net, const config *c, size_t v, const nnc_data *data)
{
    unsigned threads = c->threads[v];
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.precision = c->bf16 >> v & 1 ? NNC_PRECISION_BF16 : NNC_PRECISION_F32;
    o.epochs = 1;
    o.batch_size = c->batch;
    o.eta = c->eta;
    o.threads = threads;
    double seconds = 0;
    o.on_epoch = keep_seconds;
    o.user = &seconds;
    if (nnc_train(net, data, &o, NULL) != NNC_OK) {
        fprintf(stderr, "bench: %s\n", nnc_last_error());
        exit(1);
    }
    return seconds;
}

/* Peak resident memory, in MB, of a process of its own that does what
 * `nnc train` does for c with `threads`: loads MNIST from dir, trains (on
 * RSS_BATCHES batches: memory does not grow after the first) and evaluates
 * the test set. Forked before the benchmark allocates anything, so the child
 * starts as small as a fresh process. -1 if it failed. */
#define RSS_BATCHES 20
static long peak_rss_alone(const char *dir, const config *c, size_t v)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        nnc_data *train, *test, *part;
        nnc_net *net = create_net(c);
        if (nnc_mnist_load(dir, &train, NULL, &test) != NNC_OK ||
            nnc_data_slice(train, 0, RSS_BATCHES * c->batch, &part) != NNC_OK)
            _exit(1);
        train_pass(net, c, v, part);
        size_t correct;
        _exit(nnc_evaluate(net, test, &correct) == NNC_OK ? 0 : 1);
    }
    int status;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        return -1;
    return ru.ru_maxrss / 1024;
}

/* Trains one network per thread count of c, the same from the same seed, in
 * turn, one step at a time (in reverse order every other step), so that each
 * thread count meets the machine's fast and slow spells alike. A step is a
 * pass over one of c->slices equal slices of the training set; an epoch is
 * c->slices steps. "x 1 thread" is the median over steps of the ratio of
 * neighbouring steps. Prints a row per thread count. */
static void run(const config *c, const nnc_data *train, const nnc_data *test,
                const long *rss)
{
    nnc_net *nets[MAX_VARIANTS];
    nnc_data *slices[MAX_STEPS];
    static timing t[MAX_VARIANTS];
    memset(t, 0, sizeof t);
    for (size_t v = 0; v < c->variants; v++)
        nets[v] = create_net(c);
    size_t n = nnc_data_count(train);
    for (unsigned s = 0; s < c->slices; s++)
        if (nnc_data_slice(train, n * s / c->slices, n * (s + 1) / c->slices - n * s / c->slices,
                           &slices[s]) != NNC_OK) {
            fprintf(stderr, "bench: %s\n", nnc_last_error());
            exit(1);
        }
    double before = sgemm_rate(3);
    unsigned steps = c->epochs * c->slices;
    for (unsigned step = 0; step < steps && step < MAX_STEPS; step++) {
        const nnc_data *slice = slices[step % c->slices];
        double flops = flops_per_epoch(c->sizes, c->n_layers, nnc_data_count(slice), c->batch);
        for (size_t i = 0; i < c->variants; i++) {
            size_t v = step % 2 ? c->variants - 1 - i : i;
            timing *tv = &t[v];
            cpu_ticks t0 = read_cpu_ticks();
            double seconds = train_pass(nets[v], c, v, slice);
            cpu_ticks t1 = read_cpu_ticks();
            tv->ticks += t1.all - t0.all;
            tv->stolen += t1.stolen - t0.stolen;
            tv->stolen_share[step] =
                t1.all > t0.all ? (double)(t1.stolen - t0.stolen) / (t1.all - t0.all) : 0;
            double after = sgemm_rate(3);   /* outside the step's time */
            double rate = 0.5 * (before + after);
            tv->seconds[step] = seconds;
            tv->rate[step] = rate;
            tv->fraction[step] = flops / seconds * 1e-9 / rate;
            tv->epoch_seconds[step / c->slices] += seconds;
            tv->steps = step + 1;
            before = after;
        }
    }
    for (unsigned s = 0; s < c->slices; s++)
        nnc_data_free(slices[s]);
    double flops = flops_per_epoch(c->sizes, c->n_layers, n, c->batch);
    char shape[64] = "";
    for (size_t l = 0; l < c->n_layers; l++)
        snprintf(shape + strlen(shape), sizeof shape - strlen(shape), l ? ",%zu" : "%zu",
                 c->sizes[l]);
    for (size_t v = 0; v < c->variants; v++) {
        const timing *tv = &t[v];
        size_t correct;
        double evals[EVAL_RUNS];   /* as often as a monitored run evaluates */
        for (int r = 0; r < EVAL_RUNS; r++) {
            double t0 = now();
            nnc_evaluate(nets[v], test, &correct);
            evals[r] = now() - t0;
        }
        double eval = median(evals, EVAL_RUNS);
        double med = median(tv->epoch_seconds, tv->steps / c->slices);   /* whole epochs */
        char threads[32], speedup[160] = "";
        const char *precision = c->bf16 >> v & 1 ? ", bf16" : c->bf16 ? ", f32" : "";
        if (c->threads[v])
            snprintf(threads, sizeof threads, "%u%s", c->threads[v], precision);
        else
            snprintf(threads, sizeof threads, "auto%s", precision);
        size_t base = c->bf16 ? c->against[v] : 0;
        if (v != base) {
            /* all neighbouring steps, and those that lost under QUIET of the
             * machine's CPU time to steal in both */
            double ratio[MAX_STEPS] = {0}, quiet[MAX_STEPS] = {0};
            size_t n_quiet = 0;
            for (unsigned s = 0; s < tv->steps; s++) {
                ratio[s] = t[base].seconds[s] / tv->seconds[s];
                if (t[base].stolen_share[s] < QUIET && tv->stolen_share[s] < QUIET)
                    quiet[n_quiet++] = ratio[s];
            }
            int len = snprintf(speedup, sizeof speedup, "%.2fx%s (%.2f-%.2f)",
                               median(ratio, tv->steps), c->bf16 ? " f32" : "",
                               lowest(ratio, tv->steps),
                               highest(ratio, tv->steps));
            if (n_quiet)
                len += snprintf(speedup + len, sizeof speedup - len, "; quiet %.2fx (%zu)",
                                median(quiet, n_quiet), n_quiet);
            /* a bf16 row on more threads: also against its precision on one */
            for (size_t u = 0; c->bf16 && u < c->variants; u++)
                if (u != v && c->threads[u] == 1 && c->threads[v] != 1 &&
                    (c->bf16 >> u & 1) == (c->bf16 >> v & 1)) {
                    for (unsigned s = 0; s < tv->steps; s++)
                        ratio[s] = t[u].seconds[s] / tv->seconds[s];
                    snprintf(speedup + len, sizeof speedup - len, "; %.2fx 1 thread (%.2f-%.2f)",
                             median(ratio, tv->steps), lowest(ratio, tv->steps),
                             highest(ratio, tv->steps));
                }
        }
        printf("| %s [%s] b%zu | %s | %.4f | %s | %.0f | %.1f | %.1f | %.0f%% (%.0f-%.0f%%) | "
               "%.4f (%.0f%%) | %.1f%% | %ld | %.2f%% |\n",
               c->name, shape, c->batch, threads, med, speedup, n / med, flops / med * 1e-9,
               median(tv->rate, tv->steps), 100 * median(tv->fraction, tv->steps),
               100 * lowest(tv->fraction, tv->steps), 100 * highest(tv->fraction, tv->steps),
               eval, 100 * eval / med, tv->ticks ? 100.0 * tv->stolen / tv->ticks : 0.0,
               rss[v], correct / 100.0);
        fflush(stdout);
    }
    for (size_t v = 0; v < c->variants; v++)
        nnc_net_free(nets[v]);
}

int main(int argc, char **argv)
{
    const char *dir = getenv("NNC_MNIST_DIR");
    int quick = 0;
    const char *only = NULL;
    unsigned epochs = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--epochs") && i + 1 < argc)
            epochs = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: bench [MNIST_DIR] [--quick] [--only S|N|W|N-bf16|W-bf16] "
                            "[--epochs N]\n");
            return 2;
        } else
            dir = argv[i];
    }
    if (!dir || !*dir)
        dir = "data/mnist";
    unsigned e = epochs ? epochs : quick ? 2 : 8, ew = epochs ? epochs : quick ? 1 : 4;
    const config configs[] = {
        {"S", {784, 30, 10}, 3, 10, 3.0f, NNC_COST_QUADRATIC, e, 1, {1, 0}, 2, 0, {0}},
        {"N", {784, 100, 10}, 3, 10, 0.5f, NNC_COST_CROSS_ENTROPY, e, 1, {1}, 1, 0, {0}},
        {"W", {784, 1024, 1024, 10}, 4, 128, 1.0f, NNC_COST_CROSS_ENTROPY, ew, 5, {1, 2, 0}, 3, 0, {0}},
        /* float32 and bfloat16 in turn, at 1 and 2 threads */
        {"N-bf16", {784, 100, 10}, 3, 100, 0.5f, NNC_COST_CROSS_ENTROPY, e, 1, {1, 1, 2, 2}, 4,
         0xa, {0, 0, 2, 2}},
        {"W-bf16", {784, 1024, 1024, 10}, 4, 128, 1.0f, NNC_COST_CROSS_ENTROPY, ew, 5,
         {1, 1, 2, 2}, 4, 0xa, {0, 0, 2, 2}},
    };
    enum { N_CONFIGS = sizeof configs / sizeof configs[0] };
    long rss[N_CONFIGS][MAX_VARIANTS];
    for (size_t i = 0; i < N_CONFIGS; i++)
        for (size_t v = 0; v < configs[i].variants; v++)
            rss[i][v] = only && strcmp(only, configs[i].name)
                            ? -1
                            : peak_rss_alone(dir, &configs[i], v);
    nnc_data *train, *test;
    if (nnc_mnist_load(dir, &train, NULL, &test) != NNC_OK) {
        fprintf(stderr, "bench: %s\n", nnc_last_error());
        return 1;
    }
    double rate = sgemm_rate(4);
    printf("single-core SGEMM rate (OpenBLAS, 2048^3): %.1f GFLOP/s\n", rate);
    printf("FLOP floor of S (5.03 GFLOP/epoch by the count above): %.4f s/epoch\n",
           flops_per_epoch((const size_t[]){784, 30, 10}, 3, 50000, 10) * 1e-9 / rate);
    printf("The thread counts of one network train in turn, a step at a time (S, N: an\n"
           "epoch; W: a fifth of one), so that they meet this machine's fast and slow spells\n"
           "alike. Each step is set against the SGEMM rate measured just before and after\n"
           "it: \"of SGEMM\" is the median over a row's steps (lowest-highest), \"x 1 thread\"\n"
           "the median ratio of neighbouring steps (lowest-highest); s/epoch is the median\n"
           "epoch. \"CPU stolen\": the share of the machine's CPU time that the hypervisor\n"
           "gave to other guests during the row's training (/proc/stat); \"quiet\": the median\n"
           "ratio over the (count) pairs of steps that both lost under 1%% to it. Peak RSS:\n"
           "of a process of its own that loads MNIST, trains and evaluates, as nnc train.\n"
           "The -bf16 rows train in float32 and bfloat16 (--precision bf16) in turn; a bf16\n"
           "row's \"x f32\" is against the float32 row of its thread count, and on 2\n"
           "threads \"x 1 thread\" against the same precision's 1-thread row.\n\n");
    printf("| configuration | threads | s/epoch (median) | x 1 thread | samples/s | GFLOP/s | "
           "SGEMM GFLOP/s | of SGEMM (range) | eval 10k s (of epoch) | CPU stolen | peak RSS MB | "
           "test acc |\n"
           "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < sizeof configs / sizeof configs[0]; i++)
        if (!only || !strcmp(only, configs[i].name))
            run(&configs[i], train, test, rss[i]);
    nnc_data_free(train);
    nnc_data_free(test);
    return 0;
}
