/* data_args.c — the training, validation and test sets that --data names
 * when it is not a table: a folder of MNIST IDX files or a pickle like the
 * tutorial's mnist.pkl.gz (tables are read by table_args.c). */
#include <stdio.h>

#include "cli.h"

int cli_load_sets(const char *data, const char *test_csv, nnc_data **train, nnc_data **valid,
                  nnc_data **test)
{
    *train = *valid = *test = NULL;
    if (test_csv) {
        cli_error("--test: only with a table as --data (folders and pickles hold their test "
                  "set)");
        return -1;
    }
    int ok = nnc_data_load(data, train, valid, test) == NNC_OK;
    if (!ok) {
        cli_error("%s", nnc_last_error());
        nnc_data_free(*train);
        nnc_data_free(*valid);
        nnc_data_free(*test);
        *train = *valid = *test = NULL;
    }
    return ok;
}

/* The rows of a table a model is judged on, as the library picks them
 * (the held-out rows of the file it was trained on; another file whole),
 * and which they are, on stderr. */
static int table_judged(const nnc_net *net, const char *path, const char *label,
                        int all_rows, nnc_data **test)
{
    nnc_data *all;
    if (!cli_table_for_model(net, label, path, &all))
        return 0;
    nnc_judged which = NNC_JUDGED_ALL;
    nnc_status s = all_rows ? nnc_data_slice(all, 0, nnc_data_count(all), test)
                            : nnc_recipe_judged_rows(net, all, test, &which);
    if (s != NNC_OK) {
        cli_error("%s", nnc_last_error());
        nnc_data_free(all);
        return 0;
    }
    nnc_data_origin o;
    nnc_net_origin(net, &o);
    if (which == NNC_JUDGED_ALL)
        fprintf(stderr, "nnc: %s: judging all %zu rows%s\n", path, nnc_data_count(all),
                all_rows ? " (--all-rows)"
                : o.rows && (o.test_split > 0 || o.valid_split > 0)
                    ? " (not the rows the model held out from: another file, or changed)"
                    : "");
    else
        fprintf(stderr, "nnc: %s: judging the %zu of its %zu rows that training held out as "
                "its %s set\n", path, nnc_data_count(*test), nnc_data_count(all),
                which == NNC_JUDGED_TEST ? "test" : "validation");
    nnc_data_free(all);
    return 1;
}

int cli_load_test_set(const nnc_net *net, const char *data, const char *test_csv,
                      const char *label, int all_rows, nnc_data **test)
{
    *test = NULL;
    if (cli_is_table(data))
        return table_judged(net, test_csv ? test_csv : data, label, all_rows, test);
    nnc_data *train, *valid;
    int ok = cli_load_sets(data, test_csv, &train, &valid, test);   /* says why not */
    nnc_data_free(train);
    nnc_data_free(valid);
    return ok;
}
