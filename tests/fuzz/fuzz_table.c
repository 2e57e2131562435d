/* fuzz_table.c — nnc_csv_read on any text, with the options taken from the
 * input's first byte: header yes/no/auto, task, label by name or number,
 * and a model's classes and input names to read by. */
#include <string.h>

#include "fuzz_util.h"
#include "nnc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const char *const classes[] = {"cat", "dog", "0", "1"};
    static const char *const inputs[] = {"a", "b"};
    nnc_csv_options o;
    nnc_csv_options_init(&o);
    unsigned bits = data[0];
    o.header = (int)(bits & 3) % 3 - 1;
    o.task = bits & 4 ? NNC_TASK_REGRESS : NNC_TASK_CLASSIFY;
    o.label = bits & 8 ? "y" : bits & 16 ? "2,3" : NULL;
    if (bits & 32)
        o.classes = classes, o.n_classes = 4;
    if (bits & 64)
        o.inputs = inputs, o.n_inputs = 2;
    o.pixels = bits & 128 ? 1 : -1;
    nnc_data *d = NULL;
    if (nnc_csv_read(fuzz_file("table.csv", data + 1, size - 1), &o, &d) == NNC_OK) {
        float x[256], y[256];
        size_t last = nnc_data_count(d) - 1;
        if (nnc_data_dim(d) <= 256)
            nnc_data_input(d, last, x);
        if (nnc_data_targets(d) && nnc_data_targets(d) <= 256)
            nnc_data_target(d, last, y);
        for (size_t c = 0; c < nnc_data_classes(d); c++)
            (void)strlen(nnc_data_class_name(d, c));
    }
    nnc_data_free(d);
    return 0;
}
