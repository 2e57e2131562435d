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
    float              **a;      /* a[l]: activations of layer l, a[0] = input */
    float              **delta;  /* delta[l]: ∂C/∂z of layer l, l >= 1         */
    float               *z_out;  /* logits of the output layer                 */
    float               *y;      /* targets                                    */
    const nnc_dense_ops *ops;
    nnc_pool            *pool;   /* threads for the products; NULL: one   */
} nnc_workspace;

/* threads: 0 chooses from the work per batch (nnc__auto_threads). */
nnc_status nnc__workspace_create(const nnc_net *net, size_t max_m, unsigned threads,
                                 nnc_workspace **out);
void nnc__workspace_free(nnc_workspace *ws);

/* Feeds ws->a[0] (m rows) forward, filling ws->a[1..L] and ws->z_out. */
void nnc__forward(const nnc_net *net, nnc_workspace *ws, size_t m);

/* Backpropagates the error of ws->a[L] against ws->y (after nnc__forward)
 * and applies it to a parameter-shaped block P, layer by layer:
 *     W_l <- beta_w W_l + alpha ∂C/∂W_l,    b_l <- beta_b b_l + alpha ∂C/∂b_l
 * with the gradients summed over the batch. P may be the network's own
 * parameters (alpha = -eta/m, beta = 1: an SGD step fused into the product)
 * or a gradient buffer (alpha = 1, beta = 0). */
void nnc__backward(const nnc_net *net, nnc_workspace *ws, size_t m,
                   float alpha, float beta_w, float beta_b, float *P);

#endif
