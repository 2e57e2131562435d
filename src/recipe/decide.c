/* decide.c — what a recipe decides from the data: the held-out sets, the
 * network's shape, cost and scaling, and the training options for the task.
 * It sees the data and the network through the public API only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/error.h"
#include "recipe_object.h"

/* The held-out sets' own seeds: the network's generator stays as it is. */
#define TEST_SPLIT_SEED  0x7e57u
#define VALID_SPLIT_SEED 0xa11du
#define DEFAULT_VALID_SPLIT 0.1f

nnc_status nnc_recipe_split(nnc_recipe *r, const nnc_data *all, int has_valid,
                            nnc_data **train, nnc_data **valid, nnc_data **test)
{
    if (!r || !all || !train || !valid || !test)
        return nnc__fail(NNC_ERR_ARG, "nnc_recipe_split: NULL argument");
    *train = *valid = *test = NULL;
    r->notes[0] = '\0';
    nnc__settings s;
    nnc__recipe_settings(r, &s);
    float valid_split = s.valid_split;
    if (valid_split <= 0 && !has_valid && (s.train.early_stop || s.train.halve_after)) {
        valid_split = DEFAULT_VALID_SPLIT;
        nnc__recipe_note(r, "early-stop and halve-after judge by a validation set: holding "
                            "out 10%% of the rows (`valid-split`)");
    }
    nnc_data *rest = NULL;
    nnc_status st = NNC_OK;
    if (s.test_split > 0)
        st = nnc_data_split(all, s.test_split, s.seed ^ TEST_SPLIT_SEED, &rest, test);
    else
        st = nnc_data_slice(all, 0, nnc_data_count(all), &rest);
    if (st == NNC_OK && valid_split > 0) {
        nnc_data *kept;
        st = nnc_data_split(rest, valid_split, s.seed ^ VALID_SPLIT_SEED, &kept, valid);
        nnc_data_free(rest);
        rest = st == NNC_OK ? kept : NULL;
    }
    if (st != NNC_OK) {
        nnc_data_free(rest);
        nnc_data_free(*test);
        *test = NULL;
        return st;
    }
    *train = rest;
    r->split_rows = nnc_data_count(all);
    r->split_checksum = nnc_data_checksum(all);
    r->split_valid = valid_split > 0 ? valid_split : 0;
    return NNC_OK;
}

/* The classes of labelled data: as many as it names, else one past the
 * largest label. */
static size_t classes_of(const nnc_data *d)
{
    size_t k = nnc_data_classes(d);
    for (size_t i = 0, n = k ? 0 : nnc_data_count(d); i < n; i++)
        if (nnc_data_label(d, i) + 1 > k)
            k = nnc_data_label(d, i) + 1;
    return k;
}

/* 1 if every input of every sample lies in [0, 1]: scaled already. */
static int unit_range(const nnc_data *d)
{
    size_t n = nnc_data_count(d), dim = nnc_data_dim(d);
    float *x = malloc(dim * sizeof *x);
    int unit = x != NULL;
    for (size_t i = 0; unit && i < n; i++) {
        nnc_data_input(d, i, x);
        for (size_t j = 0; j < dim; j++)
            unit = unit && x[j] >= 0.0f && x[j] <= 1.0f;
    }
    free(x);
    return unit;
}

/* The network's layers and cost for the data; NNC_ERR_ARG when the
 * options given do not fit it. */
