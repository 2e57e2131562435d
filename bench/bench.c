/* bench.c — seconds per epoch of the reference configurations on MNIST,
 * against the FLOP floor set by this machine's single-core SGEMM rate.
 *
 * usage: bench [MNIST_DIR] [--quick] [--only S|N|W] [--epochs N]
 *        (MNIST_DIR default: $NNC_MNIST_DIR, else data/mnist)
 *
 * FLOPs per sample for layers n_{l-1} -> n_l (one multiply-add = 2 FLOPs):
 * forward 2 n_{l-1} n_l, BP2 2 n_{l-1} n_l (not for the first layer), BP4
 * 2 n_{l-1} n_l, and the update 2 (n_{l-1} n_l + n_l) per mini-batch. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "nnc.h"

/* The test set is evaluated this many times after training; the table gives
 * the median (the first run also pays for starting threads). */
#define EVAL_RUNS 5

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Best of `runs` runs of a large square SGEMM on one thread, in GFLOP/s. */
static double sgemm_rate_of(int runs)
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

static double sgemm_rate(void) { return sgemm_rate_of(4); }

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

/* Epoch times, and the SGEMM rate measured before the first epoch and after
 * each one (rates[i] and rates[i + 1] bracket epoch i): this shared machine's
 * speed drifts by 20-50% within seconds, so each epoch is set against the
 * rate measured next to it. */
#define MAX_EPOCHS 64
typedef struct {
    double   seconds[MAX_EPOCHS], rates[MAX_EPOCHS + 1];
    unsigned epochs;
} timing;

