/* net.c — a network: its sizes, choices, generator and one parameter block. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/memory.h"
#include "net.h"

void nnc_net_spec_init(nnc_net_spec *spec, const size_t *sizes, size_t n_layers)
{
    spec->sizes = sizes;
    spec->n_layers = n_layers;
    spec->hidden = NNC_ACT_SIGMOID;
    spec->cost = NNC_COST_QUADRATIC;
    spec->init = NNC_INIT_NORMAL;
    spec->seed = 0;
}

/* Standard deviation of the initial weights of a layer with these fan-ins. */
static double weight_sigma(nnc_init init, size_t n_in, size_t n_out)
{
    switch (init) {
    case NNC_INIT_SCALED: return 1.0 / sqrt((double)n_in);
    case NNC_INIT_HE:     return sqrt(2.0 / (double)n_in);
    case NNC_INIT_GLOROT: return sqrt(2.0 / (double)(n_in + n_out));
    case NNC_INIT_NORMAL: break;
    }
    return 1.0;
}

/* Draws the parameters layer by layer: for each layer, its weights in storage
 * order, then its biases. */
static void initialise(nnc_net *net)
{
    nnc_init init = net->record.init;
    int zero_bias = init == NNC_INIT_HE || init == NNC_INIT_GLOROT;
    for (size_t l = 1; l < net->n_layers; l++) {
        size_t n_in = net->sizes[l - 1], n_out = net->sizes[l];
        double sigma = weight_sigma(init, n_in, n_out);
        float *w = net->params + net->packed.w_offset[l];
        float *b = net->params + net->packed.b_offset[l];
        for (size_t i = 0; i < n_in * n_out; i++)
            w[i] = (float)(sigma * nnc__rng_normal(&net->rng));
        for (size_t j = 0; j < n_out; j++)
            b[j] = zero_bias ? 0.0f : (float)nnc__rng_normal(&net->rng);
    }
}

static int valid_enums(const nnc_net_spec *s)
{
    return (unsigned)s->hidden <= NNC_ACT_LEAKY_RELU &&
           (unsigned)s->cost <= NNC_COST_HUBER &&
           (unsigned)s->init <= NNC_INIT_GLOROT;
}

nnc_status nnc__net_alloc(const size_t *sizes, size_t n_layers, nnc_net **out)
{
    *out = NULL;
    if (!sizes || n_layers < 2)
        return nnc__fail(NNC_ERR_ARG, "a network needs at least 2 layers (got %zu)", n_layers);
    size_t n_params = 0;
    for (size_t l = 0; l < n_layers; l++) {
        if (sizes[l] == 0 || sizes[l] > (1u << 24))
            return nnc__fail(NNC_ERR_ARG, "layer %zu has %zu units (must be 1 .. %u)",
                             l, sizes[l], 1u << 24);
        if (l > 0) {
            size_t layer = sizes[l - 1] * sizes[l] + sizes[l];
            if (n_params > SIZE_MAX / sizeof(float) - layer)
                return nnc__fail(NNC_ERR_ARG, "network too large");
            n_params += layer;
        }
    }
    char what[64];
    snprintf(what, sizeof what, "a network of %zu parameters", n_params);
    nnc_status s = nnc__check_memory((double)n_params * sizeof(float), what);
    if (s != NNC_OK)
        return s;
    nnc_net *net = calloc(1, sizeof *net);
    if (!net)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory creating a network");
    net->n_layers = n_layers;
    net->n_params = n_params;
    net->sizes = malloc(n_layers * sizeof *net->sizes);
    if (net->sizes)
        memcpy(net->sizes, sizes, n_layers * sizeof *sizes);
    if (!net->sizes || nnc__layout_init(&net->packed, sizes, n_layers, 1) != NNC_OK ||
        !(net->params = nnc__layout_alloc(&net->packed))) {
        nnc_net_free(net);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for %zu parameters", n_params);
    }
    *out = net;
    return NNC_OK;
}

nnc_status nnc_net_create_spec(const nnc_net_spec *spec, nnc_net **out)
{
    if (!out)
        return nnc__fail(NNC_ERR_ARG, "nnc_net_create: out is NULL");
    *out = NULL;
    if (!spec || !valid_enums(spec))
        return nnc__fail(NNC_ERR_ARG, "nnc_net_create: invalid specification");
    nnc_net *net;
    nnc_status s = nnc__net_alloc(spec->sizes, spec->n_layers, &net);
    if (s != NNC_OK)
        return s;
    net->hidden = spec->hidden;
    net->cost = spec->cost;
    net->record.init = spec->init;
    net->record.seed = spec->seed;
    nnc__rng_seed(&net->rng, spec->seed);
    initialise(net);
    *out = net;
    return NNC_OK;
}

