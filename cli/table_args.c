/* table_args.c — a table (CSV) for the nnc commands: its columns and task
 * as the options say, its training, validation and test sets (files or
 * random splits), and the network's shape and scaling taken from it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define DEFAULT_HIDDEN 30   /* the tutorial's hidden layer */

void cli_table_init(cli_table *t)
{
    memset(t, 0, sizeof *t);
    nnc_csv_options_init(&t->csv);
    t->scale = -1;
}

int cli_is_table(const char *path)
{
    return cli_ends_with(path, ".csv") || cli_ends_with(path, ".tsv") ||
           cli_ends_with(path, ".txt");
}

int cli_table_option(cli_table *t, const char *opt, const char *arg)
{
    if (!strcmp(opt, "--header")) {
        if (!strcmp(arg, "yes") || !strcmp(arg, "no") || !strcmp(arg, "auto")) {
            t->csv.header = arg[0] == 'y' ? 1 : arg[0] == 'n' ? 0 : -1;
            return 1;
        }
        cli_error("--header: '%s' is not one of yes, no, auto", arg);
        return 0;
    }
    if (!strcmp(opt, "--sep")) {
        if (!strcmp(arg, ",") || !strcmp(arg, "comma"))
            t->csv.sep = ',';
        else if (!strcmp(arg, ";") || !strcmp(arg, "semicolon"))
            t->csv.sep = ';';
        else if (!strcmp(arg, "\\t") || !strcmp(arg, "tab") || !strcmp(arg, "\t"))
            t->csv.sep = '\t';
        else {
            cli_error("--sep: '%s' is not one of comma, semicolon, tab", arg);
            return 0;
        }
        return 1;
    }
    if (!strcmp(opt, "--task")) {
        if (!strcmp(arg, "classify") || !strcmp(arg, "regress")) {
            t->csv.task = arg[0] == 'r' ? NNC_TASK_REGRESS : NNC_TASK_CLASSIFY;
            t->task_given = 1;
            return 1;
        }
        cli_error("--task: '%s' is not one of classify, regress", arg);
        return 0;
    }
    if (!strcmp(opt, "--scale")) {
        if (!strcmp(arg, "standard") || !strcmp(arg, "minmax") || !strcmp(arg, "none")) {
            t->scale = arg[0] == 's'   ? NNC_SCALE_STANDARD
                       : arg[0] == 'm' ? NNC_SCALE_MINMAX
                                       : NNC_SCALE_NONE;
            return 1;
        }
        cli_error("--scale: '%s' is not one of standard, minmax, none", arg);
        return 0;
    }
    if (!strcmp(opt, "--binary")) {
        if (!strcmp(arg, "sigmoid") || !strcmp(arg, "softmax")) {
            t->one_output = arg[1] == 'i';
            return 1;
        }
        cli_error("--binary: '%s' is not one of sigmoid, softmax", arg);
        return 0;
    }
    if (!strcmp(opt, "--valid-split") || !strcmp(opt, "--test-split")) {
        float f;
        if (!parse_float(opt, arg, &f))
            return 0;
        if (!(f > 0.0f && f < 1.0f)) {
            cli_error("%s: a fraction between 0 and 1, not %s", opt, arg);
            return 0;
        }
        *(opt[2] == 'v' ? &t->valid_split : &t->test_split) = f;
        return 1;
    }
    if (!strcmp(opt, "--hidden")) {
        size_t n = 0;
        if (!parse_layers("--hidden", arg, t->hidden, &n))
            return 0;
        t->n_hidden = n;
        return 1;
    }
    if (!strcmp(opt, "--label"))
        t->csv.label = arg;
    else if (!strcmp(opt, "--ignore"))
        t->csv.ignore = arg;
    return 1;
}