static nnc_status shape(const nnc_recipe *r, nnc__settings *s, const nnc_data *train,
                        size_t *sizes, size_t *n_layers)
{
    const char *src = nnc_data_source(train) ? nnc_data_source(train) : "the data";
    int regress = nnc_data_targets(train) > 0;
    size_t k = regress ? nnc_data_targets(train) : classes_of(train);
    if (!regress && s->one_output && k != 2)
        return nnc__fail(NNC_ERR_ARG, "binary: %s has %zu classes, not 2", src, k);
    if (!regress && k < 2 && nnc_data_classes(train))
        return nnc__fail(NNC_ERR_ARG, "%s: every label is '%s': one class leaves nothing to "
                         "learn", src, nnc_data_class_name(train, 0));
    int cost_given = NNC__GIVEN(r, NNC__OPT_COST);
    if (regress != nnc_cost_is_regression(s->cost)) {
        if (cost_given)
            return nnc__fail(NNC_ERR_ARG, "cost %s: %s", nnc_name_of(NNC_NAMES_COST, s->cost),
                             regress ? "regression takes mse, mae or huber"
                                     : "classification takes quadratic, cross-entropy or "
                                       "softmax");
        s->cost = regress ? NNC_COST_MSE : NNC_COST_QUADRATIC;
    }
    if (s->one_output && !cost_given)
        s->cost = NNC_COST_CROSS_ENTROPY;
    if (s->one_output && s->cost == NNC_COST_SOFTMAX_LOGLIK)
        return nnc__fail(NNC_ERR_ARG, "binary sigmoid and cost softmax: one output cannot be a "
                         "softmax");
    if (NNC__GIVEN(r, NNC__OPT_LAYERS) && NNC__GIVEN(r, NNC__OPT_HIDDEN))
        return nnc__fail(NNC_ERR_ARG, "layers and hidden: give one of them");
    if (NNC__GIVEN(r, NNC__OPT_LAYERS)) {   /* all of it from the user; the data must fit */
        memcpy(sizes, s->layers, s->n_layers * sizeof *sizes);
        *n_layers = s->n_layers;
        return NNC_OK;
    }
    size_t n = 0;
    sizes[n++] = nnc_data_dim(train);
    for (size_t i = 0; i < s->n_hidden; i++)
        sizes[n++] = s->hidden[i];
    sizes[n++] = !regress && s->one_output ? 1 : k;
    *n_layers = n;
    return NNC_OK;
}

/* Labels that read as numbers with fractions, or as many distinct numbers
 * as to be nearly one per row, look like a measurement, not classes. */
static int labels_look_continuous(const nnc_data *train)
{
    size_t k = nnc_data_classes(train), n = nnc_data_count(train), fractions = 0;
    for (size_t i = 0; i < k; i++) {
        const char *name = nnc_data_class_name(train, i);
        char *end;
        double v = strtod(name, &end);
        if (end == name || *end)
            return 0;   /* a word: classes */
        fractions += v != floor(v);
    }
    return k > 2 && (fractions > 0 || (k > 20 && 2 * k > n));
}

/* What the network keeps of its data: scaling, pixels, class and input
 * names. */
static nnc_status describe_data(const nnc__settings *s, nnc_net *net, const nnc_data *train)
{
    /* pixels and inputs already in [0, 1] go in as they are */
    nnc_scaling how = s->scale >= 0                                        ? (nnc_scaling)s->scale
                      : nnc_data_is_pixels(train) || unit_range(train) ? NNC_SCALE_NONE
                                                                       : NNC_SCALE_STANDARD;
    nnc_status st = nnc_net_fit_scaling(net, train, how);
    nnc_net_set_pixel_inputs(net, nnc_data_is_pixels(train));
    size_t k = nnc_data_classes(train), d = nnc_data_dim(train);
    const char **names = malloc((k > d ? k : d) * sizeof *names + 1);
    if (st == NNC_OK && !names)
        st = nnc__fail(NNC_ERR_NOMEM, "out of memory");
    int plain = 1;   /* classes named 0, 1, 2, ...: their numbers say it all */
    for (size_t i = 0; st == NNC_OK && i < k; i++) {
        char number[32];
        names[i] = nnc_data_class_name(train, i);
        snprintf(number, sizeof number, "%zu", i);
        plain = plain && !strcmp(names[i], number);
    }
    if (st == NNC_OK && k && !plain)
        st = nnc_net_set_class_names(net, names, k);
    int named = nnc_data_input_name(train, 0) != NULL;
    for (size_t j = 0; st == NNC_OK && named && j < d; j++)
        names[j] = nnc_data_input_name(train, j);
    if (st == NNC_OK && named)
        st = nnc_net_set_input_names(net, names);
    free(names);
    return st;
}

