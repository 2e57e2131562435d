/* atomic_file.h — write a whole file so that readers see the old content or
 * the new, never a part: temporary file in the same folder, fsync, rename. */
#ifndef NNC_ATOMIC_FILE_H
#define NNC_ATOMIC_FILE_H

#include <stddef.h>

#include "nnc.h"

nnc_status nnc__write_atomically(const char *path, const void *data, size_t len);

#endif
