/* test_image.c — images as network inputs: PNG, JPEG and PGM, inversion,
 * scaling, centring, broken files; a PNG of an MNIST test image predicts like
 * it, and so do photo-like pages of digits. */
#include <math.h>
#include <png.h>
#include <zlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "testutil.h"

/* Writes grey (channels 1) or RGB (3) 8-bit pixels as a PNG. */
static void write_png(const char *path, const uint8_t *px, int w, int h, int channels)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    assert_false(setjmp(png_jmpbuf(png)));
    png_init_io(png, f);
    png_set_compression_level(png, 1);   /* fast: the tests write many */
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
                 channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++)
        png_write_row(png, px + (size_t)y * w * channels);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(f);
}

/* Writes grey (channels 1) or RGB (3) 8-bit pixels as a baseline JPEG. */
static void write_jpeg(const char *path, const uint8_t *px, int w, int h, int channels,
                       int quality)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr err;
    cinfo.err = jpeg_std_error(&err);
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, f);
    cinfo.image_width = (JDIMENSION)w;
    cinfo.image_height = (JDIMENSION)h;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(px + (size_t)cinfo.next_scanline * w * channels);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    fclose(f);
}

static void write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(text, 1, len, f);
    fclose(f);
}

static void reads_pgm_ascii_and_binary(void **state)
{
    (void)state;
    float out[6];
    write_text(scratch_path("a.pgm"), "P2\n# a comment\n3 2\n15\n0 5 10\n15 3 1\n", 35);
    assert_ok(nnc_image_load(scratch_path("a.pgm"), 3, 2, NNC_INVERT_NO, 0, out));
    const int want[6] = {0, 5, 10, 15, 3, 1};
    for (int i = 0; i < 6; i++)
        assert_true(fabsf(out[i] - want[i] * 255.0f / 15 / 256) < 1e-6f);
    /* binary, 16-bit, inverted */
    const unsigned char p5[] = "P5 2 1 65535\n\xff\xff\x00\x00";
    write_text(scratch_path("b.pgm"), (const char *)p5, sizeof p5 - 1);
    assert_ok(nnc_image_load(scratch_path("b.pgm"), 2, 1, NNC_INVERT_YES, 0, out));
    assert_true(out[0] == 0.0f && out[1] == 255.0f / 256);
    /* broken ones */
    write_text(scratch_path("c.pgm"), "P2 2 2 10 1 2 3 11", 18);
    assert_int_equal(nnc_image_load(scratch_path("c.pgm"), 2, 2, NNC_INVERT_NO, 0, out),
                     NNC_ERR_FORMAT);
    assert_non_null(strstr(nnc_last_error(), "above the maximum"));
    write_text(scratch_path("d.pgm"), "P5 4 4 255\nab", 13);
    assert_int_equal(nnc_image_load(scratch_path("d.pgm"), 2, 2, NNC_INVERT_NO, 0, out),
                     NNC_ERR_FORMAT);
    assert_non_null(strstr(nnc_last_error(), "truncated"));
    write_text(scratch_path("e.txt"), "hello", 5);
    assert_int_equal(nnc_image_load(scratch_path("e.txt"), 2, 2, NNC_INVERT_NO, 0, out),
                     NNC_ERR_FORMAT);
    assert_non_null(strstr(nnc_last_error(), "e.txt: not a PNG, JPEG or PGM"));
}

