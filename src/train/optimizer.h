/* optimizer.h — parameter updates from a mini-batch's summed gradient, for
 * the optimisers that keep state (momentum, Nesterov, Adam). Plain SGD needs
 * none: train.c fuses it into backprop's products. */
#ifndef NNC_OPTIMIZER_H
#define NNC_OPTIMIZER_H

#include "../net/net.h"
#include "../runtime/pool.h"

/* A run of parameters updated as one task: part of a layer's weights (with
 * L2 decay) or its biases (without). */
typedef struct {
    size_t offset, count;
    float  decay;
} nnc__param_segment;

typedef struct {
    nnc_optimizer kind;
    float         mu, beta1, beta2, epsilon;
    float         decay;     /* lambda / n: the L2 gradient is decay · w     */
    unsigned long steps;     /* updates so far (Adam's bias correction)      */
    float        *v;         /* velocity, or Adam's first moment             */
    float        *s;         /* Adam's second moment                         */
    nnc__param_segment *segments;   /* the parameter block cut into tasks     */
    size_t        n_segments;
} nnc__optimizer_state;

/* State for parameter blocks laid out as `layout`. */
nnc_status nnc__optimizer_init(nnc__optimizer_state *o, const nnc_net *net,
                               const nnc__layout *layout, const nnc_train_opts *opts,
                               size_t n_train);
void nnc__optimizer_free(nnc__optimizer_state *o);

/* One update of every parameter in block params from grad, the gradient
 * summed over a mini-batch of m samples: g = grad / m (+ decay · w for
 * weights). The segments run on the pool's threads (NULL: this thread). */
void nnc__optimizer_step(nnc__optimizer_state *o, float *params, const float *grad,
                         size_t m, float eta, nnc__pool *pool);

#endif
