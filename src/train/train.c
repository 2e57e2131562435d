/* train.c — mini-batch stochastic gradient descent one epoch at a time, as
 * the tutorial's SGD, with the optimisers, L2, dropout, schedules and
 * monitoring of network2 and on (trainer.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../math/backprop.h"
#include "../math/cost.h"
#include "../math/inputs.h"
#include "../runtime/memory.h"
#include "../runtime/pool.h"
#include "../runtime/threads.h"
#include "../dist/shard_sum.h"
#include "augment.h"
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

/* The epoch's running sums, from the batches' forward passes. */
typedef struct {
    double cost;        /* Σ cost over the samples                        */
    size_t correct;     /* a classifier with labels                       */
    double fit[2];      /* a regression: Σ (a − y)², Σ |a − y|            */
} running_sums;

/* What a batch's outputs, in ws, add to running sums (below). */
typedef void (*score_fn)(const trainer *t, const nnc__workspace *ws, size_t first, size_t m,
                         running_sums *sums);

/* How an epoch ended: every batch run, or stopped before batch `batch`. */
typedef enum { EPOCH_DONE, EPOCH_STOPPED, EPOCH_DIVERGED, EPOCH_FAILED } epoch_end;

/* One batch, from the sample at position `first` of the order: whole, or
 * cut into shards (below); chosen once per run. */
typedef epoch_end (*batch_fn)(trainer *t, size_t first, float eta);

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
    score_fn              score;  /* the running measure's kind of sums       */
    batch_fn              train_batch;  /* whole, or cut into shards          */
    running_sums          run;    /* this epoch's                             */
    const uint8_t        *labels; /* the training set's first label, or NULL  */
    double                spread; /* Σ (y − mean)² of a regression's targets   */
    double                chance; /* the accuracy of always the likeliest class */
    unsigned              monitor;/* what opts asks for and the schedule needs */
    size_t               *order;
    const void          **lines;  /* the next batch's cache lines (prefetch)  */
    size_t                n, batch;
    double                epoch_start;   /* now_seconds() at the epoch's start */
    nnc__train_state      st;     /* where the run stands, packed             */
    nnc_train_summary     sum;
    nnc__augmenter       *aug;    /* distorted chunks of the data, or NULL    */
    /* a run whose batches are cut into shards (nnc_train_opts.shards, dist) */
    nnc__shard_sum       *sharded;/* NULL: the whole batch at once             */
    double               *tallies;/* every shard's, after a batch              */
    unsigned              mine_lo, mine_hi;    /* the shards this process computes */
    nnc__workspace      **shard_ws;/* theirs, one each                         */
    size_t               *shard_m; /* their sample counts in this batch         */
    struct grad_piece    *pieces; /* the gradient's parts: what each one is    */
    float                *columns;/* a shard's inputs to a part, made dense    */
    nnc__rng              shard_rng;   /* a shard's dropout masks              */
    uint64_t              shard_key;   /* this epoch's, for those masks         */
    size_t                batch_first, batch_m, batch_index;
    const nnc_data       *chunk;  /* the batch's distorted chunk, and where   */
    size_t                chunk_start;  /* in the order it starts            */
    nnc_status            failed; /* why an epoch ended EPOCH_FAILED          */
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

/* forward_batch for distorted samples: the batch from the chunk that holds
 * it, made (or waited for) as the batch begins a chunk. */
static size_t forward_distorted(trainer *t, size_t first)
{
    size_t n = t->n, m = n - first < t->batch ? n - first : t->batch, start;
    const nnc_data *chunk = nnc__augmenter_chunk(t->aug, t->st.next_epoch, t->order, n, first,
                                                 &start);
    nnc__forward_samples(t->net, t->ws, chunk, NULL, first - start, m, 1, NULL);
    return m;
}


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

static nnc_measure running_measure(const trainer *t, size_t n, double l2_term);
static void to_packed_params(trainer *t);

