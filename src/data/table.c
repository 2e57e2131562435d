/* table.c — a CSV table as people have it: header or not, comma, semicolon
 * or tab, quoted fields, CRLF; label columns chosen by name or number,
 * classes from any label strings, or real-valued targets for regression. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/file.h"
#include "dataset.h"
#include "records.h"

#define MAX_CLASSES 256

void nnc_csv_options_init(nnc_csv_options *o)
{
    memset(o, 0, sizeof *o);
    o->header = -1;
    o->pixels = -1;
}

/* ---- columns ------------------------------------------------------------- */

enum { ROLE_INPUT, ROLE_LABEL, ROLE_IGNORE };

typedef struct {
    size_t  n;          /* columns */
    char  **name;       /* header names, or NULL */
    int    *role;
    size_t *input_at;   /* ROLE_INPUT: where in the sample; ROLE_LABEL: which label */
    size_t  n_inputs, n_labels;
} columns;

static void describe(const columns *c, size_t col, char *out, size_t cap)
{
    if (c->name)
        snprintf(out, cap, "column %zu ('%s')", col + 1, c->name[col]);
    else
        snprintf(out, cap, "column %zu", col + 1);
}

/* The column a name or number (from 1) in a --label or --ignore list means. */
static nnc_status find_column(const columns *c, const char *path, const char *what,
                              const char *token, size_t *col)
{
    for (size_t j = 0; c->name && j < c->n; j++)
        if (!strcmp(c->name[j], token)) {
            *col = j;
            return NNC_OK;
        }
    char *end;
    unsigned long long v = strtoull(token, &end, 10);
    if (*token >= '0' && *token <= '9' && *end == '\0' && v >= 1 && v <= c->n) {
        *col = (size_t)v - 1;
        return NNC_OK;
    }
    return nnc__fail(NNC_ERR_ARG, "%s: %s '%s' is neither a column's name nor a number 1-%zu",
                     path, what, token, c->n);
}

/* Gives every column named in list (comma-separated) the role. */
static nnc_status mark(columns *c, const char *path, const char *what, const char *list,
                       int role)
{
    char token[256];
    if (!*list)
        return nnc__fail(NNC_ERR_ARG, "%s: %s names no column", path, what);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof token)
            return nnc__fail(NNC_ERR_ARG, "%s: %s: '%s' is not a list of columns", path, what,
                             list);
        memcpy(token, p, len);
        token[len] = '\0';
        size_t col;
        nnc_status s = find_column(c, path, what, token, &col);
        if (s != NNC_OK)
            return s;
        if (c->role[col] != ROLE_INPUT)
            return nnc__fail(NNC_ERR_ARG, "%s: column '%s' is named twice by --label and "
                             "--ignore", path, token);
        c->role[col] = role;
        p += len + (p[len] == ',');
    }
    return NNC_OK;
}

/* The roles of the columns: the labels and ignored ones as the options say,
 * the inputs all others, or the model's inputs by name. */
