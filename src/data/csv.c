/* csv.c — one sample per line, label first, then the input values, as in the
 * common mnist_train.csv; an optional header line; values either integers
 * 0-255 (kept as bytes, like IDX pixels) or reals in [0, 1] (kept as floats).
 * Which one is detected from the values and reported. The lines are cut into
 * fields by the tables' tokenizer (records.c), with a comma between fields. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "records.h"

typedef struct {
    uint8_t *bytes;     /* while every value is an integer 0..255 */
    float   *floats;    /* once one is not                         */
    uint8_t *labels;
    size_t   n, cap, dim;
    double   max, min;
} table;

static int grow(table *t)
{
    size_t cap = t->cap ? 2 * t->cap : 1024;
    uint8_t *l = realloc(t->labels, cap);
    if (!l)
        return 0;
    t->labels = l;
    if (t->floats) {
        float *f = realloc(t->floats, cap * t->dim * sizeof *f);
        if (!f)
            return 0;
        t->floats = f;
    } else {
        uint8_t *b = realloc(t->bytes, cap * t->dim);
        if (!b)
            return 0;
        t->bytes = b;
    }
    t->cap = cap;
    return 1;
}

/* Switches storage to floats, keeping the first `count` values read so far
 * (whole rows, and the part of the row being read). */
static int to_floats(table *t, size_t count)
{
    float *f = malloc((t->cap ? t->cap : 1) * t->dim * sizeof *f);
    if (!f)
        return 0;
    for (size_t i = 0; i < count; i++)
        f[i] = t->bytes[i];
    free(t->bytes);
    t->bytes = NULL;
    t->floats = f;
    return 1;
}

nnc_status nnc_csv_load(const char *path, nnc_data **out, int *unit_scale)
{
    if (!out)
        return nnc__fail(NNC_ERR_ARG, "nnc_csv_load: out is NULL");
    *out = NULL;
    nnc__records r;
    nnc_status s = nnc__records_open(&r, path, ',');
    if (s != NNC_OK)
        return s;
    table t = {0};
    t.min = INFINITY, t.max = -INFINITY;
    size_t line_no = 0, vals_cap = 0;
    int header = 0, got;
    double *vals = NULL;
    while (s == NNC_OK && (got = nnc__records_next(&r)) != 0) {
        if (got < 0) {
            s = NNC_ERR_FORMAT;
            break;
        }
        line_no = r.line;
        size_t n = r.n_fields, bad = 0;
        if (vals_cap < n) {
            free(vals);
            vals_cap = 2 * n;
            if (!(vals = malloc(vals_cap * sizeof *vals))) {
                s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
        }
        for (size_t k = 0; k < n && !bad; k++)
            if (!nnc__csv_number(r.field[k], &vals[k]))
                bad = k + 1;   /* the first field that is not a finite number */
        if (bad == 1 && line_no == 1) {
            header = 1;   /* a first line whose first field is a name, not a label */
            continue;
        }
        if (bad) {
            s = nnc__fail(NNC_ERR_FORMAT, "%s: line %zu, field %zu: not a finite number", path,
                          line_no, bad);
            break;
        }
        if (n < 2) {
            s = nnc__fail(NNC_ERR_FORMAT, "%s: line %zu: needs a label and at least one value",
                          path, line_no);
            break;
        }
        if (t.dim == 0)
            t.dim = n - 1;
        if (n - 1 != t.dim) {
            s = nnc__fail(NNC_ERR_FORMAT, "%s: line %zu has %zu values, earlier lines %zu", path,
                          line_no, n - 1, t.dim);
            break;
        }
        if (!(vals[0] >= 0 && vals[0] <= 255 && vals[0] == floor(vals[0]))) {
            s = nnc__fail(NNC_ERR_FORMAT, "%s: line %zu: label %g is not an integer 0-255", path,
                          line_no, vals[0]);
            break;
        }
        if (t.n == t.cap && !grow(&t)) {
            s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory at line %zu", path, line_no);
            break;
        }
        t.labels[t.n] = (uint8_t)vals[0];
        for (size_t j = 0; j < t.dim; j++) {
            double v = vals[j + 1];
            t.max = v > t.max ? v : t.max;
            t.min = v < t.min ? v : t.min;
            if (!t.floats && !(v >= 0 && v <= 255 && v == floor(v)) &&
                !to_floats(&t, t.n * t.dim + j)) {
                s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
            if (t.floats)
                t.floats[t.n * t.dim + j] = (float)v;
            else
                t.bytes[t.n * t.dim + j] = (uint8_t)v;
        }
        t.n++;
    }
    free(vals);
    nnc__records_close(&r);
    if (s == NNC_OK && t.n == 0)
        s = nnc__fail(NNC_ERR_FORMAT, "%s: no samples%s", path,
                      header ? " (line 1 was taken as a header: its first field is not a number)"
                             : "");
    /* integers 0..255 reaching above 1 are pixel bytes; otherwise the values
     * must lie in [0, 1] */
    int unit = !(t.bytes && t.max > 1);
    if (s == NNC_OK && unit && (t.min < 0 || t.max > 1))
        s = nnc__fail(NNC_ERR_FORMAT, "%s: values range over [%g, %g]: expected integers 0-255 "
                      "or reals in [0, 1]", path, t.min, t.max);
    if (s == NNC_OK && unit && t.bytes && !to_floats(&t, t.n * t.dim))
        s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
    nnc__storage *st = s == NNC_OK ? calloc(1, sizeof *st) : NULL;
    if (s == NNC_OK && (!st || !(st->source = strdup(path)))) {
        free(st);
        st = NULL;
        s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
    }
    if (s != NNC_OK) {
        free(t.bytes), free(t.floats), free(t.labels);
        return s;
    }
    st->x_u8 = t.bytes;
    st->x_f32 = t.floats;
    st->labels = t.labels;
    if (unit_scale)
        *unit_scale = unit;
    return nnc__data_wrap(st, t.n, t.dim, out);
}
