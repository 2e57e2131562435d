/* optimizer.c — momentum, Nesterov momentum and Adam. */
#include <math.h>
#include <stdlib.h>

#include "optimizer.h"

nnc_status nnc__optimizer_init(nnc_optimizer_state *o, const nnc_net *net,
                               const nnc_train_opts *opts, size_t n_train)
{
    *o = (nnc_optimizer_state){opts->optimizer, opts->momentum, opts->adam_beta1,
                               opts->adam_beta2, opts->adam_epsilon,
                               opts->lambda / (float)n_train, 0, NULL, NULL};
    if (o->kind == NNC_OPT_SGD)
        return NNC_OK;
    o->v = calloc(net->n_params, sizeof *o->v);
    o->s = o->kind == NNC_OPT_ADAM ? calloc(net->n_params, sizeof *o->s) : NULL;
    if (!o->v || (o->kind == NNC_OPT_ADAM && !o->s)) {
        nnc__optimizer_free(o);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for the optimiser's state");
    }
    return NNC_OK;
}

void nnc__optimizer_free(nnc_optimizer_state *o)
{
    free(o->v);
    free(o->s);
    o->v = o->s = NULL;
}

/* Updates params[0..count) with gradient sums grad, L2 decay for weights. */
static void step_range(nnc_optimizer_state *o, float *w, const float *grad, float *v,
                       float *s, size_t count, float inv_m, float decay, float eta)
{
    switch (o->kind) {
    case NNC_OPT_SGD:
        for (size_t i = 0; i < count; i++)
            w[i] -= eta * (grad[i] * inv_m + decay * w[i]);
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

void nnc__optimizer_step(nnc_optimizer_state *o, nnc_net *net, const float *grad,
                         size_t m, float eta)
{
    o->steps++;
    float inv_m = 1.0f / (float)m;
    for (size_t l = 1; l < net->n_layers; l++) {
        size_t wo = net->w_offset[l], bo = net->b_offset[l];
        size_t nw = net->sizes[l - 1] * net->sizes[l], nb = net->sizes[l];
        float *v = o->v, *s = o->s;
        step_range(o, net->params + wo, grad + wo, v ? v + wo : NULL, s ? s + wo : NULL, nw,
                   inv_m, o->decay, eta);
        step_range(o, net->params + bo, grad + bo, v ? v + bo : NULL, s ? s + bo : NULL, nb,
                   inv_m, 0.0f, eta);   /* biases are not regularised */
    }
}
