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

int cli_load_test_set(const nnc_net *net, const char *data, const char *test_csv,
                      const char *label, nnc_data **test)
{
    *test = NULL;
    if (cli_is_table(data))   /* a table is evaluated whole */
        return cli_table_for_model(net, label, test_csv ? test_csv : data, test);
    nnc_data *train, *valid;
    int ok = cli_load_sets(data, test_csv, &train, &valid, test);   /* says why not */
    nnc_data_free(train);
    nnc_data_free(valid);
    return ok;
}
