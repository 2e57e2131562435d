/* fuzz_util.h — what every fuzz target shares: the input written to a file,
 * since nnc's readers take paths, as a user's file reaches them. */
#ifndef NNC_FUZZ_UTIL_H
#define NNC_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Writes data to a file of this process named by tag and returns its path. */
static inline const char *fuzz_file(const char *tag, const uint8_t *data, size_t size)
{
    static char paths[4][256];
    static int next;
    char *path = paths[next++ % 4];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof paths[0], "%s/nnc-fuzz-%ld-%s", dir && *dir ? dir : "/tmp",
             (long)getpid(), tag);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    if (fclose(f) != 0)
        abort();
    return path;
}

#endif
