/* image.c — an image file as a network input: PNG (libpng), JPEG or PGM, grey or
 * RGB, scaled to the input size, optionally centred as MNIST digits are, and
 * turned light-on-dark as MNIST's digits are. */
#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../runtime/file.h"
#include "dataset.h"
#include "image.h"

#define MAX_SIDE NNC__IMAGE_MAX_SIDE

typedef nnc__grey_image grey_image;

/* ---- PGM -------------------------------------------------------------- */

/* Next header number, skipping blanks and # comments. */
static int pgm_number(FILE *f, unsigned long *out)
{
    int c;
    for (;;) {
        c = fgetc(f);
        if (c == '#')
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
        else if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            break;
    }
    if (c < '0' || c > '9')
        return 0;
    unsigned long v = 0;
    while (c >= '0' && c <= '9' && v < 1000000000ul) {
        v = v * 10 + (unsigned long)(c - '0');
        c = fgetc(f);
    }
    *out = v;
    return 1;   /* the one blank after the number is consumed */
}

static nnc_status read_pgm(FILE *f, const char *path, int binary, grey_image *img)
{
    unsigned long w, h, maxval;
    if (!pgm_number(f, &w) || !pgm_number(f, &h) || !pgm_number(f, &maxval) || w == 0 ||
        h == 0 || w > MAX_SIDE || h > MAX_SIDE || maxval == 0 || maxval > 65535)
        return nnc__fail(NNC_ERR_FORMAT, "%s: malformed PGM header", path);
    /* the rest of the file must hold the pixels before they are allocated:
     * a byte (or two) each in P5, a digit and a blank each in P2 */
    struct stat sb;
    long at = ftell(f);
    unsigned long need = binary ? (maxval > 255 ? 2 : 1) : 2;
    if (fstat(fileno(f), &sb) != 0 || at < 0 ||
        (unsigned long long)w * h * need > (unsigned long long)sb.st_size - (unsigned long long)at + 1)
        return nnc__fail(NNC_ERR_FORMAT, "%s: truncated: the PGM header promises %lu x %lu "
                         "pixels, the file has %lld bytes", path, w, h, (long long)sb.st_size);
    img->w = w, img->h = h;
    if (!(img->v = malloc(w * h * sizeof *img->v)))
        return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
    for (size_t i = 0; i < w * h; i++) {
        unsigned long px;
        if (binary) {
            int hi = fgetc(f), lo = maxval > 255 ? fgetc(f) : 0;
            if (hi == EOF || lo == EOF)
                return nnc__fail(NNC_ERR_FORMAT, "%s: truncated PGM data", path);
            px = maxval > 255 ? (unsigned long)(hi << 8 | lo) : (unsigned long)hi;
        } else if (!pgm_number(f, &px)) {
            return nnc__fail(NNC_ERR_FORMAT, "%s: truncated PGM data", path);
        }
        if (px > maxval)
            return nnc__fail(NNC_ERR_FORMAT, "%s: pixel %zu is %lu, above the maximum %lu",
                             path, i, px, maxval);
        img->v[i] = (float)(px * 255.0 / maxval);
    }
    return NNC_OK;
}

/* ---- PNG -------------------------------------------------------------- */

/* libpng's default handlers print to stderr; the library must not. The error
 * handler leaves through the setjmp in read_png; warnings are dropped. */
