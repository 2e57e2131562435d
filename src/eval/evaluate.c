/* evaluate.c — accuracy, mean cost and confusion matrix of a dataset. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../data/dataset.h"
#include "../math/cost.h"
#include "../math/inputs.h"
#include "../runtime/compute_scope.h"
#include "../runtime/pool.h"
#include "../runtime/threads.h"

#define EVAL_CHUNK 256   /* samples fed forward at once when evaluating */

/* The class an output row votes for: the largest output, or for a single
 * sigmoid output class 1 when it is above 0.5. */
static size_t argmax(const float *v, size_t n)
{
    if (n == 1)
        return v[0] > 0.5f;
    size_t best = 0;
    for (size_t j = 1; j < n; j++)
        if (v[j] > v[best])
            best = j;
    return best;
}

/* Evaluation is cut into parts of EVAL_PART samples, fixed whatever the
 * thread count; each part is fed forward in chunks by one thread, and the
 * parts' sums are added in order, so the results do not depend on threads.
 * MNIST's 10,000 test images make 10 parts, which two threads share evenly. */
#define EVAL_PART 1024

typedef struct {
    const nnc_net  *net;
    const nnc_data *data;
    int             want_cost;
    size_t         *correct;    /* per part */
    double         *cost;       /* per part */
    size_t         *confusion;  /* per part, n_L x n_L each, or NULL */
    int             regression; /* sums of residuals instead of a count correct */
    double         *sse, *sae;  /* per part: Σ (a − y)², Σ |a − y| */
    nnc_status     *status;     /* per part */
} eval_job;

static void eval_part(void *arg, size_t part)
{
    const eval_job *j = arg;
    const nnc_net *net = j->net;
    size_t n = nnc_data_count(j->data), L = net->n_layers - 1, nL = net->sizes[L];
    size_t first = part * EVAL_PART, last = first + nnc__task_len(n, EVAL_PART, part);
    size_t kc = nL == 1 ? 2 : nL;   /* classes */
    size_t *confusion = j->confusion ? j->confusion + part * kc * kc : NULL;
    nnc__workspace *ws;
    j->status[part] =
        nnc__workspace_create(net,
                              &(nnc__workspace_parts){.max_m = EVAL_CHUNK,
                                                      .bf16 = nnc__inference_bf16(net)},
                              &ws);
    if (j->status[part] != NNC_OK)
        return;
    for (size_t done = first; done < last; done += EVAL_CHUNK) {
        size_t k = last - done < EVAL_CHUNK ? last - done : EVAL_CHUNK;
        nnc__forward_samples(net, ws, j->data, NULL, done, k, j->want_cost || j->regression,
                             NULL);
        if (j->want_cost)
            j->cost[part] += nnc__cost_sum(net->cost, ws->z_out, ws->a[L], ws->y, k, nL);
        if (j->regression) {
            for (size_t i = 0; i < k * nL; i++) {
                double r = (double)ws->a[L][i] - ws->y[i];
                j->sse[part] += r * r;
                j->sae[part] += r < 0 ? -r : r;
            }
            continue;
        }
        if (!j->data->st->labels)   /* targets only: nothing to count correct */
            continue;
        for (size_t i = 0; i < k; i++) {
            size_t guess = argmax(ws->a[L] + i * nL, nL);
            size_t label = nnc_data_label(j->data, done + i);
            j->correct[part] += guess == label;
            if (confusion)
                confusion[label * kc + guess]++;
        }
    }
    nnc__workspace_free(ws);
}

/* Correct count, mean cost (if asked) and confusion counts (if asked:
 * n_L x n_L, row = label, column = argmax) of a dataset; or, with fit, the
 * regression sums fit[0] = Σ (a − y)² and fit[1] = Σ |a − y|. */
