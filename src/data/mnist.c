/* mnist.c — the four MNIST files of a folder, split as the tutorial's data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dataset.h"

#define MNIST_VALIDATION 10000   /* the last 10,000 training images */

/* path = dir/name, or dir/name.gz if only that exists. */
static nnc_status find_file(const char *dir, const char *name, char *path, size_t cap)
{
    struct stat sb;
    snprintf(path, cap, "%s/%s", dir, name);
    if (stat(path, &sb) == 0)
        return NNC_OK;
    snprintf(path, cap, "%s/%s.gz", dir, name);
    if (stat(path, &sb) == 0)
        return NNC_OK;
    return nnc__fail(NNC_ERR_IO, "%s: neither %s nor %s.gz is there (scripts/fetch-mnist.sh gets them)",
                     dir, name, name);
}

static nnc_status load_pair(const char *dir, const char *images, const char *labels,
                            nnc_data **out)
{
    char ip[4096], lp[4096];
    nnc_status s = find_file(dir, images, ip, sizeof ip);
    if (s == NNC_OK)
        s = find_file(dir, labels, lp, sizeof lp);
    if (s == NNC_OK)
        s = nnc_idx_load(ip, lp, out);
    if (s == NNC_OK && nnc_data_dim(*out) != 784) {
        s = nnc__fail(NNC_ERR_FORMAT, "%s: images of %zu pixels, MNIST has 28 x 28", ip,
                      nnc_data_dim(*out));
        nnc_data_free(*out);
        *out = NULL;
    }
    return s;
}

nnc_status nnc_mnist_load(const char *dir, nnc_data **train, nnc_data **valid,
                          nnc_data **test)
{
    nnc_data *all = NULL, *t10k = NULL, *tr = NULL, *va = NULL;
    if (train) *train = NULL;
    if (valid) *valid = NULL;
    if (test) *test = NULL;
    if (!dir)
        return nnc__fail(NNC_ERR_ARG, "nnc_mnist_load: NULL folder");
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return nnc__fail(NNC_ERR_IO, "%s: no such folder", dir);
    if (!S_ISDIR(sb.st_mode))
        return nnc__fail(NNC_ERR_IO, "%s: not a folder (MNIST's four files are expected in one)",
                         dir);
    nnc_status s = NNC_OK;
    if (train || valid) {
        s = load_pair(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", &all);
        if (s == NNC_OK && nnc_data_count(all) <= MNIST_VALIDATION)
            s = nnc__fail(NNC_ERR_FORMAT, "%s: %zu training images, need more than %d",
                          nnc_data_source(all), nnc_data_count(all), MNIST_VALIDATION);
        size_t n_train = s == NNC_OK ? nnc_data_count(all) - MNIST_VALIDATION : 0;
        if (s == NNC_OK && train)
            s = nnc_data_slice(all, 0, n_train, &tr);
        if (s == NNC_OK && valid)
            s = nnc_data_slice(all, n_train, MNIST_VALIDATION, &va);
    }
    if (s == NNC_OK && test)
        s = load_pair(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", &t10k);
    for (size_t i = 0; s == NNC_OK && i < 2; i++) {   /* labels must be digits */
        nnc_data *d = i ? t10k : all;
        for (size_t j = 0; d && j < nnc_data_count(d); j++)
            if (nnc_data_label(d, j) > 9) {
                s = nnc__fail(NNC_ERR_FORMAT, "%s: label %u of sample %zu is not a digit 0-9",
                              d->st->label_source, nnc_data_label(d, j), j);
                break;
            }
    }
    nnc_data_free(all);   /* the slices keep the storage alive */
    if (s != NNC_OK) {
        nnc_data_free(tr);
        nnc_data_free(va);
        nnc_data_free(t10k);
        return s;
    }
    if (train) *train = tr;
    if (valid) *valid = va;
    if (test) *test = t10k;
    return NNC_OK;
}
