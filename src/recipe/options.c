/* options.c — a recipe's options: given by name as text, checked once here
 * for every front end, and laid over the preset and the defaults. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/error.h"
#include "recipe_object.h"

static const char *const option_names[NNC__OPT_COUNT] = {
    "preset",  "layers",      "hidden",     "activation",  "cost",       "init",
    "seed",    "epochs",      "batch",      "eta",         "optimizer",  "momentum",
    "lambda",  "dropout",     "halve-after", "early-stop", "monitor",    "threads",
    "shuffle", "task",        "scale",      "binary",      "valid-split", "test-split",
    "label",   "ignore",      "header",     "sep",         "skip-lines", "precision",
    "augment", "rotate",      "zoom",       "shear",       "shift",      "elastic-alpha",
    "elastic-sigma", "schedule", "shards", "reduce"};

const char *nnc_recipe_option(size_t i)
{
    return i < NNC__OPT_COUNT ? option_names[i] : NULL;
}

int nnc__recipe_option_id(const char *name)
{
    for (int i = 0; name && i < NNC__OPT_COUNT; i++)
        if (!strcmp(option_names[i], name))
            return i;
    return -1;
}

nnc_status nnc_recipe_create(nnc_recipe **out)
{
    if (!out)
        return nnc__fail(NNC_ERR_ARG, "nnc_recipe_create: NULL argument");
    nnc_recipe *r = calloc(1, sizeof *r);
    if (!r)
        return nnc__fail(NNC_ERR_NOMEM, "nnc_recipe_create: out of memory");
    nnc__preset("tutorial", &r->given_values);
    strcpy(r->preset, "tutorial");
    *out = r;
    return NNC_OK;
}

void nnc_recipe_free(nnc_recipe *r)
{
    free(r);
}

int nnc_recipe_given(const nnc_recipe *r, const char *option)
{
    int id = nnc__recipe_option_id(option);
    return r && id >= 0 && (r->given >> id & 1);
}

int nnc_recipe_is_table(const char *path)
{
    static const char *const endings[] = {".csv", ".tsv", ".txt"};
    size_t len = path ? strlen(path) : 0;
    for (size_t i = 0; i < sizeof endings / sizeof *endings; i++)
        if (len >= 4 && !strcmp(path + len - 4, endings[i]))
            return 1;
    return 0;
}

nnc_status nnc_recipe_check_source(const nnc_recipe *r, const char *path)
{
    static const int table_only[] = {NNC__OPT_LABEL,       NNC__OPT_IGNORE,     NNC__OPT_HEADER,
                                     NNC__OPT_SEP,         NNC__OPT_TASK,       NNC__OPT_SCALE,
                                     NNC__OPT_BINARY,      NNC__OPT_VALID_SPLIT,
                                     NNC__OPT_TEST_SPLIT,  NNC__OPT_SKIP_LINES};
    if (!r || !path)
        return nnc__fail(NNC_ERR_ARG, "nnc_recipe_check_source: NULL argument");
    if (nnc_recipe_is_table(path))
        return NNC_OK;
    for (size_t i = 0; i < sizeof table_only / sizeof *table_only; i++)
        if (r->given >> table_only[i] & 1)
            return nnc__fail(NNC_ERR_ARG, "%s: only with a table (CSV) as the data; %s is "
                             "not one", option_names[table_only[i]], path);
    return NNC_OK;
}

const char *nnc_recipe_notes(const nnc_recipe *r)
{
    return r ? r->notes : "";
}

void nnc__recipe_note(nnc_recipe *r, const char *fmt, ...)
{
    size_t used = strlen(r->notes);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->notes + used, sizeof r->notes - used, fmt, ap);
    va_end(ap);
    used = strlen(r->notes);
    if (used + 1 < sizeof r->notes)
        strcpy(r->notes + used, "\n");
}

/* ---- values from text ------------------------------------------------------ */

static nnc_status whole_number(const char *opt, const char *text, unsigned long long max,
                               unsigned long long *value)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v > max)
        return nnc__fail(NNC_ERR_ARG, "%s: '%s' is not a whole number in 0 .. %llu", opt, text,
                         max);
    *value = v;
    return NNC_OK;
}