/* What the network keeps of where its data came from: an image's size, the
 * table's columns as given, and how the held-out rows were drawn. */
static nnc_status stamp_origin(const nnc_recipe *r, const nnc__settings *s, nnc_net *net,
                               const nnc_data *train)
{
    nnc_data_origin o = {0};
    nnc_data_image_size(train, &o.image_width, &o.image_height);
    o.label = NNC__GIVEN(r, NNC__OPT_LABEL) ? s->label : NULL;
    o.ignore = NNC__GIVEN(r, NNC__OPT_IGNORE) ? s->ignore : NULL;
    o.skip_lines = s->skip_lines;
    if (r->split_rows) {
        o.test_split = s->test_split;
        o.valid_split = r->split_valid;
        o.split_seed = s->seed;
        o.rows = r->split_rows;
        o.checksum = r->split_checksum;
    }
    return nnc_net_set_origin(net, &o);
}

nnc_status nnc_recipe_make_net(nnc_recipe *r, const nnc_data *train, nnc_net **out)
{
    if (!r || !train || !out)
        return nnc__fail(NNC_ERR_ARG, "nnc_recipe_make_net: NULL argument");
    *out = NULL;
    r->notes[0] = '\0';
    nnc__settings s;
    nnc__recipe_settings(r, &s);
    size_t sizes[NNC__RECIPE_MAX_LAYERS], n_layers = 0;
    nnc_status st = shape(r, &s, train, sizes, &n_layers);
    if (st != NNC_OK)
        return st;
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, n_layers);
    spec.hidden = s.activation;
    spec.cost = s.cost;
    spec.init = s.init;
    spec.seed = s.seed;
    nnc_net *net;
    if ((st = nnc_net_create_spec(&spec, &net)) != NNC_OK)
        return st;
    if ((st = describe_data(&s, net, train)) == NNC_OK)
        st = stamp_origin(r, &s, net, train);
    if (st != NNC_OK) {
        nnc_net_free(net);
        return st;
    }
    if (!nnc_data_targets(train) && labels_look_continuous(train))
        nnc__recipe_note(r, "%s: the labels are %zu distinct numbers, which look like a "
                         "measurement rather than classes: is another column the label "
                         "(`label`), or is this a regression (`task regress`)?",
                         nnc_data_source(train) ? nnc_data_source(train) : "the data",
                         nnc_data_classes(train));
    *out = net;
    return NNC_OK;
}

