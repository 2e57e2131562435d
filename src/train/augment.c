/* augment.c — distortions of image training data (augment.h).
 *
 * Every number a sample's distortion draws comes from a counter-based
 * stream keyed by (seed, epoch, sample index): splitmix64's finaliser of
 * key + i * golden ratio. So no generator state is shared between samples,
 * and which thread distorts a sample, or when, never changes its pixels. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "augment.h"

#define GOLDEN 0x9e3779b97f4a7c15u

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* The key of one sample's stream; draw i is mix(key + (i + 1) golden). */
static uint64_t sample_key(uint64_t seed, unsigned epoch, size_t index)
{
    return mix(mix(mix(seed + GOLDEN) ^ (uint64_t)epoch) + (uint64_t)index);
}

/* A 32-bit half of a draw as a float in [-1, 1). */
static float unit(uint32_t u)
{
    return (float)(int32_t)u * 0x1p-31f;
}

nnc_status nnc__aug_config_init(nnc__aug_config *c, const nnc_augment *p, size_t w, size_t h)
{
    memset(c, 0, sizeof *c);
    if (!(p->rotate >= 0 && p->rotate <= 180))
        return nnc__fail(NNC_ERR_ARG, "rotate: degrees in 0 .. 180, not %g", (double)p->rotate);
    if (!(p->zoom >= 0 && p->zoom < 1))
        return nnc__fail(NNC_ERR_ARG, "zoom: a fraction in [0, 1), not %g", (double)p->zoom);
    if (!(p->shear >= 0 && p->shear <= 1))
        return nnc__fail(NNC_ERR_ARG, "shear: a fraction in 0 .. 1, not %g", (double)p->shear);
    if (!(p->shift >= 0 && p->shift <= (float)(w > h ? w : h)))
        return nnc__fail(NNC_ERR_ARG, "shift: pixels in 0 .. %zu, not %g", w > h ? w : h,
                         (double)p->shift);
    if (!(p->elastic_alpha >= 0 && p->elastic_alpha <= 1000))
        return nnc__fail(NNC_ERR_ARG, "elastic-alpha: pixels in 0 .. 1000, not %g",
                         (double)p->elastic_alpha);
    if (p->elastic_alpha > 0 &&
        !(p->elastic_sigma >= 0.5f && p->elastic_sigma <= NNC__AUG_MAX_RADIUS / 3.0f))
        return nnc__fail(NNC_ERR_ARG, "elastic-sigma: pixels in 0.5 .. %g, not %g",
                         NNC__AUG_MAX_RADIUS / 3.0, (double)p->elastic_sigma);
    c->p = *p;
    c->w = w, c->h = h;
    if (p->elastic_alpha > 0) {
        int r = (int)ceilf(3.0f * p->elastic_sigma);
        double g[2 * NNC__AUG_MAX_RADIUS + 1], sum = 0.0;
        for (int i = -r; i <= r; i++)
            sum += g[i + r] = exp(-0.5 * i * i / ((double)p->elastic_sigma * p->elastic_sigma));
        for (int i = 0; i <= 2 * r; i++)
            c->kernel[i] = (float)(g[i] / sum);
        c->radius = r;
    }
    return NNC_OK;
}

size_t nnc__aug_scratch(const nnc__aug_config *c)
{
    /* the map's 3n and the sample's 4n, or the resampling's pad; and the
     * smoothing's reads past the end */
    size_t line = 2 * (c->w + 2 * (size_t)c->radius + 32);
    size_t pad = (c->w + 3) * (c->h + 3);
    return 4 * c->w * c->h + (3 * c->w * c->h + 32 + line > pad ? 3 * c->w * c->h + 32 + line
                                                                 : pad);
}

nnc__aug_affine nnc__aug_draw(const nnc__aug_config *c, uint64_t seed, unsigned epoch,
                              size_t index)
{
    /* draws 0 .. 2 of the sample's stream; the elastic field takes 3 on */
    uint64_t key = sample_key(seed, epoch, index);
    uint64_t d0 = mix(key + GOLDEN), d1 = mix(key + 2 * GOLDEN), d2 = mix(key + 3 * GOLDEN);
    const nnc_augment *p = &c->p;
    nnc__aug_affine a;
    a.theta = unit((uint32_t)d0) * p->rotate * (float)(3.14159265358979323846 / 180.0);
    a.sx = 1.0f + unit((uint32_t)(d0 >> 32)) * p->zoom;
    a.sy = 1.0f + unit((uint32_t)d1) * p->zoom;
    a.k = unit((uint32_t)(d1 >> 32)) * p->shear;
    a.tx = unit((uint32_t)d2) * p->shift;
    a.ty = unit((uint32_t)(d2 >> 32)) * p->shift;
    return a;
}