static nnc_status assign_roles(columns *c, const char *path, const nnc_csv_options *o,
                               int labels_present)
{
    for (size_t j = 0; j < c->n; j++)
        c->role[j] = ROLE_INPUT;
    nnc_status s = NNC_OK;
    if (labels_present)
        s = mark(c, path, "--label", o->label ? o->label : "1", ROLE_LABEL);
    if (s == NNC_OK && o->ignore)
        s = mark(c, path, "--ignore", o->ignore, ROLE_IGNORE);
    if (s != NNC_OK)
        return s;
    c->n_inputs = c->n_labels = 0;
    if (o->inputs && c->name) {   /* a model's inputs, found by name */
        for (size_t j = 0; j < c->n; j++)
            if (c->role[j] == ROLE_INPUT)
                c->role[j] = ROLE_IGNORE;
        for (size_t i = 0; i < o->n_inputs; i++) {
            size_t j = 0;
            while (j < c->n && strcmp(c->name[j], o->inputs[i]) != 0)
                j++;
            if (j == c->n)
                return nnc__fail(NNC_ERR_MISMATCH, "%s: no column '%s', an input of the model",
                                 path, o->inputs[i]);
            if (c->role[j] == ROLE_LABEL)
                return nnc__fail(NNC_ERR_MISMATCH, "%s: column '%s' is a label here and an "
                                 "input of the model", path, o->inputs[i]);
            c->role[j] = ROLE_INPUT;
            c->input_at[j] = i;
        }
        c->n_inputs = o->n_inputs;
    }
    for (size_t j = 0; j < c->n; j++)
        if (c->role[j] == ROLE_INPUT && !(o->inputs && c->name))
            c->input_at[j] = c->n_inputs++;
        else if (c->role[j] == ROLE_LABEL)
            c->input_at[j] = c->n_labels++;
    if (c->n_inputs == 0)
        return nnc__fail(NNC_ERR_FORMAT, "%s: no input columns are left", path);
    if (o->n_inputs && c->n_inputs != o->n_inputs)
        return nnc__fail(NNC_ERR_MISMATCH, "%s: %zu input columns, the model takes %zu", path,
                         c->n_inputs, o->n_inputs);
    if (o->task == NNC_TASK_CLASSIFY && c->n_labels > 1)
        return nnc__fail(NNC_ERR_ARG, "%s: classification takes one label column, not %zu",
                         path, c->n_labels);
    return NNC_OK;
}

/* The label columns of rows read for a model, when none is named: the
 * first column if the model does not take it, else the one column it does
 * not take (a regression: all of them); NULL (no labels) when that is not
 * one column. A list to free, or NULL. */
static char *default_label(const columns *c, const nnc_csv_options *o)
{
    size_t bytes = 0, found = 0;
    for (int pass = 0; pass < 2; pass++) {
        char *list = pass ? malloc(bytes + 1) : NULL;
        if (pass && !list)
            return NULL;
        size_t at = 0;
        found = 0;
        for (size_t j = 0; j < c->n; j++) {
            int input = 0;
            for (size_t i = 0; i < o->n_inputs && !input; i++)
                input = !strcmp(c->name[j], o->inputs[i]);
            if (input || !c->name[j][0])   /* an unnamed column is no label to name */
                continue;
            if (!pass) {
                bytes += strlen(c->name[j]) + 1;
            } else {
                at += (size_t)sprintf(list + at, "%s%s", found ? "," : "", c->name[j]);
            }
            found++;
            if (j == 0)   /* the first column is not an input: the label */
                break;
        }
        if (pass)
            return found == 1 || (found > 1 && o->task == NNC_TASK_REGRESS) ? list
                                                                               : (free(list), NULL);
    }
    return NULL;
}

/* Whether rows read for a model have their label columns: without a header
 * (or a model's names), when there are more columns than the model's
 * inputs; with one, when the label columns (named, or found by
 * default_label) are there and are not inputs of the model. */
static int labels_in_file(const columns *c, const nnc_csv_options *o)
{
    if (!c->name || !o->inputs)
        return c->n > o->n_inputs;
    if (!o->label)
        return 0;
    char token[256];
    for (const char *p = o->label; *p;) {
        size_t len = strcspn(p, ","), col;
        if (len == 0 || len >= sizeof token)
            return 0;
        memcpy(token, p, len);
        token[len] = '\0';
        if (find_column(c, "", "", token, &col) != NNC_OK)
            return 0;
        for (size_t i = 0; i < o->n_inputs; i++)
            if (!strcmp(o->inputs[i], c->name[col]))
                return 0;
        p += len + (p[len] == ',');
    }
    return 1;
}

/* ---- the table ----------------------------------------------------------- */

typedef struct {
    float  *x;          /* n x dim */
    float  *y;          /* n x n_labels (regression) */
    size_t *class_of;   /* n: index into names (classification) */
    char  **names;      /* distinct label strings, in order of appearance */
    size_t  n_names, n, cap;
    int     all_pixels; /* every input an integer 0-255 so far */
} rows;

