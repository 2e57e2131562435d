/* augment.h — distortions of image training data (nnc_augment): an affine
 * map and an elastic field per sample, drawn from (seed, epoch, sample)
 * alone, and the trainer's chunks of distorted samples, made a chunk ahead
 * on a thread of their own while the current chunk trains. */
#ifndef NNC_AUGMENT_H
#define NNC_AUGMENT_H

#include <stdint.h>

#include "../data/dataset.h"
#include "../runtime/pool.h"

/* The Gaussian's half-width: 3 sigma, at most this many pixels. */
#define NNC__AUG_MAX_RADIUS 32
/* Zeros each side of the kernel's taps, so that 32 neighbours' weights
 * are whole reads wherever they fall. */
#define NNC__AUG_PAD 32

/* What distorting one image needs, fixed for a run. The elastic field's
 * noise lies on a lattice of points `step` pixels apart (the first at ox,
 * oy), not on every pixel: a Gaussian that wide blurs away what lies
 * between them, so the field keeps its mean, variance and correlations. */
typedef struct {
    nnc_augment p;
    size_t      w, h;
    int         radius;                          /* of the Gaussian       */
    int         step;                            /* of the noise lattice  */
    size_t      nx, ny;                          /* its points per axis   */
    int         ox, oy;
    /* sqrt(step) g(d) at [NNC__AUG_PAD + radius + d], |d| <= radius, for g
     * the Gaussian sampled at whole pixels and summing to 1; 0 elsewhere */
    float       kernel[2 * NNC__AUG_MAX_RADIUS + 2 * NNC__AUG_PAD];
} nnc__aug_config;

/* One sample's affine draw: turned by theta (radians; positive turns the
 * x axis towards the y axis), scaled by sx, sy, sheared by k (x += k y),
 * moved by tx, ty; all about the image's centre. */
typedef struct {
    float theta, sx, sy, k, tx, ty;
} nnc__aug_affine;

/* Checks p for an image of w x h pixels and fills c. NNC_ERR_ARG naming
 * the option ("rotate: ...") for a value out of range. */
nnc_status nnc__aug_config_init(nnc__aug_config *c, const nnc_augment *p, size_t w, size_t h);

/* Floats of scratch nnc__aug_sample and nnc__aug_map need. */
size_t nnc__aug_scratch(const nnc__aug_config *c);

/* The affine draw of sample `index` in epoch `epoch`. */
nnc__aug_affine nnc__aug_draw(const nnc__aug_config *c, uint64_t seed, unsigned epoch,
                              size_t index);

/* The point of the input each output pixel shows (sx, sy: w x h each) for
 * the affine draw a and, if c's alpha is not 0, the elastic field of
 * (seed, epoch, index); scratch: nnc__aug_scratch floats. */
void nnc__aug_map(const nnc__aug_config *c, const nnc__aug_affine *a, uint64_t seed,
                  unsigned epoch, size_t index, float *sx, float *sy, float *scratch);

/* out = in read at (sx, sy) by bilinear interpolation, 0 outside; in and
 * out are w x h floats; scratch (w + 3) x (h + 3) floats. */
void nnc__aug_resample(const float *in, size_t w, size_t h, const float *sx, const float *sy,
                       float *out, float *scratch);

/* Sample `index` of data distorted as epoch `epoch` draws it, into out
 * (bytes rounded for byte data, else floats). */
void nnc__aug_sample(const nnc__aug_config *c, const nnc_data *data, uint64_t seed,
                     unsigned epoch, size_t index, void *out, float *scratch);

/* The trainer's distorted chunks. */
typedef struct nnc__augmenter nnc__augmenter;

/* For training on data in batches of `batch`; threads > 1 gives it a thread
 * of its own that distorts the next chunk while the current one trains. */
nnc_status nnc__augmenter_create(const nnc_augment *p, const nnc_data *data, uint64_t seed,
                                 size_t batch, unsigned threads, nnc__augmenter **out);
void nnc__augmenter_free(nnc__augmenter *a);

/* The distorted samples order[first ..] of epoch `epoch`, as a dataset
 * whose sample 0 is order[*chunk_first]: the chunk holding `first`, made
 * (or waited for) when `first` begins one; the next is then started. */
const nnc_data *nnc__augmenter_chunk(nnc__augmenter *a, unsigned epoch, const size_t *order,
                                     size_t n, size_t first, size_t *chunk_first);

/* Waits until no chunk is being made (before order changes). */
void nnc__augmenter_idle(nnc__augmenter *a);

#endif
