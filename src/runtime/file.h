/* file.h — opening a file a user named, for reading, raw or gzip'd. */
#ifndef NNC_FILE_H
#define NNC_FILE_H

#include <stdint.h>
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

/* A file read from start to end, raw or gzip'd (told by its first two
 * bytes, whatever its name): every reader's one way to read one, so that
 * each takes either and says the same things about a broken one. */
typedef struct nnc__input nnc__input;

/* Opens path after nnc__check_readable; a name ending in .gz whose content
 * is not gzip is refused. NNC_OK, or an error naming path. */
nnc_status nnc__input_open(const char *path, nnc__input **out);
void nnc__input_close(nnc__input *in);
/* 1 if the content is gzip'd; the size of the file itself (compressed). */
int nnc__input_gzipped(const nnc__input *in);
uint64_t nnc__input_file_size(const nnc__input *in);
/* Reads up to len bytes of content into buf; *got is 0 at the end. Corrupt
 * or truncated gzip data is an error naming the file and zlib's reason. */
nnc_status nnc__input_read_some(nnc__input *in, void *buf, size_t len, size_t *got);
/* Reads exactly len bytes; fewer is a truncated file: "truncated: N bytes
 * fewer than the header promises". */
nnc_status nnc__input_read(nnc__input *in, void *buf, size_t len);

/* For a gzip'd input of which `consumed` bytes have been read and whose
 * content should end len bytes later (the reader's expectation, checked
 * against its limits): the rest, inflated whole in one call (libdeflate), in
 * buf[0 .. len). buf must have room for consumed + len bytes. 1 if done, the
 * file being exactly one gzip member of that size, and the input then at its
 * end; 0 if not (no libdeflate in the build, a raw file, several members,
 * another size, damage): nothing read, and the streaming reads go on. */
int nnc__input_read_rest(nnc__input *in, uint64_t consumed, void *buf, size_t len);

/* The whole content of path (raw or gzip'd) in one allocation, NUL after
 * its last byte, at most max bytes: more is an error "PATH: N bytes,
 * too_big" (e.g. "more than a table may have (4 GiB)"). *buf is the
 * caller's to free. */
nnc_status nnc__read_whole(const char *path, size_t max, const char *too_big, char **buf,
                           size_t *len);

#endif