nnc_status nnc_recipe_train_opts(nnc_recipe *r, const nnc_net *net, const nnc_data *valid,
                                 const nnc_data *test, nnc_train_opts *opts)
{
    if (!r || !net || !opts)
        return nnc__fail(NNC_ERR_ARG, "nnc_recipe_train_opts: NULL argument");
    r->notes[0] = '\0';
    nnc__settings s;
    nnc__recipe_settings(r, &s);
    nnc_train_opts_init(opts);
    nnc_train_opts *t = &s.train;
    nnc_precision precision = t->precision;   /* a resumed run may change it */
    if (r->resumed) {   /* the run the checkpoint belongs to */
        *t = r->resumed_train;
        if (NNC__GIVEN(r, NNC__OPT_EPOCHS))
            t->epochs = r->given_values.train.epochs;
        if (NNC__GIVEN(r, NNC__OPT_MONITOR))
            t->monitor = r->given_values.train.monitor;
        t->threads = s.train.threads;
        t->shards = s.train.shards;   /* how the run is spread: given again */
        t->reduce = s.train.reduce;
    } else if (nnc_cost_is_regression(nnc_net_cost(net)) && !NNC__GIVEN(r, NNC__OPT_OPTIMIZER) &&
               !NNC__GIVEN(r, NNC__OPT_ETA) && !NNC__GIVEN(r, NNC__OPT_PRESET)) {
        /* targets keep their own scale, which plain SGD at the tutorial's eta
         * overshoots; Adam's steps do not grow with it */
        t->optimizer = NNC_OPT_ADAM;
        t->eta = 0.01f;
        nnc__recipe_note(r, "regression: adam, eta 0.01 (`optimizer` and `eta` choose "
                            "otherwise)");
    } else if (t->optimizer == NNC_OPT_ADAM && !NNC__GIVEN(r, NNC__OPT_ETA)) {
        t->eta = 0.001f;
    }
    opts->epochs = t->epochs;
    opts->batch_size = t->batch_size;
    opts->eta = t->eta;
    opts->shuffle = t->shuffle;
    opts->threads = t->threads;
    opts->lambda = t->lambda;
    opts->optimizer = t->optimizer;
    opts->momentum = t->momentum;
    opts->adam_beta1 = t->adam_beta1;
    opts->adam_beta2 = t->adam_beta2;
    opts->adam_epsilon = t->adam_epsilon;
    opts->dropout = t->dropout;
    opts->halve_after = t->halve_after;
    opts->min_eta_factor = t->min_eta_factor;
    opts->early_stop = t->early_stop;
    opts->monitor = t->monitor;
    opts->precision = precision;
    nnc_augment distort;
    nnc_recipe_augment(r, &distort);   /* a distortion's range given asks for them */
    if (r->resumed)
        opts->augment = t->augment;
    else if (distort.on)
        opts->augment = distort;
    opts->cosine = t->cosine;
    opts->shards = t->shards;
    opts->reduce = t->reduce;
    if (!test)   /* nothing to report the tutorial's line on */
        opts->monitor &= ~(unsigned)(NNC_MONITOR_TEST_ACCURACY | NNC_MONITOR_TEST_COST);
    if (!test && !NNC__GIVEN(r, NNC__OPT_MONITOR))   /* show how the fit goes */
        opts->monitor |= valid ? NNC_MONITOR_VALID_ACCURACY : NNC_MONITOR_TRAIN_ACCURACY;
    opts->validation = valid;
    opts->test = test;
    return NNC_OK;
}

nnc_status nnc_recipe_check_net(const nnc_recipe *r, const nnc_net *net, uint64_t *differ)
{
    if (!r || !net)
        return nnc__fail(NNC_ERR_ARG, "nnc_recipe_check_net: NULL argument");
    nnc__settings s;
    nnc__recipe_settings(r, &s);
    uint64_t bits = 0;
    size_t L = nnc_net_layers(net);
    int same = s.n_layers == L;
    for (size_t l = 0; same && l < L; l++)
        same = s.layers[l] == nnc_net_size(net, l);
    if (NNC__GIVEN(r, NNC__OPT_LAYERS) && !same)
        bits |= UINT64_C(1) << NNC__OPT_LAYERS;
    same = s.n_hidden + 2 == L;
    for (size_t l = 0; same && l < s.n_hidden; l++)
        same = s.hidden[l] == nnc_net_size(net, l + 1);
    if (NNC__GIVEN(r, NNC__OPT_HIDDEN) && !same)
        bits |= UINT64_C(1) << NNC__OPT_HIDDEN;
    if (NNC__GIVEN(r, NNC__OPT_ACTIVATION) && s.activation != nnc_net_hidden(net))
        bits |= UINT64_C(1) << NNC__OPT_ACTIVATION;
    if (NNC__GIVEN(r, NNC__OPT_COST) && s.cost != nnc_net_cost(net))
        bits |= UINT64_C(1) << NNC__OPT_COST;
    if (differ)
        *differ = bits;
    if (!bits)
        return NNC_OK;
    for (int id = 0; id < NNC__OPT_COUNT; id++)
        if (bits >> id & 1)
            return nnc__fail(NNC_ERR_MISMATCH, "%s: the network has its own; leave it out",
                             nnc_recipe_option((size_t)id));
    return NNC_ERR_MISMATCH;
}

/* Whether distortion option `id` asks for other distortions than the
 * run's: on or off, and a range only where both are on. */