static void png_scaling_inversion_and_corruption(void **state)
{
    (void)state;
    uint8_t small[4 * 4], big[8 * 8 * 3];
    for (int i = 0; i < 16; i++)
        small[i] = (uint8_t)(i * 16);
    for (int y = 0; y < 8; y++)       /* each pixel 2 x 2, RGB, dark on light */
        for (int x = 0; x < 8; x++)
            for (int c = 0; c < 3; c++)
                big[(y * 8 + x) * 3 + c] = (uint8_t)(255 - small[(y / 2) * 4 + x / 2]);
    write_png(scratch_path("small.png"), small, 4, 4, 1);
    write_png(scratch_path("big.png"), big, 8, 8, 3);
    float a[16], b[16];
    assert_ok(nnc_image_load(scratch_path("small.png"), 4, 4, NNC_INVERT_NO, 0, a));
    for (int i = 0; i < 16; i++)
        assert_true(a[i] == small[i] / 256.0f);
    /* light border -> inverted; 2 x 2 averages -> the same 4 x 4 */
    assert_ok(nnc_image_load(scratch_path("big.png"), 4, 4, NNC_INVERT_AUTO, 0, b));
    assert_memory_equal(a, b, sizeof a);
    /* a cut PNG is refused */
    FILE *f = fopen(scratch_path("big.png"), "rb");
    uint8_t buf[4096];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    write_text(scratch_path("cut.png"), (const char *)buf, len / 2);
    assert_int_equal(nnc_image_load(scratch_path("cut.png"), 4, 4, NNC_INVERT_NO, 0, b),
                     NNC_ERR_FORMAT);
    assert_non_null(strstr(nnc_last_error(), "cut.png"));
}

/* Pixels in memory are prepared by the steps a file's decoded pixels go
 * through: a PNG and its pixels give the same floats, centred or scaled. */
static void pixels_prepare_as_their_png_does(void **state)
{
    (void)state;
    enum { W = 90, H = 70 };
    static uint8_t px[W * H];
    for (int y = 0; y < H; y++)   /* grey paper lit unevenly, a dark ring off centre */
        for (int x = 0; x < W; x++) {
            double r = hypot(x - 30.0, y - 40.0);
            px[y * W + x] = (uint8_t)(r > 12 && r < 20 ? 30 : 170 + (x + y) / 4);
        }
    write_png(scratch_path("ring.png"), px, W, H, 1);
    float a[28 * 28], b[28 * 28];
    for (int centre = 0; centre <= 2; centre++)
        for (int inv = NNC_INVERT_AUTO; inv <= NNC_INVERT_NO; inv++) {
            nnc_status sa = nnc_image_load(scratch_path("ring.png"), 28, 28, (nnc_invert)inv,
                                           centre, a);
            nnc_status sb = nnc_image_prepare(px, W, H, 28, 28, (nnc_invert)inv, centre, b);
            assert_int_equal(sa, sb);
            if (sa == NNC_OK)
                assert_memory_equal(a, b, sizeof a);
        }
    memset(px, 255, sizeof px);   /* blank paper is refused, naming no file */
    assert_int_equal(nnc_image_prepare(px, W, H, 28, 28, NNC_INVERT_AUTO, 1, b),
                     NNC_ERR_FORMAT);
    assert_non_null(strstr(nnc_last_error(), "looks blank"));
    assert_int_equal(nnc_image_prepare(NULL, W, H, 28, 28, NNC_INVERT_AUTO, 1, b),
                     NNC_ERR_ARG);
    assert_int_equal(nnc_image_prepare(px, 0, H, 28, 28, NNC_INVERT_AUTO, 1, b), NNC_ERR_ARG);
}

static void centring_puts_the_mass_in_the_middle(void **state)
{
    (void)state;
    uint8_t px[40 * 60] = {0};
    for (int y = 5; y < 15; y++)      /* a 6 x 10 blob in the top-left corner */
        for (int x = 3; x < 9; x++)
            px[y * 40 + x] = 255;
    write_png(scratch_path("blob.png"), px, 40, 60, 1);
    float out[28 * 28];
    assert_ok(nnc_image_load(scratch_path("blob.png"), 28, 28, NNC_INVERT_NO, 1, out));
    double m = 0, mx = 0, my = 0;
    int top = 28, bottom = -1;
    for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++) {
            double v = out[y * 28 + x];
            m += v, mx += v * (x + 0.5), my += v * (y + 0.5);
            if (v > 0.5) {
                top = y < top ? y : top;
                bottom = y > bottom ? y : bottom;
            }
        }
    /* on pixel 14 (counted from 0), as MNIST's digits: its middle is at 14.5 */
    assert_true(fabs(mx / m - 14.5) <= 0.5 && fabs(my / m - 14.5) <= 0.5);
    assert_int_equal(bottom - top + 1, 20);     /* the long side fills 20 of 28 */
}

