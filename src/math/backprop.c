/* backprop.c — a mini-batch forward and backward through the network, and the
 * SGD step: chapter 2 of Nielsen's "Neural Networks and Deep Learning" for a
 * whole batch at once (docs/MATH.md derives each line).
 *
 * The batch's m samples are rows: A_l is m x n_l. W_l is n_{l-1} x n_l, the
 * transpose of the book's w^l, so that a batch moves forward as
 *
 *   forward  Z_l = A_{l-1} W_l + b_l,      A_l = σ(Z_l)
 *   BP1      Δ_L = ∇_A C ⊙ σ'(Z_L)
 *   BP2      Δ_l = (Δ_{l+1} W_{l+1}ᵀ) ⊙ σ'(Z_l)
 *   BP3      ∂C/∂b_l = 1ᵀ Δ_l              (the column sums: summed over the batch)
 *   BP4      ∂C/∂W_l = A_{l-1}ᵀ Δ_l        (summed over the batch by the product)
 *   update   W_l <- (1 - ηλ/n) W_l - (η/m) ∂C/∂W_l,   b_l <- b_l - (η/m) ∂C/∂b_l
 *
 * Every product goes through the dense kernels (kernels/dense.h), which own
 * the threads, task splitting and prefetching; here are only the math and
 * the shapes. */
#include <string.h>

#include "activations.h"
#include "backprop.h"
#include "cost.h"
#include "dropout.h"

/* W_l, its row stride and b_l in the block the passes read */
static const float *weights(const nnc__workspace *ws, size_t l)
{
    return ws->params + ws->layout->w_offset[l];
}
static const float *biases(const nnc__workspace *ws, size_t l)
{
    return ws->params + ws->layout->b_offset[l];
}

/* x' = (x - shift) factor per input, before layer 1: the network takes
 * inputs as its training set had them (net/scaling.c). */
static void scale_inputs(const nnc_net *net, float *x, size_t m)
{
    size_t d = net->sizes[0];
    for (size_t i = 0; i < m; i++, x += d)
        for (size_t j = 0; j < d; j++)
            x[j] = (x[j] - net->in_shift[j]) * net->in_factor[j];
}

/* ---- the products in bfloat16 (kernels/bf16.h) ---------------------------
 * Each layer's three products with bfloat16 inputs and float32 sums: the
 * kernels pack the weights once per batch (pack_weights), a batch's
 * activations and deltas as each product needs them. Everything else stays
 * float32. */

/* The batch's weights for the forward products and BP2's, as they stand
 * before its step. */
static void pack_weights(const nnc_net *net, nnc__workspace *ws)
{
    for (size_t l = 1; l < net->n_layers; l++) {
        size_t n_in = net->sizes[l - 1], n = net->sizes[l], ldw = ws->layout->stride[l];
        ws->bf16->pack_weights(ws->dense.pool, n_in, n, weights(ws, l), ldw, ws->w_pairs[l],
                               ws->w_turned[l]);
    }
}

/* Z (m x n) = X (m x n_in) · W_l + b_l */
static void forward_bf16(nnc__workspace *ws, size_t l, size_t m, size_t n_in, size_t n,
                         const float *X, const float *b, float *Z)
{
    ws->bf16->layer.forward(ws->bf16, ws->dense.pool, m, n_in, n, X, ws->w_pairs[l], b, Z,
                            ws->pack_a);
}

/* BP2's product: E (m x n_in) = D (m x n) · W_lᵀ */
static void bp2_bf16(nnc__workspace *ws, size_t l, size_t m, size_t n_in, size_t n,
                     const float *D, float *E)
{
    ws->bf16->layer.bp2(ws->bf16, ws->dense.pool, m, n_in, n, D, ws->w_pairs[l],
                        ws->w_turned[l], E, ws->pack_a);
}

/* BP4's: G (n_in x n, rows ldg apart) <- beta G + alpha Xᵀ (n_in x m) · D (m x n) */
static void bp4_bf16(nnc__workspace *ws, size_t m, size_t n_in, size_t n, float alpha,
                     const float *X, const float *D, float beta, float *G, size_t ldg)
{
    ws->bf16->layer.bp4(ws->bf16, ws->dense.pool, m, n_in, n, alpha, X, D, beta, G, ldg,
                        ws->pack_a, ws->pack_b);
}

