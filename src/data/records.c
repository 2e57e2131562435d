/* records.c — see records.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/error.h"
#include "../runtime/file.h"
#include "records.h"

int nnc__records_next(nnc__records *r)
{
    const char *path = r->path;
    if (r->started)
        r->line++;   /* the next record starts on the line after the last one */
    r->started = 1;
    for (;;) {
        if (r->at >= r->len)
            return 0;
        char *p = r->buf + r->at;
        size_t blank = strspn(p, " \t\r");
        if (p[blank] != '\n' && p[blank] != '\0')
            break;
        r->at += blank + (p[blank] == '\n'), r->line++;   /* a blank line */
        if (p[blank] == '\0')
            return 0;
    }
    r->n_fields = 0;
    char *p = r->buf + r->at;
    for (;;) {
        if (r->n_fields == r->cap) {
            size_t cap = r->cap ? 2 * r->cap : 64;
            char **f = realloc(r->field, cap * sizeof *f);
            if (!f) {
                nnc__fail(NNC_ERR_NOMEM, "%s: out of memory at line %zu", path, r->line);
                return -1;
            }
            r->field = f, r->cap = cap;
        }
        while (*p == ' ' || (*p == '\t' && r->sep != '\t'))
            p++;
        char *start = p, *out = p;
        if (*p == '"') {   /* quoted: up to the lone closing quote */
            size_t opened = r->line;
            for (p++;; p++) {
                if (*p == '\0') {
                    nnc__fail(NNC_ERR_FORMAT, "%s: line %zu: a quote opened here is never "
                              "closed", path, opened);
                    return -1;
                }
                if (*p == '"' && p[1] == '"')
                    *out++ = '"', p++;
                else if (*p == '"')
                    break;
                else {
                    r->line += *p == '\n';
                    *out++ = *p;
                }
            }
            p++;
            while (*p == ' ' || (*p == '\t' && r->sep != '\t') || *p == '\r')
                p++;
            if (*p != r->sep && *p != '\n' && *p != '\0') {
                nnc__fail(NNC_ERR_FORMAT, "%s: line %zu, column %zu: text after a closing "
                          "quote", path, r->line, r->n_fields + 1);
                return -1;
            }
        } else {
            while (*p != r->sep && *p != '\n' && *p != '\0')
                p++;
            out = p;
            while (out > start && (out[-1] == ' ' || out[-1] == '\r' ||
                                   (out[-1] == '\t' && r->sep != '\t')))
                out--;
        }
        char end = *p;
        *out = '\0';
        r->field[r->n_fields++] = start;
        if (end == r->sep) {
            p++;
            continue;
        }
        r->at = (size_t)(p - r->buf) + (end == '\n');
        return 1;
    }
}

/* The separator of the first line: the most frequent of , ; and tab outside
 * quotes (a comma when none is there: one column). */
static char detect_separator(const char *buf)
{
    static const char candidates[3] = {',', ';', '\t'};
    size_t count[3] = {0, 0, 0};
    int quoted = 0;
    for (const char *p = buf; *p && (quoted || *p != '\n'); p++) {
        if (*p == '"')
            quoted = !quoted;
        for (int c = 0; c < 3 && !quoted; c++)
            count[c] += *p == candidates[c];
    }
    int best = 0;
    for (int c = 1; c < 3; c++)
        best = count[c] > count[best] ? c : best;
    return candidates[best];
}

int nnc__csv_number(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return *s && end != s && *end == '\0' && !errno && isfinite(*v);
}


nnc_status nnc__records_open(nnc__records *r, const char *path, char sep)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    nnc_status s = nnc__read_whole(path, NNC_MAX_TABLE_BYTES,
                                   "more than a table may have (4 GiB)", &r->buf, &r->len);
    if (s == NNC_OK && memchr(r->buf, '\0', r->len))
        s = nnc__fail(NNC_ERR_FORMAT, "%s: a NUL byte: not a text table", path);
    if (s != NNC_OK) {
        free(r->buf);
        r->buf = NULL;
        return s;
    }
    r->line = 1;
    r->sep = sep ? sep : detect_separator(r->buf);
    return NNC_OK;
}

int nnc__records_skip_lines(nnc__records *r, size_t lines, char sep)
{
    size_t skipped = 0;
    while (skipped < lines && r->at < r->len) {
        const char *nl = memchr(r->buf + r->at, '\n', r->len - r->at);
        r->at = nl ? (size_t)(nl - r->buf) + 1 : r->len;
        skipped++;
    }
    r->line += skipped;
    if (!sep)   /* the separator of the first line read */
        r->sep = detect_separator(r->buf + r->at);
    return skipped == lines;
}

void nnc__records_close(nnc__records *r)
{
    free(r->field);
    free(r->buf);
    r->field = NULL, r->buf = NULL;
}