static void png_of_a_test_image_predicts_like_the_image(void **state)
{
    (void)state;
    const char *dir = mnist_dir();
    if (!dir)
        SKIP_TEST("NNC_MNIST_DIR is not set to a folder");
    const size_t sizes[] = {784, 30, 10};
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, 3);
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 1;
    nnc_data *te;
    nnc_net *net = train_on_mnist(dir, &spec, &o, &te);
    float x[784], from_png[784], o1[10], o2[10];
    uint8_t px[784], rgb[784 * 3];
    for (size_t i = 0; i < 20; i++) {
        nnc_data_input(te, i, x);
        for (int j = 0; j < 784; j++) {
            px[j] = (uint8_t)lroundf(x[j] * 256.0f);
            for (int c = 0; c < 3; c++)
                rgb[j * 3 + c] = (uint8_t)(255 - px[j]);     /* paper-style copy */
        }
        write_png(scratch_path("digit.png"), px, 28, 28, 1);
        write_png(scratch_path("paper.png"), rgb, 28, 28, 3);
        assert_ok(nnc_image_load(scratch_path("digit.png"), 28, 28, NNC_INVERT_AUTO, 0,
                                 from_png));
        assert_memory_equal(x, from_png, sizeof x);
        assert_ok(nnc_feedforward(net, x, 1, o1));
        assert_ok(nnc_image_load(scratch_path("paper.png"), 28, 28, NNC_INVERT_AUTO, 0,
                                 from_png));
        assert_ok(nnc_feedforward(net, from_png, 1, o2));
        assert_memory_equal(o1, o2, sizeof o1);
    }
    /* and through the command: the class it prints is the network's */
    assert_ok(nnc_model_save(net, scratch_path("digit-model.nnc")));
    nnc_data_input(te, 19, x);
    assert_ok(nnc_feedforward(net, x, 1, o1));
    size_t best = 0;
    for (size_t j = 1; j < 10; j++)
        best = o1[j] > o1[best] ? j : best;
    char cmd[512], out[512], want[64];
    snprintf(cmd, sizeof cmd, "nnc predict %s %s", scratch_path("digit-model.nnc"),
             "test-scratch/paper.png");
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
    snprintf(want, sizeof want, "paper.png: %zu ", best);
    if (!strstr(out, want))
        fail_msg("nnc predict printed '%s', expected class %zu", out, best);
    /* the outputs as the network gives them, not rescaled to sum to 1 */
    snprintf(want, sizeof want, " %zu:%.3f", best, o1[best]);
    if (!strstr(out, want))
        fail_msg("nnc predict printed '%s', expected '%s'", out, want);

    /* Digits drawn on grey paper lit unevenly, as a photographed page: a 96 x 96
     * canvas whose paper goes from level 150 to 235, the digit three times as
     * large in dark ink, off centre. Prepared as MNIST's digits (the default
     * for such an image), they get the network's classes for the test images
     * as often as the same digits drawn on white paper do (resampling moves a
     * few either way); a page without ink is refused as blank. */
    enum { SIDE = 96, DIGITS = 40 };
    static uint8_t page[SIDE * SIDE];
    int agree[3] = {0, 0, 0};   /* white paper; grey, uneven paper; that as a JPEG */
    for (int kind = 0; kind < 3; kind++)
        for (size_t i = 0; i < DIGITS; i++) {
            nnc_data_input(te, i, x);
            for (int y = 0; y < SIDE; y++)
                for (int xx = 0; xx < SIDE; xx++) {
                    double paper = kind ? 150.0 + 85.0 * (xx + y) / (2.0 * SIDE) : 255.0;
                    int dx = xx - 6, dy = y - 10;
                    double ink = dx >= 0 && dy >= 0 && dx < 84 && dy < 84
                                     ? x[(dy / 3) * 28 + dx / 3] * 256.0 / 255.0
                                     : 0.0;
                    page[y * SIDE + xx] = (uint8_t)lround(paper - (paper - 25.0) * ink);
                }
            const char *name = kind == 2 ? "page.jpg" : "page.png";
            if (kind == 2)
                write_jpeg(scratch_path(name), page, SIDE, SIDE, 1, 75);
            else
                write_png(scratch_path(name), page, SIDE, SIDE, 1);
            assert_ok(nnc_image_load(scratch_path(name), 28, 28, NNC_INVERT_AUTO, 2,
                                     from_png));
            assert_ok(nnc_feedforward(net, x, 1, o1));
            assert_ok(nnc_feedforward(net, from_png, 1, o2));
            size_t a = 0, b = 0;
            for (size_t j = 1; j < 10; j++) {
                a = o1[j] > o1[a] ? j : a;
                b = o2[j] > o2[b] ? j : b;
            }
            agree[kind] += a == b;
        }
    for (int kind = 1; kind < 3; kind++)
        if (agree[kind] < agree[0] - 3 || agree[kind] < DIGITS * 7 / 10)
            fail_msg("digits on grey, unevenly lit paper%s: %d of %d classes as the test "
                     "images', on white paper %d", kind == 2 ? " as JPEG" : "", agree[kind],
                     DIGITS, agree[0]);
    for (int y = 0; y < SIDE; y++)
        for (int xx = 0; xx < SIDE; xx++)
            page[y * SIDE + xx] = (uint8_t)(150 + 85 * (xx + y) / (2 * SIDE));
    write_png(scratch_path("blank-page.png"), page, SIDE, SIDE, 1);
    assert_int_equal(nnc_image_load(scratch_path("blank-page.png"), 28, 28, NNC_INVERT_AUTO,
                                    2, from_png), NNC_ERR_FORMAT);
    assert_non_null(strstr(nnc_last_error(), "looks blank"));
    nnc_net_free(net);
    nnc_data_free(te);
}

