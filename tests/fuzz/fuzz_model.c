/* fuzz_model.c — nnc_model_load on a .nnc model or checkpoint, or network2
 * JSON (told apart by content), and the loaded network used once. */
#include "fuzz_util.h"
#include "nnc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nnc_net *net = NULL;
    if (nnc_model_load(fuzz_file("model", data, size), &net) == NNC_OK &&
        nnc_net_inputs(net) <= 4096 && nnc_net_outputs(net) <= 4096) {
        float x[4096] = {0}, y[4096];
        (void)nnc_feedforward(net, x, 1, y);
    }
    nnc_net_free(net);
    return 0;
}
