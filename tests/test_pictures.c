/* test_pictures.c — nnc plot: learning curves as well-formed SVG, a polyline
 * per curve with a point per epoch, or a PNG of the documented size in the
 * runs' colours; bad metrics files refused by line. nnc show: --weights a PNG
 * whose colours are the weights on one scale, --errors as many tiles as
 * mistakes, --confusion cells shaded by the matrix the network gives.
 * nnc report: well-formed, self-contained, the network's own numbers. */
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(scratch_path(name), "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void curves_are_polylines_with_a_point_per_epoch(void **state)
{
    (void)state;
    write_file("run-a.csv", "epoch,seconds,eta,train_cost,valid_accuracy,test_accuracy\n"
                            "0,0.1,3,0.5,0.90,0.89\n1,0.1,3,0.4,0.92,0.91\n"
                            "2,0.1,3,0.35,0.93,0.925\n3,0.1,3,0.3,0.94,0.93\n");
    write_file("run-b.csv", "epoch,seconds,eta,test_accuracy\n0,0.2,0.5,0.8\n1,0.2,0.5,0.85\n");
    char out[4096];
    assert_int_equal(run_command("nnc plot test-scratch/run-a.csv test-scratch/run-b.csv "
                                 "-o test-scratch/curves.svg", out, sizeof out), 0);
    if (run_command("xmllint --version", out, sizeof out) == 0)
        if (run_command("xmllint --noout test-scratch/curves.svg", out, sizeof out) != 0)
            fail_msg("not well-formed XML: %s", out);
    FILE *f = fopen(scratch_path("curves.svg"), "r");
    assert_non_null(f);
    static char svg[1 << 16];
    size_t len = fread(svg, 1, sizeof svg - 1, f);
    svg[len] = '\0';
    fclose(f);
    /* run a: three curves of 4 epochs; run b: one of 2 */
    int curves = 0, points[8];
    for (const char *p = strstr(svg, "<polyline"); p; p = strstr(p + 1, "<polyline")) {
        const char *at = strstr(p, "points=\"");
        assert_non_null(at);
        int n = 1;
        for (at += 8; *at != '"'; at++)
            n += *at == ' ';
        assert_true(curves < 8);
        points[curves++] = n;
    }
    assert_int_equal(curves, 4);
    assert_int_equal(points[0], 4);
    assert_int_equal(points[1], 4);
    assert_int_equal(points[2], 2);   /* the accuracy panel draws run a, then b */
    assert_int_equal(points[3], 4);   /* the cost panel: run a's training cost */
    assert_non_null(strstr(svg, "test-scratch/run-b.csv"));   /* the legend names runs */
    assert_non_null(strstr(svg, ">epoch<"));
}

/* Decodes a PNG as RGB into a malloc'd buffer; the size in *w, *h. */
static unsigned char *read_png_rgb(const char *path, unsigned *w, unsigned *h)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path))
        fail_msg("%s does not decode as PNG: %s", path, img.message);
    img.format = PNG_FORMAT_RGB;
    unsigned char *rgb = malloc(PNG_IMAGE_SIZE(img));
    assert_non_null(rgb);
    assert_true(png_image_finish_read(&img, NULL, rgb, 0, NULL));
    *w = img.width, *h = img.height;
    return rgb;
}

static int has_colour(const unsigned char *rgb, unsigned w, unsigned h, uint32_t colour)
{
    for (size_t i = 0; i < (size_t)w * h; i++)
        if (((uint32_t)rgb[3 * i] << 16 | (uint32_t)rgb[3 * i + 1] << 8 | rgb[3 * i + 2]) ==
            colour)
            return 1;
    return 0;
}

static void curves_as_png_in_the_runs_colours(void **state)
{
    (void)state;
    write_file("run-c.csv", "epoch,seconds,eta,train_accuracy\n0,0.1,3,0.5\n1,0.1,3,0.7\n");
    write_file("run-d.csv", "epoch,seconds,eta,train_accuracy\n0,0.1,3,0.6\n1,0.1,3,0.65\n");
    char out[4096];
    assert_int_equal(run_command("nnc plot test-scratch/run-c.csv test-scratch/run-d.csv "
                                 "-o test-scratch/curves.png", out, sizeof out), 0);
    unsigned w, h;
    unsigned char *rgb = read_png_rgb("test-scratch/curves.png", &w, &h);
    assert_int_equal(w, 940);
    assert_int_equal(h, 430 + 20 * 2);
    assert_true(has_colour(rgb, w, h, 0x1f77b4));   /* the first run's blue */
    assert_true(has_colour(rgb, w, h, 0xd62728));   /* the second's red */
    free(rgb);
    assert_int_equal(run_command("nnc plot test-scratch/run-c.csv -o test-scratch/c.gif", out,
                                 sizeof out), 2);
}

