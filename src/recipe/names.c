/* names.c — the names of nnc's choices, both ways: what the command's
 * options, the Python package's keywords and the model's descriptions spell. */
#include <stdio.h>
#include <string.h>

#include "../runtime/error.h"

typedef struct {
    const char *name;
    int         value;
} named;

static const named activations[] = {{"sigmoid", NNC_ACT_SIGMOID}, {"tanh", NNC_ACT_TANH},
                                    {"relu", NNC_ACT_RELU}, {"leaky-relu", NNC_ACT_LEAKY_RELU},
                                    {NULL, 0}};
static const named costs[] = {{"quadratic", NNC_COST_QUADRATIC},
                              {"cross-entropy", NNC_COST_CROSS_ENTROPY},
                              {"softmax", NNC_COST_SOFTMAX_LOGLIK},
                              {"mse", NNC_COST_MSE},
                              {"mae", NNC_COST_MAE},
                              {"huber", NNC_COST_HUBER},
                              {NULL, 0}};
static const named inits[] = {{"normal", NNC_INIT_NORMAL}, {"scaled", NNC_INIT_SCALED},
                              {"he", NNC_INIT_HE}, {"glorot", NNC_INIT_GLOROT}, {NULL, 0}};
static const named optimizers[] = {{"sgd", NNC_OPT_SGD}, {"momentum", NNC_OPT_MOMENTUM},
                                   {"nesterov", NNC_OPT_NESTEROV}, {"adam", NNC_OPT_ADAM},
                                   {NULL, 0}};
static const named scalings[] = {{"none", NNC_SCALE_NONE}, {"standard", NNC_SCALE_STANDARD},
                                 {"minmax", NNC_SCALE_MINMAX}, {NULL, 0}};
static const named tasks[] = {{"classify", NNC_TASK_CLASSIFY}, {"regress", NNC_TASK_REGRESS},
                              {NULL, 0}};
static const named monitors[] = {
    {"train-cost", NNC_MONITOR_TRAIN_COST}, {"train-accuracy", NNC_MONITOR_TRAIN_ACCURACY},
    {"valid-cost", NNC_MONITOR_VALID_COST}, {"valid-accuracy", NNC_MONITOR_VALID_ACCURACY},
    {"test-cost", NNC_MONITOR_TEST_COST},   {"test-accuracy", NNC_MONITOR_TEST_ACCURACY},
    {NULL, 0}};

static const named precisions[] = {{"f32", NNC_PRECISION_F32}, {"bf16", NNC_PRECISION_BF16},
                                   {NULL, 0}};

static const named *table_of(nnc_names_kind kind)
{
    switch (kind) {
    case NNC_NAMES_ACTIVATION: return activations;
    case NNC_NAMES_COST: return costs;
    case NNC_NAMES_INIT: return inits;
    case NNC_NAMES_OPTIMIZER: return optimizers;
    case NNC_NAMES_SCALING: return scalings;
    case NNC_NAMES_TASK: return tasks;
    case NNC_NAMES_MONITOR: return monitors;
    case NNC_NAMES_PRECISION: return precisions;
    }
    return NULL;
}

const char *nnc_name_of(nnc_names_kind kind, int value)
{
    const named *t = table_of(kind);
    for (; t && t->name; t++)
        if (t->value == value)
            return t->name;
    return NULL;
}

const char *nnc_names_list(nnc_names_kind kind)
{
    /* built from the table on first use, per thread, so that no lock is needed */
    static _Thread_local char lists[NNC_NAMES_PRECISION + 1][128];
    const named *t = table_of(kind);
    if (!t)
        return "";
    char *list = lists[kind];
    if (!list[0])
        for (const named *e = t; e->name; e++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof lists[0] - used, "%s%s", e == t ? "" : ", ", e->name);
        }
    return list;
}

nnc_status nnc_value_of(nnc_names_kind kind, const char *name, int *value)
{
    const named *t = table_of(kind);
    if (!t || !name || !value)
        return nnc__fail(NNC_ERR_ARG, "nnc_value_of: NULL argument or unknown kind");
    for (; t->name; t++)
        if (!strcmp(t->name, name)) {
            *value = t->value;
            return NNC_OK;
        }
    return nnc__fail(NNC_ERR_ARG, "'%s' is not one of %s", name, nnc_names_list(kind));
}