static void progress(trainer *t, size_t batches_done)
{
    if (!t->opts->on_progress)
        return;
    size_t done = batches_done * t->batch < t->n ? batches_done * t->batch : t->n;
    nnc_progress p = {t->st.next_epoch, batches_done, (t->n + t->batch - 1) / t->batch, done, t->n,
                      now_seconds() - t->epoch_start, running_measure(t, done, 0.0)};
    if (t->opts->progress_params)
        to_packed_params(t);
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
static int outputs_finite(const trainer *t, const nnc__workspace *ws, size_t m)
{
    return all_finite(ws->z_out, m * t->net->sizes[t->net->n_layers - 1]);
}

/* The class an output row votes for, as the measures count it
 * (evaluate.c): the first largest output, or for a single sigmoid output
 * class 1 when it is above 0.5. */
static size_t vote(const float *a, size_t n)
{
    if (n == 1)
        return a[0] > 0.5f;
    size_t best = 0;
    float top = a[0];   /* kept in a register: no load waits on the last compare */
    for (size_t j = 1; j < n; j++)
        if (a[j] > top)
            top = a[j], best = j;
    return best;
}

/* The running measure's sums for a batch, from the outputs its forward pass
 * left in the workspace: one pass over them, nothing allocated. A classifier
 * with labels adds its cost and the samples it gets right; one with targets
 * only, its cost; a regression, its cost and residuals. */
static void score_classes(const trainer *t, const nnc__workspace *ws, size_t first, size_t m,
                          running_sums *sums)
{
    size_t L = t->net->n_layers - 1, n = t->net->sizes[L];
    const float *a = ws->a[L];
    const size_t *order = t->order + first;
    sums->cost += nnc__batch_cost_sum(t->net->cost, ws->z_out, a, ws->y, m, n);
    size_t correct = 0;
    for (size_t i = 0; i < m; i++)
        correct += vote(a + i * n, n) == t->labels[order[i]];
    sums->correct += correct;
}

static void score_targets(const trainer *t, const nnc__workspace *ws, size_t first, size_t m,
                          running_sums *sums)
{
    (void)first;
    size_t L = t->net->n_layers - 1;
    sums->cost += nnc__batch_cost_sum(t->net->cost, ws->z_out, ws->a[L], ws->y, m,
                                      t->net->sizes[L]);
}

static void score_fit(const trainer *t, const nnc__workspace *ws, size_t first, size_t m,
                      running_sums *sums)
{
    score_targets(t, ws, first, m, sums);
    size_t L = t->net->n_layers - 1;
    nnc__residual_sums(ws->a[L], ws->y, m * t->net->sizes[L], sums->fit);
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

/* ---- batches cut into shards -----------------------------------------------
 * With nnc_train_opts.shards or a group of processes, a batch's gradient is
 * the sum of its shards' gradients in a fixed tree (dist/shard_sum.h), each
 * shard fed forward and back on its own, and the update is made from that
 * sum: the same bits however many processes share the shards. */

/* What a shard tallies: the running sums' parts, and whether its outputs
 * stayed finite; and what each process adds: whether it was asked to stop. */
enum { TALLY_COST, TALLY_CORRECT, TALLY_FIT_SQUARES, TALLY_FIT_ABS, TALLY_NOT_FINITE,
       TALLY_SIZE };
enum { FLAG_STOP, N_FLAGS };

/* A part of the gradient: rows [first_row, first_row + rows) of layer l's
 * weights, or (rows 0) its biases. */
struct grad_piece {
    size_t layer, first_row, rows;
};

/* Floats in a part: its tree of sums stays in the core's cache. */
#define PART_FLOATS 131072

/* Shard `shard` of the batch (samples [lo, hi) of it by position): fed
 * forward, tallied and fed back to its deltas, in a workspace of its own. */
static void prepare_shard(void *ctx, unsigned shard, unsigned shards, double *tally)
{
    trainer *t = ctx;
    size_t lo = t->batch_m * shard / shards, hi = t->batch_m * (shard + 1) / shards;
    size_t m = hi - lo, first = t->batch_first + lo;
    nnc__workspace *ws = t->shard_ws[shard - t->mine_lo];
    t->shard_m[shard - t->mine_lo] = m;
    if (m == 0)   /* a batch with fewer samples than shards */
        return;
    /* dropout's masks from the shard's own stream, whoever computes it */
    nnc__rng_seed(&t->shard_rng, t->shard_key + t->batch_index * shards + shard);
    if (t->aug)
        nnc__forward_samples(t->net, ws, t->chunk, NULL, first - t->chunk_start, m, 1, NULL);
    else
        nnc__forward_samples(t->net, ws, t->data, t->order, first, m, 1, NULL);
    if (!outputs_finite(t, ws, m)) {
        tally[TALLY_NOT_FINITE] = 1.0;
    } else {
        running_sums shard_sums = {0.0, 0, {0.0, 0.0}};
        t->score(t, ws, first, m, &shard_sums);
        tally[TALLY_COST] = shard_sums.cost;
        tally[TALLY_CORRECT] = (double)shard_sums.correct;
        tally[TALLY_FIT_SQUARES] = shard_sums.fit[0];
        tally[TALLY_FIT_ABS] = shard_sums.fit[1];
    }
    nnc__backward_deltas(t->net, ws, m);
}

/* Part p of shard `shard`'s gradient into out, its row padding zero. */
static void shard_part(void *ctx, unsigned shard, size_t p, float *out)
{
    trainer *t = ctx;
    const struct grad_piece *piece = &t->pieces[p];
    nnc__workspace *ws = t->shard_ws[shard - t->mine_lo];
    size_t m = t->shard_m[shard - t->mine_lo], l = piece->layer, n = t->net->sizes[l];
    size_t stride = t->padded.stride[l];
    size_t floats = piece->rows ? piece->rows * stride : n;
    if (m == 0) {
        memset(out, 0, floats * sizeof *out);
    } else if (!piece->rows) {
        nnc__gradient_biases(t->net, ws, m, l, out);
    } else {
        nnc__gradient_rows(t->net, ws, m, l, piece->first_row,
                           piece->first_row + piece->rows, t->columns, out, stride);
        for (size_t r = 0; stride > n && r < piece->rows; r++)
            memset(out + r * stride + n, 0, (stride - n) * sizeof *out);
    }
}

/* The batch at `first`: its shards' gradient summed over the group, then
 * one update from that sum, as every process makes it. */
static epoch_end sharded_batch(trainer *t, size_t first, float eta)
{
    size_t m = t->n - first < t->batch ? t->n - first : t->batch;
    t->batch_first = first, t->batch_m = m;
    if (t->aug)
        t->chunk = nnc__augmenter_chunk(t->aug, t->st.next_epoch, t->order, t->n, first,
                                        &t->chunk_start);
    double flags[N_FLAGS] = {stop_asked(t)};
    nnc__shard_work work = {prepare_shard, shard_part, t};
    t->failed = nnc__shard_sum_run(t->sharded, &work, t->grad, t->tallies, flags);
    t->batch_index++;
    if (t->failed != NNC_OK)
        return EPOCH_FAILED;
    if (flags[FLAG_STOP] > 0.0)   /* any process's stop stops them all here */
        return EPOCH_STOPPED;
    unsigned shards = nnc__shard_sum_shards(t->sharded);
    for (unsigned k = 0; k < shards; k++)
        if (t->tallies[k * TALLY_SIZE + TALLY_NOT_FINITE] > 0.0)
            return EPOCH_DIVERGED;
    for (unsigned k = 0; k < shards; k++) {   /* in shard order, as any group adds them */
        const double *tally = t->tallies + k * TALLY_SIZE;
        t->run.cost += tally[TALLY_COST];
        t->run.correct += (size_t)tally[TALLY_CORRECT];
        t->run.fit[0] += tally[TALLY_FIT_SQUARES];
        t->run.fit[1] += tally[TALLY_FIT_ABS];
    }
    if (t->optim.kind == NNC_OPT_SGD)
        nnc__sgd_update(t->net, &t->padded, t->params, t->grad, m, eta,
                        1.0f - eta * t->optim.decay);
    else
        nnc__optimizer_step(&t->optim, t->params, t->grad, m, eta, t->pool);
    return EPOCH_DONE;
}

/* The batch at `first` whole: fed forward, scored and stepped. */
static epoch_end whole_batch(trainer *t, size_t first, float eta)
{
    if (stop_asked(t))
        return EPOCH_STOPPED;
    size_t m = t->aug ? forward_distorted(t, first) : forward_batch(t, first);
    if (!outputs_finite(t, t->ws, m))
        return EPOCH_DIVERGED;
    t->score(t, t->ws, first, m, &t->run);
    t->step(t, m, eta);
    return EPOCH_DONE;
}

/* One epoch: the batches in the order of t->order, in spans between which
 * on_progress hears of them. */
static epoch_end run_epoch(trainer *t, float eta, size_t *batch)
{
    for (size_t b = 0; b * t->batch < t->n;) {
        for (size_t end = span_end(t, b); b < end; b++) {
            *batch = b;
            epoch_end e = t->train_batch(t, b * t->batch, eta);
            if (e != EPOCH_DONE)
                return e;
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
static nnc_status measure_epoch(const trainer *t, unsigned monitor, double l2_term,
                                nnc_epoch_report *r)
{
    const nnc_train_opts *o = t->opts;
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

/* The running measure of the epoch just trained, from its sums. */
static nnc_measure running_measure(const trainer *t, size_t samples, double l2_term)
{
    const running_sums *run = &t->run;
    double n = (double)(samples ? samples : 1);
    nnc_measure m = {run->cost / n + l2_term, 0, 0, NAN, NAN, NAN};
    if (t->score == score_classes) {
        m.correct = run->correct;
        m.n = samples;
    } else if (t->score == score_fit) {
        double values = n * (double)t->net->sizes[t->net->n_layers - 1];
        m.n = samples;
        m.rmse = sqrt(run->fit[0] / values);
        m.mae = run->fit[1] / values;
        m.r2 = t->spread > 0.0 ? 1.0 - run->fit[0] / t->spread
                               : (run->fit[0] == 0.0 ? 1.0 : -INFINITY);
    }
    return m;
}

/* Training samples fed forward after each epoch to look at its units. */
#define PROBE_SAMPLES 256

/* Below this an activation's derivative counts as pinned at its limits. */
#define PINNED_SLOPE 1e-4f

/* 1 if every one of count activations of kind act is pinned: a ReLU at 0
 * (dead), a sigmoid or tanh at a limit where its slope is nearly 0. Leaky
 * ReLU never stops passing a gradient. */
static int all_pinned(nnc_activation act, const float *a, size_t count)
{
    int pinned = 1;
    switch (act) {
    case NNC_ACT_RELU:
        for (size_t i = 0; i < count; i++)
            pinned &= a[i] == 0.0f;
        return pinned;
    case NNC_ACT_SIGMOID:
        for (size_t i = 0; i < count; i++)
            pinned &= a[i] * (1.0f - a[i]) < PINNED_SLOPE;
        return pinned;
    case NNC_ACT_TANH:
        for (size_t i = 0; i < count; i++)
            pinned &= 1.0f - a[i] * a[i] < PINNED_SLOPE;
        return pinned;
    default:
        return 0;
    }
}

/* Looks at the units after the epoch, on the training set's first
 * PROBE_SAMPLES samples fed forward by the network as it now is (never in
 * the per-batch path, and without dropout, so the generator is not drawn
 * from): the first hidden layer whose units are all dead or all saturated,
 * and whether every output is pinned. */
static nnc_status probe_units(const trainer *t, nnc_epoch_report *r, int *outputs_pinned)
{
    const nnc_net *net = t->net;
    size_t L = net->n_layers - 1, m = t->n < PROBE_SAMPLES ? t->n : PROBE_SAMPLES;
    nnc__workspace *ws;
    nnc_status s = nnc__workspace_create(net, &(nnc__workspace_parts){.max_m = m}, &ws);
    if (s != NNC_OK)
        return s;
    nnc__forward_samples(net, ws, t->data, NULL, 0, m, 0, NULL);
    for (size_t l = 1; l < L && !r->warning_layer; l++)
        if (all_pinned(net->hidden, ws->a[l], m * net->sizes[l])) {
            r->warnings |= net->hidden == NNC_ACT_RELU ? NNC_WARN_DEAD : NNC_WARN_SATURATED;
            r->warning_layer = (unsigned)l;
        }
    *outputs_pinned = !nnc_cost_is_regression(net->cost) &&
                      all_pinned(NNC_ACT_SIGMOID, ws->a[L], m * net->sizes[L]);
    nnc__workspace_free(ws);
    return NNC_OK;
}

/* 1 if an accuracy measured on n samples is no better than chance, within
 * a margin of a tenth of the errors chance makes and three standard
 * deviations of a count at chance, so that small sets do not cry wolf. */
static int at_chance(double chance, const nnc_measure *m)
{
    if (!m->n || !isnan(m->rmse))
        return 1;   /* not measured, or a fit: no say */
    double n = (double)m->n;
    double margin = 0.1 * (1.0 - chance) + 3.0 * sqrt(chance * (1.0 - chance) / n);
    return (double)m->correct / n <= chance + margin;
}

/* Sets r's warnings: a layer dead or saturated; every accuracy at chance,
 * from the run's second epoch on, or in its first when something below is
 * pinned too (the outputs' being pinned only tells a cause then). */
static nnc_status judge_epoch(const trainer *t, nnc_epoch_report *r)
{
    int outputs_pinned;
    nnc_status s = probe_units(t, r, &outputs_pinned);
    if (s != NNC_OK || !r->running.n)
        return s;
    if (!isnan(r->running.rmse)) {   /* a regression: judged by its fit */
        const nnc_measure *m[4] = {&r->running, &r->train, &r->valid, &r->test};
        int no_fit = 1;
        for (int i = 0; i < 4; i++)
            no_fit &= !m[i]->n || !(m[i]->r2 > 0.0);
        if (no_fit && t->sum.epochs_run > 1)
            r->warnings |= NNC_WARN_NO_FIT;
        return NNC_OK;
    }
    int chance = at_chance(t->chance, &r->running) && at_chance(t->chance, &r->train) &&
                 at_chance(t->chance, &r->valid) && at_chance(t->chance, &r->test);
    if (chance && (t->sum.epochs_run > 1 || r->warnings || outputs_pinned))
        r->warnings |= NNC_WARN_CHANCE | (outputs_pinned ? NNC_WARN_OUTPUTS_PINNED : 0);
    return NNC_OK;
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

/* The parameters alone, for a look at them in the middle of an epoch. */
static void to_packed_params(trainer *t)
{
    const nnc_net *net = t->net;
    nnc__layout_copy(net->sizes, &t->padded, t->params, &net->packed, net->params);
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
    nnc__augmenter_free(t->aug);
    for (unsigned k = 0; t->shard_ws && k < t->mine_hi - t->mine_lo; k++)
        nnc__workspace_free(t->shard_ws[k]);
    free(t->shard_ws);
    free(t->shard_m);
    free(t->pieces);
    free(t->columns);
    nnc__shard_sum_free(t->sharded);
    free(t->tallies);
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

/* Shards of every batch in a group of processes unless told otherwise. */
#define GROUP_SHARDS 8

/* The gradient's parts: each layer's weights in runs of whole rows of
 * about PART_FLOATS, then its biases. */
static nnc_status cut_gradient(trainer *t, nnc__sum_part **parts, size_t *n_parts)
{
    const nnc_net *net = t->net;
    size_t cap = 0;
    for (size_t l = 1; l < net->n_layers; l++) {
        size_t per = PART_FLOATS / t->padded.stride[l] ? PART_FLOATS / t->padded.stride[l] : 1;
        cap += (net->sizes[l - 1] + per - 1) / per + 1;
    }
    *parts = malloc(cap * sizeof **parts);
    t->pieces = malloc(cap * sizeof *t->pieces);
    if (!*parts || !t->pieces)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for the parts of a gradient");
    size_t k = 0;
    for (size_t l = 1; l < net->n_layers; l++) {
        size_t stride = t->padded.stride[l], per = PART_FLOATS / stride ? PART_FLOATS / stride : 1;
        for (size_t row = 0; row < net->sizes[l - 1]; row += per, k++) {
            size_t rows = net->sizes[l - 1] - row < per ? net->sizes[l - 1] - row : per;
            t->pieces[k] = (struct grad_piece){l, row, rows};
            (*parts)[k] = (nnc__sum_part){t->padded.w_offset[l] + row * stride, rows * stride};
        }
        t->pieces[k] = (struct grad_piece){l, 0, 0};
        (*parts)[k++] = (nnc__sum_part){t->padded.b_offset[l], net->sizes[l]};
    }
    *n_parts = k;
    return NNC_OK;
}

/* A run cut into shards: their sums, every shard's tallies, and what this
 * process needs to compute its shards a part at a time. */
static nnc_status alloc_shards(trainer *t)
{
    const nnc_train_opts *opts = t->opts;
    unsigned shards = opts->shards ? opts->shards : GROUP_SHARDS;
    nnc__sum_part *parts = NULL;
    size_t n_parts = 0;
    nnc_status s = cut_gradient(t, &parts, &n_parts);
    if (s == NNC_OK)
        s = nnc__shard_sum_create(opts->dist, shards, opts->reduce, t->padded.count, parts,
                                  n_parts, TALLY_SIZE, N_FLAGS, &t->sharded);
    free(parts);
    if (s != NNC_OK)
        return s;
    shards = nnc__shard_sum_shards(t->sharded);
    nnc__shard_sum_mine(t->sharded, &t->mine_lo, &t->mine_hi);
    size_t mine = t->mine_hi - t->mine_lo, shard_m = (t->batch + shards - 1) / shards;
    size_t widest = 0;
    for (size_t l = 0; l < t->net->n_layers; l++)
        widest = t->net->sizes[l] > widest ? t->net->sizes[l] : widest;
    t->tallies = malloc((size_t)shards * TALLY_SIZE * sizeof *t->tallies);
    t->shard_ws = calloc(mine, sizeof *t->shard_ws);
    t->shard_m = calloc(mine, sizeof *t->shard_m);
    t->columns = malloc(shard_m * widest * sizeof *t->columns);
    if (!t->tallies || !t->shard_ws || !t->shard_m || !t->columns)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for %u shards", shards);
    return NNC_OK;
}

/* One workspace per shard this process computes, like the batch's. */
static nnc_status alloc_shard_workspaces(trainer *t, const nnc__workspace_parts *batch_parts)
{
    unsigned shards = nnc__shard_sum_shards(t->sharded);
    nnc__workspace_parts parts = *batch_parts;
    parts.max_m = (t->batch + shards - 1) / shards;
    nnc_status s = NNC_OK;
    for (unsigned k = 0; s == NNC_OK && k < t->mine_hi - t->mine_lo; k++)
        s = nnc__workspace_create(t->net, &parts, &t->shard_ws[k]);
    return s;
}

/* The threads of a run: a group's processes on one machine share its cores. */
static unsigned run_threads(const trainer *t)
{
    const nnc_train_opts *opts = t->opts;
    size_t m = t->batch;
    if (t->sharded) {   /* the products are a shard's */
        unsigned shards = nnc__shard_sum_shards(t->sharded);
        m = (m + shards - 1) / shards;
    }
    unsigned threads = nnc__threads_for(nnc__step_flops(t->net, m), opts->threads);
    unsigned sharing = opts->dist ? opts->dist->local_size : 1;
    if (!opts->threads && sharing > 1)
        threads = threads > sharing ? threads / sharing : 1;
    return threads;
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
    if (((opts->dist && opts->dist->mpi) || opts->shards) && (s = alloc_shards(t)) != NNC_OK)
        return s;
    /* plain SGD is fused into backprop, unless the batch is summed in shards */
    int needs_grad = opts->optimizer != NNC_OPT_SGD || t->sharded;
    t->params = nnc__layout_alloc(&t->padded);
    t->grad = needs_grad ? nnc__layout_alloc(&t->padded) : NULL;
    if (!t->params || (needs_grad && !t->grad))
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for %zu parameters", t->padded.count);
    t->step = needs_grad ? optimizer_step : sgd_step;
    t->train_batch = t->sharded ? sharded_batch : whole_batch;
    if ((s = nnc__optimizer_init(&t->optim, net, &t->padded, opts, t->n)) != NNC_OK)
        return s;
    unsigned threads = run_threads(t);
    if (threads > 1 && (s = nnc__pool_create(threads, &t->pool)) != NNC_OK)
        return s;
    nnc__workspace_parts parts = {.max_m = t->batch,
                                  .pool = t->pool,
                                  .layout = &t->padded,
                                  .params = t->params,
                                  .dropout = opts->dropout,
                                  .rng = t->sharded ? &t->shard_rng : &t->net->rng,
                                  /* bfloat16 where the CPU has it, else float32 */
                                  .bf16 = opts->precision == NNC_PRECISION_BF16
                                              ? nnc__bf16_best() : NULL};
    t->sum.precision_used = parts.bf16 ? NNC_PRECISION_BF16 : NNC_PRECISION_F32;
    if (t->sharded && (s = alloc_shard_workspaces(t, &parts)) != NNC_OK)
        return s;
    return nnc__workspace_create(net, &parts, &t->ws);
}

/* NaN or infinite inputs and targets are the data's fault, said before a
 * run would blame them on eta; one pass over each set's floats. */
static nnc_status check_finite(const nnc_data *data, const nnc_train_opts *o)
{
    nnc_status s = nnc__data_check_finite(data);
    if (s == NNC_OK && o->validation)
        s = nnc__data_check_finite(o->validation);
    if (s == NNC_OK && o->test)
        s = nnc__data_check_finite(o->test);
    return s;
}

/* The running measure's kind, and what it is judged against: a regression's
 * targets' spread about their means (for R²); a classifier's chance, the
 * share of its likeliest class in the training set or 1/k. */
static void choose_score(trainer *t)
{
    const nnc_data *d = t->data;
    const nnc__storage *st = d->st;
    size_t nL = t->net->sizes[t->net->n_layers - 1], k = nL == 1 ? 2 : nL;
    if (nnc_cost_is_regression(t->net->cost) && st->targets) {
        t->score = score_fit;
        for (size_t j = 0; j < nL; j++) {
            double mean = 0.0, ss = 0.0;
            for (size_t i = 0; i < d->n; i++)
                mean += st->targets[(d->first + i) * nL + j];
            mean /= (double)d->n;
            for (size_t i = 0; i < d->n; i++) {
                double dev = st->targets[(d->first + i) * nL + j] - mean;
                ss += dev * dev;
            }
            t->spread += ss;
        }
        return;
    }
    if (!st->labels) {
        t->score = score_targets;
        return;
    }
    t->score = score_classes;
    t->labels = st->labels + d->first;
    size_t count[256] = {0}, most = 0;
    for (size_t i = 0; i < d->n; i++)
        count[t->labels[i]]++;
    for (size_t c = 0; c < 256; c++)
        most = count[c] > most ? count[c] : most;
    double share = (double)most / (double)d->n;
    t->chance = share > 1.0 / (double)k ? share : 1.0 / (double)k;
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
        s = check_finite(data, opts);
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
    choose_score(t);
    if ((s = alloc_state(t)) == NNC_OK)
        s = alloc_work(t);
    if (s == NNC_OK && opts->augment.on)   /* its own thread beside the training's */
        s = nnc__augmenter_create(&opts->augment, data, net->record.seed, batch,
                                  nnc__threads_for(1e18, opts->threads), &t->aug);
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
    if (t->aug)   /* no chunk of the last order is still being made */
        nnc__augmenter_idle(t->aug);
    if (opts->shuffle) {
        /* a fresh permutation of 0..n-1: the epoch's order then depends on
         * the generator alone, which is what a checkpoint saves */
        for (size_t i = 0; i < t->n; i++)
            t->order[i] = i;
        nnc__rng_shuffle(&net->rng, t->order, t->n);
    }
    if (t->sharded) {   /* every process draws the same key */
        t->shard_key = nnc__rng_u64(&net->rng);
        t->batch_index = 0;
    }
    to_padded(t);   /* the network may have changed since (resume, on_epoch) */
    t->run = (running_sums){0.0, 0, {0.0, 0.0}};
    size_t batch = 0;
    float eta = t->st.eta;
    if (opts->cosine)
        eta = (float)(eta * 0.5 * (1.0 + cos(3.14159265358979323846 * epoch / opts->epochs)));
    epoch_end end = run_epoch(t, eta, &batch);
    if (end == EPOCH_FAILED)   /* the group could not sum a batch */
        return t->failed;
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
    *r = (nnc_epoch_report){epoch, now_seconds() - t0, eta, none, none, none,
                            none, 0, 0};
    t->st.next_epoch++;
    rec->epochs++;
    t->sum.epochs_run++;
    double l2_term = opts->lambda > 0.0f
                         ? 0.5 * opts->lambda / (double)t->n * weight_square_sum(net)
                         : 0.0;
    r->running = running_measure(t, t->n, l2_term);
    nnc_status s = measure_epoch(t, t->monitor, l2_term, r);
    if (s == NNC_OK)
        s = judge_epoch(t, r);
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

/* Appends to buf as snprintf would, keeping the length it would have. */
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf && *len < size ? buf + *len : NULL, *len < size ? size - *len : 0,
                      fmt, ap);
    va_end(ap);
    *len += k > 0 ? (size_t)k : 0;
}

size_t nnc_epoch_warning(const nnc_epoch_report *r, char *buf, size_t size)
{
    size_t len = 0;
    if (buf && size)
        buf[0] = '\0';
    if (!r || !r->warnings)
        return 0;
    double eta = r->eta;
    unsigned w = r->warnings;
    if (w & NNC_WARN_CHANCE) {
        const nnc_measure *m = &r->running;
        append(buf, size, &len, "the accuracy (%.1f%% running) is at chance level after epoch "
               "%u: the network is not learning",
               m->n ? 100.0 * (double)m->correct / (double)m->n : 0.0, r->epoch);
        if (!(w & (NNC_WARN_DEAD | NNC_WARN_SATURATED)))   /* else said below */
            append(buf, size, &len, w & NNC_WARN_OUTPUTS_PINNED
                                        ? "; eta %g is likely too large"
                                        : "; eta %g may be too small, or the inputs may not "
                                          "tell the classes apart", eta);
    }
    if (w & NNC_WARN_NO_FIT)
        append(buf, size, &len, "the fit (R\xc2\xb2 %.3f running) is no better than each "
               "target's mean after epoch %u: the network is not learning; eta %g may be too "
               "large or too small, or the inputs may not predict the targets",
               r->running.r2, r->epoch, eta);
    if (w & NNC_WARN_DEAD)
        append(buf, size, &len, "%sthe units of hidden layer %u are all dead (0 for every "
               "sample): ReLU with eta %g too large or a bad start", len ? "; " : "",
               r->warning_layer, eta);
    if (w & NNC_WARN_SATURATED)
        append(buf, size, &len, "%sthe units of hidden layer %u are all saturated (pinned at "
               "their limits for every sample): eta %g is likely too large, or the inputs "
               "are not scaled", len ? "; " : "", r->warning_layer, eta);
    return len;
}