enum { N = 40, D = 16, K = 3 };

/* A 4 x 4 "image" CSV of 40 samples of 3 classes, class c brighter in row c
 * with noise that makes it hard. */
static void write_squares(uint8_t *px, uint8_t *labels)
{
    FILE *f = fopen(scratch_path("squares.csv"), "w");
    assert_non_null(f);
    uint64_t r = 12345;
    for (int i = 0; i < N; i++) {
        labels[i] = (uint8_t)(i % K);
        fprintf(f, "%d", labels[i]);
        for (int j = 0; j < D; j++) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            px[i * D + j] = (uint8_t)((r >> 33) % 160 + (j / 4 == labels[i] ? 60 : 0));
            fprintf(f, ",%d", px[i * D + j]);
        }
        fputc('\n', f);
    }
    fclose(f);
}

/* Pictures of a 16-6-3 network's mistakes and confusion matrix on the
 * squares, checked against its answers worked out here. */
static void errors_and_confusion_are_the_networks(void **state)
{
    (void)state;
    uint8_t px[N * D], labels[N];
    write_squares(px, labels);
    const size_t sizes[] = {D, 6, K};
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 3, 3, &net));
    assert_ok(nnc_model_save(net, scratch_path("squares.nnc")));
    /* what the network answers, worked out here */
    size_t wrong = 0, cm[K * K] = {0};
    for (int i = 0; i < N; i++) {
        float x[D], y[K];
        for (int j = 0; j < D; j++)
            x[j] = px[i * D + j] / 256.0f;   /* byte data as nnc scales it */
        assert_ok(nnc_feedforward(net, x, 1, y));
        size_t best = 0;
        for (size_t j = 1; j < K; j++)
            best = y[j] > y[best] ? j : best;
        wrong += best != labels[i];
        cm[labels[i] * K + best]++;
    }
    nnc_net_free(net);
    assert_true(wrong > 0);
    char out[4096], want[128];
    assert_int_equal(run_command("nnc show test-scratch/squares.nnc --errors --count 10 "
                                 "--data test-scratch/squares.csv -o test-scratch/err.png",
                                 out, sizeof out), 0);
    snprintf(want, sizeof want, "%zu of %d samples", wrong, N);
    if (!strstr(out, want))
        fail_msg("show --errors printed '%s', expected '%s'", out, want);
    unsigned w, h;
    unsigned char *rgb = read_png_rgb("test-scratch/err.png", &w, &h);
    size_t shown = wrong < 10 ? wrong : 10, cols = shown < 8 ? shown : 8;
    assert_int_equal(w, cols * (4 * 3 + 16) + 8);   /* 3 pixels per input, 16 between */
    assert_int_equal(h, (shown + cols - 1) / cols * (4 * 3 + 16 + 8) + 30);
    free(rgb);

    assert_int_equal(run_command("nnc show test-scratch/squares.nnc --confusion "
                                 "--data test-scratch/squares.csv -o test-scratch/cm.png",
                                 out, sizeof out), 0);
    rgb = read_png_rgb("test-scratch/cm.png", &w, &h);
    assert_int_equal(w, 70 + 40 * K + 20);   /* 40-pixel cells after a 70-pixel margin */
    assert_int_equal(h, 60 + 40 * K + 20);
    for (size_t i = 0; i < K; i++) {
        size_t row = cm[i * K] + cm[i * K + 1] + cm[i * K + 2];
        for (size_t j = 0; j < K; j++) {   /* a cell's corner: its shade, no digits */
            double s = sqrt((double)cm[i * K + j] / (double)row);
            const unsigned char *p = rgb + ((60 + 40 * i + 4) * w + 70 + 40 * j + 4) * 3;
            if (abs(p[0] - (int)lround(255 - s * 247)) > 1 ||
                abs(p[1] - (int)lround(255 - s * 207)) > 1 ||
                abs(p[2] - (int)lround(255 - s * 148)) > 1)
                fail_msg("cell (%zu, %zu) of %zu / %zu: colour %d %d %d", i, j,
                         cm[i * K + j], row, p[0], p[1], p[2]);
        }
    }
    free(rgb);
    /* inputs that are not a square image have no picture */
    write_file("five.csv", "1,1,2,3,4,5\n0,5,4,3,2,1\n");
    const size_t five[] = {5, 3, 2};
    assert_ok(nnc_net_create(five, 3, 1, &net));
    assert_ok(nnc_model_save(net, scratch_path("five.nnc")));
    nnc_net_free(net);
    assert_int_equal(run_command("nnc show test-scratch/five.nnc --errors --data "
                                 "test-scratch/five.csv -o test-scratch/five.png", out,
                                 sizeof out), 1);
    assert_non_null(strstr(out, "not a square image"));
    assert_int_equal(access("test-scratch/five.png", F_OK), -1);
}

