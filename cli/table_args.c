/* table_args.c — a table (CSV) for the nnc commands: read as the recipe
 * says (its label, ignore, header, sep and task options), a --test file read
 * with the training file's classes, and rows read for a trained model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_is_table(const char *path)
{
    return nnc_recipe_is_table(path);
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

int cli_table_read(const nnc_recipe *r, const char *path, const char *test_csv,
                   nnc_data **all, nnc_data **test)
{
    *all = *test = NULL;
    if (test_csv && nnc_recipe_given(r, "test-split")) {
        cli_error("--test and --test-split: give one of them");
        return -1;
    }
    nnc_csv_options o;
    nnc_recipe_csv_options(r, &o);
    if (nnc_csv_read(path, &o, all) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        return 0;
    }
    describe(*all);
    if (!test_csv)
        return 1;
    size_t k = nnc_data_classes(*all);   /* the test file in the training file's classes */
    const char **classes = malloc((k ? k : 1) * sizeof *classes);
    for (size_t i = 0; classes && i < k; i++)
        classes[i] = nnc_data_class_name(*all, i);
    o.classes = k ? classes : NULL, o.n_classes = k;
    int ok = classes && nnc_csv_read(test_csv, &o, test) == NNC_OK;
    if (!ok) {
        cli_error("%s", classes ? nnc_last_error() : "out of memory");
        nnc_data_free(*all);
        *all = NULL;
    }
    free(classes);
    return ok;
}

int cli_table_for_model(const nnc_net *net, const char *label, const char *path,
                        nnc_data **out)
{
    if (nnc_recipe_read_for_model(net, path, label, out) == NNC_OK)
        return 1;
    cli_error("%s", nnc_last_error());
    return 0;
}
