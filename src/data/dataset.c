/* dataset.c — samples as bytes or floats plus labels, shared by slices. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"

void nnc__free_names(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

static void storage_release(nnc__storage *st)
{
    if (!st || --st->refs > 0)
        return;
    nnc__free_names(st->class_names, st->n_classes);
    nnc__free_names(st->feature_names, st->dim);
    nnc__free_names(st->target_names, st->n_targets);
    free(st->x_u8);
    if (!st->borrowed)
        free(st->x_f32);
    free(st->labels);
    free(st->targets);
    free(st->source);
    free(st->label_source);
    free(st);
}

/* Wraps storage the caller already filled; takes ownership of st. */
nnc_status nnc__data_wrap(nnc__storage *st, size_t n, size_t dim, nnc_data **out)
{
    nnc_data *d = malloc(sizeof *d);
    if (!d) {
        storage_release(st);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a dataset");
    }
    st->refs = 1;
    st->dim = dim;
    d->st = st;
    d->first = 0;
    d->n = n;
    d->dim = dim;
    *out = d;
    return NNC_OK;
}

static nnc_status create(const void *x, size_t x_size, int is_float,
                         const uint8_t *labels, size_t n, size_t dim,
                         nnc_data **out)
{
    *out = NULL;
    if (!x || !labels || n == 0 || dim == 0 || n > SIZE_MAX / dim / x_size)
        return nnc__fail(NNC_ERR_ARG, "a dataset needs inputs, labels and n, dim > 0");
    nnc__storage *st = calloc(1, sizeof *st);
    if (!st)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a dataset");
    void *copy = nnc__alloc_samples(n * dim * x_size);
    st->labels = malloc(n);
    st->source = strdup("(memory)");
    if (!copy || !st->labels || !st->source) {
        free(copy);
        st->refs = 1;
        storage_release(st);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a dataset of %zu samples", n);
    }
    memcpy(copy, x, n * dim * x_size);
    memcpy(st->labels, labels, n);
    if (is_float)
        st->x_f32 = copy;
    else
        st->x_u8 = copy;
    return nnc__data_wrap(st, n, dim, out);
}

nnc_status nnc_data_from_bytes(const uint8_t *x, const uint8_t *labels,
                               size_t n, size_t dim, nnc_data **out)
{
    return create(x, 1, 0, labels, n, dim, out);
}

/* A dataset just made from floats, kept only if every value is finite:
 * cheaper here, once, than a divergence blamed on eta later. */
static nnc_status finite_or_free(nnc_status s, nnc_data **out)
{
    if (s == NNC_OK && (s = nnc__data_check_finite(*out)) != NNC_OK) {
        nnc_data_free(*out);
        *out = NULL;
    }
    return s;
}

nnc_status nnc_data_from_floats(const float *x, const uint8_t *labels,
                                size_t n, size_t dim, nnc_data **out)
{
    return finite_or_free(create(x, sizeof(float), 1, labels, n, dim, out), out);
}

nnc_status nnc_data_set_targets(nnc_data *data, const float *y, size_t n_out)
{
    if (!data || !y || n_out == 0)
        return nnc__fail(NNC_ERR_ARG, "nnc_data_set_targets: NULL or empty targets");
    if (data->first != 0 || data->st->refs != 1)
        return nnc__fail(NNC_ERR_ARG, "nnc_data_set_targets: dataset is shared by slices");
    float *t = malloc(data->n * n_out * sizeof *t);
    if (!t)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for targets");
    memcpy(t, y, data->n * n_out * sizeof *t);
    free(data->st->targets);
    data->st->targets = t;
    data->st->n_targets = n_out;
    return NNC_OK;
}

nnc_status nnc_data_slice(const nnc_data *data, size_t first, size_t count,
                          nnc_data **out)
{
    *out = NULL;
    if (!data || count == 0 || first > data->n || count > data->n - first)
        return nnc__fail(NNC_ERR_ARG, "slice [%zu, +%zu) outside a dataset of %zu samples",
                         first, count, data ? data->n : 0);
    nnc_data *d = malloc(sizeof *d);
    if (!d)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a dataset slice");
    *d = *data;
    d->first = data->first + first;
    d->n = count;
    d->st->refs++;
    *out = d;
    return NNC_OK;
}