static nnc_status measure_parts(const nnc_net *net, const nnc_data *data, size_t *correct,
                                double *mean_cost, size_t *confusion, double *fit)
{
    *correct = 0;
    size_t nL = net->sizes[net->n_layers - 1], kc = nL == 1 ? 2 : nL;
    nnc_status s = nnc__data_check_shape(data, net->sizes[0], nL);
    if (s != NNC_OK)
        return s;
    size_t n = nnc_data_count(data);
    size_t parts = nnc__task_count(n, EVAL_PART);
    eval_job j = {.net = net,
                  .data = data,
                  .want_cost = mean_cost != NULL,
                  .correct = calloc(parts, sizeof(size_t)),
                  .cost = calloc(parts, sizeof(double)),
                  .confusion = confusion ? calloc(parts * kc * kc, sizeof(size_t)) : NULL,
                  .regression = fit != NULL,
                  .sse = calloc(parts, sizeof(double)),
                  .sae = calloc(parts, sizeof(double)),
                  .status = calloc(parts, sizeof(nnc_status))};
    /* threads pay for themselves when the whole evaluation is big enough:
     * feeding n samples forward costs a training step on n / 3 */
    unsigned threads = nnc__threads_for(nnc__step_flops(net, n / 3), 0);
    nnc__pool *pool = NULL;
    if (!j.correct || !j.cost || !j.status || (confusion && !j.confusion) || !j.sse || !j.sae)
        s = nnc__fail(NNC_ERR_NOMEM, "out of memory evaluating %zu samples", n);
    else if (threads > 1 && parts > 1)
        s = nnc__pool_create(threads < parts ? threads : (unsigned)parts, &pool);
    if (s == NNC_OK) {
        nnc__pool_run(pool, eval_part, &j, parts);
        double cost = 0.0;
        for (size_t p = 0; p < parts && s == NNC_OK; p++) {
            s = j.status[p];
            *correct += j.correct[p];
            cost += j.cost[p];
            for (size_t c = 0; confusion && c < kc * kc; c++)
                confusion[c] += j.confusion[p * kc * kc + c];
            if (fit)
                fit[0] += j.sse[p], fit[1] += j.sae[p];
        }
        if (mean_cost)
            *mean_cost = cost / (double)n;
    }
    nnc__pool_free(pool);
    free(j.correct);
    free(j.cost);
    free(j.confusion);
    free(j.status);
    free(j.sse);
    free(j.sae);
    return s;
}

static nnc_status measure(const nnc_net *net, const nnc_data *data, size_t *correct,
                          double *mean_cost, size_t *confusion, double *fit)
{
    nnc__compute_scope scope = nnc__compute_begin();
    nnc_status s = measure_parts(net, data, correct, mean_cost, confusion, fit);
    nnc__compute_end(scope);
    return s;
}

/* Σ over outputs of Σ_i (y_ij − mean_j)²: the targets' spread about their means. */
static double target_spread(const nnc_data *data)
{
    const nnc__storage *st = data->st;
    size_t n = data->n, k = st->n_targets;
    double total = 0.0;
    for (size_t j = 0; j < k; j++) {
        double mean = 0.0, ss = 0.0;
        for (size_t i = 0; i < n; i++)
            mean += st->targets[(data->first + i) * k + j];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++) {
            double d = st->targets[(data->first + i) * k + j] - mean;
            ss += d * d;
        }
        total += ss;
    }
    return total;
}

nnc_status nnc_measure_regression(const nnc_net *net, const nnc_data *data, double *rmse,
                                  double *mae, double *r2)
{
    if (!net || !data)
        return nnc__fail(NNC_ERR_ARG, "nnc_measure_regression: NULL argument");
    if (!data->st->targets)
        return nnc__fail(NNC_ERR_ARG, "%s: class labels, not regression targets",
                         data->st->source);
    if (!data->n)
        return nnc__fail(NNC_ERR_ARG, "%s: no samples", data->st->source);
    size_t correct;
    double fit[2] = {0.0, 0.0};
    nnc_status s = measure(net, data, &correct, NULL, NULL, fit);
    if (s != NNC_OK)
        return s;
    double values = (double)data->n * (double)data->st->n_targets, spread = target_spread(data);
    if (rmse)
        *rmse = sqrt(fit[0] / values);
    if (mae)
        *mae = fit[1] / values;
    if (r2)
        *r2 = spread > 0.0 ? 1.0 - fit[0] / spread : (fit[0] == 0.0 ? 1.0 : -INFINITY);
    return NNC_OK;
}

nnc_status nnc_measure_data(const nnc_net *net, const nnc_data *data, size_t *correct,
                            double *mean_cost)
{
    if (!net || !data || !correct)
        return nnc__fail(NNC_ERR_ARG, "nnc_measure_data: NULL argument");
    return measure(net, data, correct, mean_cost, NULL, NULL);
}

nnc_status nnc_evaluate(const nnc_net *net, const nnc_data *data, size_t *correct)
{
    return nnc_measure_data(net, data, correct, NULL);
}

nnc_status nnc_confusion_matrix(const nnc_net *net, const nnc_data *data, size_t *matrix)
{
    if (!net || !data || !matrix)
        return nnc__fail(NNC_ERR_ARG, "nnc_confusion_matrix: NULL argument");
    if (!data->st->labels)
        return nnc__fail(NNC_ERR_ARG, "%s: regression targets have no confusion matrix",
                         data->st->source);
    size_t nL = net->sizes[net->n_layers - 1], kc = nL == 1 ? 2 : nL, correct;
    memset(matrix, 0, kc * kc * sizeof *matrix);
    return measure(net, data, &correct, NULL, matrix, NULL);
}
