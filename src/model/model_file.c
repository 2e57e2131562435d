/* model_file.c — reading and writing the .nnc format (docs/FORMAT.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "../runtime/file.h"
#include "atomic_file.h"
#include "model_file.h"

static const uint8_t MAGIC[8] = {0x89, 'N', 'N', 'C', '\r', '\n', 0x1a, '\n'};
#define FORMAT_VERSION 3u   /* version 3: the settings keep the schedule and distortions */
#define MODEL_VERSION 2u    /* what a file without settings is written as: older readers
                               take it */
#define OLDEST_VERSION 1u   /* version 1: no RMSE field; a regression's is in the count */
#define HEADER_BYTES 64
#define GENERATOR_BYTES 44   /* 4 u64 words, f64 spare, u32 pending flag */
#define STATE_FIXED_BYTES 44
#define STATE_FIXED_BYTES_V1 40
#define SETTINGS_BYTES 96
#define SETTINGS_BYTES_V2 64
#define FLAG_STATE 1u
#define FLAG_SETTINGS 2u   /* with FLAG_STATE: the run's settings follow it */
#define FLAG_HISTORY 4u    /* the epochs trained follow, last before the CRC */
#define FLAG_SCALING 8u    /* the input scaling follows the state */
#define FLAG_CLASSES 16u   /* the class names follow the scaling */
#define FLAG_INPUTS 32u    /* the input columns' names follow the class names */
#define FLAG_PIXELS 64u    /* trained on pixel bytes; no section of its own */
#define FLAG_ORIGIN 128u   /* the data it was made for follows the input names */
#define FLAG_RUNNING 256u  /* with FLAG_HISTORY: each epoch's running measure and
                              warnings, just before the history */
#define KNOWN_FLAGS                                                                    \
    (FLAG_STATE | FLAG_SETTINGS | FLAG_HISTORY | FLAG_SCALING | FLAG_CLASSES | FLAG_INPUTS | \
     FLAG_PIXELS | FLAG_ORIGIN | FLAG_RUNNING)
#define ORIGIN_FIXED_BYTES 56
#define MAX_ORIGIN_TEXT 4096   /* a label or ignore list, its NUL included */
#define HISTORY_ENTRY_BYTES 160
#define RUNNING_ENTRY_BYTES 56
#define MAX_HISTORY 10000000u
#define MAX_FILE_LAYERS 64

/* ---- little-endian encoding --------------------------------------------- */

