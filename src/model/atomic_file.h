/* atomic_file.h — write a whole file so that readers see the old content or
 * the new, never a part: temporary file in the same folder, fsync, rename.
 * The library's one way to write a file: nnc_file_begin and nnc_file_end
 * (nnc.h) for a file written piece by piece, and this for one in memory. */
#ifndef NNC_ATOMIC_FILE_H
#define NNC_ATOMIC_FILE_H

#include <stddef.h>

#include "nnc.h"

/* Writes data to path atomically (nnc_file_begin, one write, nnc_file_end). A symbolic link is written through (its
 * target replaced, the link kept); a folder, device, FIFO or socket is
 * refused. Signals that would end the process are held back while the file
 * is written, so that no temporary file is left behind; a write past the
 * file-size limit fails with a message instead of killing the process. */
nnc_status nnc__write_atomically(const char *path, const void *data, size_t len);

/* Checks, before any work, that nnc__write_atomically could write path now:
 * the same refusals, and a temporary file can be made in its folder. */
nnc_status nnc__check_writable(const char *path);

#endif
