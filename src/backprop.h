/* backprop.h — forward and backward passes of one mini-batch. */
#ifndef NNC_BACKPROP_H
#define NNC_BACKPROP_H

#include "internal.h"
#include "kernels/dense.h"

/* Buffers for batches of up to max_m samples, allocated once per run.
 * Row-major, one sample per row. */
typedef struct {
    size_t               max_m;
    size_t               n_layers;
    float              **a;      /* a[l]: activations of layer l, a[0] = input  */
    float              **in;     /* in[l]: what layer l+1 sees of a[l]: a[l]
                                    itself, or its dropped-out copy            */
    float              **mask;   /* mask[l]: 0 or 1/keep per unit (dropout)     */
    float              **delta;  /* delta[l]: ∂C/∂z of layer l, l >= 1          */
    float               *z_out;  /* logits of the output layer                  */
    float               *y;      /* targets                                     */
    float               *ones;   /* max_m ones: BP3's input                     */
    const nnc_layout    *layout; /* the parameter block the passes read: the    */
    const float         *params; /* network's own, unless the caller sets these */
    float                keep;   /* 1 - dropout probability; 1: no dropout      */
    nnc_rng             *rng;    /* draws the dropout masks                     */
    nnc_prefetch         prefetch; /* lines for layer 1's product to fetch
                                    meanwhile: the next batch (train.c)        */
    const nnc_dense_ops *ops;
    nnc_pool            *pool;   /* threads for the products; NULL: one         */
} nnc_workspace;

/* threads: 0 chooses from the work per batch (nnc__auto_threads). dropout > 0
 * makes nnc__forward drop hidden units with masks drawn from rng. */
nnc_status nnc__workspace_create(const nnc_net *net, size_t max_m, unsigned threads,
                                 float dropout, nnc_rng *rng, nnc_workspace **out);
void nnc__workspace_free(nnc_workspace *ws);

/* Inverted dropout of count activations a: mask gets 1/keep with
 * probability keep and 0 otherwise, out = a * mask. */
void nnc__drop_units(nnc_rng *rng, float keep, const float *a, float *mask, float *out,
                     size_t count);

/* Feeds ws->a[0] (m rows) forward through the parameters ws->params,
 * filling ws->a[1..L] and ws->z_out. */
void nnc__forward(const nnc_net *net, nnc_workspace *ws, size_t m);

/* Backpropagates the error of ws->a[L] against ws->y (after nnc__forward)
 * and applies it to a block P laid out as ws->layout, layer by layer:
 *     W_l <- beta_w W_l + alpha ∂C/∂W_l,    b_l <- beta_b b_l + alpha ∂C/∂b_l
 * with the gradients summed over the batch. P may be ws->params itself
 * (alpha = -eta/m, beta_w = 1 - eta lambda/n, beta_b = 1: an SGD
 * step with L2 decay fused into the products) or a gradient buffer
 * (alpha = 1, beta = 0). */
void nnc__backward(const nnc_net *net, nnc_workspace *ws, size_t m,
                   float alpha, float beta_w, float beta_b, float *P);

#endif