/* What a table holds, on stderr: rows, inputs and the task's outputs. */
static void describe(const nnc_data *d)
{
    fprintf(stderr, "nnc: %s: %zu rows, %zu inputs%s", nnc_data_source(d), nnc_data_count(d),
            nnc_data_dim(d), nnc_data_is_pixels(d) ? " (pixels 0-255)" : "");
    if (nnc_data_targets(d)) {
        fprintf(stderr, ", %zu target%s\n", nnc_data_targets(d),
                nnc_data_targets(d) == 1 ? "" : "s");
        return;
    }
    size_t k = nnc_data_classes(d);
    fprintf(stderr, ", %zu classes:", k);
    for (size_t i = 0; i < k && i < 12; i++)
        fprintf(stderr, " %s", nnc_data_class_name(d, i));
    fputs(k > 12 ? " ...\n" : "\n", stderr);
}

/* Replaces *d by the part kept and puts the held-out fraction in *held. */
static int split_off(nnc_data **d, double fraction, uint64_t seed, nnc_data **held)
{
    nnc_data *rest;
    if (nnc_data_split(*d, fraction, seed, &rest, held) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        return 0;
    }
    nnc_data_free(*d);
    *d = rest;
    return 1;
}

int cli_table_sets(const cli_table *t, const char *path, const char *test_csv, uint64_t seed,
                   nnc_data **train, nnc_data **valid, nnc_data **test)
{
    *train = *valid = *test = NULL;
    if (test_csv && t->test_split > 0) {
        cli_error("--test and --test-split: give one of them");
        return -1;
    }
    nnc_data *all;
    if (nnc_csv_read(path, &t->csv, &all) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        return 0;
    }
    describe(all);
    int ok = 1;
    if (test_csv) {   /* read with the training file's classes, in its order */
        nnc_csv_options o = t->csv;
        size_t k = nnc_data_classes(all);
        const char **classes = malloc((k ? k : 1) * sizeof *classes);
        for (size_t i = 0; classes && i < k; i++)
            classes[i] = nnc_data_class_name(all, i);
        o.classes = k ? classes : NULL, o.n_classes = k;
        ok = classes && nnc_csv_read(test_csv, &o, test) == NNC_OK;
        if (!ok)
            cli_error("%s", classes ? nnc_last_error() : "out of memory");
        free(classes);
    } else if (t->test_split > 0) {   /* the splits' own seeds: the network's stay as they are */
        ok = split_off(&all, t->test_split, seed ^ 0x7e57u, test);
    }
    if (ok && t->valid_split > 0)
        ok = split_off(&all, t->valid_split, seed ^ 0xa11du, valid);
    if (!ok) {
        nnc_data_free(all);
        nnc_data_free(*test);
        nnc_data_free(*valid);
        *valid = *test = NULL;
        return 0;
    }
    *train = all;
    fprintf(stderr, "nnc: training on %zu rows", nnc_data_count(all));
    if (*valid)
        fprintf(stderr, ", validating on %zu", nnc_data_count(*valid));
    if (*test)
        fprintf(stderr, ", testing on %zu", nnc_data_count(*test));
    fputc('\n', stderr);
    return 1;
}