static int distortion_differs(int id, const nnc_augment *a, const nnc_augment *run)
{
    if (!a->on != !run->on)
        return 1;
    if (!a->on || id == NNC__OPT_AUGMENT)
        return 0;
    float mine = id == NNC__OPT_ROTATE ? a->rotate : id == NNC__OPT_ZOOM ? a->zoom
               : id == NNC__OPT_SHEAR ? a->shear : id == NNC__OPT_SHIFT ? a->shift
               : id == NNC__OPT_ELASTIC_ALPHA ? a->elastic_alpha : a->elastic_sigma;
    float theirs = id == NNC__OPT_ROTATE ? run->rotate : id == NNC__OPT_ZOOM ? run->zoom
                 : id == NNC__OPT_SHEAR ? run->shear : id == NNC__OPT_SHIFT ? run->shift
                 : id == NNC__OPT_ELASTIC_ALPHA ? run->elastic_alpha : run->elastic_sigma;
    return mine != theirs;
}

/* The bits of the training options given whose values differ from the
 * run's; a preset counts as giving all of them. */
static uint64_t differing_training(const nnc_recipe *r, const nnc__settings *s,
                                   const nnc_train_opts *run)
{
    static const int fixed[] = {NNC__OPT_BATCH,   NNC__OPT_ETA,         NNC__OPT_OPTIMIZER,
                                NNC__OPT_MOMENTUM, NNC__OPT_LAMBDA,     NNC__OPT_DROPOUT,
                                NNC__OPT_HALVE_AFTER, NNC__OPT_EARLY_STOP};
    const nnc_train_opts *a = &s->train;
    uint64_t bits = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        int id = fixed[i];
        int given = NNC__GIVEN(r, id), preset = NNC__GIVEN(r, NNC__OPT_PRESET);
        int differs = (id == NNC__OPT_BATCH && a->batch_size != run->batch_size) ||
                      (id == NNC__OPT_ETA && a->eta != run->eta) ||
                      (id == NNC__OPT_OPTIMIZER && a->optimizer != run->optimizer) ||
                      (id == NNC__OPT_MOMENTUM && a->momentum != run->momentum) ||
                      (id == NNC__OPT_LAMBDA && a->lambda != run->lambda) ||
                      (id == NNC__OPT_DROPOUT && a->dropout != run->dropout) ||
                      (id == NNC__OPT_HALVE_AFTER && a->halve_after != run->halve_after) ||
                      (id == NNC__OPT_EARLY_STOP && a->early_stop != run->early_stop);
        if (differs && given)
            bits |= UINT64_C(1) << id;
        else if (differs && preset)
            bits |= UINT64_C(1) << NNC__OPT_PRESET;
    }
    nnc_augment distort;
    nnc_recipe_augment(r, &distort);
    for (int id = NNC__OPT_AUGMENT; id <= NNC__OPT_SCHEDULE; id++) {
        int differs = id == NNC__OPT_SCHEDULE ? !s->train.cosine != !run->cosine
                                              : distortion_differs(id, &distort, &run->augment);
        if (differs && NNC__GIVEN(r, id))
            bits |= UINT64_C(1) << id;
        else if (differs && NNC__GIVEN(r, NNC__OPT_PRESET))
            bits |= UINT64_C(1) << NNC__OPT_PRESET;
    }
    return bits;
}

