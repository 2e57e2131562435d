/* dispatch.c — picks the dense implementation for this machine. Callers ask
 * once per training run or evaluation and keep the answer. */
#include <stdlib.h>
#include <string.h>

#include "dense.h"

const nnc_dense_ops *nnc_dense_best(void)
{
    const char *want = getenv("NNC_KERNELS");
    if (want && strcmp(want, "ref") == 0)
        return &nnc_dense_ref;
    return &nnc_dense_blas;
}
