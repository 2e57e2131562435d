/* train.c — mini-batch stochastic gradient descent, as the tutorial's SGD, with
 * the optimisers, L2, dropout, schedules and monitoring of network2 and on. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../data/dataset.h"
#include "../math/backprop.h"
#include "../model/atomic_file.h"
#include "../model/checkpoint.h"
#include "../runtime/compute_scope.h"
#include "../runtime/memory.h"
#include "../runtime/threads.h"
#include "batch.h"
#include "optimizer.h"

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

/* Everything one run needs, allocated before the first batch. */
typedef struct {
    nnc_net              *net;
    const nnc_data       *data;
    const nnc_train_opts *opts;
    nnc__layout           padded; /* the layout training works in (layout.h)  */
    float                *params; /* the network's parameters in that layout,
                                     copied back to it after every epoch     */
    float                *grad;   /* the batch's gradient (optimisers), or NULL */
    nnc__workspace       *ws;
    nnc__optimizer_state  optim;
    size_t               *order;
    const void          **lines;  /* the next batch's cache lines (prefetch)  */
    size_t                n, batch;
    double                epoch_start;   /* now_seconds() at the epoch's start */
    float                *best;   /* parameters of the best epoch (early stop) */
    /* where the run stands: what a checkpoint saves */
    unsigned              epoch;  /* next epoch to run                         */
    float                 eta;
    int                   best_epoch;
    size_t                best_valid_correct;
    float                 best_valid_rmse;   /* a regression's: lower is better */
    unsigned              since_best, since_change;
} trainer;

/* Puts the batch starting at `first` into the workspace (inputs and targets)
 * and hands the first layer's product the next batch's cache lines to fetch
 * while this one computes; returns its size. */
