/* records.h — the one CSV tokenizer: a text file (raw or gzip'd) cut into
 * records of fields, as both CSV readers read it (table.c: tables as people
 * have them; csv.c: MNIST-style rows). */
#ifndef NNC_RECORDS_H
#define NNC_RECORDS_H

#include <stddef.h>

#include "nnc.h"

/* The largest text file read, uncompressed. */
#define NNC_MAX_TABLE_BYTES (4ull << 30)

typedef struct {
    const char *path;
    char       *buf;      /* the whole file, NUL-terminated; fields are cut in it */
    size_t      len, at;
    size_t      line;     /* the line the last record ends on, from 1 */
    char        sep;
    int         started;  /* a record has been read: the next starts a line on */
    char      **field;    /* the current record's fields */
    size_t      n_fields, cap;
} nnc__records;

/* Reads path whole (at most NNC_MAX_TABLE_BYTES; a NUL byte is refused: not
 * text); sep 0 takes the most frequent of , ; and tab on the first line. */
nnc_status nnc__records_open(nnc__records *r, const char *path, char sep);
void nnc__records_close(nnc__records *r);
/* Passes over the first lines (a line of counts above a table, say), before
 * any record is read; with sep 0 the separator is taken from the line after
 * them. 0 if the file has fewer lines. */
int nnc__records_skip_lines(nnc__records *r, size_t lines, char sep);

/* Cuts the next record's fields in place: unquoted fields are trimmed of
 * blanks, quoted ones lose their quotes and have "" made "; a quoted field
 * may hold the separator and line breaks. Blank lines are skipped. Returns
 * 0 at the end, -1 after recording an error (NNC_ERR_FORMAT or _NOMEM)
 * naming the file, line and column, else 1 with r->line the record's line. */
int nnc__records_next(nnc__records *r);

/* 1 and *v if s is all of one finite number (strtod's syntax), else 0. */
int nnc__csv_number(const char *s, double *v);

#endif