void nnc_data_free(nnc_data *data)
{
    if (!data)
        return;
    storage_release(data->st);
    free(data);
}

size_t nnc_data_count(const nnc_data *data) { return data->n; }
size_t nnc_data_dim(const nnc_data *data) { return data->dim; }
const char *nnc_data_source(const nnc_data *data) { return data->st->source; }

unsigned nnc_data_label(const nnc_data *data, size_t i)
{
    return data->st->labels ? data->st->labels[data->first + i] : 0;
}

size_t nnc_data_targets(const nnc_data *data) { return data->st->targets ? data->st->n_targets : 0; }

void nnc_data_target(const nnc_data *data, size_t i, float *y)
{
    const nnc__storage *st = data->st;
    if (st->targets)
        memcpy(y, st->targets + (data->first + i) * st->n_targets, st->n_targets * sizeof *y);
}

size_t nnc_data_classes(const nnc_data *data) { return data->st->n_classes; }

const char *nnc_data_class_name(const nnc_data *data, size_t i)
{
    return i < data->st->n_classes ? data->st->class_names[i] : NULL;
}

const char *nnc_data_input_name(const nnc_data *data, size_t j)
{
    return data->st->feature_names && j < data->dim ? data->st->feature_names[j] : NULL;
}

int nnc_data_is_pixels(const nnc_data *data) { return data->st->x_u8 != NULL; }

int nnc_data_image_size(const nnc_data *data, size_t *width, size_t *height)
{
    size_t w = data->st->width, h = data->st->height;
    if (!w && data->st->x_u8 && data->dim >= NNC__MIN_IMAGE_PIXELS) {
        /* pixel rows of a square count are square images, as MNIST's CSV rows */
        size_t side = 1;
        while (side * side < data->dim)
            side++;
        if (side * side == data->dim)
            w = h = side;
    }
    if (width)
        *width = w;
    if (height)
        *height = h;
    return w != 0;
}