static size_t load_batch(trainer *t, size_t first)
{
    size_t n = t->n, batch = t->batch, n_out = t->net->sizes[t->net->n_layers - 1];
    size_t m = n - first < batch ? n - first : batch, next = first + batch;
    nnc__gather(t->data, t->order + first, m, n_out, t->ws->a[0], t->ws->y);
    nnc__scale_inputs(t->net, t->ws->a[0], m);
    t->ws->dense.prefetch.count =
        next < n ? nnc__sample_lines(t->data, t->order + next,
                                     n - next < batch ? n - next : batch, t->lines)
                 : 0;
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
    nnc_progress p = {t->epoch, batches_done, (t->n + t->batch - 1) / t->batch, done, t->n,
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
typedef void (*step_fn)(trainer *t, size_t m, float eta);

static void sgd_step(trainer *t, size_t m, float eta)
{
    nnc__backward_sgd_step(t->net, t->ws, m, eta, 1.0f - eta * t->optim.decay);
}

static void optimizer_step(trainer *t, size_t m, float eta)
{
    nnc__backward(t->net, t->ws, m, t->grad);
    nnc__optimizer_step(&t->optim, t->params, t->grad, m, eta, t->ws->dense.pool);
}

/* One epoch: the batches in the order of t->order, in spans between which
 * on_progress hears of them. */
static epoch_end run_epoch(trainer *t, step_fn step, float eta, size_t *batch)
{
    for (size_t b = 0; b * t->batch < t->n;) {
        for (size_t end = span_end(t, b); b < end; b++) {
            *batch = b;
            if (stop_asked(t))
                return EPOCH_STOPPED;
            size_t m = load_batch(t, b * t->batch);
            nnc__forward(t->net, t->ws, m);
            if (!outputs_finite(t, m))
                return EPOCH_DIVERGED;
            step(t, m, eta);
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

/* Keeps the best epoch by validation accuracy, halves eta after
 * `halve_after` flat epochs (network2's schedule); returns 1 to stop. */
static int update_schedule(trainer *t, const nnc_epoch_report *r)
{
    const nnc_train_opts *o = t->opts;
    int stop = 0;
    if (r->valid.n) {
        int regression = !isnan(r->valid.rmse);
        int better = regression ? (float)r->valid.rmse < t->best_valid_rmse
                                : r->valid.correct > t->best_valid_correct;
        if (t->best_epoch < 0 || better) {
            t->best_epoch = (int)r->epoch;
            t->best_valid_correct = r->valid.correct;
            t->best_valid_rmse = regression ? (float)r->valid.rmse : NAN;
            t->since_best = t->since_change = 0;
            if (t->best)
                memcpy(t->best, t->net->params, t->net->n_params * sizeof *t->best);
        } else {
            t->since_best++;
            t->since_change++;
        }
    }
    if (o->halve_after && t->since_change >= o->halve_after) {
        t->eta *= 0.5f;
        t->since_change = 0;
        stop = t->eta < o->eta * o->min_eta_factor;
    }
    return stop || (o->early_stop && t->since_best >= o->early_stop);
}

static void trainer_free(trainer *t)
{
    nnc__workspace_free(t->ws);
    nnc__optimizer_free(&t->optim);
    nnc__layout_free(&t->padded);
    free(t->params);
    free(t->grad);
    free(t->order);
    free(t->lines);
    free(t->best);
}

/* Refuses a run whose memory would not fit, before allocating any of it: the
 * training copy of the parameters, the gradient and optimiser arrays, the
 * best network, and a batch's activations and deltas. */
static nnc_status check_memory(const nnc_net *net, const nnc_train_opts *o, size_t batch)
{
    double copies = 2.0 + (o->optimizer != NNC_OPT_SGD) +   /* the network, its copy */
                    (o->optimizer == NNC_OPT_ADAM ? 2 : o->optimizer != NNC_OPT_SGD) +
                    (o->early_stop > 0);
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

static nnc_status trainer_init(trainer *t, nnc_net *net, const nnc_data *data,
                               const nnc_train_opts *opts)
{
    memset(t, 0, sizeof *t);
    t->net = net;
    t->data = data;
    t->opts = opts;
    t->n = nnc_data_count(data);
    t->batch = opts->batch_size < t->n ? opts->batch_size : t->n;
    nnc_status s = check_memory(net, opts, t->batch);
    if (s != NNC_OK)
        return s;
    t->order = malloc(t->n * sizeof *t->order);
    t->lines = malloc(nnc__sample_lines_max(data, t->batch) * sizeof *t->lines);
    if (opts->early_stop)
        t->best = malloc(net->n_params * sizeof *t->best);
    if (!t->order || !t->lines || (opts->early_stop && !t->best))
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for %zu sample indices", t->n);
    for (size_t i = 0; i < t->n; i++)
        t->order[i] = i;            /* the data's order, kept when not shuffling */
    s = nnc__layout_init(&t->padded, net->sizes, net->n_layers, ROW_ALIGN);
    if (s != NNC_OK)
        return s;
    int needs_grad = opts->optimizer != NNC_OPT_SGD;   /* plain SGD is fused */
    t->params = nnc__layout_alloc(&t->padded);
    t->grad = needs_grad ? nnc__layout_alloc(&t->padded) : NULL;
    if (!t->params || (needs_grad && !t->grad))
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for %zu parameters", t->padded.count);
    s = nnc__optimizer_init(&t->optim, net, &t->padded, opts, t->n);
    if (s == NNC_OK)
        s = nnc__workspace_create(net, t->batch,
                                  nnc__threads_for(nnc__step_flops(net, t->batch), opts->threads),
                                  opts->dropout, &net->rng, &t->ws);
    if (s == NNC_OK) {   /* the passes read the padded block */
        t->ws->layout = &t->padded;
        t->ws->params = t->params;
        t->ws->dense.prefetch.lines = t->lines;
    }
    return s;
}

static unsigned optimizer_arrays(nnc_optimizer o)
{
    return o == NNC_OPT_ADAM ? 2 : o == NNC_OPT_SGD ? 0 : 1;
}

/* Takes the network, generator and run state of a checkpoint. */
static nnc_status resume_from(trainer *t, const char *path)
{
    nnc_net *net = t->net;
    nnc__run_state st;
    nnc_status s = nnc__checkpoint_load(path, net, optimizer_arrays(t->opts->optimizer),
                                        t->best != NULL, &st);
    if (s != NNC_OK)
        return s;
    float *arrays[2] = {t->optim.v, t->optim.s};
    for (unsigned a = 0; a < st.n_arrays; a++)   /* saved packed */
        nnc__layout_copy(net->sizes, &net->packed, st.arrays[a], &t->padded, arrays[a]);
    if (t->best)
        memcpy(t->best, st.best, net->n_params * sizeof(float));
    t->optim.steps = st.steps;
    t->epoch = st.next_epoch;
    t->eta = st.eta;
    t->best_epoch = st.best_epoch;
    t->best_valid_correct = st.best_valid_correct;
    if (nnc_cost_is_regression(net->cost)) {   /* the slot holds the RMSE's bits */
        uint32_t bits = st.best_valid_correct;
        memcpy(&t->best_valid_rmse, &bits, sizeof bits);
        t->best_valid_correct = 0;
    }
    t->since_best = st.since_best;
    t->since_change = st.since_change;
    nnc__run_state_free(&st);
    return NNC_OK;
}

/* Saves the network and the run's state; the optimiser's arrays are saved
 * packed, as the parameters are. */
static nnc_status save_checkpoint(const trainer *t, const char *path)
{
    const nnc_net *net = t->net;
    unsigned n_arrays = optimizer_arrays(t->opts->optimizer);
    const float *padded[2] = {t->optim.v, t->optim.s};
    float *packed[2] = {NULL, NULL};
    nnc_status s = NNC_OK;
    for (unsigned a = 0; a < n_arrays && s == NNC_OK; a++) {
        packed[a] = nnc__layout_alloc(&net->packed);
        if (!packed[a])
            s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory saving the optimiser's state", path);
        else
            nnc__layout_copy(net->sizes, &t->padded, padded[a], &net->packed, packed[a]);
    }
    uint32_t best_score = (uint32_t)t->best_valid_correct;
    if (nnc_cost_is_regression(net->cost))   /* the RMSE's bits, in the count's slot */
        memcpy(&best_score, &t->best_valid_rmse, sizeof best_score);
    nnc__run_state st = {t->epoch, t->eta, t->optim.steps, n_arrays, {packed[0], packed[1]},
                         t->best_epoch, best_score, t->since_best,
                         t->since_change, t->best, 1, {0}};
    nnc__copy_settings(&st.settings, t->opts);
    if (s == NNC_OK)
        s = nnc__checkpoint_save(net, &st, path);
    free(packed[0]);
    free(packed[1]);
    return s;
}

static nnc_status train(nnc_net *net, const nnc_data *data, const nnc_train_opts *opts,
                        nnc_train_summary *summary)
{
    if (!net || !data || !opts)
        return nnc__fail(NNC_ERR_ARG, "nnc_train: NULL argument");
    nnc_status s = check_opts(net, opts);
    if (s == NNC_OK)
        s = check_fit(net, data);
    if (s == NNC_OK && opts->checkpoint)   /* now, not after the first epoch */
        s = nnc__check_writable(opts->checkpoint);
    if (s != NNC_OK)
        return s;
    trainer t;
    if ((s = trainer_init(&t, net, data, opts)) != NNC_OK) {
        trainer_free(&t);
        return s;
    }
    t.eta = opts->eta;
    t.best_epoch = -1;
    if (opts->resume && (s = resume_from(&t, opts->resume)) != NNC_OK) {
        trainer_free(&t);
        return s;
    }
    step_fn step = opts->optimizer == NNC_OPT_SGD ? sgd_step : optimizer_step;
    unsigned monitor = opts->monitor;
    if (opts->halve_after || opts->early_stop)
        monitor |= NNC_MONITOR_VALID_ACCURACY;
    nnc_train_record *rec = &net->record;
    rec->batch_size = t.batch, rec->eta = opts->eta, rec->lambda = opts->lambda;
    rec->dropout = opts->dropout, rec->optimizer = opts->optimizer;
    nnc_train_summary sum = {0, -1, 0, NAN, opts->eta, 0};
    int stop = 0;

    while (t.epoch < opts->epochs && !stop) {
        unsigned epoch = t.epoch;
        double t0 = t.epoch_start = now_seconds();
        if (opts->shuffle) {
            /* a fresh permutation of 0..n-1: the epoch's order then depends
             * on the generator alone, which is what a checkpoint saves */
            for (size_t i = 0; i < t.n; i++)
                t.order[i] = i;
            nnc__rng_shuffle(&net->rng, t.order, t.n);
        }
        /* the network's block may have changed since (resume, on_epoch) */
        nnc__layout_copy(net->sizes, &net->packed, net->params, &t.padded, t.params);
        size_t batch = 0;
        epoch_end end = run_epoch(&t, step, t.eta, &batch);
        if (end == EPOCH_DONE && !all_finite(t.params, t.padded.count))
            end = EPOCH_DIVERGED, batch = (t.n - 1) / t.batch;   /* the last update did it */
        if (end == EPOCH_DIVERGED) {   /* the network stays as after the last epoch */
            s = nnc__fail(NNC_ERR_DIVERGED,
                          "training diverged in epoch %u, batch %zu: the network's outputs "
                          "or parameters became NaN or infinite (try a smaller eta); the "
                          "network is kept as it was %s", epoch, batch,
                          epoch == 0 ? "before training" : "after the previous epoch");
            break;
        }
        nnc__layout_copy(net->sizes, &t.padded, t.params, &net->packed, net->params);
        if (end == EPOCH_STOPPED) {
            s = nnc__fail(NNC_ERR_INTERRUPTED, "training stopped in epoch %u before batch %zu",
                          epoch, batch);
            break;
        }
        const nnc_measure none = {NAN, 0, 0, NAN, NAN, NAN};
        nnc_epoch_report r = {epoch, now_seconds() - t0, t.eta, none, none, none};
        t.epoch++;
        rec->epochs++;
        sum.epochs_run++;
        if ((s = measure_epoch(&t, monitor, &r)) != NNC_OK ||
            (s = nnc__net_add_history(net, &r)) != NNC_OK)
            break;
        stop = update_schedule(&t, &r);
        if (opts->checkpoint && (s = save_checkpoint(&t, opts->checkpoint)) != NNC_OK)
            break;
        if (opts->on_epoch && opts->on_epoch(net, &r, opts->user))
            stop = 1;
    }
    if (s == NNC_OK && t.best && t.best_epoch >= 0) {
        memcpy(net->params, t.best, net->n_params * sizeof *t.best);
        sum.restored_best = 1;
    }
    sum.best_epoch = t.best_epoch;
    sum.best_valid_correct = t.best_valid_correct;
    sum.best_valid_rmse = nnc_cost_is_regression(net->cost) ? t.best_valid_rmse : NAN;
    sum.final_eta = t.eta;
    if (summary)
        *summary = sum;
    trainer_free(&t);
    return s;
}

nnc_status nnc_train(nnc_net *net, const nnc_data *data, const nnc_train_opts *opts,
                     nnc_train_summary *summary)
{
    nnc__compute_scope scope = nnc__compute_begin();
    nnc_status s = train(net, data, opts, summary);
    nnc__compute_end(scope);
    return s;
}