static nnc_status number(const char *opt, const char *text, float *value)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v))
        return nnc__fail(NNC_ERR_ARG, "%s: '%s' is not a number", opt, text);
    *value = (float)v;
    return NNC_OK;
}

static nnc_status sizes_list(const char *opt, const char *text, size_t *sizes, size_t *n)
{
    const char *p = text;
    int hidden = !strcmp(opt, "hidden");
    *n = 0;
    for (;;) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p || errno || v == 0 || v > (1u << 24) || *p == '-' ||
            *n == NNC__RECIPE_MAX_LAYERS - (hidden ? 2 : 0) || (*end && *end != ','))
            return nnc__fail(NNC_ERR_ARG, "%s: '%s' is not a list of layer sizes like %s", opt,
                             text, hidden ? "100,30" : "784,30,10");
        sizes[(*n)++] = v;
        if (*end == '\0')
            break;
        p = end + 1;
    }
    if (*n < 2 && !hidden)
        return nnc__fail(NNC_ERR_ARG, "%s: a network needs at least 2 layers (input and output)",
                         opt);
    return NNC_OK;
}

static nnc_status fraction(const char *opt, const char *text, float *value)
{
    nnc_status s = number(opt, text, value);
    if (s == NNC_OK && !(*value > 0.0f && *value < 1.0f))
        return nnc__fail(NNC_ERR_ARG, "%s: a fraction between 0 and 1, not %s", opt, text);
    return s;
}

static nnc_status named(const char *opt, nnc_names_kind kind, const char *text, int *value)
{
    if (nnc_value_of(kind, text, value) != NNC_OK)
        return nnc__fail(NNC_ERR_ARG, "%s: '%s' is not one of %s", opt, text,
                         nnc_names_list(kind));
    return NNC_OK;
}

static nnc_status one_of(const char *opt, const char *text, const char *const *choices,
                         int *value)
{
    char list[128] = "";
    for (int i = 0; choices[i]; i++) {
        if (!strcmp(choices[i], text)) {
            *value = i;
            return NNC_OK;
        }
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 choices[i]);
    }
    return nnc__fail(NNC_ERR_ARG, "%s: '%s' is not one of %s", opt, text, list);
}

static nnc_status monitor_list(const char *text, unsigned *out)
{
    char buf[256];
    if (strlen(text) >= sizeof buf)
        return nnc__fail(NNC_ERR_ARG, "monitor: '%.40s...' is too long", text);
    strcpy(buf, text);
    *out = NNC_MONITOR_TEST_ACCURACY;   /* the tutorial's line stays */
    char *save;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int bit;
        nnc_status s = named("monitor", NNC_NAMES_MONITOR, tok, &bit);
        if (s != NNC_OK)
            return s;
        *out |= (unsigned)bit;
    }
    return NNC_OK;
}

/* A distortion's range: a number in 0 .. max. */
static nnc_status distortion(const char *opt, const char *text, float max, float *value)
{
    nnc_status s = number(opt, text, value);
    if (s == NNC_OK && !(*value >= 0 && *value <= max))
        return nnc__fail(NNC_ERR_ARG, "%s: a number in 0 .. %g, not %s", opt, (double)max, text);
    return s;
}

static nnc_status text_copy(const char *opt, const char *text, char *to)
{
    if (strlen(text) >= NNC__RECIPE_MAX_TEXT)
        return nnc__fail(NNC_ERR_ARG, "%s: longer than %d characters", opt,
                         NNC__RECIPE_MAX_TEXT - 1);
    strcpy(to, text);
    return NNC_OK;
}