/* One photo of a test digit: the 28 x 28 digit upscaled (bilinear) to a
 * 200 x 200 page, moved by (dx, dy), in ink of level 40 on paper of level 180
 * or, when graded, lit unevenly from 130 to 230; Gaussian noise of sigma and,
 * if asked, a dozen dark specks of 1 to 3 pixels' radius anywhere. */
enum { PHOTO = 200 };

/* Standard normal samples (Box-Muller), drawn from at random for the noise. */
enum { GAUSS = 4096 };
static double gauss[GAUSS];

static void draw_photo(uint8_t *page, const float *x, int dx, int dy, int graded, double sigma,
                       int specks, uint64_t *rng)
{
    for (int y = 0; y < PHOTO; y++)
        for (int xx = 0; xx < PHOTO; xx++) {
            /* the source point, in digit pixels, of this page pixel */
            double sx = (xx - dx + 0.5) * 28.0 / PHOTO - 0.5;
            double sy = (y - dy + 0.5) * 28.0 / PHOTO - 0.5;
            int x0 = (int)floor(sx), y0 = (int)floor(sy);
            double fx = sx - x0, fy = sy - y0, ink = 0;
            for (int j = 0; j < 2; j++)
                for (int i = 0; i < 2; i++) {
                    int u = x0 + i, v = y0 + j;
                    if (u >= 0 && v >= 0 && u < 28 && v < 28)
                        ink += (i ? fx : 1 - fx) * (j ? fy : 1 - fy) * x[v * 28 + u] * 256 / 255;
                }
            double paper = graded ? 130.0 + 100.0 * (0.7 * xx + 0.3 * y) / PHOTO : 180.0;
            double noise = sigma * gauss[(size_t)test_uniform(rng, 0, GAUSS)];
            page[y * PHOTO + xx] =
                (uint8_t)fmin(255.0, fmax(0.0, lround(paper - (paper - 40.0) * ink + noise)));
        }
    for (int k = 0; specks && k < 12; k++) {
        double cx = test_uniform(rng, 0, PHOTO), cy = test_uniform(rng, 0, PHOTO),
               r = test_uniform(rng, 1, 3);
        for (int y = (int)(cy - r); y <= (int)(cy + r); y++)
            for (int xx = (int)(cx - r); xx <= (int)(cx + r); xx++)
                if (y >= 0 && xx >= 0 && y < PHOTO && xx < PHOTO &&
                    (xx - cx) * (xx - cx) + (y - cy) * (y - cy) <= r * r)
                    page[y * PHOTO + xx] = 40;
        }
}

