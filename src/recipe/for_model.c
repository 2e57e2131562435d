/* for_model.c — a table read for a trained model as its training read it:
 * its inputs by name, its classes, its label and ignored columns, pixels as
 * it took them. */
#include <stdlib.h>

#include "../runtime/error.h"
#include "recipe_object.h"

nnc_status nnc_recipe_read_for_model(const nnc_net *net, const char *path, const char *label,
                                     nnc_data **out)
{
    if (!net || !path || !out)
        return nnc__fail(NNC_ERR_ARG, "nnc_recipe_read_for_model: NULL argument");
    *out = NULL;
    nnc_data_origin origin;
    int known = nnc_net_origin(net, &origin);
    nnc_csv_options o;
    nnc_csv_options_init(&o);
    o.label = label ? label : origin.label;
    o.ignore = label ? NULL : origin.ignore;
    o.skip_lines = origin.skip_lines;
    o.task = nnc_cost_is_regression(nnc_net_cost(net)) ? NNC_TASK_REGRESS : NNC_TASK_CLASSIFY;
    /* a model that says nothing of its data (one from MNIST or a pickle) detects */
    o.pixels = nnc_net_pixel_inputs(net)                                                 ? 1
               : known || nnc_net_scaling(net, NULL, NULL) || nnc_net_input_name(net, 0) ? 0
                                                                                        : -1;
    size_t k = nnc_net_classes(net), d = nnc_net_inputs(net);
    const char **classes = malloc((k ? k : 1) * sizeof *classes);
    const char **inputs = malloc(d * sizeof *inputs);
    if (!classes || !inputs) {
        free(classes);
        free(inputs);
        return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
    }
    for (size_t i = 0; i < k; i++)
        classes[i] = nnc_net_class_name(net, i);
    o.classes = k ? classes : NULL, o.n_classes = k;
    o.n_inputs = d;
    if (nnc_net_input_name(net, 0)) {
        for (size_t j = 0; j < d; j++)
            inputs[j] = nnc_net_input_name(net, j);
        o.inputs = inputs;
    }
    nnc_status s = nnc_csv_read(path, &o, out);
    free(classes);
    free(inputs);
    return s;
}

nnc_status nnc_recipe_predict_rows(const nnc_net *net, const float *x, size_t m, float *out)
{
    if (!net || !x || !out)
        return nnc__fail(NNC_ERR_ARG, "nnc_recipe_predict_rows: NULL argument");
    if (!nnc_net_pixel_inputs(net))
        return nnc_feedforward(net, x, m, out);
    /* a model of pixel bytes saw each one as byte / 256, as every reader gives them */
    size_t n = m * nnc_net_inputs(net);
    float *scaled = malloc((n ? n : 1) * sizeof *scaled);
    if (!scaled)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for %zu rows", m);
    for (size_t i = 0; i < n; i++)
        scaled[i] = x[i] * (1.0f / 256.0f);
    nnc_status s = nnc_feedforward(net, scaled, m, out);
    free(scaled);
    return s;
}
