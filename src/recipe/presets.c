/* presets.c — named recipes: the tutorial's, chapter 3's network2, and the
 * best one found for MNIST. */
#include <string.h>

#include "recipe.h"

const char nnc__preset_names[] = "tutorial, network2, best, simard";

/* The tutorial's test.py: [n_in, 30, n_out], sigmoid, quadratic cost, N(0,1),
 * 10 epochs of mini-batches of 10 at eta 3.0, test accuracy each epoch. */
static void tutorial(nnc__settings *s)
{
    memset(s, 0, sizeof *s);
    s->hidden[0] = 30, s->n_hidden = 1;
    s->activation = NNC_ACT_SIGMOID;
    s->cost = NNC_COST_QUADRATIC;
    s->init = NNC_INIT_NORMAL;
    nnc_train_opts_init(&s->train);
    s->train.monitor = NNC_MONITOR_TEST_ACCURACY;
    s->task = NNC_TASK_CLASSIFY;
    s->scale = -1;
    s->header = -1;
    /* the distortions `augment` turns on: Simard et al. (2003)'s elastic
     * field, sigma 4 and alpha 34, with Ciresan et al. (2010)'s affine parts */
    s->train.augment = (nnc_augment){0, 10.0f, 0.1f, 0.0f, 0.0f, 34.0f, 4.0f};
}

int nnc__preset(const char *name, nnc__settings *s)
{
    tutorial(s);
    if (!strcmp(name, "tutorial") || !strcmp(name, "seed"))   /* seed: its old name */
        return 1;
    if (!strcmp(name, "network2")) {   /* Nielsen, chapter 3 */
        s->hidden[0] = 100;
        s->cost = NNC_COST_CROSS_ENTROPY;
        s->init = NNC_INIT_SCALED;
        s->train.lambda = 5.0f;
        s->train.eta = 0.1f;
        s->train.epochs = 60;
        return 1;
    }
    if (!strcmp(name, "best")) {   /* the best recipe found (README) */
        s->hidden[0] = 1024, s->hidden[1] = 1024, s->n_hidden = 2;
        s->activation = NNC_ACT_RELU;
        s->cost = NNC_COST_SOFTMAX_LOGLIK;
        s->init = NNC_INIT_HE;
        s->train.optimizer = NNC_OPT_NESTEROV;
        s->train.momentum = 0.9f;
        s->train.eta = 0.1f;
        s->train.batch_size = 128;
        s->train.dropout = 0.3f;
        s->train.lambda = 1.0f;
        s->train.epochs = 60;
        s->train.halve_after = 3;
        s->train.early_stop = 10;
        s->train.monitor |= NNC_MONITOR_VALID_ACCURACY;
        return 1;
    }
    if (!strcmp(name, "simard")) {
        /* Simard, Steinkraus & Platt (2003), "Best practices for convolutional
         * neural networks applied to visual document analysis": one hidden
         * layer of 800 units, cross-entropy, trained on elastic distortions
         * (sigma 4, alpha 34); with Ciresan et al. (2010)'s affine parts drawn
         * afresh every epoch. ReLU, softmax and a cosine decay of eta reach
         * it in the minutes of a 2-core machine (bench/results/). The best
         * epoch by validation accuracy is kept: early-stop as long as the run. */
        s->hidden[0] = 800, s->n_hidden = 1;
        s->activation = NNC_ACT_RELU;
        s->cost = NNC_COST_SOFTMAX_LOGLIK;
        s->init = NNC_INIT_HE;
        s->train.eta = 0.05f;
        s->train.epochs = 150;
        s->train.cosine = 1;
        s->train.early_stop = 150;
        s->train.augment.on = 1;
        s->train.monitor |= NNC_MONITOR_VALID_ACCURACY;
        return 1;
    }
    return 0;
}