static size_t predicted(nnc_net *net, const float *x)
{
    float o[10];
    assert_ok(nnc_feedforward(net, x, 1, o));
    size_t best = 0;
    for (size_t j = 1; j < 10; j++)
        best = o[j] > o[best] ? j : best;
    return best;
}

/* Photos of test digits on grey or unevenly lit paper, with the noise of a
 * camera and specks of dust, as PNG and as JPEG (quality 75): the digit is
 * found by its ink, so that noise and specks do not move it. The network
 * gives a noisy photo the class it gives the same photo without noise, and
 * the PNG and the JPEG of a photo the same class. The clean photos themselves
 * get the test images' classes a little less often (upscaling blurs them). */
static void noisy_photos_predict_like_the_clean_digits(void **state)
{
    (void)state;
    const char *dir = mnist_dir();
    if (!dir)
        SKIP_TEST("NNC_MNIST_DIR is not set to a folder");
    const size_t sizes[] = {784, 30, 10};
    nnc_net_spec spec;
    nnc_net_spec_init(&spec, sizes, 3);
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 2;
    nnc_data *te;
    nnc_net *net = train_on_mnist(dir, &spec, &o, &te);
    enum { DIGITS = 200, KINDS = 5 };
    static const struct {
        int graded, specks;
        double sigma;
        int least;   /* of DIGITS, as the clean photo and PNG as JPEG */
        const char *name;
    } kinds[KINDS] = {
        {0, 0, 0, 190, "clean, grey paper"},   {0, 0, 3, 190, "sigma 3, grey paper"},
        {0, 0, 5, 190, "sigma 5, grey paper"}, {1, 0, 8, 185, "sigma 8, graded paper"},
        {1, 1, 5, 190, "sigma 5, graded, specks"},
    };
    static uint8_t page[PHOTO * PHOTO];
    float x[784], in[784];
    uint64_t rng = 7;
    for (int i = 0; i < GAUSS; i++) {
        double u1 = 1.0 - test_uniform(&rng, 0, 1), u2 = test_uniform(&rng, 0, 1);
        gauss[i] = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    }
    static int dx[DIGITS], dy[DIGITS];
    static size_t digit[DIGITS], photo[DIGITS];   /* the classes of the clean ones */
    for (size_t i = 0; i < DIGITS; i++)
        dx[i] = (int)test_uniform(&rng, -12, 13), dy[i] = (int)test_uniform(&rng, -12, 13);
    for (int k = 0; k < KINDS; k++) {
        int as_digit[2] = {0, 0}, as_photo[2] = {0, 0}, same = 0;   /* PNG, JPEG */
        for (size_t i = 0; i < DIGITS; i++) {
            nnc_data_input(te, i, x);
            draw_photo(page, x, dx[i], dy[i], kinds[k].graded, kinds[k].sigma, kinds[k].specks,
                       &rng);
            write_png(scratch_path("photo.png"), page, PHOTO, PHOTO, 1);
            write_jpeg(scratch_path("photo.jpg"), page, PHOTO, PHOTO, 1, 75);
            assert_ok(nnc_image_load(scratch_path("photo.png"), 28, 28, NNC_INVERT_AUTO, 2, in));
            size_t a = predicted(net, in);
            assert_ok(nnc_image_load(scratch_path("photo.jpg"), 28, 28, NNC_INVERT_AUTO, 2, in));
            size_t b = predicted(net, in);
            if (k == 0)
                digit[i] = predicted(net, x), photo[i] = a;
            as_digit[0] += a == digit[i], as_digit[1] += b == digit[i];
            as_photo[0] += a == photo[i], as_photo[1] += b == photo[i], same += a == b;
        }
        print_message("    %-24s as the clean photo PNG %3d JPEG %3d, as the test image "
                      "PNG %3d JPEG %3d, PNG as JPEG %3d of %d\n", kinds[k].name, as_photo[0],
                      as_photo[1], as_digit[0], as_digit[1], same, DIGITS);
        if (as_photo[0] < kinds[k].least || as_photo[1] < kinds[k].least ||
            same < kinds[k].least || as_digit[0] < DIGITS * 85 / 100)
            fail_msg("%s: %d (PNG) and %d (JPEG) of %d photos classed as without noise, "
                     "%d as the test images; PNG as JPEG %d; wanted %d", kinds[k].name,
                     as_photo[0], as_photo[1], DIGITS, as_digit[0], same, kinds[k].least);
    }
    /* noise alone is not ink: a noisy page without a digit is still blank */
    memset(x, 0, sizeof x);
    draw_photo(page, x, 0, 0, 1, 8, 0, &rng);
    write_jpeg(scratch_path("noisy-blank.jpg"), page, PHOTO, PHOTO, 1, 75);
    assert_int_equal(nnc_image_load(scratch_path("noisy-blank.jpg"), 28, 28, NNC_INVERT_AUTO, 2,
                                    in), NNC_ERR_FORMAT);
    assert_non_null(strstr(nnc_last_error(), "noisy-blank.jpg: the image looks blank"));
    nnc_net_free(net);
    nnc_data_free(te);
}