static int grow_rows(rows *t, size_t dim, size_t labels)
{
    size_t cap = t->cap ? 2 * t->cap : 1024;
    float *x = realloc(t->x, cap * dim * sizeof *x);
    if (x)
        t->x = x;
    float *y = labels ? realloc(t->y, cap * labels * sizeof *y) : t->y;
    if (y)
        t->y = y;
    size_t *k = realloc(t->class_of, cap * sizeof *k);
    if (k)
        t->class_of = k;
    if (!x || (labels && !y) || !k)
        return 0;
    t->cap = cap;
    return 1;
}

/* The class of a label string, added if new; SIZE_MAX when out of memory
 * or past the limit. */
static size_t class_index(rows *t, const char *label)
{
    for (size_t i = t->n_names; i-- > 0;)
        if (!strcmp(t->names[i], label))
            return i;
    if (t->n_names == MAX_CLASSES)
        return SIZE_MAX;
    if (t->n_names % 16 == 0) {
        char **more = realloc(t->names, (t->n_names + 16) * sizeof *more);
        if (!more)
            return SIZE_MAX;
        t->names = more;
    }
    if (!(t->names[t->n_names] = strdup(label)))
        return SIZE_MAX;
    return t->n_names++;
}

/* One data record into the table. */
static nnc_status add_row(rows *t, const nnc__records *r, const columns *c, const char *path,
                          const nnc_csv_options *o)
{
    if (r->n_fields != c->n)
        return nnc__fail(NNC_ERR_FORMAT, "%s: line %zu has %zu fields, %s %zu%s", path, r->line,
                         r->n_fields, c->name ? "the header" : "the first line", c->n,
                         t->n == 0 && c->name ? " (is line 1 a line of counts, as in "
                                                "scikit-learn's files? --skip-lines 1)"
                                              : "");
    size_t dim = c->n_inputs, labels = o->task == NNC_TASK_REGRESS ? c->n_labels : 0;
    if (t->n == t->cap && !grow_rows(t, dim, labels))
        return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory at line %zu", path, r->line);
    char where[320];
    for (size_t j = 0; j < c->n; j++) {
        const char *f = r->field[j];
        double v;
        if (c->role[j] == ROLE_IGNORE)
            continue;
        if (c->role[j] == ROLE_LABEL && o->task == NNC_TASK_CLASSIFY) {
            if (!*f) {
                describe(c, j, where, sizeof where);
                return nnc__fail(NNC_ERR_FORMAT, "%s: line %zu, %s: the label is missing",
                                 path, r->line, where);
            }
            size_t k = class_index(t, f);
            if (k == SIZE_MAX)
                return nnc__fail(NNC_ERR_FORMAT, "%s: line %zu: more than %d distinct labels "
                                 "(a real-valued target wants --task regress)", path, r->line,
                                 MAX_CLASSES);
            t->class_of[t->n] = k;
            continue;
        }
        if (!nnc__csv_number(f, &v)) {
            describe(c, j, where, sizeof where);
            return nnc__fail(NNC_ERR_FORMAT, "%s: line %zu, %s: %s%s%s", path, r->line, where,
                             *f ? "'" : "", *f ? f : "a missing value",
                             *f ? "' is not a number" : "");
        }
        if (c->role[j] == ROLE_LABEL) {
            t->y[t->n * labels + c->input_at[j]] = (float)v;
        } else {
            t->x[t->n * dim + c->input_at[j]] = (float)v;
            int pixel = v >= 0 && v <= 255 && v == floor(v);
            if (!pixel && o->pixels == 1) {
                describe(c, j, where, sizeof where);
                return nnc__fail(NNC_ERR_FORMAT, "%s: line %zu, %s: %s is not a pixel 0-255, "
                                 "as the model's inputs are", path, r->line, where, f);
            }
            t->all_pixels = t->all_pixels && pixel;
        }
    }
    t->n++;
    return NNC_OK;
}

static int numeric_order(const void *a, const void *b)
{
    double x = strtod(*(char *const *)a, NULL), y = strtod(*(char *const *)b, NULL);
    return (x > y) - (x < y);
}