static void png_quiet_error(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void png_quiet_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static nnc_status read_png(FILE *f, const char *path, grey_image *img)
{
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, png_quiet_error,
                                             png_quiet_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_bytep volatile pixels = NULL;
    png_bytepp volatile rows = NULL;
    volatile png_uint_32 promised_w = 0, promised_h = 0;   /* set when too large */
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
    }
    if (setjmp(png_jmpbuf(png))) {        /* libpng reports errors by longjmp */
        png_destroy_read_struct(&png, &info, NULL);
        free(pixels);
        free(rows);
        free(img->v);
        img->v = NULL;
        if (promised_w)
            return nnc__fail(NNC_ERR_FORMAT, "%s: the PNG header promises %u x %u pixels, "
                             "more than the file can hold", path, (unsigned)promised_w,
                             (unsigned)promised_h);
        return nnc__fail(NNC_ERR_FORMAT, "%s: corrupt or truncated PNG", path);
    }
    png_init_io(png, f);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    if (w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE)
        png_error(png, "size");
    /* deflate holds at most 1032 bytes per byte of stream, and a row has at
     * least one byte per pixel and a filter byte: a size the file cannot
     * hold is refused before the pixels are allocated */
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 &&
        (unsigned long long)(w + 1) * h > 1032ull * (unsigned long long)sb.st_size) {
        promised_w = w, promised_h = h;
        png_error(png, "size");
    }
    /* to 8-bit grey, whatever the file holds */
    png_set_expand(png);
    png_set_strip_16(png);
    png_set_strip_alpha(png);
    png_byte type = png_get_color_type(png, info);
    if (type == PNG_COLOR_TYPE_RGB || type == PNG_COLOR_TYPE_RGB_ALPHA ||
        type == PNG_COLOR_TYPE_PALETTE)
        png_set_rgb_to_gray_fixed(png, 1, -1, -1);
    png_read_update_info(png, info);
    if (png_get_channels(png, info) != 1)
        png_error(png, "channels");
    pixels = malloc((size_t)w * h);
    rows = malloc(h * sizeof *rows);
    img->v = malloc((size_t)w * h * sizeof *img->v);
    if (!pixels || !rows || !img->v)
        png_error(png, "memory");
    for (png_uint_32 y = 0; y < h; y++)
        rows[y] = pixels + (size_t)y * w;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    img->w = w, img->h = h;
    for (size_t i = 0; i < (size_t)w * h; i++)
        img->v[i] = pixels[i];
    png_destroy_read_struct(&png, &info, NULL);
    free(pixels);
    free(rows);
    return NNC_OK;
}

static nnc_status read_any(const char *path, grey_image *img)
{
    memset(img, 0, sizeof *img);
    FILE *f = nnc__open_file(path);
    if (!f)
        return NNC_ERR_IO;
    unsigned char sig[8] = {0};
    size_t got = fread(sig, 1, 8, f);
    nnc_status s;
    if (got == 8 && !png_sig_cmp(sig, 0, 8)) {
        rewind(f);
        s = read_png(f, path, img);
    } else if (nnc__is_jpeg(sig, got)) {
        rewind(f);
        s = nnc__read_jpeg(f, path, img);
    } else if (got >= 2 && sig[0] == 'P' && (sig[1] == '2' || sig[1] == '5')) {
        fseek(f, 2, SEEK_SET);
        s = read_pgm(f, path, sig[1] == '5', img);
    } else {
        s = nnc__fail(NNC_ERR_FORMAT, "%s: not a PNG, JPEG or PGM (P2/P5) image", path);
    }
    fclose(f);
    if (s != NNC_OK) {
        free(img->v);
        img->v = NULL;
    }
    return s;
}

/* ---- geometry ----------------------------------------------------------- */

/* Area-averaging resample of the box (x0, y0, sw, sh) of src into dst (dw x dh). */
static void resample(const grey_image *src, double x0, double y0, double sw, double sh,
                     float *dst, size_t dw, size_t dh, size_t stride)
{
    double fx = sw / dw, fy = sh / dh;
    for (size_t y = 0; y < dh; y++)
        for (size_t x = 0; x < dw; x++) {
            double ax = x0 + x * fx, bx = ax + fx, ay = y0 + y * fy, by = ay + fy;
            double sum = 0, area = 0;
            for (size_t sy = (size_t)ay; sy < src->h && sy < by; sy++) {
                double hy = fmin(by, sy + 1.0) - fmax(ay, (double)sy);
                for (size_t sx = (size_t)ax; sx < src->w && sx < bx; sx++) {
                    double wx = fmin(bx, sx + 1.0) - fmax(ax, (double)sx);
                    sum += wx * hy * src->v[sy * src->w + sx];
                    area += wx * hy;
                }
            }
            dst[y * stride + x] = area > 0 ? (float)(sum / area) : 0.0f;
        }
}

/* ---- paper and ink ------------------------------------------------------ */

/* A photographed or scanned page is not black and white: its paper may be
 * grey, lit unevenly and noisy, with specks of dust. With ink light on dark
 * (after inversion), the paper's level is estimated per block of a 4 x 4 grid
 * (each block's 20th percentile: mostly paper) and subtracted, interpolated
 * between block centres; the paper's noise is measured, a noisy page
 * smoothed, and what the noise reaches taken as paper; the ink is evened by
 * the paper's brightness and its contrast stretched so that the ink, split
 * from the paper by Otsu's threshold, reaches full strength; last, specks
 * apart from the digit are wiped. The digit is then found by its ink, not by
 * a stray pixel. */