/* Headers promising more pixels than the file holds are refused before the
 * pixels are allocated (found by the PGM fuzz target: 11520 x 15201). */
static void expect_refused(const char *name, const char *words)
{
    float out[4];
    assert_int_equal(nnc_image_load(scratch_path(name), 2, 2, NNC_INVERT_NO, 0, out),
                     NNC_ERR_FORMAT);
    if (!strstr(nnc_last_error(), words))
        fail_msg("%s: '%s' should say '%s'", name, nnc_last_error(), words);
}

static void image_headers_are_checked_against_the_file(void **state)
{
    (void)state;
    write_text(scratch_path("huge.pgm"), "P2\n11520 15201\n255\n4", 20);
    expect_refused("huge.pgm", "promises 11520 x 15201 pixels");
    write_text(scratch_path("huge5.pgm"), "P5\n16000 16000\n255\n\x01\x02", 22);
    expect_refused("huge5.pgm", "promises 16000 x 16000 pixels");
    /* a PNG claiming 16000 x 16000 in a few dozen bytes */
    static const uint8_t one[1] = {7};
    write_png(scratch_path("small.png"), one, 1, 1, 1);
    FILE *f = fopen(scratch_path("small.png"), "r+b");
    assert_non_null(f);
    uint8_t ihdr[17];   /* "IHDR" and its 13 bytes, then their CRC at 29 */
    fseek(f, 12, SEEK_SET);
    assert_int_equal(fread(ihdr, 1, 17, f), 17);
    memcpy(ihdr + 4, "\x00\x00\x3e\x80\x00\x00\x3e\x80", 8);   /* 16000 x 16000 */
    uint32_t crc = (uint32_t)crc32(0L, ihdr, 17);
    uint8_t be[4] = {(uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8),
                     (uint8_t)crc};
    fseek(f, 12, SEEK_SET);
    fwrite(ihdr, 1, 17, f);
    fwrite(be, 1, 4, f);
    fclose(f);
    expect_refused("small.png", "promises 16000 x 16000 pixels");
}