/* Parses value into v's field for option id. */
static nnc_status parse(int id, const char *value, nnc__settings *v, char *preset)
{
    static const char *const yes_no[] = {"no", "yes", NULL};
    static const char *const header[] = {"no", "yes", "auto", NULL};
    static const char *const binary[] = {"softmax", "sigmoid", NULL};
    static const char *const precision[] = {"f32", "bf16", NULL};
    static const char *const schedules[] = {"constant", "cosine", NULL};
    static const char *const reduces[] = {"fixed", "fast", NULL};
    static const char *const sep_names[] = {"comma", "semicolon", "tab", ",", ";", "\\t", "\t",
                                            NULL};
    const char *opt = option_names[id];
    unsigned long long n;
    nnc_status s = NNC_OK;
    int e;
    switch (id) {
    case NNC__OPT_PRESET:
        if (strlen(value) >= sizeof ((nnc_recipe *)0)->preset || !nnc__preset(value, v))
            return nnc__fail(NNC_ERR_ARG, "preset: '%s' is not one of %s", value,
                             nnc__preset_names);
        strcpy(preset, value);
        return NNC_OK;
    case NNC__OPT_LAYERS: return sizes_list(opt, value, v->layers, &v->n_layers);
    case NNC__OPT_HIDDEN: return sizes_list(opt, value, v->hidden, &v->n_hidden);
    case NNC__OPT_ACTIVATION:
        s = named(opt, NNC_NAMES_ACTIVATION, value, &e);
        v->activation = (nnc_activation)e;
        return s;
    case NNC__OPT_COST:
        s = named(opt, NNC_NAMES_COST, value, &e);
        v->cost = (nnc_cost)e;
        return s;
    case NNC__OPT_INIT:
        s = named(opt, NNC_NAMES_INIT, value, &e);
        v->init = (nnc_init)e;
        return s;
    case NNC__OPT_SEED:
        s = whole_number(opt, value, UINT64_MAX, &n);
        v->seed = n;
        return s;
    case NNC__OPT_EPOCHS:
        s = whole_number(opt, value, 1000000, &n);
        v->train.epochs = (unsigned)n;
        return s;
    case NNC__OPT_BATCH:
        if ((s = whole_number(opt, value, 1u << 20, &n)) == NNC_OK && n == 0)
            s = nnc__fail(NNC_ERR_ARG, "batch: must be at least 1");
        v->train.batch_size = n;
        return s;
    case NNC__OPT_ETA:
        if ((s = number(opt, value, &v->train.eta)) == NNC_OK && !(v->train.eta > 0.0f))
            s = nnc__fail(NNC_ERR_ARG, "eta: the learning rate must be positive");
        return s;
    case NNC__OPT_OPTIMIZER:
        s = named(opt, NNC_NAMES_OPTIMIZER, value, &e);
        v->train.optimizer = (nnc_optimizer)e;
        return s;
    case NNC__OPT_MOMENTUM:
        if ((s = number(opt, value, &v->train.momentum)) == NNC_OK &&
            !(v->train.momentum >= 0 && v->train.momentum < 1))
            s = nnc__fail(NNC_ERR_ARG, "momentum: must be in [0, 1)");
        return s;
    case NNC__OPT_LAMBDA:
        if ((s = number(opt, value, &v->train.lambda)) == NNC_OK && v->train.lambda < 0)
            s = nnc__fail(NNC_ERR_ARG, "lambda: must be 0 or more");
        return s;
    case NNC__OPT_DROPOUT:
        if ((s = number(opt, value, &v->train.dropout)) == NNC_OK &&
            !(v->train.dropout >= 0 && v->train.dropout < 1))
            s = nnc__fail(NNC_ERR_ARG, "dropout: must be in [0, 1)");
        return s;
    case NNC__OPT_HALVE_AFTER:
        s = whole_number(opt, value, 1000000, &n);
        v->train.halve_after = (unsigned)n;
        return s;
    case NNC__OPT_EARLY_STOP:
        s = whole_number(opt, value, 1000000, &n);
        v->train.early_stop = (unsigned)n;
        return s;
    case NNC__OPT_MONITOR: return monitor_list(value, &v->train.monitor);
    case NNC__OPT_THREADS:
        s = whole_number(opt, value, 256, &n);
        v->train.threads = (unsigned)n;
        return s;
    case NNC__OPT_SHUFFLE: return one_of(opt, value, yes_no, &v->train.shuffle);
    case NNC__OPT_TASK:
        s = named(opt, NNC_NAMES_TASK, value, &e);
        v->task = (nnc_task)e;
        return s;
    case NNC__OPT_SCALE: return named(opt, NNC_NAMES_SCALING, value, &v->scale);
    case NNC__OPT_BINARY: return one_of(opt, value, binary, &v->one_output);
    case NNC__OPT_VALID_SPLIT: return fraction(opt, value, &v->valid_split);
    case NNC__OPT_TEST_SPLIT: return fraction(opt, value, &v->test_split);
    case NNC__OPT_LABEL: return text_copy(opt, value, v->label);
    case NNC__OPT_IGNORE: return text_copy(opt, value, v->ignore);
    case NNC__OPT_HEADER:
        if ((s = one_of(opt, value, header, &e)) == NNC_OK)
            v->header = e == 2 ? -1 : e;
        return s;
    case NNC__OPT_SKIP_LINES:
        s = whole_number(opt, value, 1000000, &n);
        v->skip_lines = (size_t)n;
        return s;
    case NNC__OPT_PRECISION:
        s = one_of(opt, value, precision, &e);
        v->train.precision = (nnc_precision)e;
        return s;
    case NNC__OPT_AUGMENT: return one_of(opt, value, yes_no, &v->train.augment.on);
    case NNC__OPT_ROTATE: return distortion(opt, value, 180, &v->train.augment.rotate);
    case NNC__OPT_ZOOM: return distortion(opt, value, 0.99f, &v->train.augment.zoom);
    case NNC__OPT_SHEAR: return distortion(opt, value, 1, &v->train.augment.shear);
    case NNC__OPT_SHIFT: return distortion(opt, value, 1000, &v->train.augment.shift);
    case NNC__OPT_ELASTIC_ALPHA:
        return distortion(opt, value, 1000, &v->train.augment.elastic_alpha);
    case NNC__OPT_ELASTIC_SIGMA:
        if ((s = distortion(opt, value, 10, &v->train.augment.elastic_sigma)) == NNC_OK &&
            v->train.augment.elastic_sigma < 0.5f)
            s = nnc__fail(NNC_ERR_ARG, "elastic-sigma: pixels in 0.5 .. 10, not %s", value);
        return s;
    case NNC__OPT_SCHEDULE: return one_of(opt, value, schedules, &v->train.cosine);
    case NNC__OPT_SHARDS:
        if ((s = whole_number(opt, value, 4096, &n)) == NNC_OK && n == 0)
            s = nnc__fail(NNC_ERR_ARG, "shards: must be at least 1");
        v->train.shards = (unsigned)n;
        return s;
    case NNC__OPT_REDUCE:
        s = one_of(opt, value, reduces, &e);
        v->train.reduce = (nnc_reduce)e;
        return s;
    case NNC__OPT_SEP:
        if ((s = one_of(opt, value, sep_names, &e)) != NNC_OK)
            return nnc__fail(NNC_ERR_ARG, "sep: '%s' is not one of comma, semicolon, tab", value);
        v->sep = ",;\t,;\t\t"[e];
        return s;
    }
    return nnc__fail(NNC_ERR_ARG, "unknown option");
}