void nnc__forward(const nnc_net *net, nnc__workspace *ws, size_t m)
{
    nnc__dense *k = &ws->dense;
    size_t L = net->n_layers - 1;
    if (net->in_shift)
        scale_inputs(net, ws->a[0], m);
    if (ws->bf16)
        pack_weights(net, ws);
    for (size_t l = 1; l <= L; l++) {
        size_t n_in = net->sizes[l - 1], n = net->sizes[l], ldw = ws->layout->stride[l];
        float *Z = l < L ? ws->a[l] : ws->z_out;   /* hidden layers: A_l in place */

        /* Z_l (m x n) = A_{l-1} (m x n_in) · W_l (n_in x n) + b_l (n) */
        if (ws->bf16) {
            nnc__prefetch_all(k->prefetch.count ? &k->prefetch : NULL);
            k->prefetch.count = 0;
            forward_bf16(ws, l, m, n_in, n, ws->in[l - 1], biases(ws, l), Z);
        } else {
            nnc__gemm_nn_bias(k, m, n_in, n, ws->in[l - 1], weights(ws, l), ldw,
                              biases(ws, l), Z);
        }

        if (l < L) {
            /* A_l = σ(Z_l) (m x n) */
            nnc__activate_all(k, net->hidden, ws->a[l], m * n);
            /* dropout: the next layer sees A_l ⊙ mask */
            if (ws->mask[l])
                nnc__drop_units(ws->rng, ws->keep, ws->a[l], ws->mask[l], ws->in[l], m * n);
        } else {
            /* A_L = the output function of the cost (sigmoid, or softmax per row) */
            memcpy(ws->a[L], Z, m * n * sizeof *Z);
            nnc__output_activate(net->cost, ws->a[L], m, n);
        }
    }
}

/* BP1 to BP4 for the batch, the gradient going into the block P (laid out as
 * ws->layout) scaled as
 *     P_W_l <- beta_w P_W_l + alpha ∂C/∂W_l,   P_b_l <- beta_b P_b_l + alpha ∂C/∂b_l.
 * alpha = 1, beta = 0 writes the gradient itself; P = the parameters with
 * alpha = -η/m, beta_w = 1 - ηλ/n, beta_b = 1 is the SGD step. */
static void backprop(const nnc_net *net, nnc__workspace *ws, size_t m, float alpha,
                     float beta_w, float beta_b, float *P)
{
    nnc__dense *k = &ws->dense;
    size_t L = net->n_layers - 1;

    /* BP1: Δ_L (m x n_L) = ∇_A C ⊙ σ'(Z_L) */
    nnc__output_delta(net->cost, ws->a[L], ws->y, ws->delta[L], m * net->sizes[L]);

    for (size_t l = L; l >= 1; l--) {
        size_t n_in = net->sizes[l - 1], n = net->sizes[l], ldw = ws->layout->stride[l];

        if (l > 1) {
            /* BP2: Δ_{l-1} (m x n_in) = Δ_l (m x n) · W_lᵀ (n x n_in) ⊙ σ'(Z_{l-1}),
             * before BP4 below: P may be W_l itself */
            if (ws->bf16)
                bp2_bf16(ws, l, m, n_in, n, ws->delta[l], ws->delta[l - 1]);
            else
                nnc__gemm_nt(k, m, n_in, n, ws->delta[l], weights(ws, l), ldw,
                             ws->delta[l - 1]);
            nnc__times_derivative_all(k, net->hidden, ws->a[l - 1], ws->mask[l - 1],
                                      ws->delta[l - 1], m * n_in);
        }

        /* BP3: ∂C/∂b_l (n) = 1ᵀ (1 x m) · Δ_l (m x n) */
        nnc__colsum(k, m, n, alpha, ws->delta[l], beta_b, P + ws->layout->b_offset[l]);

        /* BP4: ∂C/∂W_l (n_in x n) = A_{l-1}ᵀ (n_in x m) · Δ_l (m x n) */
        if (ws->bf16)
            bp4_bf16(ws, m, n_in, n, alpha, ws->in[l - 1], ws->delta[l], beta_w,
                     P + ws->layout->w_offset[l], ldw);
        else
            nnc__gemm_tn(k, m, n_in, n, alpha, ws->in[l - 1], ws->delta[l], beta_w,
                         P + ws->layout->w_offset[l], ldw);
    }
}