nnc_status nnc_net_create(const size_t *sizes, size_t n_layers, uint64_t seed,
                          nnc_net **out)
{
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, n_layers);
    spec.seed = seed;
    return nnc_net_create_spec(&spec, out);
}

nnc_status nnc_net_clone(const nnc_net *src, nnc_net **out)
{
    if (!src || !out)
        return nnc__fail(NNC_ERR_ARG, "nnc_net_clone: NULL argument");
    nnc_status s = nnc__net_alloc(src->sizes, src->n_layers, out);
    if (s != NNC_OK)
        return s;
    nnc_net *net = *out;
    memcpy(net->params, src->params, src->n_params * sizeof *src->params);
    net->hidden = src->hidden;
    net->cost = src->cost;
    net->rng = src->rng;
    net->record = src->record;
    net->pixel_inputs = src->pixel_inputs;
    if ((s = nnc__net_set_history(net, src->history, src->history_len)) != NNC_OK ||
        (s = nnc_net_set_scaling(net, src->in_shift, src->in_factor)) != NNC_OK ||
        (s = nnc_net_set_class_names(net, (const char *const *)src->class_names,
                                     src->n_class_names)) != NNC_OK ||
        (s = nnc_net_set_input_names(net, (const char *const *)src->input_names)) != NNC_OK ||
        (s = nnc_net_set_origin(net, src->has_origin ? &src->origin : NULL)) != NNC_OK) {
        nnc_net_free(net);
        *out = NULL;
    }
    return s;
}

void nnc_net_free(nnc_net *net)
{
    if (!net)
        return;
    nnc_net_set_class_names(net, NULL, 0);
    nnc_net_set_input_names(net, NULL);   /* while the sizes are there */
    nnc_net_set_origin(net, NULL);
    free(net->sizes);
    nnc__layout_free(&net->packed);
    free(net->params);
    free(net->history);
    free(net->in_shift);
    free(net);
}

/* A copy of k strings of at most NNC__MAX_CLASS_NAME bytes into *out. */
static nnc_status copy_names(const char *const *names, size_t k, const char *what,
                             char ***out)
{
    char **copy = calloc(k, sizeof *copy);
    *out = NULL;
    if (!copy)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for %s names", what);
    for (size_t i = 0; i < k; i++) {
        size_t len = names[i] ? strlen(names[i]) : 0;
        if (!names[i] || len > NNC__MAX_CLASS_NAME || !(copy[i] = strdup(names[i]))) {
            for (size_t j = 0; j < i; j++)
                free(copy[j]);
            free(copy);
            if (!names[i])
                return nnc__fail(NNC_ERR_ARG, "%s name %zu is NULL", what, i);
            if (len > NNC__MAX_CLASS_NAME)
                return nnc__fail(NNC_ERR_ARG, "%s name %zu is longer than %d bytes", what, i,
                                 NNC__MAX_CLASS_NAME);
            return nnc__fail(NNC_ERR_NOMEM, "out of memory for %s names", what);
        }
    }
    *out = copy;
    return NNC_OK;
}

nnc_status nnc_net_set_input_names(nnc_net *net, const char *const *names)
{
    if (!net)
        return nnc__fail(NNC_ERR_ARG, "nnc_net_set_input_names: NULL network");
    char **copy = NULL;
    nnc_status s = names ? copy_names(names, net->sizes[0], "input", &copy) : NNC_OK;
    if (s != NNC_OK)
        return s;
    for (size_t i = 0; net->input_names && i < net->sizes[0]; i++)
        free(net->input_names[i]);
    free(net->input_names);
    net->input_names = copy;
    return NNC_OK;
}

void nnc_net_set_pixel_inputs(nnc_net *net, int pixels) { net->pixel_inputs = pixels != 0; }
int nnc_net_pixel_inputs(const nnc_net *net) { return net->pixel_inputs; }

const char *nnc_net_input_name(const nnc_net *net, size_t j)
{
    return net->input_names && j < net->sizes[0] ? net->input_names[j] : NULL;
}

nnc_status nnc_net_set_class_names(nnc_net *net, const char *const *names, size_t k)
{
    if (!net)
        return nnc__fail(NNC_ERR_ARG, "nnc_net_set_class_names: NULL network");
    char **copy = NULL;
    if (names && k) {
        if (k > NNC__MAX_CLASSES)
            return nnc__fail(NNC_ERR_ARG, "%zu class names; at most %d", k, NNC__MAX_CLASSES);
        nnc_status s = copy_names(names, k, "class", &copy);
        if (s != NNC_OK)
            return s;
    }
    for (size_t i = 0; i < net->n_class_names; i++)
        free(net->class_names[i]);
    free(net->class_names);
    net->class_names = copy;
    net->n_class_names = copy ? k : 0;
    return NNC_OK;
}

