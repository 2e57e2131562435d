/* pickle.c — reads the tutorial's mnist.pkl.gz: a gzip'd Python pickle of
 * ((train_x, train_y), (valid_x, valid_y), (test_x, test_y)), numpy arrays.
 *
 * A small stack machine interprets only the opcodes such a file uses, as
 * written by Python 2's cPickle (protocol 2) and by Python 3 (protocols 2 to
 * 4). It executes and imports nothing: the only globals it accepts are
 * numpy's array reconstruction (_reconstruct, ndarray), numpy.dtype, and
 * _codecs.encode (Python 3 writes bytes under protocol 2 as a call of it on a
 * latin-1 string); it builds those few objects itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/file.h"
#include "dataset.h"

#define MAX_PICKLE_BYTES ((size_t)1 << 31)
/* A pickle of three pairs of arrays builds a few dozen objects; anything
 * beyond this many is not such a file, and each object costs memory. */
#define MAX_OBJECTS 100000

typedef enum { O_NONE, O_BOOL, O_INT, O_BYTES, O_TEXT, O_TUPLE, O_LIST, O_MARK, O_GLOBAL,
               O_DTYPE, O_ARRAY } obj_kind;
typedef enum { G_RECONSTRUCT, G_NDARRAY, G_DTYPE, G_ENCODE } global_id;

typedef struct obj {
    obj_kind     kind;
    int64_t      i;          /* O_INT, O_BOOL; O_GLOBAL: its global_id        */
    const uint8_t *data;     /* O_BYTES, O_TEXT; O_ARRAY: its raw data        */
    size_t       len;
    struct obj **items;      /* O_TUPLE, O_LIST                               */
    size_t       n;
    char         type[4];    /* O_DTYPE / O_ARRAY: 'f','i','u' + size digit   */
    char         order;      /* O_DTYPE / O_ARRAY: '<', '>', '|' or '='       */
    size_t       shape[2], ndim;
    struct obj  *next;       /* every object, for freeing                     */
} obj;

typedef struct {
    const char    *path;
    const uint8_t *p, *end;
    obj          **stack;
    size_t         depth, cap;
    obj          **memo;
    size_t         memo_cap;
    obj           *all;
    size_t         n_objects;
    nnc_status     err;
} vm;

static obj *fail(vm *m, const char *what)
{
    if (m->err == NNC_OK)
        m->err = nnc__fail(NNC_ERR_FORMAT, "%s: %s", m->path, what);
    return NULL;
}

static obj *new_obj(vm *m, obj_kind kind)
{
    if (m->n_objects >= MAX_OBJECTS)
        return fail(m, "too many objects for a pickle of arrays");
    m->n_objects++;
    obj *o = calloc(1, sizeof *o);
    if (!o) {
        if (m->err == NNC_OK)
            m->err = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", m->path);
        return NULL;
    }
    o->kind = kind;
    o->next = m->all;
    m->all = o;
    return o;
}

static int push(vm *m, obj *o)
{
    if (!o)
        return 0;
    if (m->depth == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 64;
        obj **s = realloc(m->stack, cap * sizeof *s);
        if (!s)
            return !fail(m, "out of memory");
        m->stack = s, m->cap = cap;
    }
    m->stack[m->depth++] = o;
    return 1;
}

static obj *pop(vm *m)
{
    return m->depth ? m->stack[--m->depth] : fail(m, "malformed pickle (stack underflow)");
}