/* JPEG, grey and colour, read close to the pixels written (JPEG is lossy);
 * a truncated file and a header promising more than the file holds are
 * refused with the file's name. */
static void reads_jpeg_and_refuses_broken_ones(void **state)
{
    (void)state;
    enum { W = 32, H = 24 };
    static uint8_t grey[W * H], rgb[W * H * 3];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            grey[y * W + x] = (uint8_t)(40 + 5 * x + 2 * y);   /* a smooth ramp */
            uint8_t *p = rgb + (y * W + x) * 3;
            p[0] = (uint8_t)(8 * x), p[1] = (uint8_t)(10 * y), p[2] = 100;
        }
    float out[W * H];
    write_jpeg(scratch_path("ramp.jpg"), grey, W, H, 1, 95);
    assert_ok(nnc_image_load(scratch_path("ramp.jpg"), W, H, NNC_INVERT_NO, 0, out));
    for (int i = 0; i < W * H; i++)
        if (fabsf(out[i] * 256.0f - grey[i]) > 3.0f)
            fail_msg("ramp.jpg pixel %d: %.1f, written %d", i, out[i] * 256.0f, grey[i]);
    write_jpeg(scratch_path("colour.jpg"), rgb, W, H, 3, 95);
    assert_ok(nnc_image_load(scratch_path("colour.jpg"), W, H, NNC_INVERT_NO, 0, out));
    for (int i = 0; i < W * H; i++) {   /* luma, as ITU-R BT.601 weighs the channels */
        double luma = 0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2];
        if (fabs(out[i] * 256.0 - luma) > 4.0)
            fail_msg("colour.jpg pixel %d: %.1f, luma written %.1f", i, out[i] * 256.0, luma);
    }
    /* half the file: the end comes early */
    FILE *f = fopen(scratch_path("ramp.jpg"), "rb");
    assert_non_null(f);
    static uint8_t bytes[65536];
    size_t n = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    write_text(scratch_path("half.jpg"), (const char *)bytes, n / 2);
    expect_refused("half.jpg", "half.jpg: corrupt or unsupported JPEG");
    /* the frame header (SOF0: FF C0, length, precision, height, width) made to
     * promise 16000 x 16000 pixels in a file of a few hundred bytes */
    size_t sof = 0;
    for (size_t i = 2; i + 9 < n && !sof; i++)
        if (bytes[i] == 0xFF && bytes[i + 1] == 0xC0)
            sof = i;
    assert_true(sof > 0);
    memcpy(bytes + sof + 5, "\x3e\x80\x3e\x80", 4);
    write_text(scratch_path("huge.jpg"), (const char *)bytes, n);
    expect_refused("huge.jpg", "promises 16000 x 16000 pixels");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(image_headers_are_checked_against_the_file),
    cmocka_unit_test(reads_pgm_ascii_and_binary),
    cmocka_unit_test(reads_jpeg_and_refuses_broken_ones),
    cmocka_unit_test(png_scaling_inversion_and_corruption),
    cmocka_unit_test(pixels_prepare_as_their_png_does),
    cmocka_unit_test(centring_puts_the_mass_in_the_middle),
    cmocka_unit_test(png_of_a_test_image_predicts_like_the_image),
    cmocka_unit_test(noisy_photos_predict_like_the_clean_digits),
};
TEST_GROUP(image_tests, "image", tests);
