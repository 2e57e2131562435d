/* pictures.c — the pictures of `nnc show` and `nnc report`: weights as tiles,
 * mistaken digits in a grid, the confusion matrix as a heat map. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pictures.h"

#define ZOOM 3          /* pixels per weight or input pixel */
#define GAP 2           /* pixels between weight tiles */
#define ERROR_COLUMNS 8
#define CAPTION 16      /* pixels under a digit for its caption */
#define KEY_BAR 161     /* the colour key's bar: -scale at its first pixel, 0 at
                           its middle one, +scale at its last */
#define KEY_LEFT 30     /* where the bar starts, room for its label */
#define KEY_H 44        /* pixels under the weight sheet for the key */

size_t picture_side(const nnc_net *net)
{
    size_t w, h;
    return nnc_net_image_size(net, &w, &h) && w == h ? w : 0;
}

/* The side of the network's square input image, or 0 after saying that its
 * inputs are not one. */
static size_t image_side(const nnc_net *net, const char *what)
{
    size_t side = picture_side(net);
    if (!side)
        cli_error("%s: its %zu inputs are a table's columns, not a square image, so there is "
                  "no picture of them", what, nnc_net_inputs(net));
    return side;
}

const char *picture_class(const nnc_net *net, size_t c, char *buf, size_t cap)
{
    char number[24];
    const char *name = nnc_net_class_name(net, c);
    if (!name) {
        snprintf(number, sizeof number, "%zu", c);
        name = number;
    }
    size_t len = strlen(name) < cap - 1 ? strlen(name) : cap - 1;
    memcpy(buf, name, len);
    buf[len] = '\0';
    return buf;
}

/* A diverging map: -1 blue, 0 white, +1 red. */
static void diverging(float v, unsigned char *rgb)
{
    v = v < -1.0f ? -1.0f : v > 1.0f ? 1.0f : v;
    unsigned char fade = (unsigned char)lrintf(255.0f * (1.0f - fabsf(v)));
    rgb[0] = v < 0 ? fade : 255;
    rgb[1] = fade;
    rgb[2] = v > 0 ? fade : 255;
}