static const uint8_t *take(vm *m, size_t n)
{
    if ((size_t)(m->end - m->p) < n)
        return fail(m, "truncated pickle"), NULL;
    const uint8_t *at = m->p;
    m->p += n;
    return at;
}

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static double le_f32(const uint8_t *p)
{
    uint32_t u = (uint32_t)le(p, 4);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static double le_f64(const uint8_t *p)
{
    uint64_t u = le(p, 8);
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* Pops everything down to the topmost mark into a tuple or list. */
static obj *collect(vm *m, obj_kind kind)
{
    size_t k = m->depth;
    while (k > 0 && m->stack[k - 1]->kind != O_MARK)
        k--;
    if (k == 0)
        return fail(m, "malformed pickle (no mark)");
    obj *t = new_obj(m, kind);
    if (!t)
        return NULL;
    t->n = m->depth - k;
    t->items = malloc((t->n ? t->n : 1) * sizeof *t->items);
    if (!t->items)
        return fail(m, "out of memory");
    memcpy(t->items, m->stack + k, t->n * sizeof *t->items);
    m->depth = k - 1;
    return t;
}

static obj *tuple_of(vm *m, size_t n)
{
    if (m->depth < n)
        return fail(m, "malformed pickle (stack underflow)");
    obj *t = new_obj(m, O_TUPLE);
    if (!t || !(t->items = malloc((n ? n : 1) * sizeof *t->items)))
        return t ? fail(m, "out of memory") : NULL;
    t->n = n;
    if (n)   /* the stack may not exist yet */
        memcpy(t->items, m->stack + m->depth - n, n * sizeof *t->items);
    m->depth -= n;
    return t;
}

static obj *text(vm *m, size_t len, obj_kind kind)
{
    const uint8_t *at = take(m, len);
    obj *o = at ? new_obj(m, kind) : NULL;
    if (o)
        o->data = at, o->len = len;
    return o;
}

static int text_is(const obj *o, const char *s)
{
    return o && (o->kind == O_TEXT || o->kind == O_BYTES) && o->len == strlen(s) &&
           !memcmp(o->data, s, o->len);
}

/* Only these globals exist for this reader; anything else is refused. */
static obj *global(vm *m, const obj *module, const obj *name)
{
    int numpy = text_is(module, "numpy.core.multiarray") || text_is(module, "numpy._core.multiarray");
    int id = numpy && text_is(name, "_reconstruct")           ? G_RECONSTRUCT
             : text_is(module, "numpy") && text_is(name, "ndarray") ? G_NDARRAY
             : text_is(module, "numpy") && text_is(name, "dtype")   ? G_DTYPE
             : text_is(module, "_codecs") && text_is(name, "encode") ? G_ENCODE
                                                                       : -1;
    if (id < 0)
        return fail(m, "refuses a pickle that names a global other than numpy's array "
                       "reconstruction, numpy.dtype and _codecs.encode");
    obj *g = new_obj(m, O_GLOBAL);
    if (g)
        g->i = id;
    return g;
}

/* _codecs.encode(text, 'latin1'): the text's UTF-8 code points as bytes. */
static obj *latin1(vm *m, const obj *t)
{
    uint8_t *out = malloc(t->len ? t->len : 1);
    obj *o = out ? new_obj(m, O_BYTES) : NULL;
    if (!o) {
        free(out);
        return out ? NULL : fail(m, "out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < t->len; i++) {
        uint8_t c = t->data[i];
        if (c < 0x80)
            out[n++] = c;
        else if ((c & 0xe0) == 0xc0 && c <= 0xc3 && i + 1 < t->len)
            out[n++] = (uint8_t)((c & 0x03) << 6 | (t->data[++i] & 0x3f));
        else {
            free(out);
            return fail(m, "_codecs.encode of a string that is not latin-1");
        }
    }
    o->data = out, o->len = n;
    o->i = 1;   /* owns data */
    return o;
}

static obj *reduce(vm *m, obj *callable, obj *args)
{
    if (callable->kind != O_GLOBAL || args->kind != O_TUPLE)
        return fail(m, "malformed pickle (REDUCE)");
    obj *a0 = args->n > 0 ? args->items[0] : NULL, *a1 = args->n > 1 ? args->items[1] : NULL;
    switch ((global_id)callable->i) {
    case G_RECONSTRUCT:
        if (!a0 || a0->kind != O_GLOBAL || a0->i != G_NDARRAY)
            return fail(m, "_reconstruct of something other than numpy.ndarray");
        return new_obj(m, O_ARRAY);
    case G_DTYPE: {
        if (!a0 || !(a0->kind == O_TEXT || a0->kind == O_BYTES) || a0->len < 2 || a0->len > 3)
            return fail(m, "unsupported numpy dtype");
        obj *d = new_obj(m, O_DTYPE);
        if (d) {
            memcpy(d->type, a0->data, a0->len);
            d->order = '|';
        }
        return d;
    }
    case G_ENCODE:
        if (!a0 || a0->kind != O_TEXT || !(text_is(a1, "latin1") || text_is(a1, "latin-1")))
            return fail(m, "_codecs.encode is accepted only on a latin-1 string");
        return latin1(m, a0);
    case G_NDARRAY:
        break;
    }
    return fail(m, "numpy.ndarray called directly");
}

static int build(vm *m, obj *target, obj *st)
{
    if (target->kind == O_DTYPE && st->kind == O_TUPLE && st->n >= 2 &&
        (st->items[1]->kind == O_TEXT || st->items[1]->kind == O_BYTES) &&
        st->items[1]->len == 1) {   /* (version, byte order, ...): text in Python 3,
                                       a byte string in Python 2 */
        target->order = (char)st->items[1]->data[0];
        return 1;
    }
    /* ndarray state: (version, shape, dtype, is_fortran, data) */
    if (target->kind != O_ARRAY || st->kind != O_TUPLE || st->n != 5 ||
        st->items[1]->kind != O_TUPLE || st->items[2]->kind != O_DTYPE ||
        st->items[4]->kind != O_BYTES || st->items[1]->n < 1 || st->items[1]->n > 2)
        return !fail(m, "unsupported numpy array state");
    obj *shape = st->items[1], *dt = st->items[2];
    target->ndim = shape->n;
    for (size_t i = 0; i < shape->n; i++) {
        if (shape->items[i]->kind != O_INT || shape->items[i]->i < 0)
            return !fail(m, "malformed array shape");
        target->shape[i] = (size_t)shape->items[i]->i;
    }
    memcpy(target->type, dt->type, sizeof target->type);
    target->order = dt->order;
    target->data = st->items[4]->data;
    target->len = st->items[4]->len;
    if (st->items[3]->kind == O_BOOL && st->items[3]->i)
        return !fail(m, "Fortran-ordered arrays are not supported");
    return 1;
}

/* Memo entries name objects, so a pickle has at most as many as it made
 * objects, and Python numbers them from 0 up: an index beyond the objects
 * made so far is not a real pickle's, and would size the memo by a number
 * the file merely claims. */
static int memo_put(vm *m, size_t idx)
{
    if (!m->depth)
        return !fail(m, "malformed pickle (memo of empty stack)");
    if (idx > m->n_objects)
        return !fail(m, "malformed pickle (memo index beyond the objects made)");
    if (idx >= m->memo_cap) {
        size_t cap = idx + 1 > 2 * m->memo_cap ? idx + 1 : 2 * m->memo_cap;
        obj **mm = realloc(m->memo, cap * sizeof *mm);
        if (!mm)
            return !fail(m, "out of memory");
        memset(mm + m->memo_cap, 0, (cap - m->memo_cap) * sizeof *mm);
        m->memo = mm, m->memo_cap = cap;
    }
    m->memo[idx] = m->stack[m->depth - 1];
    return 1;
}

static obj *memo_get(vm *m, size_t idx)
{
    return idx < m->memo_cap && m->memo[idx] ? m->memo[idx] : fail(m, "malformed pickle (memo)");
}

static obj *run(vm *m)
{
    size_t memo_next = 0;   /* MEMOIZE numbers entries itself */
    while (m->err == NNC_OK) {
        const uint8_t *op = take(m, 1), *a;
        if (!op)
            return NULL;
        obj *o, *x, *y;
        switch (*op) {
        case 0x80:                                                    /* PROTO */
            if ((a = take(m, 1)) && (*a < 2 || *a > 4)) {
                char msg[96];
                snprintf(msg, sizeof msg, "pickle protocol %d is not one this reader "
                         "accepts (2 to 4)", *a);
                return fail(m, msg);
            }
            break;
        case 0x95: take(m, 8); break;                                 /* FRAME */
        case '.': return m->depth == 1 ? m->stack[0] : fail(m, "malformed pickle (STOP)");
        case '(': push(m, new_obj(m, O_MARK)); break;                 /* MARK */
        case 'N': push(m, new_obj(m, O_NONE)); break;
        case 0x88: case 0x89:                                         /* NEWTRUE/FALSE */
            if ((o = new_obj(m, O_BOOL)))
                o->i = *op == 0x88;
            push(m, o);
            break;
        case 'J': case 'K': case 'M': {                               /* BININT, 1, 2 */
            int n = *op == 'J' ? 4 : *op == 'K' ? 1 : 2;
            if (!(a = take(m, (size_t)n)) || !(o = new_obj(m, O_INT)))
                break;
            o->i = n == 4 ? (int32_t)le(a, 4) : (int64_t)le(a, n);
            push(m, o);
            break;
        }
        case 0x8a:                                                    /* LONG1 */
            if (!(a = take(m, 1)) || *a > 8 || !(x = new_obj(m, O_INT)))
                return fail(m, "unsupported long integer");
            {
                const uint8_t *b = take(m, *a);
                if (!b)
                    break;
                uint64_t v = *a ? le(b, *a) : 0;
                if (*a && *a < 8 && (b[*a - 1] & 0x80))
                    v |= ~(uint64_t)0 << (8 * *a);   /* sign-extend */
                x->i = (int64_t)v;
            }
            push(m, x);
            break;
        case 'U': case 'C':                                           /* SHORT_BIN{STRING,BYTES} */
            if ((a = take(m, 1)))
                push(m, text(m, *a, O_BYTES));
            break;
        case 'T': case 'B':                                           /* BIN{STRING,BYTES} */
            if ((a = take(m, 4)))
                push(m, text(m, (size_t)le(a, 4), O_BYTES));
            break;
        case 0x8e:                                                    /* BINBYTES8 */
            if ((a = take(m, 8)))
                push(m, text(m, (size_t)le(a, 8), O_BYTES));
            break;
        case 'X':                                                     /* BINUNICODE */
            if ((a = take(m, 4)))
                push(m, text(m, (size_t)le(a, 4), O_TEXT));
            break;
        case 0x8c:                                                    /* SHORT_BINUNICODE */
            if ((a = take(m, 1)))
                push(m, text(m, *a, O_TEXT));
            break;
        case 0x8d:                                                    /* BINUNICODE8 */
            if ((a = take(m, 8)))
                push(m, text(m, (size_t)le(a, 8), O_TEXT));
            break;
        case ')': push(m, tuple_of(m, 0)); break;                     /* EMPTY_TUPLE */
        case 0x85: push(m, tuple_of(m, 1)); break;                    /* TUPLE1..3 */
        case 0x86: push(m, tuple_of(m, 2)); break;
        case 0x87: push(m, tuple_of(m, 3)); break;
        case 't': push(m, collect(m, O_TUPLE)); break;                /* TUPLE */
        case ']': push(m, (o = new_obj(m, O_LIST)) && (o->items = malloc(sizeof *o->items)) ? o : NULL); break;
        case 'l': push(m, collect(m, O_LIST)); break;                 /* LIST */
        case 'c': {                                                   /* GLOBAL */
            const uint8_t *nl1 = memchr(m->p, '\n', (size_t)(m->end - m->p));
            const uint8_t *nl2 = nl1 ? memchr(nl1 + 1, '\n', (size_t)(m->end - nl1 - 1)) : NULL;
            if (!nl2)
                return fail(m, "truncated pickle");
            obj mod = {.kind = O_TEXT, .data = m->p, .len = (size_t)(nl1 - m->p)};
            obj name = {.kind = O_TEXT, .data = nl1 + 1, .len = (size_t)(nl2 - nl1 - 1)};
            m->p = nl2 + 1;
            push(m, global(m, &mod, &name));
            break;
        }
        case 0x93:                                                    /* STACK_GLOBAL */
            if ((y = pop(m)) && (x = pop(m)))
                push(m, global(m, x, y));
            break;
        case 'R':                                                     /* REDUCE */
            if ((y = pop(m)) && (x = pop(m)))
                push(m, reduce(m, x, y));
            break;
        case 'b':                                                     /* BUILD */
            if ((y = pop(m)) && m->depth)
                build(m, m->stack[m->depth - 1], y);
            else
                fail(m, "malformed pickle (BUILD)");
            break;
        case 'q': if ((a = take(m, 1))) memo_put(m, *a); break;       /* BINPUT */
        case 'r': if ((a = take(m, 4))) memo_put(m, (size_t)le(a, 4)); break;
        case 0x94: memo_put(m, memo_next++); break;                   /* MEMOIZE */
        case 'h': if ((a = take(m, 1))) push(m, memo_get(m, *a)); break;
        case 'j': if ((a = take(m, 4))) push(m, memo_get(m, (size_t)le(a, 4))); break;
        default: {
            char msg[96];
            snprintf(msg, sizeof msg, "pickle opcode 0x%02x is not one this reader accepts", *op);
            return fail(m, msg);
        }
        }
    }
    return NULL;
}

/* One (images, labels) pair as a dataset: pixels k/256 are kept as bytes,
 * anything else as floats. */
static nnc_status to_dataset(vm *m, const obj *pair, const char *which, nnc_data **out)
{
    char what[160];
    snprintf(what, sizeof what, "%s is not an (images, labels) pair of numpy arrays", which);
    if (pair->kind != O_TUPLE || pair->n != 2 || pair->items[0]->kind != O_ARRAY ||
        pair->items[1]->kind != O_ARRAY)
        return fail(m, what), m->err;
    const obj *x = pair->items[0], *y = pair->items[1];
    size_t n = x->shape[0], dim = x->ndim == 2 ? x->shape[1] : 0;
    int f32 = !strcmp(x->type, "f4"), f64 = !strcmp(x->type, "f8");
    int ysz = y->type[1] - '0';
    snprintf(what, sizeof what, "%s: images must be an n x d float32/float64 array and labels "
                                "n integers, little-endian", which);
    if (!(f32 || f64) || dim == 0 || n == 0 || x->order == '>' || y->order == '>' ||
        y->ndim != 1 || y->shape[0] != n || !(y->type[0] == 'i' || y->type[0] == 'u') ||
        !(ysz == 1 || ysz == 2 || ysz == 4 || ysz == 8) || y->type[2] ||
        x->len != n * dim * (f32 ? 4 : 8) || y->len != n * (size_t)ysz)
        return fail(m, what), m->err;
    nnc__storage *st = calloc(1, sizeof *st);
    uint8_t *bytes = nnc__alloc_samples(n * dim), *labels = malloc(n);
    float *floats = NULL;
    if (!st || !bytes || !labels) {
        free(st), free(bytes), free(labels);
        return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", m->path);
    }
    for (size_t i = 0; i < n; i++) {
        int64_t v = (int64_t)le(y->data + i * (size_t)ysz, ysz);
        if (y->type[0] == 'i' && ysz < 8 && (v >> (8 * ysz - 1)) & 1)
            v -= (int64_t)1 << (8 * ysz);
        if (v < 0 || v > 255) {
            free(st), free(bytes), free(labels);
            return nnc__fail(NNC_ERR_FORMAT, "%s: %s label %zu is %lld", m->path, which, i,
                             (long long)v);
        }
        labels[i] = (uint8_t)v;
    }
    for (size_t i = 0; i < n * dim; i++) {
        double v = f32 ? le_f32(x->data + 4 * i) : le_f64(x->data + 8 * i);
        double k = v / NNC_BYTE_SCALE;
        if (!floats && k >= 0 && k <= 255 && k == (double)(int)k) {
            bytes[i] = (uint8_t)k;
            continue;
        }
        if (!floats) {   /* not bytes after all: convert what was read so far */
            if (!(floats = nnc__alloc_samples(n * dim * sizeof *floats))) {
                free(st), free(bytes), free(labels);
                return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", m->path);
            }
            for (size_t j = 0; j < i; j++)
                floats[j] = bytes[j] * NNC_BYTE_SCALE;
        }
        floats[i] = (float)v;
    }
    if (floats) {
        free(bytes);
        bytes = NULL;
    }
    st->x_u8 = bytes;
    st->x_f32 = floats;
    st->labels = labels;
    st->source = strdup(m->path);
    if (!st->source) {
        free(bytes), free(floats), free(labels), free(st);
        return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", m->path);
    }
    return nnc__data_wrap(st, n, dim, out);
}

nnc_status nnc_pickle_load(const char *path, nnc_data **train, nnc_data **valid,
                           nnc_data **test)
{
    nnc_data **outs[3] = {train, valid, test};
    for (int i = 0; i < 3; i++)
        if (outs[i])
            *outs[i] = NULL;
    if (!path)
        return nnc__fail(NNC_ERR_ARG, "nnc_pickle_load: NULL path");
    size_t len;
    char *text;
    nnc_status s = nnc__read_whole(path, MAX_PICKLE_BYTES, "more than a pickle may have (2 GiB)",
                                   &text, &len);
    if (s != NNC_OK)
        return s;
    uint8_t *buf = (uint8_t *)text;
    vm m = {path, buf, buf + len, NULL, 0, 0, NULL, 0, NULL, 0, NNC_OK};
    obj *root = run(&m);
    nnc_data *sets[3] = {NULL, NULL, NULL};
    static const char *names[3] = {"the training set", "the validation set", "the test set"};
    if (m.err == NNC_OK && (root->kind != O_TUPLE || root->n != 3))
        fail(&m, "is not a pickle of three (images, labels) pairs");
    for (int i = 0; i < 3 && m.err == NNC_OK; i++)
        if (outs[i])
            m.err = to_dataset(&m, root->items[i], names[i], &sets[i]);
    s = m.err;
    for (obj *o = m.all, *next; o; o = next) {
        next = o->next;
        if (o->kind == O_BYTES && o->i)
            free((void *)o->data);
        free(o->items);
        free(o);
    }
    free(m.stack);
    free(m.memo);
    free(buf);
    for (int i = 0; i < 3; i++) {
        if (s != NNC_OK)
            nnc_data_free(sets[i]);
        else if (outs[i])
            *outs[i] = sets[i];
    }
    return s;
}
