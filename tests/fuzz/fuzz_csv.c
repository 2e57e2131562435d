/* fuzz_csv.c — nnc_csv_load on any text. */
#include "fuzz_util.h"
#include "nnc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nnc_data *d = NULL;
    int unit;
    if (nnc_csv_load(fuzz_file("data.csv", data, size), &d, &unit) == NNC_OK) {
        float x[64];
        if (nnc_data_dim(d) <= 64)
            nnc_data_input(d, nnc_data_count(d) - 1, x);
    }
    nnc_data_free(d);
    return 0;
}