/* The PNG inside the n-th data: URL of a page, decoded; its size in *w, *h. */
static int embedded_png_size(const char *page, int nth, unsigned *w, unsigned *h)
{
    const char *at = page;
    for (int i = 0; i <= nth; i++)
        if (!(at = strstr(at + (i ? 1 : 0), "data:image/png;base64,")))
            return 0;
    at += strlen("data:image/png;base64,");
    static unsigned char png[1 << 20];
    size_t n = 0;
    unsigned bits = 0, have = 0;
    for (; *at != '"' && n < sizeof png; at++) {
        const char *digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *d = strchr(digits, *at);
        if (*at == '=')
            break;
        assert_non_null(d);
        bits = bits << 6 | (unsigned)(d - digits), have += 6;
        if (have >= 8)
            png[n++] = (unsigned char)(bits >> (have -= 8));
    }
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, png, n))
        return 0;
    *w = img.width, *h = img.height;
    png_image_free(&img);
    return 1;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *text = malloc((size_t)len + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
    text[len] = '\0';
    fclose(f);
    return text;
}

/* Every src= and href= is a data: URL or a fragment; no scripts or links. */
static void assert_self_contained(const char *page)
{
    static const char *const attrs[] = {"src=\"", "href=\""};
    for (int a = 0; a < 2; a++)
        for (const char *p = strstr(page, attrs[a]); p; p = strstr(p + 1, attrs[a])) {
            const char *v = p + strlen(attrs[a]);
            if (strncmp(v, "data:", 5) != 0 && *v != '#')
                fail_msg("the page refers to '%.40s'", v);
        }
    assert_null(strstr(page, "<script"));
    assert_null(strstr(page, "<link"));
    assert_null(strstr(page, "url("));
}

static void report_is_one_self_contained_page(void **state)
{
    (void)state;
    uint8_t px[N * D], labels[N];
    write_squares(px, labels);
    nnc_data *d;
    assert_ok(nnc_data_from_bytes(px, labels, N, D, &d));
    const size_t sizes[] = {D, 6, K};
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 3, 3, &net));
    nnc_train_opts o;
    nnc_train_opts_init(&o);
    o.epochs = 5, o.eta = 1.0f, o.batch_size = 4, o.test = d;
    o.monitor = NNC_MONITOR_TEST_ACCURACY | NNC_MONITOR_TRAIN_COST;
    assert_ok(nnc_train(net, d, &o, NULL));
    size_t correct;
    assert_ok(nnc_measure_data(net, d, &correct, NULL));
    assert_ok(nnc_model_save(net, scratch_path("trained-squares.nnc")));
    nnc_net_free(net);
    nnc_data_free(d);
    char out[4096], want[64];
    assert_int_equal(run_command("nnc report test-scratch/trained-squares.nnc --data "
                                 "test-scratch/squares.csv -o test-scratch/report.html",
                                 out, sizeof out), 0);
    if (run_command("xmllint --version", out, sizeof out) == 0)
        if (run_command("xmllint --noout test-scratch/report.html", out, sizeof out) != 0)
            fail_msg("not well-formed: %s", out);
    char *page = read_text("test-scratch/report.html");
    assert_self_contained(page);
    snprintf(want, sizeof want, "%zu / %d (", correct, N);
    if (!strstr(page, want))
        fail_msg("the page does not give the accuracy '%s'", want);
    /* the curves from the model's history: test accuracy and training cost */
    int curves = 0;
    for (const char *p = strstr(page, "<polyline"); p; p = strstr(p + 1, "<polyline"), curves++) {
        const char *at = strstr(p, "points=\"") + 8;
        int points = 1;
        for (; *at != '"'; at++)
            points += *at == ' ';
        assert_int_equal(points, 5);
    }
    assert_int_equal(curves, 2);
    unsigned w, h;   /* the confusion matrix, the weights, the mistakes */
    assert_true(embedded_png_size(page, 0, &w, &h));
    assert_int_equal(w, 70 + 40 * K + 20);
    assert_true(embedded_png_size(page, 1, &w, &h));
    assert_int_equal(w, 3 * (12 + 2) + 2);   /* 6 units: 3 columns of 12-pixel tiles */
    assert_true(embedded_png_size(page, 2, &w, &h));
    assert_false(embedded_png_size(page, 3, &w, &h));
    free(page);
    /* bad requests leave no file */
    assert_int_equal(run_command("nnc report test-scratch/trained-squares.nnc --data "
                                 "test-scratch/squares.csv -o test-scratch/r.txt", out,
                                 sizeof out), 2);
    assert_int_equal(run_command("nnc report test-scratch/trained-squares.nnc --data "
                                 "test-scratch/none.csv -o test-scratch/r2.html", out,
                                 sizeof out), 1);
    assert_non_null(strstr(out, "none.csv"));
    assert_int_equal(access("test-scratch/r2.html", F_OK), -1);
}