nnc_status nnc_recipe_resume(nnc_recipe *r, const char *checkpoint, unsigned *next_epoch,
                             uint64_t *differ)
{
    if (!r || !checkpoint)
        return nnc__fail(NNC_ERR_ARG, "nnc_recipe_resume: NULL argument");
    r->notes[0] = '\0';
    if (differ)
        *differ = 0;
    nnc_train_opts run;
    nnc_train_opts_init(&run);
    unsigned next = 0;
    nnc_status st = nnc_checkpoint_settings(checkpoint, &run, &next);
    nnc_file_kind kind;
    if (st == NNC_ERR_FORMAT && nnc_model_file_kind(checkpoint, &kind) == NNC_OK &&
        kind == NNC_FILE_CHECKPOINT) {
        /* a whole checkpoint from before runs kept their settings */
        nnc__recipe_note(r, "%s: a checkpoint from before runs kept their settings; the "
                            "recipe's settings are used", checkpoint);
        if (next_epoch)
            *next_epoch = next;
        return NNC_OK;
    }
    if (st != NNC_OK)
        return st;
    if (next_epoch)
        *next_epoch = next;
    nnc__settings s;
    nnc__recipe_settings(r, &s);
    uint64_t bits = differing_training(r, &s, &run);
    if (differ)
        *differ = bits;
    if (bits) {
        const nnc_augment *a = &run.augment;
        char distort[160] = "no";
        if (a->on)
            snprintf(distort, sizeof distort, "rotate %g, zoom %g, shear %g, shift %g, "
                     "elastic-alpha %g, elastic-sigma %g", (double)a->rotate, (double)a->zoom,
                     (double)a->shear, (double)a->shift, (double)a->elastic_alpha,
                     (double)a->elastic_sigma);
        for (int id = 0; id < NNC__OPT_COUNT; id++)
            if (bits >> id & 1)
                return nnc__fail(NNC_ERR_MISMATCH, "%s: %s continues a run with eta %g, "
                                 "mini-batch %zu, lambda %g, optimiser %s, dropout %g, "
                                 "halve-after %u, early-stop %u, schedule %s, augment %s; a "
                                 "resumed run keeps its settings (only epochs may change)",
                                 nnc_recipe_option((size_t)id), checkpoint, (double)run.eta,
                                 run.batch_size, (double)run.lambda,
                                 nnc_name_of(NNC_NAMES_OPTIMIZER, run.optimizer),
                                 (double)run.dropout, run.halve_after, run.early_stop,
                                 run.cosine ? "cosine" : "constant", distort);
    }
    r->resumed = 1;
    r->resumed_train = run;
    return NNC_OK;
}

nnc_status nnc_recipe_judged_rows(const nnc_net *net, const nnc_data *data, nnc_data **judged,
                                  nnc_judged *which)
{
    if (!net || !data || !judged || !which)
        return nnc__fail(NNC_ERR_ARG, "nnc_recipe_judged_rows: NULL argument");
    *judged = NULL;
    *which = NNC_JUDGED_ALL;
    nnc_data_origin o;
    int same = nnc_net_origin(net, &o) && o.rows && o.rows == nnc_data_count(data) &&
               (o.test_split > 0 || o.valid_split > 0) && o.checksum == nnc_data_checksum(data);
    if (!same)
        return nnc_data_slice(data, 0, nnc_data_count(data), judged);
    /* the training run's cuts again, in its order: the test set first */
    nnc_data *rest = NULL, *held = NULL;
    nnc_status st;
    if (o.test_split > 0) {
        st = nnc_data_split(data, o.test_split, o.split_seed ^ TEST_SPLIT_SEED, &rest, &held);
        nnc_data_free(rest);
        *which = NNC_JUDGED_TEST;
    } else {
        st = nnc_data_split(data, o.valid_split, o.split_seed ^ VALID_SPLIT_SEED, &rest, &held);
        nnc_data_free(rest);
        *which = NNC_JUDGED_VALID;
    }
    if (st != NNC_OK) {
        *which = NNC_JUDGED_ALL;
        return st;
    }
    *judged = held;
    return NNC_OK;
}

void nnc_recipe_augment(const nnc_recipe *r, nnc_augment *out)
{
    memset(out, 0, sizeof *out);
    if (!r)
        return;
    nnc__settings s;
    nnc__recipe_settings(r, &s);
    *out = s.train.augment;
    for (int id = NNC__OPT_ROTATE; id <= NNC__OPT_ELASTIC_SIGMA; id++)
        if (NNC__GIVEN(r, id) && !NNC__GIVEN(r, NNC__OPT_AUGMENT))
            out->on = 1;
}