static int record(nnc_net *net, const nnc_epoch_report *r, void *user)
{
    (void)net;
    timing *t = user;
    if (t->epochs < MAX_EPOCHS) {
        t->seconds[t->epochs++] = r->train_seconds;
        t->rates[t->epochs] = sgemm_rate_of(3);   /* outside the epoch's time */
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    const char *name;
    size_t      sizes[4], n_layers, batch;
    float       eta;
    nnc_cost    cost;
    unsigned    epochs, threads;
} config;

static double median(double *v, size_t count)
{
    qsort(v, count, sizeof *v, cmp_double);
    return v[count / 2];
}

/* Trains one configuration and prints its row: the median epoch, and the
 * median over epochs of each epoch's GFLOP/s against the mean of the SGEMM
 * rates measured just before and just after it. one_thread: the seconds per
 * epoch of the same network on one thread, or 0. Returns its own. */
static double run(const config *c, const nnc_data *train, const nnc_data *test,
                  double one_thread)
{
    timing t = {{0}, {0}, 0};
    t.rates[0] = sgemm_rate_of(3);
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
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = c->epochs;
    o.batch_size = c->batch;
    o.eta = c->eta;
    o.threads = c->threads;
    o.on_epoch = record;
    o.user = &t;
    if (nnc_train(net, train, &o, NULL) != NNC_OK) {
        fprintf(stderr, "bench: %s\n", nnc_last_error());
        exit(1);
    }
    size_t n = nnc_data_count(train), correct;
    double flops = flops_per_epoch(c->sizes, c->n_layers, n, c->batch);
    double fraction[MAX_EPOCHS];
    for (unsigned e = 0; e < t.epochs; e++)
        fraction[e] = flops / t.seconds[e] * 1e-9 / (0.5 * (t.rates[e] + t.rates[e + 1]));
    double of_sgemm = median(fraction, t.epochs), med = median(t.seconds, t.epochs);
    double lo = fraction[0], hi = fraction[t.epochs - 1];   /* sorted by median() */
    double rate = median(t.rates, t.epochs + 1);
    double evals[EVAL_RUNS];   /* as often as a monitored run evaluates */
    for (int r = 0; r < EVAL_RUNS; r++) {
        double t0 = now();
        nnc_evaluate(net, test, &correct);
        evals[r] = now() - t0;
    }
    double eval = median(evals, EVAL_RUNS);
    double gflops = flops / med * 1e-9;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    char shape[64] = "";
    for (size_t l = 0; l < c->n_layers; l++)
        snprintf(shape + strlen(shape), sizeof shape - strlen(shape), l ? ",%zu" : "%zu",
                 c->sizes[l]);
    char threads[16];
    snprintf(threads, sizeof threads, c->threads ? "%u" : "auto", c->threads);
    char speedup[16] = "";
    if (one_thread > 0 && c->threads != 1)
        snprintf(speedup, sizeof speedup, "%.2fx", one_thread / med);
    printf("| %s [%s] b%zu | %s | %.4f | %s | %.0f | %.1f | %.1f | %.0f%% (%.0f-%.0f%%) | "
           "%.4f (%.0f%%) | %ld | %.2f%% |\n",
           c->name, shape, c->batch, threads, med, speedup, n / med, gflops, rate,
           100 * of_sgemm, 100 * lo, 100 * hi, eval, 100 * eval / med, ru.ru_maxrss / 1024, correct / 100.0);
    fflush(stdout);
    nnc_net_free(net);
    return med;
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
            fprintf(stderr, "usage: bench [MNIST_DIR] [--quick] [--only S|N|W] [--epochs N]\n");
            return 2;
        } else
            dir = argv[i];
    }
    if (!dir || !*dir)
        dir = "data/mnist";
    nnc_data *train, *test;
    if (nnc_mnist_load(dir, &train, NULL, &test) != NNC_OK) {
        fprintf(stderr, "bench: %s\n", nnc_last_error());
        return 1;
    }
    double rate = sgemm_rate();
    printf("single-core SGEMM rate (OpenBLAS, 2048^3): %.1f GFLOP/s\n", rate);
    printf("FLOP floor of S (5.03 GFLOP/epoch by the count above): %.4f s/epoch\n",
           flops_per_epoch((const size_t[]){784, 30, 10}, 3, 50000, 10) * 1e-9 / rate);
    printf("Each epoch is set against the SGEMM rate measured just before and after it: \"of\n"
           "SGEMM\" is the median over a row's epochs (lowest-highest); the other columns give\n"
           "the median epoch.\n\n");
    printf("| configuration | threads | s/epoch (median) | x 1 thread | samples/s | GFLOP/s | "
           "SGEMM GFLOP/s | of SGEMM (range) | eval 10k s (of epoch) | peak RSS MB | test acc |\n"
           "|---|---|---|---|---|---|---|---|---|---|---|\n");
    unsigned e = epochs ? epochs : quick ? 2 : 8, ew = epochs ? epochs : quick ? 1 : 3;
    const config configs[] = {
        {"S", {784, 30, 10}, 3, 10, 3.0f, NNC_COST_QUADRATIC, e, 1},
        {"S", {784, 30, 10}, 3, 10, 3.0f, NNC_COST_QUADRATIC, e, 0},
        {"N", {784, 100, 10}, 3, 10, 0.5f, NNC_COST_CROSS_ENTROPY, e, 1},
        {"W", {784, 1024, 1024, 10}, 4, 128, 1.0f, NNC_COST_CROSS_ENTROPY, ew, 1},
        {"W", {784, 1024, 1024, 10}, 4, 128, 1.0f, NNC_COST_CROSS_ENTROPY, ew, 2},
        {"W", {784, 1024, 1024, 10}, 4, 128, 1.0f, NNC_COST_CROSS_ENTROPY, ew, 0},
    };
    double one_thread = 0;   /* of the configuration named last */
    for (size_t i = 0; i < sizeof configs / sizeof configs[0]; i++) {
        if (only && strcmp(only, configs[i].name))
            continue;
        if (i > 0 && strcmp(configs[i].name, configs[i - 1].name))
            one_thread = 0;
        double med = run(&configs[i], train, test, one_thread);
        if (configs[i].threads == 1)
            one_thread = med;
    }
    nnc_data_free(train);
    nnc_data_free(test);
    return 0;
}