static int byte_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 if every label is an integer 0-255. */
static int small_integers(const rows *t)
{
    for (size_t i = 0; i < t->n_names; i++) {
        double v;
        if (!nnc__csv_number(t->names[i], &v) || v < 0 || v > 255 || v != floor(v))
            return 0;
    }
    return 1;
}

/* The classes in their documented order, or the model's; the rows' class
 * indices follow. */
static nnc_status order_classes(rows *t, const char *path, const nnc_csv_options *o,
                                char ***names, size_t *k)
{
    size_t n = t->n_names;
    size_t *to = malloc((n ? n : 1) * sizeof *to);
    char **sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!to || !sorted) {
        free(to), free(sorted);
        return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
    }
    if (n)
        memcpy(sorted, t->names, n * sizeof *sorted);
    nnc_status s = NNC_OK;
    if (o->classes) {   /* the model's classes, by name */
        for (size_t i = 0; i < n && s == NNC_OK; i++) {
            size_t c = 0;
            while (c < o->n_classes && strcmp(o->classes[c], t->names[i]) != 0)
                c++;
            if (c == o->n_classes)
                s = nnc__fail(NNC_ERR_MISMATCH, "%s: label '%s' is not one of the model's %zu "
                              "classes", path, t->names[i], o->n_classes);
            to[i] = c;
        }
        free(sorted);
        sorted = NULL;
        *k = o->n_classes;
    } else if (small_integers(t)) {   /* label i is class i, as in MNIST's files */
        size_t max = 0;
        for (size_t i = 0; i < n; i++) {
            to[i] = (size_t)strtod(t->names[i], NULL);
            max = to[i] > max ? to[i] : max;
        }
        free(sorted);
        sorted = calloc(max + 1, sizeof *sorted);
        for (size_t c = 0; sorted && c <= max; c++) {
            char number[24];
            snprintf(number, sizeof number, "%zu", c);
            if (!(sorted[c] = strdup(number))) {
                nnc__free_names(sorted, c);
                sorted = NULL;
            }
        }
        if (!sorted) {
            free(to);
            return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
        }
        nnc__free_names(t->names, t->n_names);   /* replaced by the numbers' names */
        t->names = NULL, t->n_names = 0;
        *k = max + 1;
    } else {
        int numbers = 1;
        double v;
        for (size_t i = 0; i < n; i++)
            numbers = numbers && nnc__csv_number(t->names[i], &v);
        qsort(sorted, n, sizeof *sorted, numbers ? numeric_order : byte_order);
        for (size_t i = 0; i < n; i++)
            for (size_t c = 0; c < n; c++)
                if (sorted[c] == t->names[i])
                    to[i] = c;
        *k = n;
    }
    for (size_t i = 0; s == NNC_OK && i < t->n; i++)
        t->class_of[i] = to[t->class_of[i]];
    free(to);
    if (s != NNC_OK) {
        free(sorted);
        return s;
    }
    if (sorted) {   /* the strings move to the sorted list */
        free(t->names);
        t->names = NULL;
        t->n_names = 0;
        *names = sorted;
    } else {
        *names = NULL;
    }
    return NNC_OK;
}

/* Line 1 is a header when some field of it is not a number while the same
 * column of line 2 is one (in a file of one line, when none is a number). */
static int looks_like_header(char **first, size_t n1, char **second, size_t n2)
{
    double v;
    if (!second) {   /* a single line: a header if no field of it is a number */
        for (size_t j = 0; j < n1; j++)
            if (nnc__csv_number(first[j], &v))
                return 0;
        return 1;
    }
    for (size_t j = 0; j < n1 && j < n2; j++)
        if (!nnc__csv_number(first[j], &v) && nnc__csv_number(second[j], &v))
            return 1;
    return 0;
}

static char **copy_strings(char *const *src, size_t n)
{
    char **copy = calloc(n ? n : 1, sizeof *copy);
    for (size_t i = 0; copy && i < n; i++)
        if (!(copy[i] = strdup(src[i]))) {
            nnc__free_names(copy, i);
            return NULL;
        }
    return copy;
}