static void bad_metrics_files_are_refused(void **state)
{
    (void)state;
    char out[4096];
    write_file("not-metrics.csv", "a,b,c\n1,2,3\n");
    assert_int_equal(run_command("nnc plot test-scratch/not-metrics.csv -o test-scratch/x.svg",
                                 out, sizeof out), 1);
    assert_non_null(strstr(out, "not a metrics file"));
    write_file("broken.csv", "epoch,seconds,eta,train_cost\n0,0.1,3,0.5\n1,x,3,0.4\n");
    assert_int_equal(run_command("nnc plot test-scratch/broken.csv -o test-scratch/x.svg", out,
                                 sizeof out), 1);
    assert_non_null(strstr(out, "broken.csv: line 3"));
    assert_int_equal(run_command("nnc plot test-scratch/broken.csv", out, sizeof out), 2);
}

static void weights_sheet_is_a_png_of_the_weights(void **state)
{
    (void)state;
    const size_t sizes[] = {16, 6, 3};   /* 4 x 4 tiles, 3 x 2 of them */
    nnc_net *net;
    assert_ok(nnc_net_create(sizes, 3, 7, &net));
    float *W = nnc_net_weights(net, 1);
    W[5 * 6 + 4] = 10.0f;    /* unit 4, pixel (1, 1): the sheet's largest: pure red */
    W[0 * 6 + 0] = -10.0f;   /* unit 0, pixel (0, 0): pure blue */
    assert_ok(nnc_model_save(net, scratch_path("sheet.nnc")));
    nnc_net_free(net);
    char out[4096];
    assert_int_equal(run_command("nnc show test-scratch/sheet.nnc --weights "
                                 "-o test-scratch/sheet.png", out, sizeof out), 0);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&img, "test-scratch/sheet.png"));
    img.format = PNG_FORMAT_RGB;
    /* 3 columns and 2 rows of 12-pixel tiles (4 weights x 3), 2 pixels apart */
    assert_int_equal(img.width, 3 * (12 + 2) + 2);
    assert_int_equal(img.height, 2 * (12 + 2) + 2);
    static unsigned char rgb[64 * 64 * 3];
    assert_true(png_image_finish_read(&img, NULL, rgb, 0, NULL));
    const unsigned char *red = rgb + ((2 + 14 + 3) * img.width + 2 + 14 + 3) * 3;
    const unsigned char *blue = rgb + (2 * img.width + 2) * 3;
    assert_true(red[0] == 255 && red[1] == 0 && red[2] == 0);
    assert_true(blue[0] == 0 && blue[1] == 0 && blue[2] == 255);
    assert_int_equal(run_command("nnc show test-scratch/sheet.nnc --weights -o x.svg", out,
                                 sizeof out), 2);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(weights_sheet_is_a_png_of_the_weights),
    cmocka_unit_test(curves_are_polylines_with_a_point_per_epoch),
    cmocka_unit_test(curves_as_png_in_the_runs_colours),
    cmocka_unit_test(errors_and_confusion_are_the_networks),
    cmocka_unit_test(report_is_one_self_contained_page),
    cmocka_unit_test(bad_metrics_files_are_refused),
};
TEST_GROUP(pictures_tests, "pictures", tests);
