/* train.c — mini-batch stochastic gradient descent, as the seed's SGD. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "backprop.h"

void nnc_train_opts_init(nnc_train_opts *o)
{
    o->epochs = 10;
    o->batch_size = 10;
    o->eta = 3.0f;
    o->shuffle = 1;
    o->threads = 0;
    o->on_epoch = NULL;
    o->user = NULL;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Threads pay only when a batch's products are large enough to share:
 * below this many FLOPs per batch a second thread costs more than it saves. */
#define FLOPS_PER_THREAD 64e6

unsigned nnc__auto_threads(const nnc_net *net, size_t batch)
{
    double flops = 6.0 * (double)batch * (double)net->n_params;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (flops < FLOPS_PER_THREAD || cpus < 2)
        return 1;
    return (unsigned)(flops / FLOPS_PER_THREAD < cpus ? flops / FLOPS_PER_THREAD : cpus);
}

static nnc_status check_opts(const nnc_train_opts *o)
{
    if (o->batch_size == 0)
        return nnc__fail(NNC_ERR_ARG, "mini-batch size must be at least 1");
    if (!(o->eta > 0.0f) || o->eta > 1e6f)
        return nnc__fail(NNC_ERR_ARG, "learning rate eta must be positive and finite");
    return NNC_OK;
}

/* One update per mini-batch: w <- w - (eta/m) Σ ∇w, b <- b - (eta/m) Σ ∇b,
 * with the step folded into the products of BP3 and BP4. */
static void sgd_epoch(nnc_net *net, nnc_workspace *ws, const nnc_data *data,
                      const size_t *order, size_t n, size_t batch, float eta)
{
    size_t n_out = net->sizes[net->n_layers - 1];
    for (size_t first = 0; first < n; first += batch) {
        size_t m = n - first < batch ? n - first : batch;
        nnc__gather(data, order + first, m, n_out, ws->a[0], ws->y);
        if (first + batch < n)     /* the next batch loads while this one computes */
            nnc__prefetch(data, order + first + batch,
                          n - first - batch < batch ? n - first - batch : batch);
        nnc__forward(net, ws, m);
        nnc__backward(net, ws, m, -eta / (float)m, 1.0f, 1.0f, net->params);
    }
}

nnc_status nnc_train(nnc_net *net, const nnc_data *data, const nnc_train_opts *opts)
{
    if (!net || !data || !opts)
        return nnc__fail(NNC_ERR_ARG, "nnc_train: NULL argument");
    nnc_status s = check_opts(opts);
    if (s == NNC_OK)
        s = nnc__check_fit(net, data);
    if (s != NNC_OK)
        return s;
    size_t n = nnc_data_count(data);
    size_t batch = opts->batch_size < n ? opts->batch_size : n;
    size_t *order = malloc(n * sizeof *order);
    nnc_workspace *ws = NULL;
    if (!order)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for %zu sample indices", n);
    if ((s = nnc__workspace_create(net, batch, opts->threads, &ws)) != NNC_OK) {
        free(order);
        return s;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (unsigned epoch = 0; epoch < opts->epochs; epoch++) {
        double t0 = now_seconds();
        if (opts->shuffle)
            nnc_rng_shuffle(&net->rng, order, n);
        sgd_epoch(net, ws, data, order, n, batch, opts->eta);
        nnc_epoch_report report = {epoch, now_seconds() - t0};
        if (opts->on_epoch && opts->on_epoch(net, &report, opts->user))
            break;
    }
    nnc__workspace_free(ws);
    free(order);
    return NNC_OK;
}
