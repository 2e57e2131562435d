/* test_pictures.c — nnc plot: learning curves as well-formed SVG, a polyline
 * per curve with a point per epoch; bad metrics files refused by line.
 * nnc show --weights: a PNG of the documented size whose colours are the
 * weights on one scale. */
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    cmocka_unit_test(bad_metrics_files_are_refused),
};
TEST_GROUP(picture_tests, "pictures", tests);
