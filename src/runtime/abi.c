/* abi.c — the library's version and the sizes of the public structs, so
 * that a binding that mirrors them (the Python package's ctypes
 * declarations) can check its copy against the library it loaded instead of
 * corrupting memory. */
#include <string.h>

#include "nnc.h"

const char *nnc_version(void)
{
    return NNC_VERSION;
}

size_t nnc_sizeof(const char *type)
{
    static const struct {
        const char *name;
        size_t      size;
    } types[] = {
        {"nnc_net_spec", sizeof(nnc_net_spec)},
        {"nnc_train_opts", sizeof(nnc_train_opts)},
        {"nnc_train_summary", sizeof(nnc_train_summary)},
        {"nnc_measure", sizeof(nnc_measure)},
        {"nnc_epoch_report", sizeof(nnc_epoch_report)},
        {"nnc_progress", sizeof(nnc_progress)},
        {"nnc_csv_options", sizeof(nnc_csv_options)},
        {"nnc_augment", sizeof(nnc_augment)},
    };
    for (size_t i = 0; type && i < sizeof types / sizeof *types; i++)
        if (!strcmp(types[i].name, type))
            return types[i].size;
    return 0;
}
