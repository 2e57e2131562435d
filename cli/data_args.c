/* data_args.c — the training, validation and test sets that --data names:
 * a folder of MNIST IDX files, a pickle like the tutorial's mnist.pkl.gz, or a
 * CSV file (then --test names the test CSV). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#define CSV_VALIDATION 10000   /* as MNIST: the last 10,000 training rows */

static int load_csv(const char *path, nnc_data **out)
{
    int unit;
    if (nnc_csv_load(path, out, &unit) != NNC_OK)
        return 0;
    fprintf(stderr, "nnc: %s: %zu samples, values %s\n", path, nnc_data_count(*out),
            unit ? "in [0, 1]" : "0-255");
    return 1;
}

int cli_load_sets(const char *data, const char *test_csv, nnc_data **train, nnc_data **valid,
                  nnc_data **test)
{
    struct stat sb;
    *train = *valid = *test = NULL;
    int ok;
    int exists = stat(data, &sb) == 0;
    int named_file = cli_ends_with(data, ".csv") || cli_ends_with(data, ".pkl") || cli_ends_with(data, ".pkl.gz");
    if (exists ? S_ISDIR(sb.st_mode) : !named_file) {   /* missing: name the files wanted */
        ok = nnc_mnist_load(data, train, valid, test) == NNC_OK;
    } else if (cli_ends_with(data, ".csv")) {
        nnc_data *all = NULL;
        ok = load_csv(data, &all);
        size_t n = ok ? nnc_data_count(all) : 0;
        if (ok && n > 2 * CSV_VALIDATION)
            ok = nnc_data_slice(all, 0, n - CSV_VALIDATION, train) == NNC_OK &&
                 nnc_data_slice(all, n - CSV_VALIDATION, CSV_VALIDATION, valid) == NNC_OK;
        else if (ok)
            ok = nnc_data_slice(all, 0, n, train) == NNC_OK;
        nnc_data_free(all);
        if (ok && test_csv)
            ok = load_csv(test_csv, test);
    } else {
        ok = nnc_pickle_load(data, train, valid, test) == NNC_OK;
    }
    if (ok && test_csv && !cli_ends_with(data, ".csv")) {
        cli_error("--test: only with a CSV --data (folders and pickles hold their test set)");
        ok = -1;
    } else if (!ok) {
        cli_error("%s", nnc_last_error());
    }
    if (ok != 1) {
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
