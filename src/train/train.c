/* train.c — mini-batch stochastic gradient descent one epoch at a time, as
 * the tutorial's SGD, with the optimisers, L2, dropout, schedules and
 * monitoring of network2 and on (trainer.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../math/backprop.h"
#include "../math/inputs.h"
#include "../runtime/memory.h"
#include "../runtime/pool.h"
#include "../runtime/threads.h"
#include "batch.h"
#include "optimizer.h"
#include "trainer.h"

void nnc_train_opts_init(nnc_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->epochs = 10;
    o->batch_size = 10;
    o->eta = 3.0f;
    o->shuffle = 1;
    o->optimizer = NNC_OPT_SGD;
    o->momentum = 0.9f;
    o->adam_beta1 = 0.9f;
    o->adam_beta2 = 0.999f;
    o->adam_epsilon = 1e-8f;
    o->min_eta_factor = 1.0f / 128.0f;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Checks that data fits net: input size, labels below the output count. */
static nnc_status check_fit(const nnc_net *net, const nnc_data *data)
{
    return nnc__data_check_shape(data, net->sizes[0], net->sizes[net->n_layers - 1]);
}

static nnc_status check_opts(const nnc_net *net, const nnc_train_opts *o)
{
    if (o->batch_size == 0)
        return nnc__fail(NNC_ERR_ARG, "mini-batch size must be at least 1");
    if (!(o->eta > 0.0f) || !isfinite(o->eta))
        return nnc__fail(NNC_ERR_ARG, "learning rate eta must be positive and finite");
    if ((unsigned)o->optimizer > NNC_OPT_ADAM)
        return nnc__fail(NNC_ERR_ARG, "unknown optimiser %d", (int)o->optimizer);
    if ((unsigned)o->precision > NNC_PRECISION_BF16)
        return nnc__fail(NNC_ERR_ARG, "unknown precision %d", (int)o->precision);
    if (!(o->lambda >= 0.0f) || !isfinite(o->lambda))
        return nnc__fail(NNC_ERR_ARG, "L2 strength lambda must be 0 or more");
    if (!(o->momentum >= 0.0f && o->momentum < 1.0f))
        return nnc__fail(NNC_ERR_ARG, "momentum must be in [0, 1)");
    if (!(o->adam_beta1 >= 0.0f && o->adam_beta1 < 1.0f && o->adam_beta2 >= 0.0f &&
          o->adam_beta2 < 1.0f && o->adam_epsilon > 0.0f))
        return nnc__fail(NNC_ERR_ARG, "Adam needs beta1, beta2 in [0, 1) and epsilon > 0");
    if (!(o->dropout >= 0.0f && o->dropout < 1.0f))
        return nnc__fail(NNC_ERR_ARG, "dropout probability must be in [0, 1)");
    if (o->dropout > 0.0f && net->n_layers < 3)
        return nnc__fail(NNC_ERR_ARG, "dropout needs a hidden layer");
    if ((o->halve_after || o->early_stop ||
         (o->monitor & (NNC_MONITOR_VALID_COST | NNC_MONITOR_VALID_ACCURACY))) &&
        !o->validation)
        return nnc__fail(NNC_ERR_ARG, "validation monitoring and schedules need validation data");
    if ((o->monitor & (NNC_MONITOR_TEST_COST | NNC_MONITOR_TEST_ACCURACY)) && !o->test)
        return nnc__fail(NNC_ERR_ARG, "test monitoring needs test data");
    if (o->halve_after && !(o->min_eta_factor > 0.0f && o->min_eta_factor < 1.0f))
        return nnc__fail(NNC_ERR_ARG, "min_eta_factor must be in (0, 1)");
    nnc_status s = NNC_OK;
    if (o->validation)
        s = check_fit(net, o->validation);
    if (s == NNC_OK && o->test)
        s = check_fit(net, o->test);
    return s;
}