#define GRID 4

/* The bin of a level in a histogram of `bins` bins of one level each. */
static int bin_of(float v, int bins)
{
    return v <= 0.0f ? 0 : v >= (float)(bins - 1) ? bins - 1 : (int)v;
}

static float percentile(float *v, size_t n, double q)
{
    /* insertion into a 256-bin histogram: levels are 0..255 */
    size_t hist[256] = {0}, want = (size_t)(q * (double)n), seen = 0;
    for (size_t i = 0; i < n; i++)
        hist[bin_of(v[i], 256)]++;
    for (int b = 0; b < 256; b++)
        if ((seen += hist[b]) > want)
            return (float)b;
    return 255.0f;
}

static int otsu(const float *v, size_t n)
{
    double hist[256] = {0}, total = 0, sum = 0;
    size_t zeros = 0;   /* counted apart: see median_and_mad */
    for (size_t i = 0; i < n; i++) {
        int b = bin_of(v[i], 256);
        if (b)
            hist[b]++;
        else
            zeros++;
    }
    hist[0] = (double)zeros;
    for (int b = 0; b < 256; b++)
        total += hist[b], sum += b * hist[b];
    double w0 = 0, sum0 = 0, best = -1;
    int t = 0;
    for (int b = 0; b < 255; b++) {
        w0 += hist[b], sum0 += b * hist[b];
        double w1 = total - w0;
        if (w0 == 0 || w1 == 0)
            continue;
        double m0 = sum0 / w0, m1 = (sum - sum0) / w1, between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if (between > best)
            best = between, t = b;
    }
    return t;
}

/* The median of the levels at or below `top`, and their median absolute
 * deviation from it, to 1/16 of a level (histograms, no sorting). */
#define FINE 16

static void median_and_mad(const float *v, size_t n, float top, float *median, float *mad)
{
    enum { BINS = 256 * FINE };
    uint32_t *hist = calloc(BINS, sizeof *hist);   /* small enough to stay in cache */
    size_t count = 0, seen = 0;
    int b = 0;
    *median = *mad = 0.0f;
    if (!hist)
        return;   /* without memory, no noise is seen */
    /* most pixels are paper, 0 once flattened: counted apart, so that one
     * bin's counter is not a long chain of dependent increments */
    size_t zeros = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] <= top) {
            int k = bin_of(v[i] * FINE, BINS);
            count++;
            if (k)
                hist[k]++;
            else
                zeros++;
        }
    hist[0] = (uint32_t)zeros;
    while (b < BINS - 1 && (seen += hist[b]) <= count / 2)
        b++;
    *median = (float)b / FINE;
    memset(hist, 0, BINS * sizeof *hist);
    zeros = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] <= top) {
            int k = bin_of(fabsf(v[i] - *median) * FINE, BINS);
            if (k)
                hist[k]++;
            else
                zeros++;
        }
    hist[0] = (uint32_t)zeros;
    for (b = 0, seen = 0; b < BINS - 1 && (seen += hist[b]) <= count / 2;)
        b++;
    *mad = (float)b / FINE;
    free(hist);
}

/* The paper's noise as a standard deviation, from the median absolute
 * deviation of the image (mostly paper), taken again without what stands
 * far above the median (ink): neither the ink nor the paper's darkest,
 * clipped pixels move it much. *paper is the paper's median level. */
static float paper_noise(const grey_image *img, float *paper)
{
    float mad;
    median_and_mad(img->v, img->w * img->h, 256.0f, paper, &mad);
    median_and_mad(img->v, img->w * img->h, *paper + 5.0f * 1.4826f * mad, paper, &mad);
    return 1.4826f * mad;
}

/* A 3 x 3 box filter, across then down: camera noise divided by three, the
 * strokes (many pixels wide in a photo) hardly blurred. */
static void smooth(grey_image *img)
{
    size_t w = img->w, h = img->h;
    float *across = malloc(w * h * sizeof *across);
    if (!across)
        return;   /* without memory, unsmoothed */
    for (size_t y = 0; y < h; y++)
        for (size_t x = 0; x < w; x++) {
            const float *v = img->v + y * w;
            float sum = v[x], n = 1.0f;
            if (x > 0)
                sum += v[x - 1], n++;
            if (x + 1 < w)
                sum += v[x + 1], n++;
            across[y * w + x] = sum / n;
        }
    for (size_t y = 0; y < h; y++)
        for (size_t x = 0; x < w; x++) {
            float sum = across[y * w + x], n = 1.0f;
            if (y > 0)
                sum += across[(y - 1) * w + x], n++;
            if (y + 1 < h)
                sum += across[(y + 1) * w + x], n++;
            img->v[y * w + x] = sum / n;
        }
    free(across);
}