#if defined(__GNUC__)
/* Eight columns at a time in GCC's and Clang's vectors; where the CPU has
 * AVX2 they are one register. Separate multiplies and adds, no FMA: every
 * width gives the same bits as the scalar loop. */
typedef float v8 __attribute__((vector_size(32)));
#define LANES 8
/* The clones are chosen by IFUNC relocations when the program loads, before
 * ThreadSanitizer's runtime is up, which it does not survive: its builds
 * take the default one. */
#if defined(__x86_64__) && !defined(__clang__) && defined(__linux__) && \
    !defined(__SANITIZE_THREAD__)
#define WIDE __attribute__((target_clones("avx2", "default")))
#endif
#else
#define LANES 0
#endif
#ifndef WIDE
#define WIDE
#endif

/* Up to 32 columns' sums in four vectors of adds, stored as floats. */
#if LANES
#define STORE_LANES(to, count, a0, a1, a2, a3)          \
    do {                                                \
        float lanes_[4 * LANES];                        \
        memcpy(lanes_, &(a0), sizeof(a0));              \
        memcpy(lanes_ + LANES, &(a1), sizeof(a1));      \
        memcpy(lanes_ + 2 * LANES, &(a2), sizeof(a2));  \
        memcpy(lanes_ + 3 * LANES, &(a3), sizeof(a3));  \
        memcpy((to), lanes_, (count) * sizeof(float));  \
    } while (0)
#endif

/* out (rows x cols) = in smoothed along its columns by c's Gaussian, 0
 * outside: each output the sum of its taps, nearest the top first. The
 * vector loop takes 32 columns at a time in four chains of adds and reads up
 * to 31 floats past in's end (scratch, never used). */
WIDE static void smooth_columns(const nnc__aug_config *c, const float *restrict in,
                                size_t rows, size_t cols, float *restrict out)
{
    int r = c->radius;
    const float *g = c->kernel;
    size_t y = 0;
#if LANES
    /* two rows at a time, eight chains of adds: each row's taps in its own
     * order, and the other row's taps past its ends weighted 0, which adds
     * exactly +0 (kz: the kernel between zeros) */
    float kz[2 * NNC__AUG_MAX_RADIUS + 3] = {0};
    memcpy(kz + 1, g, (2 * (size_t)r + 1) * sizeof *kz);
    for (; y + 1 < rows; y += 2) {
        size_t jlo = y > (size_t)r ? y - (size_t)r : 0;
        size_t jhi = y + 1 + (size_t)r < rows ? y + 1 + (size_t)r : rows - 1;
        for (size_t x = 0; x < cols; x += 4 * LANES) {
            v8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, b0 = {0}, b1 = {0}, b2 = {0}, b3 = {0};
            v8 v0, v1, v2, v3;
            const float *p = in + jlo * cols + x;
            for (size_t j = jlo; j <= jhi; j++, p += cols) {
                float ga = kz[j + (size_t)r + 1 - y], gb = kz[j + (size_t)r - y];
                memcpy(&v0, p, sizeof v0);
                memcpy(&v1, p + LANES, sizeof v1);
                memcpy(&v2, p + 2 * LANES, sizeof v2);
                memcpy(&v3, p + 3 * LANES, sizeof v3);
                a0 += ga * v0, a1 += ga * v1, a2 += ga * v2, a3 += ga * v3;
                b0 += gb * v0, b1 += gb * v1, b2 += gb * v2, b3 += gb * v3;
            }
            size_t count = cols - x < 4 * LANES ? cols - x : 4 * LANES;
            STORE_LANES(out + y * cols + x, count, a0, a1, a2, a3);
            STORE_LANES(out + (y + 1) * cols + x, count, b0, b1, b2, b3);
        }
    }
#endif
    for (; y < rows; y++) {
        int k0 = (ptrdiff_t)y - r < 0 ? -(int)y : -r;
        int k1 = y + (size_t)r >= rows ? (int)(rows - 1 - y) : r;
        const float *top = in + ((ptrdiff_t)y + k0) * (ptrdiff_t)cols;
        size_t x = 0;
#if LANES
        for (; x < cols; x += 4 * LANES) {
            v8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, v0, v1, v2, v3;
            const float *p = top + x;
            for (int k = k0; k <= k1; k++, p += cols) {
                float gk = g[k + r];
                memcpy(&v0, p, sizeof v0);
                memcpy(&v1, p + LANES, sizeof v1);
                memcpy(&v2, p + 2 * LANES, sizeof v2);
                memcpy(&v3, p + 3 * LANES, sizeof v3);
                a0 += gk * v0, a1 += gk * v1, a2 += gk * v2, a3 += gk * v3;
            }
            size_t count = cols - x < 4 * LANES ? cols - x : 4 * LANES;
            STORE_LANES(out + y * cols + x, count, a0, a1, a2, a3);
        }
#endif
        for (; x < cols; x++) {
            float acc = 0.0f;
            const float *p = top + x;
            for (int k = k0; k <= k1; k++, p += cols)
                acc += g[k + r] * *p;
            out[y * cols + x] = acc;
        }
    }
}