static uint8_t *put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return p + 4;
}
static uint8_t *put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return p + 8;
}
static uint8_t *put_f32(uint8_t *p, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    return put_u32(p, v);
}
static uint8_t *put_f64(uint8_t *p, double f)
{
    uint64_t v;
    memcpy(&v, &f, 8);
    return put_u64(p, v);
}
static uint8_t *put_floats(uint8_t *p, const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p = put_f32(p, v[i]);
    return p;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get_u64(const uint8_t *p) { return get_u32(p) | (uint64_t)get_u32(p + 4) << 32; }
static float get_f32(const uint8_t *p)
{
    uint32_t v = get_u32(p);
    float f;
    memcpy(&f, &v, 4);
    return f;
}
static double get_f64(const uint8_t *p)
{
    uint64_t v = get_u64(p);
    double f;
    memcpy(&f, &v, 8);
    return f;
}
static const uint8_t *get_floats(const uint8_t *p, float *v, size_t n)
{
    for (size_t i = 0; i < n; i++, p += 4)
        v[i] = get_f32(p);
    return p;
}

/* ---- a run's settings (docs/FORMAT.md) ----------------------------------- */

static uint8_t *put_settings(uint8_t *p, const nnc_train_opts *o)
{
    p = put_u32(p, o->epochs);
    p = put_u32(p, (uint32_t)o->batch_size);
    p = put_f32(p, o->eta);
    p = put_f32(p, o->lambda);
    p = put_u32(p, (uint32_t)o->optimizer);
    p = put_f32(p, o->momentum);
    p = put_f32(p, o->adam_beta1);
    p = put_f32(p, o->adam_beta2);
    p = put_f32(p, o->adam_epsilon);
    p = put_f32(p, o->dropout);
    p = put_u32(p, o->halve_after);
    p = put_f32(p, o->min_eta_factor);
    p = put_u32(p, o->early_stop);
    p = put_u32(p, (uint32_t)o->shuffle);
    p = put_u32(p, o->monitor);
    p = put_u32(p, 0);   /* reserved */
    p = put_u32(p, (uint32_t)o->cosine);
    p = put_u32(p, (uint32_t)o->augment.on);
    p = put_f32(p, o->augment.rotate);
    p = put_f32(p, o->augment.zoom);
    p = put_f32(p, o->augment.shear);
    p = put_f32(p, o->augment.shift);
    p = put_f32(p, o->augment.elastic_alpha);
    return put_f32(p, o->augment.elastic_sigma);
}

/* The settings' size: version 2 ends before the schedule. */
static size_t settings_bytes(uint32_t version)
{
    return version >= 3 ? SETTINGS_BYTES : SETTINGS_BYTES_V2;
}

/* Version 2's settings leave the schedule constant and distortions off. */
static const uint8_t *get_settings(const uint8_t *p, uint32_t version, nnc_train_opts *o)
{
    o->epochs = get_u32(p);
    o->batch_size = get_u32(p + 4);
    o->eta = get_f32(p + 8);
    o->lambda = get_f32(p + 12);
    o->optimizer = (nnc_optimizer)get_u32(p + 16);
    o->momentum = get_f32(p + 20);
    o->adam_beta1 = get_f32(p + 24);
    o->adam_beta2 = get_f32(p + 28);
    o->adam_epsilon = get_f32(p + 32);
    o->dropout = get_f32(p + 36);
    o->halve_after = get_u32(p + 40);
    o->min_eta_factor = get_f32(p + 44);
    o->early_stop = get_u32(p + 48);
    o->shuffle = (int)get_u32(p + 52);
    o->monitor = get_u32(p + 56);
    if (version >= 3) {
        o->cosine = (int)get_u32(p + 64);
        o->augment.on = (int)get_u32(p + 68);
        o->augment.rotate = get_f32(p + 72);
        o->augment.zoom = get_f32(p + 76);
        o->augment.shear = get_f32(p + 80);
        o->augment.shift = get_f32(p + 84);
        o->augment.elastic_alpha = get_f32(p + 88);
        o->augment.elastic_sigma = get_f32(p + 92);
    }
    return p + settings_bytes(version);
}

/* ---- the training history (docs/FORMAT.md) ------------------------------- */

static uint8_t *put_measure(uint8_t *p, const nnc_measure *m)
{
    p = put_f64(p, m->cost);
    p = put_u64(p, m->correct);
    p = put_u64(p, m->n);
    p = put_f64(p, m->rmse);
    p = put_f64(p, m->mae);
    return put_f64(p, m->r2);
}

static const uint8_t *get_measure(const uint8_t *p, nnc_measure *m)
{
    m->cost = get_f64(p);
    m->correct = (size_t)get_u64(p + 8);
    m->n = (size_t)get_u64(p + 16);
    m->rmse = get_f64(p + 24);
    m->mae = get_f64(p + 32);
    m->r2 = get_f64(p + 40);
    return p + 48;
}

static uint8_t *put_history(uint8_t *p, const nnc_epoch_report *h, size_t n)
{
    p = put_u32(p, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        p = put_u32(p, h[i].epoch);
        p = put_f64(p, h[i].train_seconds);
        p = put_f32(p, h[i].eta);
        p = put_measure(p, &h[i].train);
        p = put_measure(p, &h[i].valid);
        p = put_measure(p, &h[i].test);
    }
    return p;
}

/* The running measures and warnings of the history's entries: a section of
 * its own, so that the history's entries keep the layout of files written
 * before it existed. */
static uint8_t *put_running(uint8_t *p, const nnc_epoch_report *h, size_t n)
{
    p = put_u32(p, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        p = put_measure(p, &h[i].running);
        p = put_u32(p, h[i].warnings);
        p = put_u32(p, h[i].warning_layer);
    }
    return p;
}

/* Reads the running section's n entries into the history's; 0 if one is
 * malformed. */
static int get_running(const uint8_t *p, size_t n, nnc_net *net)
{
    for (size_t i = 0; i < n; i++) {
        nnc_epoch_report *e = &net->history[i];
        p = get_measure(p, &e->running);
        e->warnings = get_u32(p);
        e->warning_layer = get_u32(p + 4);
        p += 8;
        if (e->running.correct > e->running.n)
            return 0;
    }
    return 1;
}

/* Reads n entries into the network's history, with no running measure or
 * warnings (the running section, if any, adds them); 0 if one is
 * malformed. */
static int get_history(const uint8_t *p, size_t n, nnc_net *net)
{
    for (size_t i = 0; i < n; i++) {
        nnc_epoch_report *e = &net->history[i];
        e->epoch = get_u32(p);
        e->train_seconds = get_f64(p + 4);
        e->eta = get_f32(p + 12);
        p = get_measure(p + 16, &e->train);
        p = get_measure(p, &e->valid);
        p = get_measure(p, &e->test);
        e->running = (nnc_measure){NAN, 0, 0, NAN, NAN, NAN};
        e->warnings = e->warning_layer = 0;
        if (e->epoch != i || e->train.correct > e->train.n || e->valid.correct > e->valid.n ||
            e->test.correct > e->test.n)
            return 0;
    }
    net->history_len = n;
    return 1;
}

/* ---- lists of names (docs/FORMAT.md) -------------------------------------- */

static size_t names_bytes(char *const *names, size_t k)
{
    size_t bytes = 0;   /* each name and its NUL */
    for (size_t i = 0; i < k; i++)
        bytes += strlen(names[i]) + 1;
    return bytes;
}

static uint8_t *put_names(uint8_t *p, char *const *names, size_t k)
{
    p = put_u32(p, (uint32_t)k);
    p = put_u32(p, (uint32_t)names_bytes(names, k));
    for (size_t i = 0; i < k; i++) {
        size_t len = strlen(names[i]) + 1;
        memcpy(p, names[i], len);
        p += len;
    }
    return p;
}

/* The k names at p (as put_names wrote them) into names[], pointing into
 * the buffer; the bytes after them, or NULL if the list is malformed. */
static const uint8_t *get_names(const uint8_t *p, const char **names, size_t k)
{
    size_t bytes = get_u32(p + 4);
    const char *at = (const char *)p + 8, *end = at + bytes;
    size_t found = 0;
    while (at < end && found < k) {   /* k strings, each ended by its NUL, filling it */
        const char *nul = memchr(at, '\0', (size_t)(end - at));
        if (!nul || nul - at > NNC__MAX_CLASS_NAME)
            return NULL;
        names[found++] = at;
        at = nul + 1;
    }
    return found == k && at == end ? (const uint8_t *)end : NULL;
}

/* The data origin: its fixed part, then the label and ignore lists, each
 * with its NUL (0 bytes: not given). */
static size_t text_bytes(const char *t) { return t ? strlen(t) + 1 : 0; }

static size_t origin_bytes(const nnc_data_origin *o)
{
    return ORIGIN_FIXED_BYTES + text_bytes(o->label) + text_bytes(o->ignore);
}

static uint8_t *put_origin(uint8_t *p, const nnc_data_origin *o)
{
    p = put_u32(p, (uint32_t)o->image_width);
    p = put_u32(p, (uint32_t)o->image_height);
    p = put_f32(p, o->test_split);
    p = put_f32(p, o->valid_split);
    p = put_u64(p, o->split_seed);
    p = put_u64(p, (uint64_t)o->rows);
    p = put_u64(p, o->checksum);
    p = put_u32(p, (uint32_t)o->skip_lines);
    p = put_u32(p, 0);   /* reserved */
    p = put_u32(p, (uint32_t)text_bytes(o->label));
    p = put_u32(p, (uint32_t)text_bytes(o->ignore));
    for (int i = 0; i < 2; i++) {
        const char *t = i ? o->ignore : o->label;
        if (t) {
            memcpy(p, t, strlen(t) + 1);
            p += strlen(t) + 1;
        }
    }
    return p;
}

/* The origin at p (its lengths checked already); its strings point into the
 * buffer. NULL if a string is not ended where its length says. */
static const uint8_t *get_origin(const uint8_t *p, nnc_data_origin *o)
{
    o->image_width = get_u32(p);
    o->image_height = get_u32(p + 4);
    o->test_split = get_f32(p + 8);
    o->valid_split = get_f32(p + 12);
    o->split_seed = get_u64(p + 16);
    o->rows = (size_t)get_u64(p + 24);
    o->checksum = get_u64(p + 32);
    o->skip_lines = get_u32(p + 40);
    uint32_t lengths[2] = {get_u32(p + 48), get_u32(p + 52)};
    const uint8_t *at = p + ORIGIN_FIXED_BYTES;
    for (int i = 0; i < 2; i++) {
        const char *t = NULL;
        if (lengths[i]) {
            if (at[lengths[i] - 1] != '\0' || memchr(at, '\0', lengths[i]) != at + lengths[i] - 1)
                return NULL;
            t = (const char *)at;
        }
        *(i ? &o->ignore : &o->label) = t;
        at += lengths[i];
    }
    int fractions_ok = o->test_split >= 0 && o->test_split < 1 && o->valid_split >= 0 &&
                       o->valid_split < 1;
    int image_ok = (o->image_width == 0) == (o->image_height == 0);
    return fractions_ok && image_ok && get_u32(p + 44) == 0 ? at : NULL;
}

/* ---- writing ------------------------------------------------------------ */

nnc_status nnc__model_write(const nnc_net *net, const nnc__run_state *st, const char *path)
{
    size_t L1 = net->n_layers, P = net->n_params;
    size_t size = HEADER_BYTES + 4 * L1 + GENERATOR_BYTES + 4 * P + 4;
    if (st)
        size += STATE_FIXED_BYTES + 4 * P * (st->n_arrays + (st->best != NULL)) +
                (st->has_settings ? SETTINGS_BYTES : 0);
    if (net->in_shift)
        size += 8 * net->sizes[0];
    if (net->n_class_names)
        size += 8 + names_bytes(net->class_names, net->n_class_names);
    if (net->input_names)
        size += 8 + names_bytes(net->input_names, net->sizes[0]);
    if (net->has_origin)
        size += origin_bytes(&net->origin);
    if (net->history_len)
        size += 8 + (HISTORY_ENTRY_BYTES + RUNNING_ENTRY_BYTES) * net->history_len;
    uint8_t *buf = malloc(size), *p = buf;
    if (!buf)
        return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory for %zu bytes", path, size);
    const nnc_train_record *r = &net->record;
    memcpy(p, MAGIC, 8);
    p = put_u32(p + 8, st && st->has_settings ? FORMAT_VERSION : MODEL_VERSION);
    p = put_u32(p, (st ? FLAG_STATE | (st->has_settings ? FLAG_SETTINGS : 0) : 0) |
                       (net->history_len ? FLAG_HISTORY : 0) |
                       (net->in_shift ? FLAG_SCALING : 0) |
                       (net->n_class_names ? FLAG_CLASSES : 0) |
                       (net->input_names ? FLAG_INPUTS : 0) |
                       (net->pixel_inputs ? FLAG_PIXELS : 0) |
                       (net->has_origin ? FLAG_ORIGIN : 0) |
                       (net->history_len ? FLAG_RUNNING : 0));
    p = put_u32(p, (uint32_t)L1);
    p = put_u32(p, (uint32_t)net->hidden);
    p = put_u32(p, (uint32_t)net->cost);
    p = put_u32(p, (uint32_t)r->init);
    p = put_u64(p, r->seed);
    p = put_u32(p, r->epochs);
    p = put_u32(p, (uint32_t)r->batch_size);
    p = put_f32(p, r->eta);
    p = put_u32(p, (uint32_t)r->optimizer);
    p = put_f32(p, r->lambda);
    p = put_f32(p, r->dropout);
    for (size_t l = 0; l < L1; l++)
        p = put_u32(p, (uint32_t)net->sizes[l]);
    for (int i = 0; i < 4; i++)
        p = put_u64(p, net->rng.s[i]);
    p = put_f64(p, net->rng.spare);
    p = put_u32(p, (uint32_t)net->rng.has_spare);
    p = put_floats(p, net->params, P);
    if (st) {
        p = put_u32(p, st->next_epoch);
        p = put_f32(p, st->eta);
        p = put_u64(p, st->steps);
        p = put_u32(p, st->n_arrays);
        p = put_u32(p, (uint32_t)st->best_epoch);
        p = put_u32(p, st->best_valid_correct);
        p = put_u32(p, st->since_best);
        p = put_u32(p, st->since_change);
        p = put_u32(p, st->best != NULL);
        p = put_f32(p, st->best_valid_rmse);
        for (unsigned a = 0; a < st->n_arrays; a++)
            p = put_floats(p, st->arrays[a], P);
        if (st->best)
            p = put_floats(p, st->best, P);
        if (st->has_settings)
            p = put_settings(p, &st->settings);
    }
    if (net->in_shift) {
        p = put_floats(p, net->in_shift, net->sizes[0]);
        p = put_floats(p, net->in_factor, net->sizes[0]);
    }
    if (net->n_class_names)
        p = put_names(p, net->class_names, net->n_class_names);
    if (net->input_names)
        p = put_names(p, net->input_names, net->sizes[0]);
    if (net->has_origin)
        p = put_origin(p, &net->origin);
    if (net->history_len) {
        p = put_running(p, net->history, net->history_len);
        p = put_history(p, net->history, net->history_len);
    }
    p = put_u32(p, (uint32_t)crc32_z(0L, buf, size - 4));
    nnc_status s = nnc__write_atomically(path, buf, size);
    free(buf);
    return s;
}

/* ---- reading ------------------------------------------------------------ */

void nnc__run_state_free(nnc__run_state *st)
{
    if (!st)
        return;
    free(st->arrays[0]);
    free(st->arrays[1]);
    free(st->best);
    memset(st, 0, sizeof *st);
}

int nnc__is_nnc_file(const char *path, int *checkpoint)
{
    uint8_t head[16];
    FILE *f = fopen(path, "rb");
    int yes = f && fread(head, 1, 16, f) == 16 && memcmp(head, MAGIC, 8) == 0;
    if (f)
        fclose(f);
    if (checkpoint)
        *checkpoint = yes && (get_u32(head + 12) & FLAG_STATE);
    return yes;
}

static nnc_status read_at(FILE *f, const char *path, long offset, void *buf, size_t len)
{
    if (fseek(f, offset, SEEK_SET) != 0 || fread(buf, 1, len, f) != len)
        return nnc__fail(NNC_ERR_IO, "%s: cannot read %zu bytes at offset %ld", path, len,
                         offset);
    return NNC_OK;
}

/* The fixed part of the training state: version 1 ends before the RMSE. */
static size_t state_fixed_bytes(uint32_t version)
{
    return version >= 2 ? STATE_FIXED_BYTES : STATE_FIXED_BYTES_V1;
}

/* Checks the header and sizes against the file's size; fills *total with
 * the size the file must have. Nothing is allocated. */
static nnc_status check_shape(FILE *f, const char *path, uint64_t file_size, uint8_t *head,
                              size_t *sizes, uint64_t *n_params, uint64_t *total)
{
    if (file_size < HEADER_BYTES + 4)
        return nnc__fail(NNC_ERR_FORMAT, "%s: truncated: %llu bytes, a model file has more",
                         path, (unsigned long long)file_size);
    nnc_status s = read_at(f, path, 0, head, HEADER_BYTES);
    if (s != NNC_OK)
        return s;
    if (memcmp(head, MAGIC, 8) != 0)
        return nnc__fail(NNC_ERR_FORMAT, "%s: not an nnc model file (bad magic)", path);
    uint32_t version = get_u32(head + 8), flags = get_u32(head + 12);
    uint32_t L1 = get_u32(head + 16);
    if (version < OLDEST_VERSION || version > FORMAT_VERSION)
        return nnc__fail(NNC_ERR_FORMAT,
                         "%s: format version %u; this nnc reads versions %u to %u", path,
                         version, OLDEST_VERSION, FORMAT_VERSION);
    if ((flags & ~KNOWN_FLAGS) || (flags & FLAG_SETTINGS && !(flags & FLAG_STATE)) ||
        (flags & FLAG_RUNNING && !(flags & FLAG_HISTORY)))
        return nnc__fail(NNC_ERR_FORMAT, "%s: unknown flags 0x%x", path, flags);
    if (L1 < 2 || L1 > MAX_FILE_LAYERS)
        return nnc__fail(NNC_ERR_FORMAT, "%s: %u layers (must be 2 .. %d)", path, L1,
                         MAX_FILE_LAYERS);
    if (get_u32(head + 20) > NNC_ACT_LEAKY_RELU || get_u32(head + 24) > NNC_COST_HUBER ||
        get_u32(head + 28) > NNC_INIT_GLOROT || get_u32(head + 52) > NNC_OPT_ADAM)
        return nnc__fail(NNC_ERR_FORMAT, "%s: unknown activation, cost, init or optimiser id",
                         path);
    uint8_t raw[4 * MAX_FILE_LAYERS];
    if (file_size < HEADER_BYTES + 4 * (uint64_t)L1 + 4)
        return nnc__fail(NNC_ERR_FORMAT, "%s: truncated in the layer sizes", path);
    if ((s = read_at(f, path, HEADER_BYTES, raw, 4 * L1)) != NNC_OK)
        return s;
    *n_params = 0;
    for (uint32_t l = 0; l < L1; l++) {
        sizes[l] = get_u32(raw + 4 * l);
        if (sizes[l] == 0 || sizes[l] > (1u << 24))
            return nnc__fail(NNC_ERR_FORMAT, "%s: layer %u has %zu units", path, l, sizes[l]);
        if (l)
            *n_params += (uint64_t)sizes[l - 1] * sizes[l] + sizes[l];
    }
    uint64_t state_at = HEADER_BYTES + 4 * (uint64_t)L1 + GENERATOR_BYTES + 4 * *n_params;
    *total = state_at + 4;
    if (flags & FLAG_STATE) {
        uint8_t fixed[STATE_FIXED_BYTES];
        size_t fixed_bytes = state_fixed_bytes(version);
        if (file_size < state_at + fixed_bytes + 4)
            return nnc__fail(NNC_ERR_FORMAT, "%s: truncated: %llu bytes, the network alone needs %llu",
                             path, (unsigned long long)file_size,
                             (unsigned long long)(state_at + fixed_bytes + 4));
        if ((s = read_at(f, path, (long)state_at, fixed, fixed_bytes)) != NNC_OK)
            return s;
        uint32_t arrays = get_u32(fixed + 16), has_best = get_u32(fixed + 36);
        if (arrays > 2 || has_best > 1)
            return nnc__fail(NNC_ERR_FORMAT, "%s: malformed training state", path);
        *total += fixed_bytes + 4 * *n_params * (arrays + has_best) +
                  (flags & FLAG_SETTINGS ? settings_bytes(version) : 0);
    }
    if (flags & FLAG_SCALING)
        *total += 8 * (uint64_t)sizes[0];
    for (uint32_t section = FLAG_CLASSES; section <= FLAG_INPUTS; section <<= 1) {
        if (!(flags & section))
            continue;
        /* count and bytes, where the CRC would otherwise be */
        uint8_t raw_names[8];
        if (file_size < *total + 8)
            return nnc__fail(NNC_ERR_FORMAT, "%s: truncated before the %s names", path,
                             section == FLAG_CLASSES ? "class" : "input");
        if ((s = read_at(f, path, (long)(*total - 4), raw_names, 8)) != NNC_OK)
            return s;
        uint32_t k = get_u32(raw_names), bytes = get_u32(raw_names + 4);
        uint32_t want = section == FLAG_INPUTS ? (uint32_t)sizes[0] : 0;
        if (k == 0 || (section == FLAG_CLASSES && k > NNC__MAX_CLASSES) ||
            (want && k != want) || bytes < k || bytes > k * (NNC__MAX_CLASS_NAME + 1))
            return nnc__fail(NNC_ERR_FORMAT, "%s: %u %s names in %u bytes", path, k,
                             section == FLAG_CLASSES ? "class" : "input", bytes);
        *total += 8 + (uint64_t)bytes;
    }
    if (flags & FLAG_ORIGIN) {   /* its fixed part, where the CRC would otherwise be */
        uint8_t fixed[ORIGIN_FIXED_BYTES];
        if (file_size < *total + ORIGIN_FIXED_BYTES)
            return nnc__fail(NNC_ERR_FORMAT, "%s: truncated before the data origin", path);
        if ((s = read_at(f, path, (long)(*total - 4), fixed, ORIGIN_FIXED_BYTES)) != NNC_OK)
            return s;
        uint32_t label = get_u32(fixed + 48), ignore = get_u32(fixed + 52);
        if (label > MAX_ORIGIN_TEXT || ignore > MAX_ORIGIN_TEXT)
            return nnc__fail(NNC_ERR_FORMAT, "%s: a data origin with lists of %u and %u bytes",
                             path, label, ignore);
        *total += ORIGIN_FIXED_BYTES + (uint64_t)label + ignore;
    }
    uint32_t running = 0, history = 0;
    if (flags & FLAG_RUNNING) {   /* its count, where the CRC would otherwise be */
        uint8_t raw_count[4];
        if (file_size < *total + 4)
            return nnc__fail(NNC_ERR_FORMAT, "%s: truncated before the running measures",
                             path);
        if ((s = read_at(f, path, (long)(*total - 4), raw_count, 4)) != NNC_OK)
            return s;
        running = get_u32(raw_count);
        if (running == 0 || running > MAX_HISTORY)
            return nnc__fail(NNC_ERR_FORMAT, "%s: running measures of %u epochs", path,
                             running);
        *total += 4 + (uint64_t)RUNNING_ENTRY_BYTES * running;
    }
    if (flags & FLAG_HISTORY) {   /* its count, where the CRC would otherwise be */
        uint8_t raw_count[4];
        if (file_size < *total + 4)
            return nnc__fail(NNC_ERR_FORMAT, "%s: truncated before the training history",
                             path);
        if ((s = read_at(f, path, (long)(*total - 4), raw_count, 4)) != NNC_OK)
            return s;
        uint32_t entries = get_u32(raw_count);
        if (entries == 0 || entries > MAX_HISTORY)
            return nnc__fail(NNC_ERR_FORMAT, "%s: a training history of %u epochs", path,
                             entries);
        *total += 4 + (uint64_t)HISTORY_ENTRY_BYTES * entries;
        history = entries;
    }
    if (file_size != *total)
        return nnc__fail(NNC_ERR_FORMAT, "%s: %s: %llu bytes, the header implies %llu", path,
                         file_size < *total ? "truncated" : "unexpected bytes at the end",
                         (unsigned long long)file_size, (unsigned long long)*total);
    if (running && running != history)   /* after the size, which tells more */
        return nnc__fail(NNC_ERR_FORMAT, "%s: running measures of %u epochs for a history of %u",
                         path, running, history);
    return NNC_OK;
}

static nnc_status parse(const char *path, const uint8_t *buf, const size_t *sizes,
                        nnc_net **out, nnc__run_state *st)
{
    const uint8_t *head = buf;
    uint32_t version = get_u32(head + 8), flags = get_u32(head + 12), L1 = get_u32(head + 16);
    if (st && !(flags & FLAG_STATE))
        return nnc__fail(NNC_ERR_FORMAT, "%s: a model, not a checkpoint (no training state)",
                         path);
    nnc_net *net;
    nnc_status s = nnc__net_alloc(sizes, L1, &net);
    if (s != NNC_OK)
        return s;
    net->pixel_inputs = (flags & FLAG_PIXELS) != 0;
    net->hidden = (nnc_activation)get_u32(head + 20);
    net->cost = (nnc_cost)get_u32(head + 24);
    nnc_train_record *r = &net->record;
    r->init = (nnc_init)get_u32(head + 28);
    r->seed = get_u64(head + 32);
    r->epochs = get_u32(head + 40);
    r->batch_size = get_u32(head + 44);
    r->eta = get_f32(head + 48);
    r->optimizer = (nnc_optimizer)get_u32(head + 52);
    r->lambda = get_f32(head + 56);
    r->dropout = get_f32(head + 60);
    const uint8_t *p = buf + HEADER_BYTES + 4 * L1;
    for (int i = 0; i < 4; i++, p += 8)
        net->rng.s[i] = get_u64(p);
    net->rng.spare = get_f64(p);
    net->rng.has_spare = get_u32(p + 8) != 0;
    p = get_floats(p + 12, net->params, net->n_params);
    const uint8_t *sections_at = p;   /* scaling, names, history: after any state */
    if (flags & FLAG_STATE)
        sections_at += state_fixed_bytes(version) +
                      4 * net->n_params * (get_u32(p + 16) + (get_u32(p + 36) != 0)) +
                      (flags & FLAG_SETTINGS ? settings_bytes(version) : 0);
    if (st) {
        memset(st, 0, sizeof *st);
        st->next_epoch = get_u32(p);
        st->eta = get_f32(p + 4);
        st->steps = get_u64(p + 8);
        st->n_arrays = get_u32(p + 16);
        st->best_epoch = (int32_t)get_u32(p + 20);
        st->best_valid_correct = get_u32(p + 24);
        st->since_best = get_u32(p + 28);
        st->since_change = get_u32(p + 32);
        int has_best = get_u32(p + 36) != 0;
        if (version >= 2) {
            st->best_valid_rmse = get_f32(p + 40);
        } else if (nnc_cost_is_regression(net->cost)) {   /* the RMSE's bits in the count */
            st->best_valid_rmse = get_f32(p + 24);
            st->best_valid_correct = 0;
        } else {
            st->best_valid_rmse = NAN;
        }
        p += state_fixed_bytes(version);
        size_t bytes = net->n_params * sizeof(float);
        for (unsigned a = 0; a < st->n_arrays; a++) {
            if (!(st->arrays[a] = malloc(bytes)))
                goto nomem;
            p = get_floats(p, st->arrays[a], net->n_params);
        }
        if (has_best) {
            if (!(st->best = malloc(bytes)))
                goto nomem;
            p = get_floats(p, st->best, net->n_params);
        }
        st->has_settings = (flags & FLAG_SETTINGS) != 0;
        if (st->has_settings)
            p = get_settings(p, version, &st->settings);
    }
    p = sections_at;
    if (flags & FLAG_SCALING) {
        size_t n0 = net->sizes[0];
        float *both = malloc(2 * n0 * sizeof *both);
        if (!both)
            goto nomem;
        get_floats(p, both, 2 * n0);
        p += 8 * n0;
        s = nnc_net_set_scaling(net, both, both + n0);
        free(both);
        if (s != NNC_OK) {
            nnc__run_state_free(st);
            nnc_net_free(net);
            return nnc__fail(NNC_ERR_FORMAT, "%s: input scaling that is not finite", path);
        }
    }
    if (flags & FLAG_CLASSES) {
        const char *names[NNC__MAX_CLASSES];
        size_t k = get_u32(p);
        if (!(p = get_names(p, names, k)) ||
            (s = nnc_net_set_class_names(net, names, k)) != NNC_OK) {
            nnc__run_state_free(st);
            nnc_net_free(net);
            return nnc__fail(NNC_ERR_FORMAT, "%s: malformed class names", path);
        }
    }
    if (flags & FLAG_INPUTS) {
        const char **names = malloc(net->sizes[0] * sizeof *names);
        if (!names)
            goto nomem;
        p = get_names(p, names, net->sizes[0]);
        s = p ? nnc_net_set_input_names(net, names) : NNC_ERR_FORMAT;
        free(names);
        if (s != NNC_OK) {
            nnc__run_state_free(st);
            nnc_net_free(net);
            return nnc__fail(NNC_ERR_FORMAT, "%s: malformed input names", path);
        }
    }
    if (flags & FLAG_ORIGIN) {
        nnc_data_origin o;
        if (!(p = get_origin(p, &o)) || nnc_net_set_origin(net, &o) != NNC_OK) {
            nnc__run_state_free(st);
            nnc_net_free(net);
            return nnc__fail(NNC_ERR_FORMAT, "%s: malformed data origin", path);
        }
    }
    const uint8_t *running_at = NULL;
    if (flags & FLAG_RUNNING) {
        running_at = p + 4;
        p += 4 + (size_t)RUNNING_ENTRY_BYTES * get_u32(p);
    }
    if (flags & FLAG_HISTORY) {
        size_t n = get_u32(p);
        if (!(net->history = malloc(n * sizeof *net->history)))
            goto nomem;
        net->history_cap = n;
        if (!get_history(p + 4, n, net) || (running_at && !get_running(running_at, n, net))) {
            nnc__run_state_free(st);
            nnc_net_free(net);
            return nnc__fail(NNC_ERR_FORMAT, "%s: malformed training history", path);
        }
    }
    *out = net;
    return NNC_OK;
nomem:
    nnc__run_state_free(st);
    nnc_net_free(net);
    return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory for the training state or history",
                     path);
}