typedef float paper_levels[GRID][GRID];

/* Where the centre of pixel i of a side of n falls between the block
 * centres: the block before it and the weight of the one after. */
typedef struct {
    int    lo;
    double up;
} place;

static place place_of(size_t i, size_t n)
{
    double f = (i + 0.5) * GRID / n - 0.5;
    int lo = f < 1.0 ? 0 : f >= GRID - 2.0 ? GRID - 2 : (int)f;
    return (place){lo, f - lo};
}

/* The paper's level along a row: bilinear between block centres, and on
 * beyond the outer ones, as light falling off towards an edge keeps falling
 * off. cols holds place_of for each column, worked out once per image. */
static void paper_row(const paper_levels level, const place *cols, size_t w, place row,
                      float *out)
{
    const float *a = level[row.lo], *b = level[row.lo + 1];
    double ay = row.up;
    for (size_t x = 0; x < w; x++) {
        int x0 = cols[x].lo;
        double ax = cols[x].up;
        out[x] = (float)((1 - ay) * ((1 - ax) * a[x0] + ax * a[x0 + 1]) +
                         ay * ((1 - ax) * b[x0] + ax * b[x0 + 1]));
    }
}

/* The paper's level per block, taken away; paper holds a row's levels. */
static void flatten_paper(grey_image *img, paper_levels level, const place *cols, float *paper)
{
    size_t w = img->w, h = img->h;
    float *block = malloc(((w + GRID - 1) / GRID + 1) * ((h + GRID - 1) / GRID + 1) *
                          sizeof *block);
    memset(level, 0, sizeof(paper_levels));
    if (!block)
        return;   /* without memory, the paper stays */
    for (int gy = 0; gy < GRID; gy++)
        for (int gx = 0; gx < GRID; gx++) {
            size_t n = 0;
            for (size_t y = gy * h / GRID; y < (gy + 1) * h / GRID; y++)
                for (size_t x = gx * w / GRID; x < (gx + 1) * w / GRID; x++)
                    block[n++] = img->v[y * w + x];
            level[gy][gx] = n ? percentile(block, n, 0.2) : 0.0f;
        }
    free(block);
    for (size_t y = 0; y < h; y++) {
        paper_row(level, cols, w, place_of(y, h), paper);
        float *v = img->v + y * w;
        for (size_t x = 0; x < w; x++) {
            float d = v[x] - paper[x];   /* never NaN: levels are finite */
            v[x] = d > 0.0f ? d : 0.0f;
        }
    }
}

/* Ink in pieces: 8-connected regions above the threshold. A piece with under
 * 1/SPECK of the largest piece's mass is dust or a cluster of noise, not part
 * of the digit, and is wiped so that it moves neither the digit's box nor its
 * centre of mass. */
#define SPECK 20

static void wipe_specks(grey_image *img, float threshold)
{
    size_t n = img->w * img->h, w = img->w, pieces = 0, cap = 0;
    uint32_t *piece = calloc(n, sizeof *piece), *stack = malloc(n * sizeof *stack);
    double *mass = NULL, largest = 0;
    for (size_t p = 0; piece && stack && p < n; p++) {
        if (img->v[p] <= threshold || piece[p])
            continue;
        if (pieces == cap) {
            double *more = realloc(mass, (cap = cap ? 2 * cap : 64) * sizeof *mass);
            if (!more)
                goto done;   /* without memory, the specks stay */
            mass = more;
        }
        size_t top = 0;
        mass[pieces++] = 0;
        piece[p] = (uint32_t)pieces, stack[top++] = (uint32_t)p;
        while (top) {   /* flood fill */
            size_t q = stack[--top], x = q % w, y = q / w;
            mass[pieces - 1] += img->v[q];
            for (size_t yy = y ? y - 1 : 0; yy <= y + 1 && yy < img->h; yy++)
                for (size_t xx = x ? x - 1 : 0; xx <= x + 1 && xx < w; xx++) {
                    size_t r = yy * w + xx;
                    if (img->v[r] > threshold && !piece[r])
                        piece[r] = (uint32_t)pieces, stack[top++] = (uint32_t)r;
                }
        }
        largest = fmax(largest, mass[pieces - 1]);
    }
    for (size_t p = 0; mass && p < n; p++)
        if (piece[p] && mass[piece[p] - 1] * SPECK < largest)
            img->v[p] = 0.0f;
done:
    free(piece);
    free(stack);
    free(mass);
}

