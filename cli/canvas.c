/* canvas.c — the drawing calls for both kinds of canvas: SVG elements printed
 * as they come, or cairo paths on an image surface. */
#include <cairo.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "cli.h"

#define FONT "DejaVu Sans"

struct canvas {
    FILE            *svg;       /* the SVG document, or NULL for a raster */
    cairo_surface_t *surface;
    cairo_t         *cr;
};

void xml_escaped(FILE *out, const char *s)
{
    for (; *s; s++)
        if (*s == '<')
            fputs("&lt;", out);
        else if (*s == '>')
            fputs("&gt;", out);
        else if (*s == '&')
            fputs("&amp;", out);
        else if (*s == '"')
            fputs("&quot;", out);
        else
            fputc(*s, out);
}

canvas *canvas_svg(FILE *out, double width, double height)
{
    canvas *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->svg = out;
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                 "viewBox=\"0 0 %.0f %.0f\" font-family=\"%s, sans-serif\">\n"
                 "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            width, height, width, height, FONT);
    return c;
}

canvas *canvas_raster(int width, int height)
{
    canvas *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    c->cr = cairo_create(c->surface);
    if (cairo_status(c->cr) != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(c->cr);
        cairo_surface_destroy(c->surface);
        free(c);
        return NULL;
    }
    cairo_set_source_rgb(c->cr, 1, 1, 1);
    cairo_paint(c->cr);
    cairo_select_font_face(c->cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    return c;
}

static void cairo_colour(cairo_t *cr, uint32_t rgb)
{
    cairo_set_source_rgb(cr, (rgb >> 16 & 255) / 255.0, (rgb >> 8 & 255) / 255.0,
                         (rgb & 255) / 255.0);
}

static const char *const svg_dashes[3] = {"", " stroke-dasharray=\"6 3\"",
                                          " stroke-dasharray=\"2 3\""};

static void cairo_stroke_as(cairo_t *cr, uint32_t colour, double width, stroke_style style)
{
    static const double dashed[2] = {6, 3}, dotted[2] = {2, 3};
    cairo_colour(cr, colour);
    cairo_set_line_width(cr, width);
    cairo_set_dash(cr, style == STROKE_DASHED ? dashed : dotted, style == STROKE_SOLID ? 0 : 2,
                   0);
    cairo_stroke(cr);
}

void canvas_line(canvas *c, double x1, double y1, double x2, double y2, uint32_t colour,
                 double width, stroke_style style)
{
    if (c->svg) {
        fprintf(c->svg, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                        "stroke=\"#%06x\" stroke-width=\"%g\"%s/>\n",
                x1, y1, x2, y2, (unsigned)colour, width, svg_dashes[style]);
        return;
    }
    cairo_move_to(c->cr, x1, y1);
    cairo_line_to(c->cr, x2, y2);
    cairo_stroke_as(c->cr, colour, width, style);
}

void canvas_polyline(canvas *c, const double *xy, size_t n, uint32_t colour, double width,
                     stroke_style style, const char *title)
{
    if (c->svg) {
        fprintf(c->svg, "<polyline class=\"curve\" fill=\"none\" stroke=\"#%06x\" "
                        "stroke-width=\"%g\"%s points=\"", (unsigned)colour, width,
                svg_dashes[style]);
        for (size_t i = 0; i < n; i++)
            fprintf(c->svg, "%s%.1f,%.1f", i ? " " : "", xy[2 * i], xy[2 * i + 1]);
        fputs("\"><title>", c->svg);
        xml_escaped(c->svg, title);
        fputs("</title></polyline>\n", c->svg);
        return;
    }
    for (size_t i = 0; i < n; i++)
        (i ? cairo_line_to : cairo_move_to)(c->cr, xy[2 * i], xy[2 * i + 1]);
    if (n == 1)   /* one epoch: a dot, as SVG shows nothing for it either way */
        cairo_rel_line_to(c->cr, 0.01, 0);
    cairo_stroke_as(c->cr, colour, width, style);
}

void canvas_rect(canvas *c, double x, double y, double w, double h, long fill, long outline)
{
    if (c->svg) {
        fprintf(c->svg, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"", x, y, w,
                h);
        if (fill == NO_COLOUR)
            fputs(" fill=\"none\"", c->svg);
        else
            fprintf(c->svg, " fill=\"#%06lx\"", (unsigned long)fill);
        if (outline != NO_COLOUR)
            fprintf(c->svg, " stroke=\"#%06lx\"", (unsigned long)outline);
        fputs("/>\n", c->svg);
        return;
    }
    if (fill != NO_COLOUR) {
        cairo_rectangle(c->cr, x, y, w, h);
        cairo_colour(c->cr, (uint32_t)fill);
        cairo_fill(c->cr);
    }
    if (outline != NO_COLOUR) {   /* on the pixel grid, so that a 1-pixel line is sharp */
        cairo_rectangle(c->cr, x + 0.5, y + 0.5, w - 1, h - 1);
        cairo_stroke_as(c->cr, (uint32_t)outline, 1, STROKE_SOLID);
    }
}

void canvas_text(canvas *c, double x, double y, double size, text_anchor anchor,
                 uint32_t colour, const char *text)
{
    static const char *const svg_anchor[3] = {"start", "middle", "end"};
    if (c->svg) {
        fprintf(c->svg, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%g\" text-anchor=\"%s\" "
                        "fill=\"#%06x\">", x, y, size, svg_anchor[anchor], (unsigned)colour);
        xml_escaped(c->svg, text);
        fputs("</text>\n", c->svg);
        return;
    }
    cairo_text_extents_t ext;
    cairo_set_font_size(c->cr, size);
    cairo_text_extents(c->cr, text, &ext);
    double shift = anchor == ANCHOR_START ? 0 : anchor == ANCHOR_MIDDLE ? ext.x_advance / 2
                                                                         : ext.x_advance;
    cairo_move_to(c->cr, x - shift, y);
    cairo_colour(c->cr, colour);
    cairo_show_text(c->cr, text);
}

/* ---- pixels and PNG --------------------------------------------------- */

/* The block as a cairo surface, one surface pixel per image pixel. */
static cairo_surface_t *pixel_surface(size_t w, size_t h, const unsigned char *rgb)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w, (int)h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        return s;
    cairo_surface_flush(s);
    unsigned char *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    for (size_t y = 0; y < h; y++)
        for (size_t x = 0; x < w; x++) {
            const unsigned char *p = rgb + (y * w + x) * 3;
            uint32_t word = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
            memcpy(data + y * (size_t)stride + x * 4, &word, 4);   /* native-endian xRGB */
        }
    cairo_surface_mark_dirty(s);
    return s;
}