size_t nnc_net_classes(const nnc_net *net) { return net->n_class_names; }

const char *nnc_net_class_name(const nnc_net *net, size_t i)
{
    return i < net->n_class_names ? net->class_names[i] : NULL;
}

nnc_status nnc__net_add_history(nnc_net *net, const nnc_epoch_report *r)
{
    if (net->history_len == net->history_cap) {
        size_t cap = net->history_cap ? 2 * net->history_cap : 64;
        nnc_epoch_report *h = realloc(net->history, cap * sizeof *h);
        if (!h)
            return nnc__fail(NNC_ERR_NOMEM, "out of memory for the training history");
        net->history = h, net->history_cap = cap;
    }
    nnc_epoch_report *e = &net->history[net->history_len];
    *e = *r;
    e->epoch = (unsigned)net->history_len++;
    return NNC_OK;
}

nnc_status nnc__net_set_history(nnc_net *net, const nnc_epoch_report *h, size_t n)
{
    nnc_epoch_report *copy = NULL;
    if (n && !(copy = malloc(n * sizeof *copy)))
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for the training history");
    if (n)
        memcpy(copy, h, n * sizeof *copy);
    free(net->history);
    net->history = copy, net->history_len = net->history_cap = n;
    return NNC_OK;
}

const nnc_epoch_report *nnc_net_history(const nnc_net *net, size_t *count)
{
    *count = net->history_len;
    return net->history;
}

size_t nnc_net_layers(const nnc_net *net) { return net->n_layers; }
size_t nnc_net_size(const nnc_net *net, size_t layer)
{
    return layer < net->n_layers ? net->sizes[layer] : 0;
}
size_t nnc_net_inputs(const nnc_net *net) { return net->sizes[0]; }
size_t nnc_net_outputs(const nnc_net *net) { return net->sizes[net->n_layers - 1]; }
nnc_activation nnc_net_hidden(const nnc_net *net) { return net->hidden; }
nnc_cost nnc_net_cost(const nnc_net *net) { return net->cost; }
const nnc_train_record *nnc_net_record(const nnc_net *net) { return &net->record; }
size_t nnc_net_param_count(const nnc_net *net) { return net->n_params; }
float *nnc_net_params(nnc_net *net) { return net->params; }
const float *nnc_net_params_const(const nnc_net *net) { return net->params; }

float *nnc_net_weights(nnc_net *net, size_t l)
{
    return l >= 1 && l < net->n_layers ? net->params + net->packed.w_offset[l] : NULL;
}

float *nnc_net_biases(nnc_net *net, size_t l)
{
    return l >= 1 && l < net->n_layers ? net->params + net->packed.b_offset[l] : NULL;
}

nnc_status nnc_net_set_origin(nnc_net *net, const nnc_data_origin *origin)
{
    if (!net)
        return nnc__fail(NNC_ERR_ARG, "nnc_net_set_origin: NULL network");
    char *label = origin && origin->label ? strdup(origin->label) : NULL;
    char *ignore = origin && origin->ignore ? strdup(origin->ignore) : NULL;
    if ((origin && origin->label && !label) || (origin && origin->ignore && !ignore)) {
        free(label);
        free(ignore);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for the network's data origin");
    }
    free((char *)net->origin.label);
    free((char *)net->origin.ignore);
    memset(&net->origin, 0, sizeof net->origin);
    net->has_origin = origin != NULL;
    if (origin) {
        net->origin = *origin;
        net->origin.label = label;
        net->origin.ignore = ignore;
    }
    return NNC_OK;
}

int nnc_net_origin(const nnc_net *net, nnc_data_origin *origin)
{
    if (origin) {
        if (net->has_origin)
            *origin = net->origin;
        else
            memset(origin, 0, sizeof *origin);
    }
    return net->has_origin;
}

int nnc_net_image_size(const nnc_net *net, size_t *width, size_t *height)
{
    size_t w = 0, h = 0, n0 = net->sizes[0];
    if (net->has_origin) {
        w = net->origin.image_width, h = net->origin.image_height;
    } else if (!net->input_names && !net->in_shift && n0 >= 64) {
        size_t side = 1;   /* from before origins were kept: MNIST's squares */
        while (side * side < n0)
            side++;
        if (side * side == n0)
            w = h = side;
    }
    if (width)
        *width = w;
    if (height)
        *height = h;
    return w != 0;
}
