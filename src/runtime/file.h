/* file.h — opening a file a user named, for reading. */
#ifndef NNC_FILE_H
#define NNC_FILE_H

#include <stdio.h>

#include "nnc.h"

/* Checks that path names a regular file that can be read: a folder, FIFO or
 * device is refused before it is opened, since opening a FIFO waits for a
 * writer and a device may never end. NNC_OK, or an error naming path. */
nnc_status nnc__check_readable(const char *path);

/* nnc__check_readable, then fopen(path, "rb"); NULL after recording why. */
FILE *nnc__open_file(const char *path);

#endif
