/* fuzz_pickle.c — nnc_pickle_load on a raw or gzip'd pickle. */
#include "fuzz_util.h"
#include "nnc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nnc_data *train = NULL, *valid = NULL, *test = NULL;
    (void)nnc_pickle_load(fuzz_file("mnist.pkl", data, size), &train, &valid, &test);
    nnc_data_free(train);
    nnc_data_free(valid);
    nnc_data_free(test);
    return 0;
}