/* Weight rows of the block training works on start on cache lines. */
#define ROW_ALIGN 16

typedef struct nnc__trainer trainer;

/* The step of a batch after its forward pass (below). */
typedef void (*step_fn)(trainer *t, size_t m, float eta);

/* Everything one run needs, allocated before the first batch. */
struct nnc__trainer {
    nnc_net              *net;
    const nnc_data       *data;
    const nnc_train_opts *opts;
    nnc__layout           padded; /* the layout training works in (layout.h)  */
    float                *params; /* the network's parameters in that layout   */
    float                *grad;   /* the batch's gradient (optimisers), or NULL */
    nnc__pool            *pool;   /* the run's threads, or NULL               */
    nnc__workspace       *ws;
    nnc__optimizer_state  optim;  /* its arrays in the padded layout          */
    step_fn               step;   /* fused SGD, or gradient then optimiser    */
    unsigned              monitor;/* what opts asks for and the schedule needs */
    size_t               *order;
    const void          **lines;  /* the next batch's cache lines (prefetch)  */
    size_t                n, batch;
    double                epoch_start;   /* now_seconds() at the epoch's start */
    nnc__train_state      st;     /* where the run stands, packed             */
    nnc_train_summary     sum;
};

/* Feeds the batch starting at `first` forward, its targets beside it, and
 * hands the first layer's product the next batch's cache lines to fetch
 * while this one computes; returns its size. */
static size_t forward_batch(trainer *t, size_t first)
{
    size_t n = t->n, batch = t->batch;
    size_t m = n - first < batch ? n - first : batch, next = first + batch;
    nnc__prefetch lines = {t->lines, 0};
    if (next < n)
        lines.count = nnc__sample_lines(t->data, t->order + next,
                                        n - next < batch ? n - next : batch, t->lines);
    nnc__forward_samples(t->net, t->ws, t->data, t->order, first, m, 1, &lines);
    return m;
}

/* How an epoch ended: every batch run, or stopped before batch `batch`. */
typedef enum { EPOCH_DONE, EPOCH_STOPPED, EPOCH_DIVERGED } epoch_end;

static int stop_asked(const trainer *t)
{
    return t->opts->stop && *t->opts->stop;
}

/* Samples between two progress reports. */
#define PROGRESS_SAMPLES 4096

/* The batches of an epoch run in spans of about PROGRESS_SAMPLES samples,
 * and on_progress hears where the epoch stands after each span: never
 * inside the per-batch loop. */
static size_t span_end(const trainer *t, size_t b)
{
    size_t batches = (t->n + t->batch - 1) / t->batch;
    size_t every = (PROGRESS_SAMPLES + t->batch - 1) / t->batch;
    return batches - b < every ? batches : b + every;
}

static void progress(const trainer *t, size_t batches_done)
{
    if (!t->opts->on_progress)
        return;
    size_t done = batches_done * t->batch < t->n ? batches_done * t->batch : t->n;
    nnc_progress p = {t->st.next_epoch, batches_done, (t->n + t->batch - 1) / t->batch, done, t->n,
                      now_seconds() - t->epoch_start};
    t->opts->on_progress(&p, t->opts->user);
}

/* 1 if every one of count values is a finite number: z - z is 0 for those
 * and NaN for infinities and NaNs. An AND of comparisons, not a float sum,
 * so that the compiler vectorises it and no chain of additions waits. */
static int all_finite(const float *v, size_t count)
{
    int finite = 1;
    for (size_t i = 0; i < count; i++)
        finite &= v[i] - v[i] == 0.0f;
    return finite;
}

/* 0 when one of the batch's output-layer inputs is NaN or infinite: a NaN
 * anywhere in the parameters reaches them. */
static int outputs_finite(const trainer *t, size_t m)
{
    return all_finite(t->ws->z_out, m * t->net->sizes[t->net->n_layers - 1]);
}

