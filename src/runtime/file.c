/* file.c — see file.h. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "file.h"

nnc_status nnc__check_readable(const char *path)
{
    struct stat sb;
    if (!path)
        return nnc__fail(NNC_ERR_ARG, "no file name given");
    if (stat(path, &sb) != 0)
        return nnc__fail(NNC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    return nnc__regular(path, &sb);
}

nnc_status nnc__regular(const char *path, const struct stat *sb)
{
    if (S_ISDIR(sb->st_mode))
        return nnc__fail(NNC_ERR_IO, "%s: is a folder, not a file", path);
    if (!S_ISREG(sb->st_mode))
        return nnc__fail(NNC_ERR_IO, "%s: not a regular file (a device, FIFO or socket): "
                         "refused", path);
    return NNC_OK;
}

FILE *nnc__open_file(const char *path)
{
    if (nnc__check_readable(path) != NNC_OK)
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        nnc__fail(NNC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    return f;
}