/* out (rows x cols) = in smoothed along its rows, 0 outside, each output
 * the sum of its taps from the left: every row copied first into line
 * (cols + 2 radius + 32 floats) between zeros, so that every tap reads. */
WIDE static void smooth_rows(const nnc__aug_config *c, const float *restrict in, size_t rows,
                             size_t cols, float *restrict line, float *restrict out)
{
    int r = c->radius;
    const float *g = c->kernel;
    size_t span = cols + 2 * (size_t)r + 4 * 8, y = 0;
    memset(line, 0, 2 * span * sizeof *line);
#if LANES
    float *line2 = line + span;   /* two rows at a time: eight chains of adds */
    for (; y + 1 < rows; y += 2) {
        memcpy(line + r, in + y * cols, cols * sizeof *line);
        memcpy(line2 + r, in + (y + 1) * cols, cols * sizeof *line);
        for (size_t x = 0; x < cols; x += 4 * LANES) {
            v8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, b0 = {0}, b1 = {0}, b2 = {0}, b3 = {0};
            v8 v0, v1, v2, v3;
            const float *p = line + x, *q = line2 + x;
            for (int k = 0; k <= 2 * r; k++, p++, q++) {
                float gk = g[k];
                memcpy(&v0, p, sizeof v0);
                memcpy(&v1, p + LANES, sizeof v1);
                memcpy(&v2, p + 2 * LANES, sizeof v2);
                memcpy(&v3, p + 3 * LANES, sizeof v3);
                a0 += gk * v0, a1 += gk * v1, a2 += gk * v2, a3 += gk * v3;
                memcpy(&v0, q, sizeof v0);
                memcpy(&v1, q + LANES, sizeof v1);
                memcpy(&v2, q + 2 * LANES, sizeof v2);
                memcpy(&v3, q + 3 * LANES, sizeof v3);
                b0 += gk * v0, b1 += gk * v1, b2 += gk * v2, b3 += gk * v3;
            }
            size_t count = cols - x < 4 * LANES ? cols - x : 4 * LANES;
            STORE_LANES(out + y * cols + x, count, a0, a1, a2, a3);
            STORE_LANES(out + (y + 1) * cols + x, count, b0, b1, b2, b3);
        }
    }
#endif
    for (; y < rows; y++) {
        memcpy(line + r, in + y * cols, cols * sizeof *line);
        size_t x = 0;
#if LANES
        for (; x < cols; x += 4 * LANES) {
            v8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, v0, v1, v2, v3;
            const float *p = line + x;
            for (int k = 0; k <= 2 * r; k++, p++) {
                float gk = g[k];
                memcpy(&v0, p, sizeof v0);
                memcpy(&v1, p + LANES, sizeof v1);
                memcpy(&v2, p + 2 * LANES, sizeof v2);
                memcpy(&v3, p + 3 * LANES, sizeof v3);
                a0 += gk * v0, a1 += gk * v1, a2 += gk * v2, a3 += gk * v3;
            }
            size_t count = cols - x < 4 * LANES ? cols - x : 4 * LANES;
            STORE_LANES(out + y * cols + x, count, a0, a1, a2, a3);
        }
#endif
        for (; x < cols; x++) {
            float acc = 0.0f;
            for (int k = 0; k <= 2 * r; k++)
                acc += g[k] * line[x + (size_t)k];
            out[y * cols + x] = acc;
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && \
    !defined(__SANITIZE_THREAD__)
#define WIDE_INT __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define WIDE_INT
#endif

/* The elastic field's noise, uniform in [-1, 1) in steps of 2^-15: draw
 * 3 + i/2 of the sample's stream (i even) gives pixels i and i + 1 both
 * axes' values (draws 0 .. 2 are the affine's). Integer work, the same bits
 * at any width. */
WIDE_INT static void noise(uint64_t key, size_t n, float *restrict ux, float *restrict uy)
{
    for (size_t j = 0; j < n / 2; j++) {
        uint64_t d = mix(key + (j + 4) * GOLDEN);
        ux[2 * j] = (float)(int16_t)(uint16_t)d * 0x1p-15f;
        uy[2 * j] = (float)(int16_t)(uint16_t)(d >> 16) * 0x1p-15f;
        ux[2 * j + 1] = (float)(int16_t)(uint16_t)(d >> 32) * 0x1p-15f;
        uy[2 * j + 1] = (float)(int16_t)(uint16_t)(d >> 48) * 0x1p-15f;
    }
    if (n % 2) {
        uint64_t d = mix(key + (n / 2 + 4) * GOLDEN);
        ux[n - 1] = (float)(int16_t)(uint16_t)d * 0x1p-15f;
        uy[n - 1] = (float)(int16_t)(uint16_t)(d >> 16) * 0x1p-15f;
    }
}

/* sx, sy = M (p - c - t) + c for every pixel p; m: M's rows, c, t. */
WIDE static void affine(const float *m, size_t w, size_t h, float *restrict sx,
                        float *restrict sy)
{
    for (int y = 0; y < (int)h; y++) {   /* int: converts to float as vectors */
        float dy = (float)y - m[5] - m[7];
        float *rx = sx + (size_t)y * w, *ry = sy + (size_t)y * w;
        for (int x = 0; x < (int)w; x++) {
            float dx = (float)x - m[4] - m[6];
            rx[x] = m[0] * dx + m[1] * dy + m[4];
            ry[x] = m[2] * dx + m[3] * dy + m[5];
        }
    }
}

WIDE static void add_field(float alpha, const float *restrict ux, const float *restrict uy,
                           size_t n, float *restrict sx, float *restrict sy)
{
    for (size_t i = 0; i < n; i++) {
        sx[i] += alpha * ux[i];
        sy[i] += alpha * uy[i];
    }
}

void nnc__aug_map(const nnc__aug_config *c, const nnc__aug_affine *a, uint64_t seed,
                  unsigned epoch, size_t index, float *sx, float *sy, float *scratch)
{
    size_t w = c->w, h = c->h, n = w * h;
    float cx = 0.5f * (float)(w - 1), cy = 0.5f * (float)(h - 1);
    /* forward A = R(theta) Shear(k) diag(sx, sy); the output at p shows the
     * input at A^-1 (p - c - t) + c */
    float cs = cosf(a->theta), sn = sinf(a->theta);
    float m00 = cs * a->sx, m01 = cs * a->k * a->sy - sn * a->sy;
    float m10 = sn * a->sx, m11 = sn * a->k * a->sy + cs * a->sy;
    float det = m00 * m11 - m01 * m10;
    float i00 = m11 / det, i01 = -m01 / det, i10 = -m10 / det, i11 = m00 / det;
    if (a->theta == 0 && a->sx == 1 && a->sy == 1 && a->k == 0)   /* exactly the identity */
        i00 = 1, i01 = 0, i10 = 0, i11 = 1;
    const float m[8] = {i00, i01, i10, i11, cx, cy, a->tx, a->ty};
    affine(m, w, h, sx, sy);
    if (c->p.elastic_alpha <= 0)
        return;
    float *ux = scratch, *uy = scratch + n, *field = scratch + 2 * n;
    float *line = scratch + 3 * n + 32;   /* past the columns' reads */
    noise(sample_key(seed, epoch, index), n, ux, uy);
    float alpha = c->p.elastic_alpha;
    smooth_columns(c, ux, h, w, field);
    smooth_rows(c, field, h, w, line, ux);
    smooth_columns(c, uy, h, w, field);
    smooth_rows(c, field, h, w, line, uy);
    add_field(alpha, ux, uy, n, sx, sy);
}

/* Branch-free, so that it runs as vectors: a point outside is moved onto
 * the zero border (two pixels wide past the right and bottom edges), where
 * it reads 0 as it should. */
WIDE void nnc__aug_resample(const float *restrict in, size_t w, size_t h,
                            const float *restrict sx, const float *restrict sy,
                            float *restrict out, float *restrict pad)
{
    size_t pw = w + 3;
    memset(pad, 0, pw * (h + 3) * sizeof *pad);
    for (size_t y = 0; y < h; y++)
        memcpy(pad + (y + 1) * pw + 1, in + y * w, w * sizeof *pad);
    float fw = (float)w, fh = (float)h;
    int ipw = (int)pw;
    for (size_t i = 0; i < w * h; i++) {
        float X = sx[i] > -1.0f ? sx[i] : -1.0f, Y = sy[i] > -1.0f ? sy[i] : -1.0f;
        X = X < fw ? X : fw;
        Y = Y < fh ? Y : fh;
        int xi = (int)X - (X < 0), yi = (int)Y - (Y < 0);   /* floor: -1 .. w */
        float fx = X - (float)xi, fy = Y - (float)yi;
        int at = (yi + 1) * ipw + xi + 1;
        out[i] = (pad[at] * (1.0f - fx) + pad[at + 1] * fx) * (1.0f - fy) +
                 (pad[at + ipw] * (1.0f - fx) + pad[at + ipw + 1] * fx) * fy;
    }
}

WIDE static void to_floats(const uint8_t *restrict b, size_t n, float *restrict f)
{
    for (size_t i = 0; i < n; i++)
        f[i] = (float)b[i];
}

/* Rounded to the nearest byte; the resampling keeps values in 0 .. 255. */
WIDE static void to_bytes(const float *restrict f, size_t n, uint8_t *restrict b)
{
    for (size_t i = 0; i < n; i++) {
        float v = f[i] + 0.5f;
        v = v < 255.0f ? v : 255.0f;
        b[i] = (uint8_t)(int)(v > 0.0f ? v : 0.0f);
    }
}

void nnc__aug_sample(const nnc__aug_config *c, const nnc_data *data, uint64_t seed,
                     unsigned epoch, size_t index, void *out, float *scratch)
{
    size_t n = c->w * c->h;
    const nnc__storage *st = data->st;
    size_t s = data->first + index;
    float *sx = scratch, *sy = scratch + n, *in = scratch + 2 * n, *res = scratch + 3 * n;
    float *rest = scratch + 4 * n;   /* the map's 3n, or the resampling's pad */
    nnc__aug_affine a = nnc__aug_draw(c, seed, epoch, index);
    nnc__aug_map(c, &a, seed, epoch, index, sx, sy, rest);
    if (st->x_u8) {
        to_floats(st->x_u8 + s * n, n, in);
        nnc__aug_resample(in, c->w, c->h, sx, sy, res, rest);
        to_bytes(res, n, out);
    } else {
        nnc__aug_resample(st->x_f32 + s * n, c->w, c->h, sx, sy, out, rest);
    }
}

/* ---- the trainer's chunks ---------------------------------------------------- */

/* Samples in a chunk: about this many, a whole number of batches. */
#define CHUNK_SAMPLES 2048

typedef struct {
    void         *x;          /* chunk x dim bytes or floats                  */
    uint8_t      *labels;
    float        *targets;
    nnc__storage  st;
    nnc_data      view;
    unsigned      epoch;
    size_t        first;      /* of the epoch's order                          */
    int           ready;
} slot;

typedef struct {              /* a run of samples to distort                   */
    slot         *to;
    const size_t *order;
    unsigned      epoch;
    size_t        from, to_end;   /* positions in the epoch's order           */
} job;

struct nnc__augmenter {
    nnc__aug_config cfg;
    const nnc_data *data;
    uint64_t        seed;
    size_t          dim, chunk, elem;
    slot            slots[2];
    float          *scratch[2];   /* the caller's, the thread's               */
    int             has_thread, quit, busy;
    job             next;
    pthread_t       thread;
    pthread_mutex_t lock;
    pthread_cond_t  wake, done;
};

static void run_job(nnc__augmenter *a, const job *j, float *scratch)
{
    const nnc__storage *st = a->data->st;
    slot *s = j->to;
    size_t nt = st->n_targets;
    for (size_t i = j->from; i < j->to_end; i++) {
        size_t idx = j->order[i], r = i - s->first, src = a->data->first + idx;
        nnc__aug_sample(&a->cfg, a->data, a->seed, j->epoch, idx,
                        (char *)s->x + r * a->dim * a->elem, scratch);
        if (st->labels)
            s->labels[r] = st->labels[src];
        if (st->targets)
            memcpy(s->targets + r * nt, st->targets + src * nt, nt * sizeof *s->targets);
    }
}

static void *worker(void *arg)
{
    nnc__augmenter *a = arg;
    pthread_mutex_lock(&a->lock);
    for (;;) {
        while (!a->busy && !a->quit)
            pthread_cond_wait(&a->wake, &a->lock);
        if (a->quit)
            break;
        job j = a->next;
        pthread_mutex_unlock(&a->lock);
        run_job(a, &j, a->scratch[1]);
        pthread_mutex_lock(&a->lock);
        a->busy = 0;
        pthread_cond_broadcast(&a->done);
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

static void post(nnc__augmenter *a, const job *j)
{
    pthread_mutex_lock(&a->lock);
    a->next = *j;
    a->busy = 1;
    pthread_cond_signal(&a->wake);
    pthread_mutex_unlock(&a->lock);
}

static void wait_thread(nnc__augmenter *a)
{
    if (!a->has_thread)
        return;
    pthread_mutex_lock(&a->lock);
    while (a->busy)
        pthread_cond_wait(&a->done, &a->lock);
    pthread_mutex_unlock(&a->lock);
}

void nnc__augmenter_idle(nnc__augmenter *a)
{
    wait_thread(a);
    a->slots[0].ready = a->slots[1].ready = 0;
}

const nnc_data *nnc__augmenter_chunk(nnc__augmenter *a, unsigned epoch, const size_t *order,
                                     size_t n, size_t first, size_t *chunk_first)
{
    size_t start = first / a->chunk * a->chunk;
    slot *s = &a->slots[start / a->chunk % 2];
    *chunk_first = start;
    if (first != start)
        return &s->view;
    wait_thread(a);   /* the thread's chunk is this one, or none */
    size_t end = n - start < a->chunk ? n : start + a->chunk;
    if (!(s->ready && s->epoch == epoch && s->first == start)) {
        s->epoch = epoch, s->first = start;
        job mine = {s, order, epoch, start, end};
        if (a->has_thread) {   /* halves: the thread's, and the caller's */
            job theirs = mine;
            mine.to_end = theirs.from = start + (end - start) / 2;
            post(a, &theirs);
            run_job(a, &mine, a->scratch[0]);
            wait_thread(a);
        } else {
            run_job(a, &mine, a->scratch[0]);
        }
    }
    s->ready = 1;
    s->view.n = end - start;
    if (a->has_thread && end < n) {   /* the next chunk, while this one trains */
        slot *o = &a->slots[1 - start / a->chunk % 2];
        o->epoch = epoch, o->first = end, o->ready = 1;
        job next = {o, order, epoch, end, n - end < a->chunk ? n : end + a->chunk};
        post(a, &next);
    }
    return &s->view;
}

nnc_status nnc__augmenter_create(const nnc_augment *p, const nnc_data *data, uint64_t seed,
                                 size_t batch, unsigned threads, nnc__augmenter **out)
{
    *out = NULL;
    size_t w, h;
    if (!nnc_data_image_size(data, &w, &h) || w * h != data->dim)
        return nnc__fail(NNC_ERR_ARG, "augment: %s holds no images (table rows); only image "
                         "data can be distorted",
                         data->st->source ? data->st->source : "the training data");
    nnc__augmenter *a = calloc(1, sizeof *a);
    if (!a)
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for augmentation");
    nnc_status s = nnc__aug_config_init(&a->cfg, p, w, h);
    if (s != NNC_OK) {
        free(a);
        return s;
    }
    const nnc__storage *src = data->st;
    a->data = data, a->seed = seed, a->dim = data->dim;
    a->elem = src->x_u8 ? 1 : sizeof(float);
    size_t per = (CHUNK_SAMPLES + batch - 1) / batch;
    a->chunk = per * batch < data->n ? per * batch : data->n;
    int ok = 1;
    for (int i = 0; i < 2; i++) {
        slot *sl = &a->slots[i];
        ok &= (sl->x = nnc__alloc_samples(a->chunk * a->dim * a->elem)) != NULL;
        ok &= (sl->labels = calloc(a->chunk, 1)) != NULL;
        if (src->targets)
            ok &= (sl->targets = malloc(a->chunk * src->n_targets * sizeof(float))) != NULL;
        /* zeroed: the smoothing's vectors read past its arrays into lanes it
         * drops, which memcheck would otherwise follow */
        ok &= (a->scratch[i] = calloc(nnc__aug_scratch(&a->cfg), sizeof(float))) != NULL;
        sl->st = (nnc__storage){.refs = 1, .labels = src->labels ? sl->labels : NULL,
                                .targets = sl->targets, .n_targets = src->n_targets,
                                .dim = a->dim, .source = src->source, .width = w, .height = h};
        if (src->x_u8)
            sl->st.x_u8 = sl->x;
        else
            sl->st.x_f32 = sl->x;
        sl->view = (nnc_data){&sl->st, 0, a->chunk, a->dim};
    }
    if (!ok) {
        nnc__augmenter_free(a);
        return nnc__fail(NNC_ERR_NOMEM, "out of memory for chunks of %zu distorted samples",
                         a->chunk);
    }
    if (threads > 1) {
        pthread_mutex_init(&a->lock, NULL);
        pthread_cond_init(&a->wake, NULL);
        pthread_cond_init(&a->done, NULL);
        a->has_thread = pthread_create(&a->thread, NULL, worker, a) == 0;
        if (!a->has_thread) {
            pthread_mutex_destroy(&a->lock);
            pthread_cond_destroy(&a->wake);
            pthread_cond_destroy(&a->done);
        }
    }
    *out = a;
    return NNC_OK;
}

void nnc__augmenter_free(nnc__augmenter *a)
{
    if (!a)
        return;
    if (a->has_thread) {
        pthread_mutex_lock(&a->lock);
        while (a->busy)
            pthread_cond_wait(&a->done, &a->lock);
        a->quit = 1;
        pthread_cond_signal(&a->wake);
        pthread_mutex_unlock(&a->lock);
        pthread_join(a->thread, NULL);
        pthread_mutex_destroy(&a->lock);
        pthread_cond_destroy(&a->wake);
        pthread_cond_destroy(&a->done);
    }
    for (int i = 0; i < 2; i++) {
        free(a->slots[i].x);
        free(a->slots[i].labels);
        free(a->slots[i].targets);
        free(a->scratch[i]);
    }
    free(a);
}

nnc_status nnc_augment_sample(const nnc_data *data, size_t i, const nnc_augment *a,
                              uint64_t seed, unsigned epoch, float *out)
{
    if (!data || !a || !out || i >= data->n)
        return nnc__fail(NNC_ERR_ARG, "nnc_augment_sample: NULL argument or no sample %zu", i);
    size_t w, h;
    if (!nnc_data_image_size(data, &w, &h) || w * h != data->dim)
        return nnc__fail(NNC_ERR_ARG, "augment: %s holds no images (table rows); only image "
                         "data can be distorted",
                         data->st->source ? data->st->source : "the data");
    nnc__aug_config c;
    nnc_status s = nnc__aug_config_init(&c, a, w, h);
    if (s != NNC_OK)
        return s;
    float *scratch = calloc(nnc__aug_scratch(&c), sizeof *scratch);
    uint8_t *bytes = malloc(data->dim);
    if (!scratch || !bytes) {
        free(scratch);
        free(bytes);
        return nnc__fail(NNC_ERR_NOMEM, "nnc_augment_sample: out of memory");
    }
    if (data->st->x_u8) {
        nnc__aug_sample(&c, data, seed, epoch, i, bytes, scratch);
        for (size_t j = 0; j < data->dim; j++)
            out[j] = (float)bytes[j] * NNC_BYTE_SCALE;
    } else {
        nnc__aug_sample(&c, data, seed, epoch, i, out, scratch);
    }
    free(scratch);
    free(bytes);
    return NNC_OK;
}