/* The step of a batch after its forward pass. Plain SGD: per batch
 * w <- (1 - eta lambda/n) w - (eta/m) Σ∇w and b <- b - (eta/m) Σ∇b, added
 * into the parameters by BP3 and BP4. An optimiser with state: the gradient
 * first, then its update. */
static void sgd_step(trainer *t, size_t m, float eta)
{
    nnc__backward_sgd_step(t->net, t->ws, m, eta, 1.0f - eta * t->optim.decay);
}

static void optimizer_step(trainer *t, size_t m, float eta)
{
    nnc__backward(t->net, t->ws, m, t->grad);
    nnc__optimizer_step(&t->optim, t->params, t->grad, m, eta, t->pool);
}

/* One epoch: the batches in the order of t->order, in spans between which
 * on_progress hears of them. */
static epoch_end run_epoch(trainer *t, float eta, size_t *batch)
{
    for (size_t b = 0; b * t->batch < t->n;) {
        for (size_t end = span_end(t, b); b < end; b++) {
            *batch = b;
            if (stop_asked(t))
                return EPOCH_STOPPED;
            size_t m = forward_batch(t, b * t->batch);
            if (!outputs_finite(t, m))
                return EPOCH_DIVERGED;
            t->step(t, m, eta);
        }
        progress(t, b);
    }
    return EPOCH_DONE;
}

/* Σ w² over the weights (not the biases): the L2 term's sum. */
static double weight_square_sum(const nnc_net *net)
{
    double s = 0.0;
    for (size_t l = 1; l < net->n_layers; l++) {
        const float *w = net->params + net->packed.w_offset[l];
        for (size_t i = 0; i < net->sizes[l - 1] * net->sizes[l]; i++)
            s += (double)w[i] * w[i];
    }
    return s;
}

/* Fills one measure if either of its two bits is asked for. */
static nnc_status measure(const nnc_net *net, const nnc_data *d, unsigned monitor,
                          unsigned cost_bit, unsigned acc_bit, double l2_term,
                          nnc_measure *out)
{
    *out = (nnc_measure){NAN, 0, 0, NAN, NAN, NAN};
    if (!(monitor & (cost_bit | acc_bit)))
        return NNC_OK;
    if (nnc_cost_is_regression(net->cost) && (monitor & acc_bit)) {   /* the fit */
        nnc_status s = nnc_measure_regression(net, d, &out->rmse, &out->mae, &out->r2);
        if (s != NNC_OK)
            return s;
        out->n = nnc_data_count(d);
    }
    double cost;
    nnc_status s = nnc_measure_data(net, d, &out->correct, &cost);
    if (s != NNC_OK)
        return s;
    if (monitor & cost_bit)
        out->cost = cost + l2_term;
    if ((monitor & acc_bit) && !nnc_cost_is_regression(net->cost))
        out->n = nnc_data_count(d);
    else
        out->correct = 0;
    return NNC_OK;
}

/* Measures whatever monitor asks for after an epoch, into r. */
static nnc_status measure_epoch(const trainer *t, unsigned monitor, nnc_epoch_report *r)
{
    const nnc_train_opts *o = t->opts;
    double l2_term = o->lambda > 0.0f
                         ? 0.5 * o->lambda / (double)t->n * weight_square_sum(t->net)
                         : 0.0;
    nnc_status s = measure(t->net, t->data, monitor, NNC_MONITOR_TRAIN_COST,
                           NNC_MONITOR_TRAIN_ACCURACY, l2_term, &r->train);
    if (s == NNC_OK)
        s = measure(t->net, o->validation, monitor, NNC_MONITOR_VALID_COST,
                    NNC_MONITOR_VALID_ACCURACY, l2_term, &r->valid);
    if (s == NNC_OK)
        s = measure(t->net, o->test, monitor, NNC_MONITOR_TEST_COST, NNC_MONITOR_TEST_ACCURACY,
                    l2_term, &r->test);
    return s;
}

