/* parse.c — option value parsing with errors that name the option. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* The last thing cli_error said, for a process that must pass it on. */
static char last_said[512];

void cli_error(const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    vsnprintf(last_said, sizeof last_said, fmt, again);
    va_end(again);
    fputs("nnc: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

const char *cli_last_said(void)
{
    return last_said;
}

int parse_uint(const char *opt, const char *text, unsigned long long max,
               unsigned long long *value)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v > max) {
        cli_error("%s: '%s' is not a whole number in 0 .. %llu", opt, text, max);
        return 0;
    }
    *value = v;
    return 1;
}

int parse_float(const char *opt, const char *text, float *value)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v)) {
        cli_error("%s: '%s' is not a number", opt, text);
        return 0;
    }
    *value = (float)v;
    return 1;
}

/* Edits (insert, delete, replace one letter) from a to b, up to 3. */
static size_t distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b), row[64], prev;
    if (la >= 63 || lb >= 63)
        return 3;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t here = row[j];
            size_t best = prev + (a[i - 1] != b[j - 1]);
            best = row[j] + 1 < best ? row[j] + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            row[j] = best;
            prev = here;
        }
    }
    return row[lb];
}

void cli_bad_option(const char *command, const char *arg, const struct option *longopts)
{
    if (strncmp(arg, "--", 2) != 0) {
        cli_error("%s: option '%s' is unknown or needs a value; try 'nnc %s --help'", command,
                  arg, command);
        return;
    }
    const char *name = arg + 2;
    size_t len = strcspn(name, "=");
    const char *nearest = NULL;
    size_t best = 3;
    for (const struct option *o = longopts; o->name; o++) {
        if (strlen(o->name) == len && !strncmp(o->name, name, len)) {
            cli_error("%s: option '--%s' needs a value", command, o->name);
            return;
        }
        size_t d = distance(name, len, o->name);
        if (d < best)
            best = d, nearest = o->name;
    }
    if (nearest)
        cli_error("%s: unknown option '%.*s'; did you mean '--%s'?", command, (int)len + 2, arg,
                  nearest);
    else
        cli_error("%s: unknown option '%.*s'; try 'nnc %s --help'", command, (int)len + 2, arg,
                  command);
}

int cli_ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcasecmp(s + a - b, tail);
}

const char *default_data_dir(void)
{
    const char *env = getenv("NNC_DATA");
    return env && *env ? env : "data/mnist";
}