/* Takes the paper away and finds the ink (see above); returns the level above
 * which a pixel is ink, or -1 when there is no ink to speak of. On a clean
 * image (no noise) the steps against noise change nothing. */
static float find_ink(grey_image *img)
{
    size_t w = img->w, h = img->h;
    paper_levels level;
    place *cols = malloc(w * sizeof *cols);
    float *paper = malloc(w * sizeof *paper);
    if (cols && paper) {
        for (size_t x = 0; x < w; x++)
            cols[x] = place_of(x, w);
        flatten_paper(img, level, cols, paper);
    }
    /* a noisy photo is smoothed first; a clean image is read as it is */
    float paper_level, noise = paper_noise(img, &paper_level);
    if (noise > 1.0f) {
        smooth(img);
        noise = paper_noise(img, &paper_level);
    }
    /* what the noise reaches (four deviations) is paper; light multiplies,
     * so where the paper is dim so is the ink's contrast: dividing by the
     * paper's brightness evens it (without memory, the paper stayed: 0) */
    float reach = noise > 0.0f ? paper_level + 4.0f * noise : 0.0f;
    for (size_t y = 0; y < h; y++) {
        if (cols && paper)
            paper_row(level, cols, w, place_of(y, h), paper);
        for (size_t x = 0; x < w; x++) {
            float bright = 255.0f - (cols && paper ? paper[x] : 0.0f), *v = &img->v[y * w + x];
            *v = *v <= reach ? 0.0f : *v * 255.0f / (bright > 32.0f ? bright : 32.0f);
        }
    }
    free(cols);
    free(paper);
    int t = otsu(img->v, w * h);
    size_t ink = 0;
    float strong = 0.0f;
    for (size_t i = 0; i < w * h; i++)
        if (img->v[i] > t)
            ink++, strong = img->v[i] > strong ? img->v[i] : strong;
    /* blank: nothing stands out of the paper, or barely a speck does */
    if (strong < 32.0f || ink < 4 || ink * 1000 < w * h)
        return -1.0f;
    float full = strong;   /* the ink at its strongest becomes full strength */
    for (size_t i = 0; i < w * h; i++) {
        float v = img->v[i] * 255.0f / full;
        img->v[i] = v < 255.0f ? v : 255.0f;
    }
    wipe_specks(img, 25.5f);
    return 25.5f;   /* ink: above 10% of full strength, as for clean images */
}

/* ---- centring ------------------------------------------------------------ */

/* MNIST's own preprocessing: the digit's bounding box scaled to fit a box of
 * 20/28 of the side, aspect kept, then placed so its centre of mass is the
 * image centre. Ink is what lies above `threshold`. */
static void centre_digit(const grey_image *img, float threshold, float *out, size_t w,
                         size_t h)
{
    size_t x0 = img->w, y0 = img->h, x1 = 0, y1 = 0;
    for (size_t y = 0; y < img->h; y++)
        for (size_t x = 0; x < img->w; x++)
            if (img->v[y * img->w + x] > threshold) {
                x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1;
            }
    memset(out, 0, w * h * sizeof *out);
    if (x1 < x0)
        return;   /* blank */
    double bw = (double)(x1 - x0 + 1), bh = (double)(y1 - y0 + 1);
    double box = 20.0 / 28.0 * (double)(w < h ? w : h), scale = box / fmax(bw, bh);
    size_t dw = (size_t)fmax(1.0, round(bw * scale)), dh = (size_t)fmax(1.0, round(bh * scale));
    float *tmp = calloc(dw * dh, sizeof *tmp);
    if (!tmp)
        return;
    resample(img, (double)x0, (double)y0, bw, bh, tmp, dw, dh, dw);
    double m = 0, mx = 0, my = 0;
    for (size_t y = 0; y < dh; y++)
        for (size_t x = 0; x < dw; x++) {
            double v = tmp[y * dw + x];
            m += v, mx += v * (x + 0.5), my += v * (y + 0.5);
        }
    /* MNIST puts the centre of mass on pixel 14 of 28 (counted from 0), half a
     * pixel right of and below the middle: pixel side / 2 here */
    long ox = (long)lround((double)(w / 2) + 0.5 - mx / m);
    long oy = (long)lround((double)(h / 2) + 0.5 - my / m);
    for (size_t y = 0; y < dh; y++)
        for (size_t x = 0; x < dw; x++) {
            long tx = ox + (long)x, ty = oy + (long)y;
            if (tx >= 0 && ty >= 0 && (size_t)tx < w && (size_t)ty < h)
                out[ty * w + tx] = tmp[y * dw + x];
        }
    free(tmp);
}