/* Keeps the best epoch by validation accuracy (a regression: the lowest
 * RMSE), halves eta after `halve_after` flat epochs (network2's schedule);
 * returns 1 to stop. */
static int update_schedule(trainer *t, const nnc_epoch_report *r)
{
    const nnc_train_opts *o = t->opts;
    nnc__train_state *st = &t->st;
    int stop = 0;
    if (r->valid.n) {
        int regression = !isnan(r->valid.rmse);
        int better = regression ? (float)r->valid.rmse < st->best_valid_rmse
                                : r->valid.correct > st->best_valid_correct;
        if (st->best_epoch < 0 || better) {
            st->best_epoch = (int)r->epoch;
            st->best_valid_correct = r->valid.correct;
            st->best_valid_rmse = regression ? (float)r->valid.rmse : NAN;
            st->since_best = st->since_change = 0;
            if (st->best)
                memcpy(st->best, t->net->params, t->net->n_params * sizeof *st->best);
        } else {
            st->since_best++;
            st->since_change++;
        }
    }
    if (o->halve_after && st->since_change >= o->halve_after) {
        st->eta *= 0.5f;
        st->since_change = 0;
        stop = st->eta < o->eta * o->min_eta_factor;
    }
    return stop || (o->early_stop && st->since_best >= o->early_stop);
}

/* The one pair of conversions between the network's packed layout and the
 * padded one training works in: the parameters and the optimiser's arrays
 * go padded at the start of an epoch, and back once its batches are done. */
static void to_padded(trainer *t)
{
    const nnc_net *net = t->net;
    float *padded[2] = {t->optim.v, t->optim.s};
    nnc__layout_copy(net->sizes, &net->packed, net->params, &t->padded, t->params);
    for (unsigned a = 0; a < t->st.n_arrays; a++)
        nnc__layout_copy(net->sizes, &net->packed, t->st.arrays[a], &t->padded, padded[a]);
    t->optim.steps = t->st.steps;
}

static void to_packed(trainer *t)
{
    const nnc_net *net = t->net;
    const float *padded[2] = {t->optim.v, t->optim.s};
    nnc__layout_copy(net->sizes, &t->padded, t->params, &net->packed, net->params);
    for (unsigned a = 0; a < t->st.n_arrays; a++)
        nnc__layout_copy(net->sizes, &t->padded, padded[a], &net->packed, t->st.arrays[a]);
    t->st.steps = t->optim.steps;
}

void nnc__trainer_free(trainer *t)
{
    if (!t)
        return;
    nnc__workspace_free(t->ws);
    nnc__pool_free(t->pool);
    nnc__optimizer_free(&t->optim);
    nnc__layout_free(&t->padded);
    free(t->params);
    free(t->grad);
    free(t->order);
    free(t->lines);
    free(t->st.arrays[0]);
    free(t->st.arrays[1]);
    free(t->st.best);
    free(t);
}

static unsigned optimizer_arrays(nnc_optimizer o)
{
    return o == NNC_OPT_ADAM ? 2 : o == NNC_OPT_SGD ? 0 : 1;
}

/* Refuses a run whose memory would not fit, before allocating any of it: the
 * training copy of the parameters, the gradient, the optimiser's arrays in
 * both layouts, the best network, and a batch's activations and deltas. */
static nnc_status check_memory(const nnc_net *net, const nnc_train_opts *o, size_t batch)
{
    double copies = 2.0 + (o->optimizer != NNC_OPT_SGD) +   /* the network, its copy */
                    2.0 * optimizer_arrays(o->optimizer) + (o->early_stop > 0) +
                    (o->precision == NNC_PRECISION_BF16);   /* weights packed in bf16, twice */
    double units = 0.0;
    for (size_t l = 0; l < net->n_layers; l++)
        units += (double)net->sizes[l];
    double bytes = sizeof(float) * (copies * (double)net->n_params +
                                    (o->dropout > 0 ? 4.0 : 2.0) * (double)batch * units);
    char what[96];
    snprintf(what, sizeof what, "training %zu parameters on batches of %zu", net->n_params,
             batch);
    return nnc__check_memory(bytes, what);
}

