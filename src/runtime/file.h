/* file.h — opening a file a user named, for reading. */
#ifndef NNC_FILE_H
#define NNC_FILE_H

#include <stdio.h>

#include "nnc.h"

struct stat;
/* NNC_OK if sb (of path) is a regular file; else an error naming path: a
 * folder, or a device, FIFO or socket, which nnc neither reads nor replaces. */
nnc_status nnc__regular(const char *path, const struct stat *sb);

/* Checks that path names a regular file that can be read: a folder, FIFO or
 * device is refused before it is opened, since opening a FIFO waits for a
 * writer and a device may never end. NNC_OK, or an error naming path. */
nnc_status nnc__check_readable(const char *path);

/* nnc__check_readable, then fopen(path, "rb"); NULL after recording why. */
FILE *nnc__open_file(const char *path);

#endif