typedef struct {
    FILE         *out;
    unsigned char carry[3];
    int           carried;
} base64_stream;

static void base64_triple(base64_stream *b, const unsigned char *t, int n)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char q[4] = {digits[t[0] >> 2], digits[(t[0] & 3) << 4 | (n > 1 ? t[1] >> 4 : 0)],
                 n > 1 ? digits[(t[1] & 15) << 2 | (n > 2 ? t[2] >> 6 : 0)] : '=',
                 n > 2 ? digits[t[2] & 63] : '='};
    fwrite(q, 1, 4, b->out);
}

static cairo_status_t base64_write(void *closure, const unsigned char *data, unsigned int n)
{
    base64_stream *b = closure;
    for (unsigned int i = 0; i < n; i++) {
        b->carry[b->carried++] = data[i];
        if (b->carried == 3) {
            base64_triple(b, b->carry, 3);
            b->carried = 0;
        }
    }
    return ferror(b->out) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* s as PNG in base64 to out; 1 if written. */
static int png_base64(cairo_surface_t *s, FILE *out)
{
    base64_stream b = {out, {0, 0, 0}, 0};
    cairo_status_t st = cairo_surface_write_to_png_stream(s, base64_write, &b);
    if (b.carried)
        base64_triple(&b, b.carry, b.carried);
    return st == CAIRO_STATUS_SUCCESS && !ferror(out);
}

void canvas_pixels(canvas *c, double x, double y, size_t w, size_t h,
                   const unsigned char *rgb, int zoom)
{
    cairo_surface_t *s = pixel_surface(w, h, rgb);
    if (c->svg) {   /* an embedded PNG, scaled without smoothing */
        fprintf(c->svg, "<image x=\"%.1f\" y=\"%.1f\" width=\"%zu\" height=\"%zu\" "
                        "style=\"image-rendering:pixelated\" href=\"data:image/png;base64,",
                x, y, w * (size_t)zoom, h * (size_t)zoom);
        png_base64(s, c->svg);
        fputs("\"/>\n", c->svg);
    } else {
        cairo_save(c->cr);
        cairo_translate(c->cr, x, y);
        cairo_scale(c->cr, zoom, zoom);
        cairo_set_source_surface(c->cr, s, 0, 0);
        cairo_pattern_set_filter(cairo_get_source(c->cr), CAIRO_FILTER_NEAREST);
        cairo_paint(c->cr);
        cairo_restore(c->cr);
    }
    cairo_surface_destroy(s);
}

static cairo_status_t file_write(void *closure, const unsigned char *data, unsigned int n)
{
    return fwrite(data, 1, n, closure) == n ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static int save_png(cairo_surface_t *s, const char *path)
{
    cli_output o;
    if (!cli_output_open(&o, path))
        return 0;
    int ok = cairo_surface_write_to_png_stream(s, file_write, o.f) == CAIRO_STATUS_SUCCESS;
    return cli_output_commit(&o, ok);
}

int canvas_finish(canvas *c, const char *path, FILE *out)
{
    int ok;
    if (c->svg) {
        fputs("</svg>\n", c->svg);
        ok = !ferror(c->svg);
    } else {
        cairo_surface_flush(c->surface);
        ok = cairo_status(c->cr) == CAIRO_STATUS_SUCCESS;
        if (!ok)
            cli_error("%s: drawing failed: %s", path ? path : "picture",
                      cairo_status_to_string(cairo_status(c->cr)));
        else
            ok = path ? save_png(c->surface, path) : png_base64(c->surface, out);
        cairo_destroy(c->cr);
        cairo_surface_destroy(c->surface);
    }
    free(c);
    return ok;
}
