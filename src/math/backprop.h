/* backprop.h — one mini-batch forward and backward through a network, and
 * the SGD update: the math of chapter 2, on the dense kernels. */
#ifndef NNC_BACKPROP_H
#define NNC_BACKPROP_H

#include "../kernels/bf16.h"
#include "../kernels/dense.h"
#include "../net/net.h"

/* The buffers of a batch of up to max_m samples, one sample per row,
 * allocated once per run (workspace.c). */
typedef struct {
    size_t             max_m;
    size_t             n_layers;
    float            **a;      /* a[l]: activations A_l, m x n_l; a[0] = input */
    float            **in;     /* in[l]: what layer l+1 sees of A_l: a[l]
                                  itself, or its dropped-out copy             */
    float            **mask;   /* mask[l]: 0 or 1/keep per unit (dropout)     */
    float            **delta;  /* delta[l]: Δ_l = ∂C/∂Z_l, l >= 1             */
    float             *z_out;  /* Z_L, the output layer's weighted inputs     */
    float             *y;      /* targets, m x n_L                            */
    const nnc__layout *layout; /* the parameter block the passes read         */
    float             *params;
    float              keep;   /* 1 - dropout probability; 1: no dropout      */
    nnc__rng          *rng;    /* draws the dropout masks                     */
    nnc__dense         dense;  /* the kernels and their threads               */
    /* bfloat16 products (bf16.h), or NULL: float32. The weights are packed
     * once per batch, by nnc__forward, and BP2 reads them as they were then. */
    const nnc__bf16_ops *bf16;
    uint32_t          **w_pairs;  /* w_pairs[l]: W_l's pairs down its columns */
    uint32_t          **w_turned; /* w_turned[l]: W_lᵀ's (l >= 2, for BP2)    */
    uint32_t           *pack_a, *pack_b;  /* a product's two packed inputs    */
} nnc__workspace;

/* What a workspace is made of; all of it stays the caller's. */
typedef struct {
    size_t             max_m;    /* most samples in a batch                     */
    nnc__pool         *pool;     /* threads the products may use; NULL: none    */
    const nnc__layout *layout;   /* the parameter block the passes read and     */
    float             *params;   /* the fused step updates; NULL: the network's */
    float              dropout;  /* > 0: nnc__forward drops hidden units with   */
    nnc__rng          *rng;      /* masks drawn from rng                        */
    const nnc__bf16_ops *bf16;   /* the three products of each layer in
                                    bfloat16 with these kernels; NULL: float32 */
} nnc__workspace_parts;

nnc_status nnc__workspace_create(const nnc_net *net, const nnc__workspace_parts *parts,
                                 nnc__workspace **out);

/* The bfloat16 products a network computes with outside training (its
 * precision, where the CPU has them), or NULL: float32. */
const nnc__bf16_ops *nnc__inference_bf16(const nnc_net *net);
void nnc__workspace_free(nnc__workspace *ws);

/* FLOPs of one training step on m samples: 2 per parameter and sample
 * forward, 4 backward. */
double nnc__step_flops(const nnc_net *net, size_t m);

/* Feeds ws->a[0] (m rows of raw inputs) forward through the parameters
 * ws->params: the network's input scaling x' = (x - shift) factor in place,
 * then the layers, filling ws->a[1..L] and ws->z_out. */
void nnc__forward(const nnc_net *net, nnc__workspace *ws, size_t m);

/* After nnc__forward: the gradient of the cost summed over the batch's m
 * samples against targets ws->y, written to grad (laid out as ws->layout). */
void nnc__backward(const nnc_net *net, nnc__workspace *ws, size_t m, float *grad);

/* nnc__backward in pieces, after nnc__forward: first BP1 and BP2, every
 * layer's deltas; then rows p0..p1 of ∂C/∂W_l (row p0 at G, rows ldg apart;
 * scratch holds m x (p1 - p0) floats) and ∂C/∂b_l. The same pieces give
 * the same bits every time; not always nnc__backward's, whose products are
 * whole. */
void nnc__backward_deltas(const nnc_net *net, nnc__workspace *ws, size_t m);
void nnc__gradient_rows(const nnc_net *net, nnc__workspace *ws, size_t m, size_t l, size_t p0,
                        size_t p1, float *scratch, float *G, size_t ldg);
void nnc__gradient_biases(const nnc_net *net, nnc__workspace *ws, size_t m, size_t l, float *g);

/* The SGD step as defined, on a gradient grad summed over m samples:
 *     W_l <- (1 - eta lambda/n) W_l - (eta/m) ∂C/∂W_l,
 *     b_l <- b_l - (eta/m) ∂C/∂b_l,
 * decay being 1 - eta lambda/n. */
void nnc__sgd_update(const nnc_net *net, const nnc__layout *layout, float *params,
                     const float *grad, size_t m, float eta, float decay);

/* After nnc__forward: the same step as nnc__backward then nnc__sgd_update,
 * without a gradient buffer: BP3 and BP4 add -(eta/m) times their products
 * straight into ws->params (docs/MATH.md). Equal to the two-step form up to
 * float rounding. */
void nnc__backward_sgd_step(const nnc_net *net, nnc__workspace *ws, size_t m, float eta,
                            float decay);

#endif