nnc_status nnc_recipe_set(nnc_recipe *r, const char *option, const char *value)
{
    if (!r || !option || !value)
        return nnc__fail(NNC_ERR_ARG, "nnc_recipe_set: NULL argument");
    int id = nnc__recipe_option_id(option);
    if (id < 0)
        return nnc__fail(NNC_ERR_ARG, "%s: not an option of a recipe", option);
    /* parsed into a copy, so that a bad value leaves the recipe as it was */
    nnc__settings v = r->given_values;
    char preset[sizeof r->preset];
    strcpy(preset, r->preset);
    nnc_status s = parse(id, value, &v, preset);
    if (s != NNC_OK)
        return s;
    if (id == NNC__OPT_PRESET) {   /* only the preset's name is kept: it is laid under */
        strcpy(r->preset, preset);
    } else {
        r->given_values = v;
    }
    r->given |= UINT64_C(1) << id;
    return NNC_OK;
}

/* Copies the fields option id sets from `from` to `to`. */
static void copy_option(int id, nnc__settings *to, const nnc__settings *from)
{
    switch (id) {
    case NNC__OPT_LAYERS:
        memcpy(to->layers, from->layers, sizeof to->layers);
        to->n_layers = from->n_layers;
        break;
    case NNC__OPT_HIDDEN:
        memcpy(to->hidden, from->hidden, sizeof to->hidden);
        to->n_hidden = from->n_hidden;
        break;
    case NNC__OPT_ACTIVATION: to->activation = from->activation; break;
    case NNC__OPT_COST: to->cost = from->cost; break;
    case NNC__OPT_INIT: to->init = from->init; break;
    case NNC__OPT_SEED: to->seed = from->seed; break;
    case NNC__OPT_EPOCHS: to->train.epochs = from->train.epochs; break;
    case NNC__OPT_BATCH: to->train.batch_size = from->train.batch_size; break;
    case NNC__OPT_ETA: to->train.eta = from->train.eta; break;
    case NNC__OPT_OPTIMIZER: to->train.optimizer = from->train.optimizer; break;
    case NNC__OPT_MOMENTUM: to->train.momentum = from->train.momentum; break;
    case NNC__OPT_LAMBDA: to->train.lambda = from->train.lambda; break;
    case NNC__OPT_DROPOUT: to->train.dropout = from->train.dropout; break;
    case NNC__OPT_HALVE_AFTER: to->train.halve_after = from->train.halve_after; break;
    case NNC__OPT_EARLY_STOP: to->train.early_stop = from->train.early_stop; break;
    case NNC__OPT_MONITOR: to->train.monitor = from->train.monitor; break;
    case NNC__OPT_THREADS: to->train.threads = from->train.threads; break;
    case NNC__OPT_SHUFFLE: to->train.shuffle = from->train.shuffle; break;
    case NNC__OPT_TASK: to->task = from->task; break;
    case NNC__OPT_SCALE: to->scale = from->scale; break;
    case NNC__OPT_BINARY: to->one_output = from->one_output; break;
    case NNC__OPT_VALID_SPLIT: to->valid_split = from->valid_split; break;
    case NNC__OPT_TEST_SPLIT: to->test_split = from->test_split; break;
    case NNC__OPT_LABEL: strcpy(to->label, from->label); break;
    case NNC__OPT_IGNORE: strcpy(to->ignore, from->ignore); break;
    case NNC__OPT_HEADER: to->header = from->header; break;
    case NNC__OPT_SEP: to->sep = from->sep; break;
    case NNC__OPT_SKIP_LINES: to->skip_lines = from->skip_lines; break;
    case NNC__OPT_PRECISION: to->train.precision = from->train.precision; break;
    case NNC__OPT_AUGMENT: to->train.augment.on = from->train.augment.on; break;
    case NNC__OPT_ROTATE: to->train.augment.rotate = from->train.augment.rotate; break;
    case NNC__OPT_ZOOM: to->train.augment.zoom = from->train.augment.zoom; break;
    case NNC__OPT_SHEAR: to->train.augment.shear = from->train.augment.shear; break;
    case NNC__OPT_SHIFT: to->train.augment.shift = from->train.augment.shift; break;
    case NNC__OPT_ELASTIC_ALPHA:
        to->train.augment.elastic_alpha = from->train.augment.elastic_alpha;
        break;
    case NNC__OPT_ELASTIC_SIGMA:
        to->train.augment.elastic_sigma = from->train.augment.elastic_sigma;
        break;
    case NNC__OPT_SCHEDULE: to->train.cosine = from->train.cosine; break;
    case NNC__OPT_SHARDS: to->train.shards = from->train.shards; break;
    case NNC__OPT_REDUCE: to->train.reduce = from->train.reduce; break;
    }
}

void nnc__recipe_settings(const nnc_recipe *r, nnc__settings *out)
{
    nnc__preset(r->preset, out);
    for (int id = 0; id < NNC__OPT_COUNT; id++)
        if (r->given >> id & 1)
            copy_option(id, out, &r->given_values);
}

void nnc_recipe_csv_options(const nnc_recipe *r, nnc_csv_options *o)
{
    nnc_csv_options_init(o);
    if (!r)
        return;
    nnc__settings s;
    nnc__recipe_settings(r, &s);
    o->header = s.header;
    o->sep = s.sep;
    o->task = s.task;
    o->skip_lines = s.skip_lines;
    /* the strings live in the recipe, which the caller keeps while reading */
    o->label = nnc_recipe_given(r, "label") ? r->given_values.label : NULL;
    o->ignore = nnc_recipe_given(r, "ignore") ? r->given_values.ignore : NULL;
}
