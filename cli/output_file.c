/* output_file.c — a file the command writes, made beside its name and renamed
 * into place when complete (nnc_file_begin, nnc_file_end), so that a failure
 * leaves no half-written file and the old one, if any, as it was. */
#include <stdio.h>

#include "cli.h"

int cli_output_open(cli_output *o, const char *path)
{
    if (nnc_file_begin(path, &o->file, &o->f) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        return 0;
    }
    return 1;
}

int cli_output_commit(cli_output *o, int ok)
{
    nnc_status s = nnc_file_end(o->file, ok);
    o->file = NULL, o->f = NULL;
    if (s != NNC_OK)
        cli_error("%s", nnc_last_error());
    return ok && s == NNC_OK;
}
