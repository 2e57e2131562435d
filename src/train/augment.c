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
        /* a lattice no coarser than sigma: the variance then varies from
         * point to point by about exp(-pi^2 sigma^2 / step^2), under 1e-4 */
        int step = (int)p->elastic_sigma;
        double g[2 * NNC__AUG_MAX_RADIUS + 1], sum = 0.0;
        for (int i = -r; i <= r; i++)
            sum += g[i + r] = exp(-0.5 * i * i / ((double)p->elastic_sigma * p->elastic_sigma));
        /* each axis's sum of g^2 over points a step apart is a step's part
         * of that over every pixel; sqrt(step) per axis makes it up */
        for (int i = 0; i <= 2 * r; i++)
            c->kernel[NNC__AUG_PAD + i] = (float)(g[i] / sum * sqrt((double)step));
        c->radius = r;
        c->step = step;
        c->nx = (w + (size_t)step - 1) / (size_t)step;
        c->ny = (h + (size_t)step - 1) / (size_t)step;
        c->ox = (int)((w - 1 - (size_t)step * (c->nx - 1)) / 2);   /* centred */
        c->oy = (int)((h - 1 - (size_t)step * (c->ny - 1)) / 2);
    }
    return NNC_OK;
}

/* Floats in a row of the field's two axes side by side, each in whole
 * blocks of 32. */
static size_t field_row(const nnc__aug_config *c)
{
    return 2 * ((c->w + 31) / 32 * 32);
}