static int ascending(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

canvas *picture_weights(const nnc_net *net, const char *model, float *scale)
{
    size_t n_in = nnc_net_inputs(net), units = nnc_net_size(net, 1);
    size_t side = image_side(net, model);
    if (!side)
        return NULL;
    const float *W = nnc_net_weights((nnc_net *)net, 1);   /* n_in x units: column j is unit j's */
    /* one scale for the sheet: the 99th percentile of the weights' sizes, so
     * that a few large weights do not wash out the rest (those few are drawn
     * at full colour) */
    float *size = malloc(n_in * units * sizeof *size);
    if (!size) {
        cli_error("out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n_in * units; i++)
        size[i] = fabsf(W[i]);
    qsort(size, n_in * units, sizeof *size, ascending);
    *scale = size[(n_in * units - 1) * 99 / 100];
    free(size);
    size_t cols = (size_t)ceil(sqrt((double)units)), rows = (units + cols - 1) / cols;
    size_t tile = side * ZOOM, sheet_w = cols * (tile + GAP) + GAP,
           sheet_h = rows * (tile + GAP) + GAP;
    size_t width = sheet_w > KEY_LEFT * 2 + KEY_BAR ? sheet_w : KEY_LEFT * 2 + KEY_BAR,
           height = sheet_h + KEY_H;
    unsigned char *rgb = malloc(sheet_w * sheet_h * 3);
    canvas *c = rgb ? canvas_raster((int)width, (int)height) : NULL;
    if (!c) {
        free(rgb);
        cli_error("out of memory for a %zu x %zu picture", width, height);
        return NULL;
    }
    memset(rgb, 128, sheet_w * sheet_h * 3);   /* grey between the tiles */
    for (size_t j = 0; j < units; j++) {
        size_t x0 = GAP + (j % cols) * (tile + GAP), y0 = GAP + (j / cols) * (tile + GAP);
        for (size_t y = 0; y < tile; y++)
            for (size_t x = 0; x < tile; x++) {
                float w = W[((y / ZOOM) * side + x / ZOOM) * units + j];
                diverging(*scale > 0 ? w / *scale : 0.0f,
                          rgb + ((y0 + y) * sheet_w + x0 + x) * 3);
            }
    }
    canvas_pixels(c, 0, 0, sheet_w, sheet_h, rgb, 1);
    free(rgb);
    /* the key: the colours from -scale through 0 to +scale, with their values */
    enum { BAR_H = 10 };
    unsigned char bar[BAR_H * KEY_BAR * 3];
    for (size_t i = 0; i < KEY_BAR; i++)
        diverging(-1.0f + 2.0f * (float)i / (KEY_BAR - 1), bar + 3 * i);
    for (size_t row = 1; row < BAR_H; row++)
        memcpy(bar + row * KEY_BAR * 3, bar, KEY_BAR * 3);
    double bar_y = (double)sheet_h + 8;
    canvas_pixels(c, KEY_LEFT, bar_y, KEY_BAR, BAR_H, bar, 1);
    char text[32];
    snprintf(text, sizeof text, "\xe2\x88\x92%.3g", (double)*scale);   /* U+2212 minus */
    canvas_text(c, KEY_LEFT, bar_y + 24, 11, ANCHOR_MIDDLE, 0x000000, text);
    canvas_text(c, KEY_LEFT + (KEY_BAR - 1) / 2.0, bar_y + 24, 11, ANCHOR_MIDDLE, 0x000000,
                "0");
    snprintf(text, sizeof text, "+%.3g", (double)*scale);
    canvas_text(c, KEY_LEFT + KEY_BAR - 1, bar_y + 24, 11, ANCHOR_MIDDLE, 0x000000, text);
    return c;
}

typedef struct {
    size_t index, label, predicted;
    float  output;
} mistake;

static int more_confident(const void *a, const void *b)
{
    const mistake *x = a, *y = b;
    return x->output < y->output ? 1 : x->output > y->output ? -1
                                                              : (x->index > y->index) - (x->index < y->index);
}

/* Every mistake of net on data into *out (malloc'd); -1 after printing why. */
static long find_mistakes(const nnc_net *net, const nnc_data *data, mistake **out)
{
    enum { BATCH = 256 };
    size_t n = nnc_data_count(data), d = nnc_data_dim(data), k = nnc_net_outputs(net);
    float *x = malloc(BATCH * d * sizeof *x), *y = malloc(BATCH * k * sizeof *y);
    mistake *list = malloc((n ? n : 1) * sizeof *list);
    long wrong = 0;
    if (!x || !y || !list) {
        cli_error("out of memory");
        wrong = -1;
    }
    for (size_t first = 0; wrong >= 0 && first < n; first += BATCH) {
        size_t m = n - first < BATCH ? n - first : BATCH;
        for (size_t i = 0; i < m; i++)
            nnc_data_input(data, first + i, x + i * d);
        if (nnc_feedforward(net, x, m, y) != NNC_OK) {
            cli_error("%s", nnc_last_error());
            wrong = -1;
            break;
        }
        for (size_t i = 0; i < m; i++) {
            const float *o = y + i * k;
            size_t best = 0;
            for (size_t j = 1; j < k; j++)
                best = o[j] > o[best] ? j : best;
            size_t label = nnc_data_label(data, first + i);
            if (best != label)
                list[wrong++] = (mistake){first + i, label, best, o[best]};
        }
    }
    free(x);
    free(y);
    if (wrong < 0) {
        free(list);
        list = NULL;
    }
    *out = list;
    return wrong;
}

canvas *picture_errors(const nnc_net *net, const nnc_data *data, size_t max_shown,
                       size_t *wrong)
{
    size_t d = nnc_data_dim(data), side = image_side(net, nnc_data_source(data));
    if (!side)
        return NULL;
    if (d != nnc_net_inputs(net)) {
        cli_error("%s: samples have %zu inputs, the network takes %zu", nnc_data_source(data),
                  d, nnc_net_inputs(net));
        return NULL;
    }
    mistake *list;
    long found = find_mistakes(net, data, &list);
    if (found < 0)
        return NULL;
    *wrong = (size_t)found;
    qsort(list, (size_t)found, sizeof *list, more_confident);
    size_t shown = (size_t)found < max_shown ? (size_t)found : max_shown;
    size_t cell_w = side * ZOOM + 16, cell_h = side * ZOOM + CAPTION + 8;
    size_t cols = shown < ERROR_COLUMNS ? (shown ? shown : 1) : ERROR_COLUMNS;
    size_t rows = shown ? (shown + cols - 1) / cols : 1;
    size_t width = cols * cell_w + 8, height = rows * cell_h + 30;
    float *x = malloc(d * sizeof *x);
    unsigned char *rgb = malloc(d * 3);
    canvas *c = x && rgb ? canvas_raster((int)width, (int)height) : NULL;
    if (!c) {
        cli_error("out of memory for a %zu x %zu picture", width, height);
    } else {
        char text[96];
        snprintf(text, sizeof text, "%zu of %zu wrong%s", *wrong, nnc_data_count(data),
                 shown < *wrong ? ", the most confident shown" : "");
        canvas_text(c, 8, 18, 13, ANCHOR_START, 0x000000, text);
        for (size_t s = 0; s < shown; s++) {
            nnc_data_input(data, list[s].index, x);
            for (size_t i = 0; i < d; i++) {   /* dark ink on white paper */
                float v = x[i] * (float)(256.0 / 255.0);
                v = v < 0 ? 0 : v > 1 ? 1 : v;
                rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] =
                    (unsigned char)lrintf(255.0f * (1.0f - v));
            }
            double x0 = 8 + (double)(s % cols * cell_w), y0 = 30 + (double)(s / cols * cell_h);
            canvas_pixels(c, x0, y0, side, side, rgb, ZOOM);
            canvas_rect(c, x0, y0, (double)(side * ZOOM), (double)(side * ZOOM), NO_COLOUR,
                        0xbbbbbb);
            char label[16], predicted[16];
            snprintf(text, sizeof text, "%s \xe2\x86\x92 %s  %.2f",
                     picture_class(net, list[s].label, label, sizeof label),
                     picture_class(net, list[s].predicted, predicted, sizeof predicted),
                     (double)list[s].output);
            canvas_text(c, x0 + (double)(side * ZOOM) / 2, y0 + (double)(side * ZOOM) + 13,
                        11, ANCHOR_MIDDLE, 0x000000, text);
        }
        if (!shown)
            canvas_text(c, 8, 40, 12, ANCHOR_START, 0x000000, "no mistakes");
    }
    free(x);
    free(rgb);
    free(list);
    return c;
}

canvas *picture_confusion(const nnc_net *net, const size_t *cm, size_t k)
{
    double cell = k <= 15 ? 40 : k <= 40 ? 600.0 / (double)k : 15;
    double left = 70, top = 60;
    int width = (int)(left + cell * (double)k + 20), height = (int)(top + cell * (double)k + 20);
    canvas *c = canvas_raster(width, height);
    if (!c) {
        cli_error("out of memory for a %d x %d picture", width, height);
        return NULL;
    }
    char text[32];
    size_t total = 0, correct = 0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++)
            total += cm[i * k + j], correct += i == j ? cm[i * k + j] : 0;
    snprintf(text, sizeof text, "accuracy %.2f%%",
             total ? 100.0 * (double)correct / (double)total : 0.0);
    canvas_text(c, left, 18, 13, ANCHOR_START, 0x000000, text);
    canvas_text(c, left + cell * (double)k / 2, top - 24, 12, ANCHOR_MIDDLE, 0x000000,
                "prediction");
    canvas_text(c, 8, top + cell * (double)k / 2, 12, ANCHOR_START, 0x000000, "label");
    for (size_t i = 0; i < k; i++) {
        size_t row = 0;
        for (size_t j = 0; j < k; j++)
            row += cm[i * k + j];
        picture_class(net, i, text, cell >= 40 ? 8 : 4);
        canvas_text(c, left + cell * ((double)i + 0.5), top - 6, 11, ANCHOR_MIDDLE, 0x000000,
                    text);
        canvas_text(c, left - 6, top + cell * ((double)i + 0.5) + 4, 11, ANCHOR_END, 0x000000,
                    text);
        for (size_t j = 0; j < k; j++) {
            /* white to dark blue by the row's fraction: the diagonal is recall */
            double f = row ? (double)cm[i * k + j] / (double)row : 0.0;
            f = sqrt(f);   /* small confusions stay visible beside a full diagonal */
            uint32_t r = (uint32_t)lround(255 - f * (255 - 8)),
                     g = (uint32_t)lround(255 - f * (255 - 48)),
                     b = (uint32_t)lround(255 - f * (255 - 107));
            double x0 = left + cell * (double)j, y0 = top + cell * (double)i;
            canvas_rect(c, x0, y0, cell, cell, (long)(r << 16 | g << 8 | b), 0xffffff);
            if (cm[i * k + j] && cell >= 24) {
                snprintf(text, sizeof text, "%zu", cm[i * k + j]);
                canvas_text(c, x0 + cell / 2, y0 + cell / 2 + 4, cell >= 36 ? 11 : 8,
                            ANCHOR_MIDDLE, f > 0.6 ? 0xffffff : 0x000000, text);
            }
        }
    }
    return c;
}

/* Grey levels of one input image, dark ink on white paper. */
static void ink(const float *x, size_t d, unsigned char *rgb)
{
    for (size_t i = 0; i < d; i++) {
        float v = x[i] * (float)(256.0 / 255.0);
        v = v < 0 ? 0 : v > 1 ? 1 : v;
        rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = (unsigned char)lrintf(255.0f * (1.0f - v));
    }
}

canvas *picture_augment(const nnc_data *data, const nnc_augment *a, uint64_t seed, size_t rows,
                        size_t per_row)
{
    size_t w, h, d = nnc_data_dim(data);
    if (!nnc_data_image_size(data, &w, &h) || w * h != d) {
        cli_error("%s: its samples are a table's rows, not images, so they cannot be distorted",
                  nnc_data_source(data));
        return NULL;
    }
    rows = rows < nnc_data_count(data) ? rows : nnc_data_count(data);
    size_t cell_w = w * ZOOM + 8, cell_h = h * ZOOM + 8, left = 30;
    size_t width = left + (per_row + 1) * cell_w + 16 + 8, height = 30 + rows * cell_h + 8;
    float *x = malloc(d * sizeof *x);
    unsigned char *rgb = malloc(d * 3);
    if (x && rgb && nnc_augment_sample(data, 0, a, seed, 0, x) != NNC_OK) {   /* the ranges */
        cli_error("%s", nnc_last_error());
        free(x);
        free(rgb);
        return NULL;
    }
    canvas *c = x && rgb ? canvas_raster((int)width, (int)height) : NULL;
    if (!c) {
        cli_error("out of memory for a %zu x %zu picture", width, height);
    } else {
        char text[128];
        snprintf(text, sizeof text, "training images, then distorted as epochs 0 .. %zu draw "
                 "them", per_row - 1);
        canvas_text(c, 8, 18, 13, ANCHOR_START, 0x000000, text);
        for (size_t r = 0; r < rows; r++) {
            double y0 = 30 + (double)(r * cell_h);
            snprintf(text, sizeof text, "%u", nnc_data_label(data, r));
            canvas_text(c, 16, y0 + (double)(h * ZOOM) / 2 + 4, 12, ANCHOR_MIDDLE, 0x000000,
                        text);
            for (size_t k = 0; k <= per_row; k++) {
                if (k == 0)
                    nnc_data_input(data, r, x);
                else if (nnc_augment_sample(data, r, a, seed, (unsigned)(k - 1), x) != NNC_OK)
                    memset(x, 0, d * sizeof *x);   /* out of memory: a blank tile */
                ink(x, d, rgb);
                double x0 = (double)(left + k * cell_w + (k ? 16 : 0));
                canvas_pixels(c, x0, y0, w, h, rgb, ZOOM);
                canvas_rect(c, x0, y0, (double)(w * ZOOM), (double)(h * ZOOM), NO_COLOUR,
                            k ? 0xbbbbbb : 0x555555);
            }
        }
    }
    free(x);
    free(rgb);
    return c;
}