/* FNV-1a, 64 bits, over n bytes. */
static uint64_t fnv1a(uint64_t h, const void *bytes, size_t n)
{
    const uint8_t *b = bytes;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

uint64_t nnc_data_checksum(const nnc_data *data)
{
    const nnc__storage *st = data->st;
    size_t n = data->n, dim = data->dim, first = data->first;
    uint64_t h = 0xcbf29ce484222325ull;
    uint64_t shape[3] = {n, dim, st->n_targets};
    h = fnv1a(h, shape, sizeof shape);
    if (st->x_u8)
        h = fnv1a(h, st->x_u8 + first * dim, n * dim);
    else
        h = fnv1a(h, st->x_f32 + first * dim, n * dim * sizeof *st->x_f32);
    if (st->targets)
        h = fnv1a(h, st->targets + first * st->n_targets, n * st->n_targets * sizeof(float));
    else if (st->labels)
        h = fnv1a(h, st->labels + first, n);
    return h ? h : 1;   /* 0 means "not known" where a checksum is kept */
}

nnc_status nnc_data_borrow_floats(const float *x, const uint8_t *labels, const float *y,
                                  size_t n, size_t dim, size_t n_out, nnc_data **out)
{
    *out = NULL;
    if (!x || (!labels && !y) || n == 0 || dim == 0 || (y && n_out == 0) ||
        n > SIZE_MAX / dim / sizeof *x || (y && n > SIZE_MAX / n_out / sizeof *y))
        return nnc__fail(NNC_ERR_ARG, "a dataset needs inputs, labels or targets, n, dim > 0");
    nnc__storage *st = calloc(1, sizeof *st);
    if (!st)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a dataset");
    st->x_f32 = (float *)x;   /* never written: the readers of a dataset only read */
    st->borrowed = 1;
    st->labels = labels ? malloc(n) : NULL;
    st->targets = y ? malloc(n * n_out * sizeof *y) : NULL;
    st->source = strdup("(memory)");
    st->dim = dim;
    st->n_targets = y ? n_out : 0;
    if ((labels && !st->labels) || (y && !st->targets) || !st->source) {
        st->refs = 1;
        storage_release(st);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a dataset of %zu samples", n);
    }
    if (labels)
        memcpy(st->labels, labels, n);
    if (y)
        memcpy(st->targets, y, n * n_out * sizeof *y);
    return finite_or_free(nnc__data_wrap(st, n, dim, out), out);
}

nnc_status nnc_data_from_targets(const float *x, const float *y, size_t n, size_t dim,
                                 size_t n_out, nnc_data **out)
{
    *out = NULL;
    if (!x || !y || n == 0 || dim == 0 || n_out == 0 || n > SIZE_MAX / dim / sizeof *x ||
        n > SIZE_MAX / n_out / sizeof *y)
        return nnc__fail(NNC_ERR_ARG, "a dataset needs inputs, targets and n, dim, n_out > 0");
    nnc__storage *st = calloc(1, sizeof *st);
    if (!st)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a dataset");
    st->x_f32 = nnc__alloc_samples(n * dim * sizeof *x);
    st->targets = malloc(n * n_out * sizeof *y);
    st->source = strdup("(memory)");
    st->dim = dim;
    st->n_targets = n_out;
    if (!st->x_f32 || !st->targets || !st->source) {
        st->refs = 1;
        storage_release(st);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a dataset of %zu samples", n);
    }
    memcpy(st->x_f32, x, n * dim * sizeof *x);
    memcpy(st->targets, y, n * n_out * sizeof *y);
    return finite_or_free(nnc__data_wrap(st, n, dim, out), out);
}

/* A copy of src's names (n of them), or NULL if it has none; *ok = 0 when
 * memory ran out. */
static char **copy_names(char *const *src, size_t n, int *ok)
{
    if (!src)
        return NULL;
    char **copy = calloc(n ? n : 1, sizeof *copy);
    for (size_t i = 0; copy && i < n; i++)
        if (!(copy[i] = strdup(src[i]))) {
            nnc__free_names(copy, i);
            copy = NULL;
        }
    *ok = *ok && copy;
    return copy;
}

nnc_status nnc_data_select(const nnc_data *data, const size_t *idx, size_t count,
                           nnc_data **out)
{
    *out = NULL;
    if (!data || !idx || count == 0)
        return nnc__fail(NNC_ERR_ARG, "nnc_data_select: NULL argument or no samples");
    const nnc__storage *src = data->st;
    size_t dim = data->dim, k = src->n_targets;
    for (size_t i = 0; i < count; i++)
        if (idx[i] >= data->n)
            return nnc__fail(NNC_ERR_ARG, "nnc_data_select: sample %zu of %zu", idx[i],
                             data->n);
    nnc__storage *st = calloc(1, sizeof *st);
    if (!st)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for a dataset");
    int ok = 1;
    size_t bytes = src->x_u8 ? 1 : sizeof(float);
    void *x = nnc__alloc_samples(count * dim * bytes);
    (src->x_u8 ? (void **)&st->x_u8 : (void **)&st->x_f32)[0] = x;
    st->labels = src->labels ? malloc(count) : NULL;
    st->targets = src->targets ? malloc(count * k * sizeof *st->targets) : NULL;
    st->source = strdup(src->source);
    st->width = src->width, st->height = src->height;
    st->label_source = src->label_source ? strdup(src->label_source) : NULL;
    st->dim = dim, st->n_targets = k, st->n_classes = src->n_classes;
    st->class_names = copy_names(src->class_names, src->n_classes, &ok);
    st->feature_names = copy_names(src->feature_names, dim, &ok);
    st->target_names = copy_names(src->target_names, k, &ok);
    if (!x || (src->labels && !st->labels) || (src->targets && !st->targets) || !st->source ||
        (src->label_source && !st->label_source) || !ok) {
        st->refs = 1;
        storage_release(st);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory selecting %zu samples", count);
    }
    for (size_t i = 0; i < count; i++) {
        size_t s = data->first + idx[i];
        const char *from = src->x_u8 ? (const char *)src->x_u8 : (const char *)src->x_f32;
        memcpy((char *)x + i * dim * bytes, from + s * dim * bytes, dim * bytes);
        if (st->labels)
            st->labels[i] = src->labels[s];
        if (st->targets)
            memcpy(st->targets + i * k, src->targets + s * k, k * sizeof *st->targets);
    }
    return nnc__data_wrap(st, count, dim, out);
}

void nnc_data_input(const nnc_data *data, size_t i, float *x)
{
    const nnc__storage *st = data->st;
    size_t s = data->first + i, dim = data->dim;
    if (st->x_u8)
        for (size_t j = 0; j < dim; j++)
            x[j] = st->x_u8[s * dim + j] * NNC_BYTE_SCALE;
    else
        memcpy(x, st->x_f32 + s * dim, dim * sizeof *x);
}

nnc_status nnc__data_check_shape(const nnc_data *data, size_t n_in, size_t n_out)
{
    const nnc__storage *st = data->st;
    if (data->dim != n_in)
        return nnc__fail(NNC_ERR_MISMATCH, "%s: samples have %zu inputs, the network takes %zu",
                         st->source, data->dim, n_in);
    if (st->targets) {
        if (st->n_targets != n_out)
            return nnc__fail(NNC_ERR_MISMATCH, "%s: targets have %zu values, the network gives %zu",
                             st->source, st->n_targets, n_out);
        return NNC_OK;
    }
    size_t classes = n_out == 1 ? 2 : n_out;   /* one sigmoid output: classes 0 and 1 */
    for (size_t i = 0; st->labels && i < data->n; i++)
        if (st->labels[data->first + i] >= classes)
            return nnc__fail(NNC_ERR_MISMATCH,
                             "%s: sample %zu has label %u, the network tells only %zu classes",
                             st->label_source ? st->label_source : st->source, i,
                             st->labels[data->first + i], classes);
    return NNC_OK;
}

/* 1 if every one of count values is finite: an AND of comparisons, which
 * the compiler vectorises, so that a clean dataset costs one quick pass. */
static int block_finite(const float *v, size_t count)
{
    int finite = 1;
    for (size_t i = 0; i < count; i++)
        finite &= v[i] - v[i] == 0.0f;
    return finite;
}

/* The failure for the first value of rows [first, first + n) of width w that
 * is not finite; what: "" for inputs, "target " for targets. */
static nnc_status not_finite(const nnc__storage *st, const float *v, size_t first, size_t n,
                             size_t w, char *const *names, const char *what)
{
    for (size_t i = first; i < first + n; i++)
        for (size_t j = 0; j < w; j++) {
            float x = v[i * w + j];
            if (x - x == 0.0f)
                continue;
            if (names)
                return nnc__fail(NNC_ERR_FORMAT,
                                 "%s: row %zu, %scolumn %zu ('%s'): %g is not a finite number",
                                 st->source, i + 1, what, j + 1, names[j], (double)x);
            return nnc__fail(NNC_ERR_FORMAT, "%s: row %zu, %scolumn %zu: %g is not a finite number",
                             st->source, i + 1, what, j + 1, (double)x);
        }
    return NNC_OK;
}

nnc_status nnc__data_check_finite(const nnc_data *data)
{
    const nnc__storage *st = data->st;
    size_t first = data->first, n = data->n;
    if (st->x_f32 && !block_finite(st->x_f32 + first * data->dim, n * data->dim))
        return not_finite(st, st->x_f32, first, n, data->dim, st->feature_names, "");
    if (st->targets && !block_finite(st->targets + first * st->n_targets, n * st->n_targets))
        return not_finite(st, st->targets, first, n, st->n_targets, st->target_names,
                          "target ");
    return NNC_OK;
}

void nnc__data_view(nnc__storage *st, nnc_data *view, const float *x, const float *y,
                    size_t n, size_t dim, size_t n_out)
{
    *st = (nnc__storage){.refs = 1, .x_f32 = (float *)x, .targets = (float *)y,
                         .n_targets = y ? n_out : 0, .dim = dim, .borrowed = 1,
                         .source = (char *)"(memory)"};
    *view = (nnc_data){st, 0, n, dim};
}