void nnc__backward(const nnc_net *net, nnc__workspace *ws, size_t m, float *grad)
{
    backprop(net, ws, m, 1.0f, 0.0f, 0.0f, grad);
}

/* ---- the gradient a piece at a time --------------------------------------
 * The same BP1-BP4 as backprop() above, cut in two: every layer's deltas
 * first, then any rows of any layer's gradient on demand, so that a caller
 * summing many batches' gradients (shards) can keep each piece in cache. */

void nnc__backward_deltas(const nnc_net *net, nnc__workspace *ws, size_t m)
{
    nnc__dense *k = &ws->dense;
    size_t L = net->n_layers - 1;
    nnc__output_delta(net->cost, ws->a[L], ws->y, ws->delta[L], m * net->sizes[L]);
    for (size_t l = L; l > 1; l--) {
        size_t n_in = net->sizes[l - 1], n = net->sizes[l], ldw = ws->layout->stride[l];
        if (ws->bf16)
            bp2_bf16(ws, l, m, n_in, n, ws->delta[l], ws->delta[l - 1]);
        else
            nnc__gemm_nt(k, m, n_in, n, ws->delta[l], weights(ws, l), ldw, ws->delta[l - 1]);
        nnc__times_derivative_all(k, net->hidden, ws->a[l - 1], ws->mask[l - 1],
                                  ws->delta[l - 1], m * n_in);
    }
}

void nnc__gradient_rows(const nnc_net *net, nnc__workspace *ws, size_t m, size_t l, size_t p0,
                        size_t p1, float *scratch, float *G, size_t ldg)
{
    size_t n_in = net->sizes[l - 1], n = net->sizes[l], rows = p1 - p0;
    /* BP4's rows p0..p1: X[:, p0:p1]ᵀ Δ_l, with those columns of X made dense */
    const float *X = ws->in[l - 1];
    for (size_t i = 0; i < m; i++)
        memcpy(scratch + i * rows, X + i * n_in + p0, rows * sizeof *X);
    if (ws->bf16)
        bp4_bf16(ws, m, rows, n, 1.0f, scratch, ws->delta[l], 0.0f, G, ldg);
    else
        nnc__gemm_tn(&ws->dense, m, rows, n, 1.0f, scratch, ws->delta[l], 0.0f, G, ldg);
}

void nnc__gradient_biases(const nnc_net *net, nnc__workspace *ws, size_t m, size_t l, float *g)
{
    nnc__colsum(&ws->dense, m, net->sizes[l], 1.0f, ws->delta[l], 0.0f, g);
}

void nnc__sgd_update(const nnc_net *net, const nnc__layout *layout, float *params,
                     const float *grad, size_t m, float eta, float decay)
{
    float step = eta / (float)m;
    for (size_t l = 1; l < net->n_layers; l++) {
        size_t n_in = net->sizes[l - 1], n = net->sizes[l], ldw = layout->stride[l];
        float *W = params + layout->w_offset[l], *b = params + layout->b_offset[l];
        const float *gW = grad + layout->w_offset[l], *gb = grad + layout->b_offset[l];
        for (size_t p = 0; p < n_in; p++)
            for (size_t j = 0; j < n; j++)
                W[p * ldw + j] = decay * W[p * ldw + j] - step * gW[p * ldw + j];
        for (size_t j = 0; j < n; j++)
            b[j] -= step * gb[j];
    }
}

void nnc__backward_sgd_step(const nnc_net *net, nnc__workspace *ws, size_t m, float eta,
                            float decay)
{
    /* the parameters the passes read are the ones updated */
    backprop(net, ws, m, -eta / (float)m, decay, 1.0f, ws->params);
}
