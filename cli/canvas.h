/* canvas.h — one drawing interface for the pictures nnc makes, written either
 * as SVG text or rasterised by cairo into a PNG. */
#ifndef NNC_CANVAS_H
#define NNC_CANVAS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct canvas canvas;

typedef enum { ANCHOR_START, ANCHOR_MIDDLE, ANCHOR_END } text_anchor;
typedef enum { STROKE_SOLID, STROKE_DASHED, STROKE_DOTTED } stroke_style;

#define NO_COLOUR (-1L)   /* a rectangle without fill or without outline */

/* An SVG document of width x height written to out as it is drawn. */
canvas *canvas_svg(FILE *out, double width, double height);
/* A white width x height raster (cairo image surface). */
canvas *canvas_raster(int width, int height);

/* Colours are 0xRRGGBB. */
void canvas_line(canvas *c, double x1, double y1, double x2, double y2, uint32_t colour,
                 double width, stroke_style style);
/* n points (x, y pairs); title names the curve (SVG keeps it as a tooltip). */
void canvas_polyline(canvas *c, const double *xy, size_t n, uint32_t colour, double width,
                     stroke_style style, const char *title);
void canvas_rect(canvas *c, double x, double y, double w, double h, long fill, long outline);
void canvas_text(canvas *c, double x, double y, double size, text_anchor anchor,
                 uint32_t colour, const char *text);
/* An RGB block (h rows of w x 3 bytes), each pixel drawn as zoom x zoom. */
void canvas_pixels(canvas *c, double x, double y, size_t w, size_t h,
                   const unsigned char *rgb, int zoom);

/* Ends the canvas: SVG closes the document; a raster is written as a PNG to
 * path (beside it first, then renamed into place) or, with path NULL, to out
 * as base64 for a data: URL. Frees c; 0 after printing why it failed. */
int canvas_finish(canvas *c, const char *path, FILE *out);

/* Writes s with XML's special characters escaped. */
void xml_escaped(FILE *out, const char *s);

#endif
