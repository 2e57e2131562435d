/* load.c — a dataset path as every front end reads it: a folder of MNIST
 * IDX files, or a pickle like the tutorial's mnist.pkl.gz. */
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../runtime/error.h"

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && !strcasecmp(s + n - t, tail);
}

nnc_status nnc_data_load(const char *path, nnc_data **train, nnc_data **valid, nnc_data **test)
{
    if (!path)
        return nnc__fail(NNC_ERR_ARG, "nnc_data_load: NULL path");
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    int pickle_name = ends_with(path, ".pkl") || ends_with(path, ".pkl.gz");
    /* a missing path that names no pickle is a folder, so that the message names its files */
    int folder = exists ? S_ISDIR(sb.st_mode) : !pickle_name;
    return folder ? nnc_mnist_load(path, train, valid, test)
                  : nnc_pickle_load(path, train, valid, test);
}