nnc_status nnc__model_read(const char *path, nnc_net **out, nnc__run_state *st)
{
    *out = NULL;
    FILE *f = nnc__open_file(path);
    if (!f)
        return NNC_ERR_IO;
    struct stat sb;
    uint8_t head[HEADER_BYTES];
    size_t sizes[MAX_FILE_LAYERS];
    uint64_t n_params = 0, total = 0;
    nnc_status s = fstat(fileno(f), &sb) != 0
                       ? nnc__fail(NNC_ERR_IO, "%s: cannot stat: %s", path, strerror(errno))
                       : check_shape(f, path, (uint64_t)sb.st_size, head, sizes, &n_params,
                                     &total);
    uint8_t *buf = NULL;
    if (s == NNC_OK && total > SIZE_MAX / 2)
        s = nnc__fail(NNC_ERR_FORMAT, "%s: model too large", path);
    if (s == NNC_OK && !(buf = malloc((size_t)total)))
        s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory for %llu bytes", path,
                      (unsigned long long)total);
    if (s == NNC_OK)
        s = read_at(f, path, 0, buf, (size_t)total);
    fclose(f);
    if (s == NNC_OK) {
        uint32_t want = get_u32(buf + total - 4);
        uint32_t got = (uint32_t)crc32_z(0L, buf, (size_t)total - 4);
        if (want != got)
            s = nnc__fail(NNC_ERR_FORMAT, "%s: checksum mismatch (CRC-32 0x%08x, file says 0x%08x): corrupt",
                          path, got, want);
    }
    if (s == NNC_OK)
        s = parse(path, buf, sizes, out, st);
    free(buf);
    return s;
}
