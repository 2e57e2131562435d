/* fuzz_checkpoint.c — a checkpoint as --resume reads it: the network and the
 * training state that follows it. */
#include "fuzz_util.h"
#include "model/model_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nnc_net *net = NULL;
    nnc__run_state st;
    if (nnc__model_read(fuzz_file("checkpoint.nnc", data, size), &net, &st) == NNC_OK)
        nnc__run_state_free(&st);
    nnc_net_free(net);
    return 0;
}