size_t nnc__aug_scratch(const nnc__aug_config *c)
{
    /* the sample's 4n, then the map's noise, lattice rows and field, or
     * the resampling's pad */
    size_t map = 2 * c->nx * c->ny + (c->ny + c->h) * field_row(c);
    size_t pad = (c->w + 3) * (c->h + 3);
    return 4 * c->w * c->h + (map > pad ? map : pad);
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

/* The loops below run on vectors of eight floats where the compiler has
 * them, on plain floats elsewhere; each lane's sum in a fixed order with
 * separate multiplies and adds (no FMA), so every width gives the same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && \
    !defined(__SANITIZE_THREAD__)
/* The clones are chosen by IFUNC relocations when the program loads, before
 * ThreadSanitizer's runtime is up, which it does not survive: its builds
 * take the default one. */
#define WIDE __attribute__((target_clones("avx2", "default")))
#else
#define WIDE
#endif

/* The lattice points o + s k (0 <= k < n) within [lo, hi]: k from *k0 to
 * *k1, none when *k0 > *k1. */
static void points_within(int o, int s, size_t n, int lo, int hi, int *k0, int *k1)
{
    int a = lo - o, b = hi - o;
    *k0 = a <= 0 ? 0 : (a + s - 1) / s;
    *k1 = b < 0 ? -1 : b / s;
    if (*k1 > (int)n - 1)
        *k1 = (int)n - 1;
}

#if defined(__GNUC__)
/* Eight floats in one of GCC's and Clang's vectors, whose sums the
 * compiler keeps in registers (it leaves an array of them in memory). */
typedef float v8 __attribute__((vector_size(32)));
#endif

/* One lattice row of noise (nx points) spread along x to out's w pixels
 * (rounded up to 32, the last lanes past the image): each pixel the sum of
 * its points' weighted noise, leftmost first; 32 pixels at a time, their
 * weights four reads of the kernel. */
WIDE static void spread_row(const nnc__aug_config *c, const float *restrict u,
                            float *restrict out)
{
    int r = c->radius, s = c->step, w = (int)c->w;
    const float *k = c->kernel + NNC__AUG_PAD + r;
    for (int x0 = 0; x0 < w; x0 += 32) {
        int i0, i1;
        points_within(c->ox, s, c->nx, x0 - r, x0 + 31 + r, &i0, &i1);
#if defined(__GNUC__)
        v8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, g0, g1, g2, g3;
        for (int i = i0; i <= i1; i++) {
            float v = u[i];
            const float *g = k + x0 - (c->ox + s * i);
            memcpy(&g0, g, sizeof g0);
            memcpy(&g1, g + 8, sizeof g1);
            memcpy(&g2, g + 16, sizeof g2);
            memcpy(&g3, g + 24, sizeof g3);
            a0 += v * g0, a1 += v * g1, a2 += v * g2, a3 += v * g3;
        }
        memcpy(out + x0, &a0, sizeof a0);
        memcpy(out + x0 + 8, &a1, sizeof a1);
        memcpy(out + x0 + 16, &a2, sizeof a2);
        memcpy(out + x0 + 24, &a3, sizeof a3);
#else
        for (int l = 0; l < 32; l++) {
            float acc = 0.0f;
            for (int i = i0; i <= i1; i++)
                acc += u[i] * k[x0 + l - (c->ox + s * i)];
            out[x0 + l] = acc;
        }
#endif
    }
}

/* field (h rows of m, a multiple of 32) = the lattice rows (ny of m)
 * spread along y: each pixel the sum of its rows' weighted values, topmost
 * first; 32 columns at a time. */
WIDE static void spread_columns(const nnc__aug_config *c, const float *restrict rows,
                                size_t m, float *restrict field)
{
    int r = c->radius, s = c->step;
    const float *k = c->kernel + NNC__AUG_PAD + r;
    for (int y = 0; y < (int)c->h; y++) {
        int j0, j1;
        points_within(c->oy, s, c->ny, y - r, y + r, &j0, &j1);
        for (size_t x0 = 0; x0 < m; x0 += 32) {
            float *out = field + (size_t)y * m + x0;
#if defined(__GNUC__)
            v8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, v0, v1, v2, v3;
            for (int j = j0; j <= j1; j++) {
                float g = k[y - (c->oy + s * j)];
                const float *v = rows + (size_t)j * m + x0;
                memcpy(&v0, v, sizeof v0);
                memcpy(&v1, v + 8, sizeof v1);
                memcpy(&v2, v + 16, sizeof v2);
                memcpy(&v3, v + 24, sizeof v3);
                a0 += g * v0, a1 += g * v1, a2 += g * v2, a3 += g * v3;
            }
            memcpy(out, &a0, sizeof a0);
            memcpy(out + 8, &a1, sizeof a1);
            memcpy(out + 16, &a2, sizeof a2);
            memcpy(out + 24, &a3, sizeof a3);
#else
            for (int l = 0; l < 32; l++) {
                float acc = 0.0f;
                for (int j = j0; j <= j1; j++)
                    acc += k[y - (c->oy + s * j)] * rows[(size_t)j * m + x0 + (size_t)l];
                out[l] = acc;
            }
#endif
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
 * 3 + i/2 of the sample's stream (i even) gives lattice points i and i + 1
 * both axes' values (draws 0 .. 2 are the affine's). Integer work, the same bits
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

/* sx, sy += alpha times the field's x and y halves (rows of m floats). */
WIDE static void add_field(float alpha, const float *restrict field, size_t w, size_t h,
                           size_t m, float *restrict sx, float *restrict sy)
{
    for (size_t y = 0; y < h; y++) {
        const float *fx = field + y * m, *fy = fx + w;
        float *rx = sx + y * w, *ry = sy + y * w;
        for (size_t x = 0; x < w; x++) {
            rx[x] += alpha * fx[x];
            ry[x] += alpha * fy[x];
        }
    }
}

void nnc__aug_map(const nnc__aug_config *c, const nnc__aug_affine *a, uint64_t seed,
                  unsigned epoch, size_t index, float *sx, float *sy, float *scratch)
{
    size_t w = c->w, h = c->h;
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
    /* the noise on the lattice, spread along x into rows of both axes side
     * by side, then along y into the field */
    size_t nc = c->nx * c->ny, stride = field_row(c);
    float *ux = scratch, *uy = scratch + nc, *rows = scratch + 2 * nc;
    float *field = rows + c->ny * stride;
    noise(sample_key(seed, epoch, index), nc, ux, uy);
    for (size_t j = 0; j < c->ny; j++) {
        float *row = rows + j * stride;
        spread_row(c, ux + j * c->nx, row);
        spread_row(c, uy + j * c->nx, row + w);   /* over the x axis's last lanes */
    }
    spread_columns(c, rows, stride, field);
    add_field(c->p.elastic_alpha, field, w, h, stride, sx, sy);
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
        /* zeroed: whatever a vector's unused lanes read is defined */
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
