/* optimizer.c — momentum, Nesterov momentum and Adam. */
#include <math.h>
#include <stdlib.h>

#include "optimizer.h"

#define SEGMENT (1u << 16)   /* parameters per task */

nnc_status nnc__optimizer_init(nnc__optimizer_state *o, const nnc_net *net,
                               const nnc__layout *layout, const nnc_train_opts *opts,
                               size_t n_train)
{
    *o = (nnc__optimizer_state){opts->optimizer, opts->momentum, opts->adam_beta1,
                               opts->adam_beta2, opts->adam_epsilon,
                               opts->lambda / (float)n_train, 0, NULL, NULL, NULL, 0};
    if (o->kind == NNC_OPT_SGD)
        return NNC_OK;
    o->v = nnc__layout_alloc(layout);
    o->s = o->kind == NNC_OPT_ADAM ? nnc__layout_alloc(layout) : NULL;
    size_t cap = layout->count / SEGMENT + 2 * net->n_layers;
    o->segments = malloc(cap * sizeof *o->segments);
    for (size_t l = 1; o->segments && l < net->n_layers; l++) {
        /* a weight segment may span row padding: zeros that stay zero */
        size_t nw = net->sizes[l - 1] * layout->stride[l];
        for (size_t i = 0; i < nw; i += SEGMENT)
            o->segments[o->n_segments++] = (nnc__param_segment){
                layout->w_offset[l] + i, nw - i < SEGMENT ? nw - i : SEGMENT, o->decay};
        /* biases are not regularised */
        o->segments[o->n_segments++] =
            (nnc__param_segment){layout->b_offset[l], net->sizes[l], 0.0f};
    }
    if (!o->v || (o->kind == NNC_OPT_ADAM && !o->s) || !o->segments) {
        nnc__optimizer_free(o);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for the optimiser's state");
    }
    return NNC_OK;
}

void nnc__optimizer_free(nnc__optimizer_state *o)
{
    free(o->v);
    free(o->s);
    free(o->segments);
    o->v = o->s = NULL;
    o->segments = NULL;
}

/* Updates params[0..count) with gradient sums grad, L2 decay for weights. */
static void step_range(nnc__optimizer_state *o, float *w, const float *grad, float *v,
                       float *s, size_t count, float inv_m, float decay, float eta)
{
    switch (o->kind) {
    case NNC_OPT_SGD:   /* never here: train.c fuses plain SGD into backprop */
        break;
    case NNC_OPT_MOMENTUM:              /* v = μv − ηg;  w = w + v */
        for (size_t i = 0; i < count; i++) {
            v[i] = o->mu * v[i] - eta * (grad[i] * inv_m + decay * w[i]);
            w[i] += v[i];
        }
        break;
    case NNC_OPT_NESTEROV:
        /* The look-ahead form: w holds the parameters after the momentum
         * step, so the gradient is taken where Nesterov evaluates it. */
        for (size_t i = 0; i < count; i++) {
            float v_old = v[i];
            v[i] = o->mu * v[i] - eta * (grad[i] * inv_m + decay * w[i]);
            w[i] += -o->mu * v_old + (1.0f + o->mu) * v[i];
        }
        break;
    case NNC_OPT_ADAM: {
        double t = (double)o->steps;
        float c1 = (float)(1.0 - pow(o->beta1, t)), c2 = (float)(1.0 - pow(o->beta2, t));
        for (size_t i = 0; i < count; i++) {
            float g = grad[i] * inv_m + decay * w[i];
            v[i] = o->beta1 * v[i] + (1.0f - o->beta1) * g;
            s[i] = o->beta2 * s[i] + (1.0f - o->beta2) * g * g;
            w[i] -= eta * (v[i] / c1) / (sqrtf(s[i] / c2) + o->epsilon);
        }
        break;
    }
    }
}

typedef struct {
    nnc__optimizer_state *o;
    float               *params;
    const float         *grad;
    float                inv_m, eta;
} step_args;

static void step_task(void *arg, size_t t)
{
    const step_args *a = arg;
    const nnc__param_segment *seg = &a->o->segments[t];
    size_t off = seg->offset;
    step_range(a->o, a->params + off, a->grad + off, a->o->v ? a->o->v + off : NULL,
               a->o->s ? a->o->s + off : NULL, seg->count, a->inv_m, seg->decay, a->eta);
}

void nnc__optimizer_step(nnc__optimizer_state *o, float *params, const float *grad,
                         size_t m, float eta, nnc__pool *pool)
{
    o->steps++;
    step_args a = {o, params, grad, 1.0f / (float)m, eta};
    nnc__pool_run(pool, step_task, &a, o->n_segments);
}
