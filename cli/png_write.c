/* png_write.c — an RGB picture to a PNG file through libpng, written beside
 * its name and renamed into place, so that no half-written picture remains. */
#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void quiet_error(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void quiet_warning(png_structp png, png_const_charp msg)
{
    (void)png, (void)msg;
}

/* Writes rgb (height rows of width * 3 bytes) to the open file f. */
static int write_rgb(FILE *f, size_t width, size_t height, const unsigned char *rgb)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, quiet_error,
                                              quiet_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return 0;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return 0;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (size_t y = 0; y < height; y++)
        png_write_row(png, rgb + y * width * 3);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 1;
}

int cli_write_png(const char *path, size_t width, size_t height, const unsigned char *rgb)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        cli_error("%s: cannot write: %s", path, strerror(errno));
        return 0;
    }
    int ok = write_rgb(f, width, height, rgb);
    ok = fclose(f) == 0 && ok;
    if (ok && rename(tmp, path) != 0)
        ok = 0;
    if (!ok) {
        cli_error("%s: cannot write the picture", path);
        unlink(tmp);
    }
    return ok;
}