/* Makes the dataset of the table's rows; takes what it keeps from t. */
static nnc_status build(rows *t, const columns *c, const char *path, const nnc_csv_options *o,
                        int labels_present, char **class_names, size_t n_classes,
                        nnc_data **out)
{
    size_t n = t->n, dim = c->n_inputs;
    nnc__storage *st = calloc(1, sizeof *st);
    if (!st)
        return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
    st->dim = dim;
    int ok = (st->source = strdup(path)) != NULL;
    if (o->pixels == 1 || (o->pixels < 0 && t->all_pixels)) {   /* bytes, as MNIST's */
        ok = ok && (st->x_u8 = nnc__alloc_samples(n * dim));
        for (size_t i = 0; ok && i < n * dim; i++)
            st->x_u8[i] = (uint8_t)t->x[i];
    } else {
        ok = ok && (st->x_f32 = nnc__alloc_samples(n * dim * sizeof *st->x_f32));
        if (ok)
            memcpy(st->x_f32, t->x, n * dim * sizeof *st->x_f32);
    }
    if (labels_present && o->task == NNC_TASK_REGRESS) {
        st->targets = t->y, t->y = NULL;
        st->n_targets = c->n_labels;
    } else if (labels_present) {
        ok = ok && (st->labels = malloc(n));
        for (size_t i = 0; ok && i < n; i++)
            st->labels[i] = (uint8_t)t->class_of[i];
        st->class_names = class_names;
        st->n_classes = n_classes;
        if (!class_names && o->classes) {
            ok = ok && (st->class_names = copy_strings((char *const *)o->classes, n_classes));
        }
    } else {
        nnc__free_names(class_names, n_classes);
    }
    if (c->name) {   /* the columns' names, for a model to find its inputs by */
        char **inputs = calloc(dim, sizeof *inputs), **targets = NULL;
        ok = ok && inputs;
        if (ok && st->targets)
            ok = (targets = calloc(st->n_targets, sizeof *targets)) != NULL;
        for (size_t j = 0; ok && j < c->n; j++) {
            char **slot = c->role[j] == ROLE_INPUT                  ? &inputs[c->input_at[j]]
                          : c->role[j] == ROLE_LABEL && targets ? &targets[c->input_at[j]]
                                                                    : NULL;
            if (slot)
                ok = (*slot = strdup(c->name[j])) != NULL;
        }
        st->feature_names = inputs;
        st->target_names = targets;
    }
    if (!ok) {
        st->refs = 1;
        nnc_data *tmp;
        nnc__data_wrap(st, n, dim, &tmp);
        nnc_data_free(tmp);
        return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
    }
    return nnc__data_wrap(st, n, dim, out);
}