/* The packed state's arrays, the sample order and the prefetch list. */
static nnc_status alloc_state(trainer *t)
{
    const nnc_net *net = t->net;
    nnc__train_state *st = &t->st;
    st->eta = t->opts->eta;
    st->best_epoch = -1;
    st->best_valid_rmse = NAN;
    st->n_arrays = optimizer_arrays(t->opts->optimizer);
    int ok = 1;
    for (unsigned a = 0; a < st->n_arrays; a++)
        ok &= (st->arrays[a] = nnc__layout_alloc(&net->packed)) != NULL;
    if (t->opts->early_stop)
        ok &= (st->best = malloc(net->n_params * sizeof *st->best)) != NULL;
    t->order = malloc(t->n * sizeof *t->order);
    t->lines = malloc(nnc__sample_lines_max(t->data, t->batch) * sizeof *t->lines);
    if (!ok || !t->order || !t->lines)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for the state of a run on %zu samples",
                         t->n);
    for (size_t i = 0; i < t->n; i++)
        t->order[i] = i;            /* the data's order, kept when not shuffling */
    return NNC_OK;
}

/* The padded block, the gradient, the optimiser, the threads and the batch's
 * workspace that reads and updates that block. */
static nnc_status alloc_work(trainer *t)
{
    const nnc_net *net = t->net;
    const nnc_train_opts *opts = t->opts;
    nnc_status s = nnc__layout_init(&t->padded, net->sizes, net->n_layers, ROW_ALIGN);
    if (s != NNC_OK)
        return s;
    int needs_grad = opts->optimizer != NNC_OPT_SGD;   /* plain SGD is fused */
    t->params = nnc__layout_alloc(&t->padded);
    t->grad = needs_grad ? nnc__layout_alloc(&t->padded) : NULL;
    if (!t->params || (needs_grad && !t->grad))
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for %zu parameters", t->padded.count);
    t->step = needs_grad ? optimizer_step : sgd_step;
    if ((s = nnc__optimizer_init(&t->optim, net, &t->padded, opts, t->n)) != NNC_OK)
        return s;
    unsigned threads = nnc__threads_for(nnc__step_flops(net, t->batch), opts->threads);
    if (threads > 1 && (s = nnc__pool_create(threads, &t->pool)) != NNC_OK)
        return s;
    nnc__workspace_parts parts = {.max_m = t->batch,
                                  .pool = t->pool,
                                  .layout = &t->padded,
                                  .params = t->params,
                                  .dropout = opts->dropout,
                                  .rng = &t->net->rng,
                                  /* bfloat16 where the CPU has it, else float32 */
                                  .bf16 = opts->precision == NNC_PRECISION_BF16
                                              ? nnc__bf16_best() : NULL};
    t->sum.precision_used = parts.bf16 ? NNC_PRECISION_BF16 : NNC_PRECISION_F32;
    return nnc__workspace_create(net, &parts, &t->ws);
}

nnc_status nnc__trainer_create(nnc_net *net, const nnc_data *data, const nnc_train_opts *opts,
                               trainer **out)
{
    *out = NULL;
    if (!net || !data || !opts)
        return nnc__fail(NNC_ERR_ARG, "nnc_train: NULL argument");
    nnc_status s = check_opts(net, opts);
    if (s == NNC_OK)
        s = check_fit(net, data);
    size_t n = nnc_data_count(data);
    size_t batch = opts->batch_size < n ? opts->batch_size : n;
    if (s == NNC_OK)
        s = check_memory(net, opts, batch);
    if (s != NNC_OK)
        return s;
    trainer *t = calloc(1, sizeof *t);
    if (!t)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a training run");
    t->net = net, t->data = data, t->opts = opts, t->n = n, t->batch = batch;
    t->monitor = opts->monitor;
    if (opts->halve_after || opts->early_stop)
        t->monitor |= NNC_MONITOR_VALID_ACCURACY;
    t->sum = (nnc_train_summary){0, -1, 0, NAN, opts->eta, 0, NNC_PRECISION_F32};
    if ((s = alloc_state(t)) == NNC_OK)
        s = alloc_work(t);
    if (s != NNC_OK) {
        nnc__trainer_free(t);
        return s;
    }
    *out = t;
    return NNC_OK;
}