/* The steps after decoding, shared by files and pixels in memory: the
 * paper made dark, the digit found and centred (or the image scaled), the
 * scale of nnc's byte data. Frees img->v; what names the image in messages. */
static nnc_status prepare(grey_image *img, const char *what, size_t width, size_t height,
                          nnc_invert invert, int centre, float *out)
{
    if (invert == NNC_INVERT_AUTO) {   /* light border: dark digit on light paper */
        double border = 0;
        size_t count = 0;
        for (size_t x = 0; x < img->w; x++, count += 2)
            border += img->v[x] + img->v[(img->h - 1) * img->w + x];
        for (size_t y = 0; y < img->h; y++, count += 2)
            border += img->v[y * img->w] + img->v[y * img->w + img->w - 1];
        invert = border / (double)count > 127.5 ? NNC_INVERT_YES : NNC_INVERT_NO;
    }
    if (invert == NNC_INVERT_YES)
        for (size_t i = 0; i < img->w * img->h; i++)
            img->v[i] = 255.0f - img->v[i];
    if (centre == 2)   /* automatic: as MNIST's digits unless already the size */
        centre = img->w != width || img->h != height;
    float threshold = 25.5f;   /* ink: above 10% */
    if (centre && (threshold = find_ink(img)) < 0) {
        free(img->v);
        img->v = NULL;
        return nnc__fail(NNC_ERR_FORMAT, "%s: the image looks blank: no ink stands out of the "
                         "paper", what);
    }
    if (centre)
        centre_digit(img, threshold, out, width, height);
    else if (img->w == width && img->h == height)
        memcpy(out, img->v, width * height * sizeof *out);
    else
        resample(img, 0, 0, (double)img->w, (double)img->h, out, width, height, width);
    for (size_t i = 0; i < width * height; i++)   /* the scale of nnc's byte data */
        out[i] *= NNC_BYTE_SCALE;
    free(img->v);
    img->v = NULL;
    return NNC_OK;
}

nnc_status nnc_image_load(const char *path, size_t width, size_t height, nnc_invert invert,
                          int centre, float *out)
{
    if (!path || !out || width == 0 || height == 0)
        return nnc__fail(NNC_ERR_ARG, "nnc_image_load: NULL argument or empty size");
    grey_image img;
    nnc_status s = read_any(path, &img);
    if (s != NNC_OK)
        return s;
    return prepare(&img, path, width, height, invert, centre, out);
}

nnc_status nnc_image_prepare(const uint8_t *grey, size_t w, size_t h, size_t width,
                             size_t height, nnc_invert invert, int centre, float *out)
{
    if (!grey || !out || width == 0 || height == 0 || w == 0 || h == 0)
        return nnc__fail(NNC_ERR_ARG, "nnc_image_prepare: NULL argument or empty size");
    if (w > MAX_SIDE || h > MAX_SIDE)
        return nnc__fail(NNC_ERR_ARG, "nnc_image_prepare: %zu x %zu pixels: a side above %d",
                         w, h, MAX_SIDE);
    if ((unsigned)invert > NNC_INVERT_NO || centre < 0 || centre > 2)
        return nnc__fail(NNC_ERR_ARG, "nnc_image_prepare: invert %d or centre %d unknown",
                         (int)invert, centre);
    grey_image img = {w, h, malloc(w * h * sizeof(float))};
    if (!img.v)
        return nnc__fail(NNC_ERR_NOMEM, "nnc_image_prepare: out of memory for %zu x %zu "
                         "pixels", w, h);
    for (size_t i = 0; i < w * h; i++)
        img.v[i] = (float)grey[i];
    return prepare(&img, "the pixels", width, height, invert, centre, out);
}