int cli_table_shape(const cli_table *t, const nnc_data *train, int layers_given,
                    int cost_given, size_t *sizes, size_t *n_layers, nnc_net_spec *spec)
{
    int regress = nnc_data_targets(train) > 0;
    size_t k = regress ? nnc_data_targets(train) : nnc_data_classes(train);
    if (!regress && t->one_output && k != 2) {
        cli_error("--binary: %s has %zu classes, not 2", nnc_data_source(train), k);
        return 0;
    }
    if (!regress && k < 2 && nnc_data_classes(train)) {
        cli_error("%s: every label is '%s': one class leaves nothing to learn",
                  nnc_data_source(train), nnc_data_class_name(train, 0));
        return 0;
    }
    if (regress != nnc_cost_is_regression(spec->cost)) {
        if (cost_given) {
            cli_error("--cost %s: %s", cli_cost_name(spec->cost),
                      regress ? "regression takes mse, mae or huber"
                              : "classification takes quadratic, cross-entropy or softmax");
            return 0;
        }
        spec->cost = regress ? NNC_COST_MSE : NNC_COST_QUADRATIC;
    }
    if (t->one_output && !cost_given)
        spec->cost = NNC_COST_CROSS_ENTROPY;
    if (t->one_output && spec->cost == NNC_COST_SOFTMAX_LOGLIK) {
        cli_error("--binary sigmoid and --cost softmax: one output cannot be a softmax");
        return 0;
    }
    if (layers_given)   /* all of it from the user; the data must fit it */
        return 1;
    size_t n = 0;
    sizes[n++] = nnc_data_dim(train);
    if (t->n_hidden)
        for (size_t i = 0; i < t->n_hidden && n < MAX_LAYERS - 1; i++)
            sizes[n++] = t->hidden[i];
    else
        sizes[n++] = DEFAULT_HIDDEN;
    sizes[n++] = !regress && t->one_output ? 1 : k;
    *n_layers = n;
    spec->sizes = sizes, spec->n_layers = n;
    return 1;
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

int cli_table_prepare(const cli_table *t, nnc_net *net, const nnc_data *train)
{
    /* pixels and inputs already in [0, 1] go in as they are */
    nnc_scaling how = t->scale >= 0                                      ? (nnc_scaling)t->scale
                      : nnc_data_is_pixels(train) || unit_range(train) ? NNC_SCALE_NONE
                                                                       : NNC_SCALE_STANDARD;
    size_t k = nnc_data_classes(train), d = nnc_data_dim(train);
    const char **names = malloc((k > d ? k : d) * sizeof *names + 1);
    nnc_status s = names ? nnc_net_fit_scaling(net, train, how) : NNC_ERR_NOMEM;
    nnc_net_set_pixel_inputs(net, nnc_data_is_pixels(train));
    int plain = 1;   /* classes named 0, 1, 2, ...: their numbers say it all */
    for (size_t i = 0; s == NNC_OK && i < k; i++) {
        char number[32];
        names[i] = nnc_data_class_name(train, i);
        snprintf(number, sizeof number, "%zu", i);
        plain = plain && !strcmp(names[i], number);
    }
    if (s == NNC_OK && k && !plain)
        s = nnc_net_set_class_names(net, names, k);
    int named = nnc_data_input_name(train, 0) != NULL;
    for (size_t j = 0; s == NNC_OK && named && j < d; j++)
        names[j] = nnc_data_input_name(train, j);
    if (s == NNC_OK && named)
        s = nnc_net_set_input_names(net, names);
    free(names);
    if (s != NNC_OK)
        cli_error("%s", names ? nnc_last_error() : "out of memory");
    return s == NNC_OK;
}

int cli_table_for_model(const nnc_net *net, const char *label, const char *path,
                        nnc_data **out)
{
    nnc_csv_options o;
    nnc_csv_options_init(&o);
    o.label = label;
    o.task = nnc_cost_is_regression(nnc_net_cost(net)) ? NNC_TASK_REGRESS : NNC_TASK_CLASSIFY;
    /* a model trained elsewhere (MNIST, a pickle) says nothing: detect */
    o.pixels = nnc_net_pixel_inputs(net)                                   ? 1
               : nnc_net_scaling(net, NULL, NULL) || nnc_net_input_name(net, 0) ? 0
                                                                          : -1;
    size_t k = nnc_net_classes(net), d = nnc_net_inputs(net);
    const char **classes = malloc((k ? k : 1) * sizeof *classes);
    const char **inputs = malloc(d * sizeof *inputs);
    int ok = classes && inputs;
    for (size_t i = 0; ok && i < k; i++)
        classes[i] = nnc_net_class_name(net, i);
    o.classes = k ? classes : NULL, o.n_classes = k;
    o.n_inputs = d;
    if (ok && nnc_net_input_name(net, 0)) {
        for (size_t j = 0; j < d; j++)
            inputs[j] = nnc_net_input_name(net, j);
        o.inputs = inputs;
    }
    ok = ok && nnc_csv_read(path, &o, out) == NNC_OK;
    if (!ok)
        cli_error("%s", classes && inputs ? nnc_last_error() : "out of memory");
    free(classes);
    free(inputs);
    return ok;
}
