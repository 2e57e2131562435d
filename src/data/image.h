/* image.h — a decoded picture, grey levels only, shared by the decoders. */
#ifndef NNC_IMAGE_H
#define NNC_IMAGE_H

#include <stddef.h>
#include <stdio.h>

#include "nnc.h"

#define NNC__IMAGE_MAX_SIDE 16384

typedef struct {
    size_t w, h;
    float *v;   /* grey levels 0 .. 255, row-major */
} nnc__grey_image;

/* 1 if the bytes start a JPEG file (the SOI marker and a marker after it). */
int nnc__is_jpeg(const unsigned char *sig, size_t n);

/* Decodes the JPEG open in f (named path in errors) to grey levels. */
nnc_status nnc__read_jpeg(FILE *f, const char *path, nnc__grey_image *img);

#endif