nnc_status nnc_csv_read(const char *path, const nnc_csv_options *opts, nnc_data **out)
{
    if (!path || !out)
        return nnc__fail(NNC_ERR_ARG, "nnc_csv_read: NULL argument");
    *out = NULL;
    nnc_csv_options defaults;
    nnc_csv_options_init(&defaults);
    const nnc_csv_options *o = opts ? opts : &defaults;
    if (o->sep && o->sep != ',' && o->sep != ';' && o->sep != '\t')
        return nnc__fail(NNC_ERR_ARG, "%s: the separator is a comma, semicolon or tab", path);
    nnc__records r;
    nnc_status s = nnc__records_open(&r, path, o->sep);
    if (s != NNC_OK)
        return s;
    if (o->skip_lines && !nnc__records_skip_lines(&r, o->skip_lines, o->sep)) {
        nnc__records_close(&r);
        return nnc__fail(NNC_ERR_FORMAT, "%s: fewer than the %zu lines to skip", path,
                         o->skip_lines);
    }
    rows t = {0};
    t.all_pixels = 1;
    columns c = {0};
    char **first = NULL, **class_names = NULL, *label_list = NULL;
    size_t n_first = 0, first_line = 0, n_classes = 0;
    int labels_present = 1, got;
    if ((got = nnc__records_next(&r)) <= 0) {
        s = got < 0 ? NNC_ERR_FORMAT : nnc__fail(NNC_ERR_FORMAT, "%s: no samples", path);
        goto done;
    }
    n_first = r.n_fields, first_line = r.line;
    if (!(first = malloc(n_first * sizeof *first))) {
        s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    memcpy(first, r.field, n_first * sizeof *first);
    got = nnc__records_next(&r);
    if (got < 0) {
        s = NNC_ERR_FORMAT;
        goto done;
    }
    int header = o->header >= 0 ? o->header
                 : got > 0      ? looks_like_header(first, n_first, r.field, r.n_fields)
                                : looks_like_header(first, n_first, NULL, 0);
    c.n = n_first;
    c.role = malloc(c.n * sizeof *c.role);
    c.input_at = malloc(c.n * sizeof *c.input_at);
    if (!c.role || !c.input_at) {
        s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    if (header)
        c.name = first;
    nnc_csv_options named;
    if (o->inputs && header && !o->label) {   /* a model's rows: the columns it does not take */
        named = *o;
        named.label = label_list = default_label(&c, o);
        o = &named;
    }
    if (o->n_inputs)   /* rows for a model: their label columns may be absent */
        labels_present = labels_in_file(&c, o);
    if ((s = assign_roles(&c, path, o, labels_present)) != NNC_OK)
        goto done;
    labels_present = labels_present && c.n_labels > 0;
    if (!header) {   /* line 1 is data */
        char **keep = r.field;
        size_t keep_n = r.n_fields, keep_line = r.line;
        r.field = first, r.n_fields = n_first, r.line = first_line;
        s = add_row(&t, &r, &c, path, o);
        r.field = keep, r.n_fields = keep_n, r.line = keep_line;
        if (s != NNC_OK)
            goto done;
    }
    while (got > 0) {
        if ((s = add_row(&t, &r, &c, path, o)) != NNC_OK)
            goto done;
        if ((got = nnc__records_next(&r)) < 0) {
            s = NNC_ERR_FORMAT;
            goto done;
        }
    }
    if (t.n == 0) {
        s = nnc__fail(NNC_ERR_FORMAT, "%s: no samples%s", path,
                      header ? " (line 1 is the header)" : "");
        goto done;
    }
    if (labels_present && o->task == NNC_TASK_CLASSIFY &&
        (s = order_classes(&t, path, o, &class_names, &n_classes)) != NNC_OK)
        goto done;
    s = build(&t, &c, path, o, labels_present, class_names, n_classes, out);
    class_names = NULL;
done:
    nnc__free_names(t.names, t.n_names);
    free(t.x), free(t.y), free(t.class_of);
    free(first);
    nnc__records_close(&r);
    free(c.role), free(c.input_at);
    free(label_list);
    return s;
}

/* ---- a table from arrays ----------------------------------------------- */

#define MAX_NAMED_TARGETS 64   /* more targets than this go unnamed */

nnc_status nnc_table_from_arrays(const float *x, size_t n, size_t dim,
                                 const char *const *labels, const float *targets,
                                 size_t n_targets, const char *const *input_names,
                                 const nnc_csv_options *opts, const char *source,
                                 nnc_data **out)
{
    if (!out)
        return nnc__fail(NNC_ERR_ARG, "nnc_table_from_arrays: NULL argument");
    *out = NULL;
    nnc_csv_options defaults;
    nnc_csv_options_init(&defaults);
    const nnc_csv_options *o = opts ? opts : &defaults;
    const char *src = source ? source : "the arrays";
    int regress = o->task == NNC_TASK_REGRESS;
    if (!x || n == 0 || dim == 0 || (regress ? !targets || !n_targets : !labels))
        return nnc__fail(NNC_ERR_ARG, "%s: no samples, no inputs, or no %s", src,
                         regress ? "targets" : "labels");
    if (n > SIZE_MAX / dim / sizeof(float) || (regress && n > SIZE_MAX / n_targets / sizeof(float)))
        return nnc__fail(NNC_ERR_ARG, "%s: %zu rows of %zu values are too many", src, n, dim);
    size_t n_labels = regress ? n_targets : 1;
    columns c = {.n = dim + n_labels, .n_inputs = dim, .n_labels = n_labels};
    rows t = {.n = n, .cap = n, .all_pixels = 1};
    char **class_names = NULL, **names = NULL;
    char target_names[MAX_NAMED_TARGETS][24];
    size_t n_classes = 0;
    nnc_status s = NNC_OK;
    c.role = malloc(c.n * sizeof *c.role);
    c.input_at = malloc(c.n * sizeof *c.input_at);
    t.x = malloc(n * dim * sizeof *t.x);
    t.class_of = malloc(n * sizeof *t.class_of);
    if (regress)
        t.y = malloc(n * n_targets * sizeof *t.y);
    if (input_names && n_labels <= MAX_NAMED_TARGETS)
        names = malloc(c.n * sizeof *names);
    if (!c.role || !c.input_at || !t.x || !t.class_of || (regress && !t.y) ||
        (input_names && n_labels <= MAX_NAMED_TARGETS && !names)) {
        s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", src);
        goto done;
    }
    for (size_t j = 0; j < c.n; j++) {
        c.role[j] = j < dim ? ROLE_INPUT : ROLE_LABEL;
        c.input_at[j] = j < dim ? j : j - dim;
    }
    for (size_t i = 0; i < n && s == NNC_OK; i++)
        for (size_t j = 0; j < dim; j++) {
            float v = x[i * dim + j];
            if (!isfinite(v)) {
                s = nnc__fail(NNC_ERR_FORMAT, "%s: row %zu, column %zu: %g is not a finite "
                              "number", src, i + 1, j + 1, (double)v);
                break;
            }
            int pixel = v >= 0 && v <= 255 && v == floorf(v);
            if (!pixel && o->pixels == 1) {
                s = nnc__fail(NNC_ERR_FORMAT, "%s: row %zu, column %zu: %g is not a pixel "
                              "0-255, as the model's inputs are", src, i + 1, j + 1, (double)v);
                break;
            }
            t.all_pixels = t.all_pixels && pixel;
            t.x[i * dim + j] = v;
        }
    for (size_t i = 0; i < n && s == NNC_OK && regress; i++)
        for (size_t k = 0; k < n_targets; k++) {
            float v = targets[i * n_targets + k];
            if (!isfinite(v)) {
                s = nnc__fail(NNC_ERR_FORMAT, "%s: row %zu, target %zu: %g is not a finite "
                              "number", src, i + 1, k + 1, (double)v);
                break;
            }
            t.y[i * n_targets + k] = v;
        }
    for (size_t i = 0; i < n && s == NNC_OK && !regress; i++) {
        if (!labels[i] || !*labels[i]) {
            s = nnc__fail(NNC_ERR_FORMAT, "%s: row %zu: the label is missing", src, i + 1);
            break;
        }
        size_t k = class_index(&t, labels[i]);
        if (k == SIZE_MAX)
            s = nnc__fail(NNC_ERR_FORMAT, "%s: row %zu: more than %d distinct labels (a "
                          "real-valued target wants the regress task)", src, i + 1, MAX_CLASSES);
        t.class_of[i] = k;
    }
    if (s == NNC_OK && !regress)
        s = order_classes(&t, src, o, &class_names, &n_classes);
    if (s != NNC_OK)
        goto done;
    if (names) {   /* the inputs' names; the targets are y1, y2, ... */
        for (size_t j = 0; j < dim; j++)
            names[j] = (char *)input_names[j];
        for (size_t k = 0; k < n_labels; k++) {
            snprintf(target_names[k], sizeof target_names[k], "y%zu", k + 1);
            names[dim + k] = target_names[k];
        }
        c.name = names;
    }
    s = build(&t, &c, src, o, 1, class_names, n_classes, out);
    class_names = NULL;
done:
    nnc__free_names(t.names, t.n_names);
    free(t.x), free(t.y), free(t.class_of);
    free(c.role), free(c.input_at);
    free(names);
    return s;
}
