/* output_file.c — a file the command writes, made beside its name and renamed
 * into place when complete, so that a failure leaves no half-written file and
 * the old one, if any, as it was. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_output_open(cli_output *o, const char *path)
{
    o->path = path;
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp-%ld", path, (long)getpid());
    if (!(o->f = fopen(o->tmp, "wb"))) {
        cli_error("%s: cannot write: %s", path, strerror(errno));
        return 0;
    }
    return 1;
}

int cli_output_commit(cli_output *o, int ok)
{
    int err = 0;
    if (ferror(o->f))
        err = errno ? errno : EIO;
    if (fclose(o->f) != 0 && !err)
        err = errno;
    if (ok && !err && rename(o->tmp, o->path) != 0)
        err = errno;
    if (ok && err)
        cli_error("%s: cannot write: %s", o->path, strerror(err));
    if (!ok || err)
        unlink(o->tmp);
    return ok && !err;
}
