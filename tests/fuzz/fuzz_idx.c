/* fuzz_idx.c — nnc_idx_load on an images file and a labels file, raw or
 * gzip'd: the input's first byte says where it is cut in two. */
#include "fuzz_util.h"
#include "nnc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cut = 1 + (size - 1) * data[0] / 255;
    const char *images = fuzz_file("images", data + 1, cut - 1);
    const char *labels = fuzz_file("labels", data + cut, size - cut);
    nnc_data *d = NULL;
    if (nnc_idx_load(images, labels, &d) == NNC_OK) {
        float x[64];
        if (nnc_data_dim(d) <= 64)
            nnc_data_input(d, nnc_data_count(d) - 1, x);
        (void)nnc_data_label(d, 0);
    }
    nnc_data_free(d);
    return 0;
}
