/* atomic_file.c — see atomic_file.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../runtime/error.h"
#include "atomic_file.h"

/* Makes the rename itself durable; a failure here loses nothing. */
static void sync_folder(const char *path)
{
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path);
    int fd = open(dirname(copy), O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

nnc_status nnc__write_atomically(const char *path, const void *data, size_t len)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp)
        return nnc__fail(NNC_ERR_ARG, "%s: path too long", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return nnc__fail(NNC_ERR_IO, "%s: cannot create a temporary file beside it: %s", path,
                         strerror(errno));
    /* mkstemp makes the file private; a model is an ordinary file: keep the
     * mode of the file it replaces, else rw-r--r-- */
    struct stat old;
    fchmod(fd, stat(path, &old) == 0 ? (old.st_mode & 07777) : 0644);
    const char *p = data;
    size_t left = len;
    int err = 0;
    while (left > 0 && !err) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            err = w < 0 ? errno : ENOSPC;
        else
            p += w, left -= (size_t)w;
    }
    if (!err && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (err) {
        unlink(tmp);   /* the previous file, if any, is untouched */
        return nnc__fail(NNC_ERR_IO, "%s: cannot write: %s (previous file kept)", path,
                         strerror(err));
    }
    sync_folder(path);
    return NNC_OK;
}