nnc__train_state *nnc__trainer_state(trainer *t)
{
    return &t->st;
}

int nnc__trainer_done(const trainer *t)
{
    return t->st.next_epoch >= t->opts->epochs;
}

nnc_status nnc__trainer_epoch(trainer *t, nnc_epoch_report *r, int *stop)
{
    nnc_net *net = t->net;
    const nnc_train_opts *opts = t->opts;
    unsigned epoch = t->st.next_epoch;
    nnc_train_record *rec = &net->record;   /* the last run's settings */
    rec->batch_size = t->batch, rec->eta = opts->eta, rec->lambda = opts->lambda;
    rec->dropout = opts->dropout, rec->optimizer = opts->optimizer;
    double t0 = t->epoch_start = now_seconds();
    if (opts->shuffle) {
        /* a fresh permutation of 0..n-1: the epoch's order then depends on
         * the generator alone, which is what a checkpoint saves */
        for (size_t i = 0; i < t->n; i++)
            t->order[i] = i;
        nnc__rng_shuffle(&net->rng, t->order, t->n);
    }
    to_padded(t);   /* the network may have changed since (resume, on_epoch) */
    size_t batch = 0;
    epoch_end end = run_epoch(t, t->st.eta, &batch);
    if (end == EPOCH_DONE && !all_finite(t->params, t->padded.count))
        end = EPOCH_DIVERGED, batch = (t->n - 1) / t->batch;   /* the last update did it */
    if (end == EPOCH_DIVERGED)   /* the network stays as after the last epoch */
        return nnc__fail(NNC_ERR_DIVERGED,
                         "training diverged in epoch %u, batch %zu: the network's outputs "
                         "or parameters became NaN or infinite (try a smaller eta); the "
                         "network is kept as it was %s", epoch, batch,
                         epoch == 0 ? "before training" : "after the previous epoch");
    to_packed(t);
    if (end == EPOCH_STOPPED)
        return nnc__fail(NNC_ERR_INTERRUPTED, "training stopped in epoch %u before batch %zu",
                         epoch, batch);
    const nnc_measure none = {NAN, 0, 0, NAN, NAN, NAN};
    *r = (nnc_epoch_report){epoch, now_seconds() - t0, t->st.eta, none, none, none};
    t->st.next_epoch++;
    rec->epochs++;
    t->sum.epochs_run++;
    nnc_status s = measure_epoch(t, t->monitor, r);
    if (s == NNC_OK)
        s = nnc__net_add_history(net, r);
    if (s == NNC_OK)
        *stop = update_schedule(t, r);
    return s;
}

void nnc__trainer_finish(trainer *t, nnc_status s, nnc_train_summary *summary)
{
    nnc_train_summary *sum = &t->sum;
    if (s == NNC_OK && t->st.best && t->st.best_epoch >= 0) {
        memcpy(t->net->params, t->st.best, t->net->n_params * sizeof *t->st.best);
        sum->restored_best = 1;
    }
    sum->best_epoch = t->st.best_epoch;
    sum->best_valid_correct = t->st.best_valid_correct;
    sum->best_valid_rmse = nnc_cost_is_regression(t->net->cost) ? t->st.best_valid_rmse : NAN;
    sum->final_eta = t->st.eta;
    if (summary)
        *summary = *sum;
}
