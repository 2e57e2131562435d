/* recipe.h — the settings a recipe holds, and the presets that fill them. */
#ifndef NNC_RECIPE_H
#define NNC_RECIPE_H

#include "nnc.h"

#define NNC__RECIPE_MAX_LAYERS 64
#define NNC__RECIPE_MAX_TEXT   1024   /* a label or ignore list */

/* The options, in the order of nnc_recipe_option(): bit i of a mask. */
enum {
    NNC__OPT_PRESET, NNC__OPT_LAYERS, NNC__OPT_HIDDEN, NNC__OPT_ACTIVATION, NNC__OPT_COST,
    NNC__OPT_INIT, NNC__OPT_SEED, NNC__OPT_EPOCHS, NNC__OPT_BATCH, NNC__OPT_ETA,
    NNC__OPT_OPTIMIZER, NNC__OPT_MOMENTUM, NNC__OPT_LAMBDA, NNC__OPT_DROPOUT,
    NNC__OPT_HALVE_AFTER, NNC__OPT_EARLY_STOP, NNC__OPT_MONITOR, NNC__OPT_THREADS,
    NNC__OPT_SHUFFLE, NNC__OPT_TASK, NNC__OPT_SCALE, NNC__OPT_BINARY, NNC__OPT_VALID_SPLIT,
    NNC__OPT_TEST_SPLIT, NNC__OPT_LABEL, NNC__OPT_IGNORE, NNC__OPT_HEADER, NNC__OPT_SEP,
    NNC__OPT_SKIP_LINES, NNC__OPT_PRECISION,
    NNC__OPT_AUGMENT, NNC__OPT_ROTATE, NNC__OPT_ZOOM, NNC__OPT_SHEAR, NNC__OPT_SHIFT,
    NNC__OPT_ELASTIC_ALPHA, NNC__OPT_ELASTIC_SIGMA, NNC__OPT_SCHEDULE,
    NNC__OPT_SHARDS, NNC__OPT_REDUCE,
    NNC__OPT_COUNT
};

/* Every value an option sets. */
typedef struct {
    size_t         layers[NNC__RECIPE_MAX_LAYERS], n_layers;   /* 0: from the data   */
    size_t         hidden[NNC__RECIPE_MAX_LAYERS], n_hidden;
    nnc_activation activation;
    nnc_cost       cost;
    nnc_init       init;
    uint64_t       seed;
    nnc_train_opts train;      /* epochs .. shuffle; pointers unused   */
    nnc_task       task;
    int            scale;      /* nnc_scaling, or -1: chosen from the data */
    int            one_output; /* two classes as one sigmoid output     */
    float          valid_split, test_split;
    char           label[NNC__RECIPE_MAX_TEXT], ignore[NNC__RECIPE_MAX_TEXT];
    int            header;     /* -1 detect, 0 no, 1 yes                */
    char           sep;        /* 0: detect                             */
    size_t         skip_lines; /* lines before the table                */
} nnc__settings;

/* The tutorial's settings, then the preset's over them; 0 if there is no
 * preset of that name. */
int nnc__preset(const char *name, nnc__settings *s);
/* The presets' names, comma-separated. */
extern const char nnc__preset_names[];

#endif
