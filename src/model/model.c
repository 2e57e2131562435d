/* model.c — the public model-file functions: format chosen by content. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../runtime/file.h"
#include "atomic_file.h"
#include "model_file.h"

nnc_status nnc_model_save(const nnc_net *net, const char *path)
{
    if (!net || !path)
        return nnc__fail(NNC_ERR_ARG, "nnc_model_save: NULL argument");
    return nnc__model_write(net, NULL, path);
}

nnc_status nnc_model_check_save(const nnc_net *net, const char *path, int json)
{
    if (!net || !path)
        return nnc__fail(NNC_ERR_ARG, "nnc_model_check_save: NULL argument");
    nnc_status s = json ? nnc__json_holds(net, path) : NNC_OK;
    return s == NNC_OK ? nnc__check_writable(path) : s;
}

/* First non-blank byte, or EOF. */
static int first_char(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return EOF;
    int c;
    while ((c = fgetc(f)) != EOF && isspace(c))
        ;
    fclose(f);
    return c;
}

nnc_status nnc_model_file_kind(const char *path, nnc_file_kind *kind)
{
    if (!path || !kind)
        return nnc__fail(NNC_ERR_ARG, "nnc_model_file_kind: NULL argument");
    nnc_status s = nnc__check_readable(path);
    int checkpoint;
    if (s != NNC_OK)
        return s;
    if (nnc__is_nnc_file(path, &checkpoint))
        *kind = checkpoint ? NNC_FILE_CHECKPOINT : NNC_FILE_MODEL;
    else if (first_char(path) == '{')
        *kind = NNC_FILE_NETWORK2_JSON;
    else
        return nnc__fail(NNC_ERR_FORMAT, "%s: neither an nnc model (magic) nor network2 JSON",
                         path);
    return NNC_OK;
}

nnc_status nnc_model_load(const char *path, nnc_net **out)
{
    if (!out)
        return nnc__fail(NNC_ERR_ARG, "nnc_model_load: out is NULL");
    *out = NULL;
    if (!path)
        return nnc__fail(NNC_ERR_ARG, "nnc_model_load: NULL path");
    nnc_status s = nnc__check_readable(path);
    if (s != NNC_OK)
        return s;
    if (nnc__is_nnc_file(path, NULL))
        return nnc__model_read(path, out, NULL);
    int c = first_char(path);
    if (c == '{')
        return nnc__json_read(path, out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return nnc__fail(NNC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    fclose(f);
    return nnc__fail(NNC_ERR_FORMAT, "%s: neither an nnc model (magic) nor network2 JSON", path);
}

nnc_status nnc_model_save_as(const nnc_net *net, const char *path)
{
    if (!path)
        return nnc__fail(NNC_ERR_ARG, "nnc_model_save_as: NULL path");
    size_t n = strlen(path);
    int json = n >= 5 && !strcasecmp(path + n - 5, ".json");
    return json ? nnc_model_save_json(net, path) : nnc_model_save(net, path);
}
