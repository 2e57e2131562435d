/* image_jpeg.c — a JPEG file to grey levels through libjpeg(-turbo), whose
 * errors come back as a status instead of leaving the process. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>   /* after stdio.h, which it needs */
#include <jerror.h>
#include <sys/stat.h>

#include "../runtime/error.h"
#include "image.h"

/* Baseline Huffman coding spends at least four bits on an 8x8 block, so a
 * real file holds at least a byte per 128 pixels; a header promising far
 * more than that is refused before any pixel is allocated. The floor lets
 * small, highly compressed images through. */
#define PIXELS_PER_BYTE 1024u
#define PIXELS_FLOOR (1u << 20)

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf               escape;
} quiet_errors;

/* libjpeg's default error_exit prints and calls exit(); this one goes back
 * to read_jpeg's setjmp, and messages are kept for the error, not printed. */
static void leave(j_common_ptr cinfo)
{
    longjmp(((quiet_errors *)cinfo->err)->escape, 1);
}

/* Warnings are dropped, except the end of the file coming early: libjpeg
 * would fill the missing rows with grey, and a picture half lost is not the
 * picture the user meant. */
static void on_message(j_common_ptr cinfo, int level)
{
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF)
        leave(cinfo);
}

int nnc__is_jpeg(const unsigned char *sig, size_t n)
{
    return n >= 3 && sig[0] == 0xFF && sig[1] == 0xD8 && sig[2] == 0xFF;
}

nnc_status nnc__read_jpeg(FILE *f, const char *path, nnc__grey_image *img)
{
    struct jpeg_decompress_struct cinfo;
    quiet_errors err;
    unsigned char *volatile row = NULL;
    volatile int refused_size = 0;
    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = leave;
    err.base.emit_message = on_message;
    if (setjmp(err.escape)) {
        char why[JMSG_LENGTH_MAX] = "";
        if (!refused_size)
            err.base.format_message((j_common_ptr)&cinfo, why);
        jpeg_destroy_decompress(&cinfo);
        free(row);
        free(img->v);
        img->v = NULL;
        if (refused_size)
            return nnc__fail(NNC_ERR_FORMAT, "%s: the JPEG header promises %u x %u pixels, "
                             "more than the file can hold", path,
                             (unsigned)cinfo.image_width, (unsigned)cinfo.image_height);
        return nnc__fail(NNC_ERR_FORMAT, "%s: corrupt or unsupported JPEG: %s", path, why);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, f);
    jpeg_read_header(&cinfo, TRUE);
    size_t w = cinfo.image_width, h = cinfo.image_height;
    struct stat sb;
    if (w == 0 || h == 0 || w > NNC__IMAGE_MAX_SIDE || h > NNC__IMAGE_MAX_SIDE ||
        (fstat(fileno(f), &sb) == 0 && w * h > PIXELS_FLOOR &&
         w * h / PIXELS_PER_BYTE > (unsigned long long)sb.st_size)) {
        refused_size = 1;
        longjmp(err.escape, 1);
    }
    cinfo.out_color_space = JCS_GRAYSCALE;   /* libjpeg converts colour to luma */
    jpeg_start_decompress(&cinfo);
    row = malloc(w);
    img->v = malloc(w * h * sizeof *img->v);
    if (!row || !img->v) {
        jpeg_destroy_decompress(&cinfo);
        free(row);
        free(img->v);
        img->v = NULL;
        return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory for %zu x %zu pixels", path, w, h);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        size_t y = cinfo.output_scanline;
        JSAMPROW rows[1] = {row};
        jpeg_read_scanlines(&cinfo, rows, 1);
        for (size_t x = 0; x < w; x++)
            img->v[y * w + x] = row[x];
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    img->w = w, img->h = h;
    return NNC_OK;
}
