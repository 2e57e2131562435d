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

/* Makes net one of side x side pixel images: what a recipe gives a network
 * trained on an image format (these are too small for the pixel rows' rule). */
static void declare_image(nnc_net *net, size_t side)
{
    nnc_data_origin o = {0};
    o.image_width = o.image_height = side;
    assert_ok(nnc_net_set_origin(net, &o));
    nnc_net_set_pixel_inputs(net, 1);
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
    declare_image(net, 4);
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
    /* nor has a table's model whose input count is a square: its columns are no image */
    write_file("four.csv", "a,b,c,d,fruit\n1,2,3,4,apple\n4,3,2,1,pear\n");
    assert_int_equal(run_command("nnc train --data test-scratch/four.csv --label fruit "
                                 "--epochs 1 --save test-scratch/fruit.nnc", out, sizeof out), 0);
    assert_int_equal(run_command("nnc show test-scratch/fruit.nnc --weights -o "
                                 "test-scratch/fruit.png", out, sizeof out), 1);
    assert_non_null(strstr(out, "its 4 inputs are a table's columns, not a square image"));
    assert_int_equal(run_command("nnc predict test-scratch/fruit.nnc test-scratch/err.png",
                                 out, sizeof out), 1);
    assert_non_null(strstr(out, "takes a table's rows of 4 columns (a, ...), not an image"));
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
    declare_image(net, 4);
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
    /* the curves from the model's history: test accuracy, training cost, and
     * the training accuracy from the running figures, which every run keeps */
    int curves = 0;
    for (const char *p = strstr(page, "<polyline"); p; p = strstr(p + 1, "<polyline"), curves++) {
        const char *at = strstr(p, "points=\"") + 8;
        int points = 1;
        for (; *at != '"'; at++)
            points += *at == ' ';
        assert_int_equal(points, 5);
    }
    assert_int_equal(curves, 3);
    assert_non_null(strstr(page, "training (running, over its batches)"));
    unsigned w, h;   /* the confusion matrix, the weights, the mistakes */
    assert_true(embedded_png_size(page, 0, &w, &h));
    assert_int_equal(w, 70 + 40 * K + 20);
    assert_true(embedded_png_size(page, 1, &w, &h));
    assert_int_equal(w, 30 + 161 + 30);   /* 6 units: 3 columns of 12-pixel tiles, */
    assert_int_equal(h, 2 * (12 + 2) + 2 + 44);   /* narrower than the key under them */
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

/* The report gives eval's per-class precision, recall and F1, and warns,
 * on the page and on stderr, of a --metrics file of another run. */
static void report_gives_f1_and_knows_its_runs(void **state)
{
    (void)state;
    uint8_t px[N * D], labels[N];
    write_squares(px, labels);
    char out[8192];
    assert_int_equal(run_command("nnc train --data test-scratch/squares.csv --layers 16,8,3 "
                                 "--epochs 4 --eta 1 --batch 4 --test test-scratch/squares.csv "
                                 "--metrics test-scratch/own-run.csv --save "
                                 "test-scratch/own.nnc", out, sizeof out), 0);
    /* F1 from the confusion matrix, as the library gives it */
    nnc_net *net;
    nnc_data *d;
    assert_ok(nnc_model_load(scratch_path("own.nnc"), &net));
    assert_ok(nnc_data_from_bytes(px, labels, N, D, &d));
    size_t cm[K * K] = {0};
    assert_ok(nnc_confusion_matrix(net, d, cm));
    nnc_data_free(d);
    nnc_net_free(net);
    assert_int_equal(run_command("nnc report test-scratch/own.nnc --data test-scratch/squares.csv "
                                 "--metrics test-scratch/own-run.csv -o test-scratch/own.html",
                                 out, sizeof out), 0);
    if (strstr(out, "warning"))
        fail_msg("a warning for the model's own run: %s", out);
    char *page = read_text("test-scratch/own.html");
    assert_null(strstr(page, "class=\"warning\""));
    assert_non_null(strstr(page, "<th>F1</th>"));
    char evals[8192];
    assert_int_equal(run_command("nnc eval --data test-scratch/squares.csv test-scratch/own.nnc",
                                 evals, sizeof evals), 0);
    for (size_t c = 0; c < K; c++) {
        size_t row = 0, col = 0;
        for (size_t j = 0; j < K; j++)
            row += cm[c * K + j], col += cm[j * K + c];
        double p = col ? (double)cm[c * K + c] / col : 0, r = row ? (double)cm[c * K + c] / row : 0;
        double f1 = p + r > 0 ? 200 * p * r / (p + r) : 0;
        char want[160], line[64];
        snprintf(want, sizeof want, "<tr><td>%zu</td><td>%.2f%%</td><td>%.2f%%</td><td>%.2f%%"
                 "</td><td>%zu</td></tr>", c, 100 * p, 100 * r, f1, row);
        if (!strstr(page, want))
            fail_msg("the page has no row '%s'", want);
        snprintf(line, sizeof line, "%.2f%%  %7zu\n", f1, row);   /* eval's F1 and count */
        if (!strstr(evals, line))
            fail_msg("eval does not say '%s': %s", line, evals);
    }
    free(page);
    /* other runs: more epochs; as many but another eta; another test result */
    static char other[3][4096];
    snprintf(other[0], sizeof other[0], "epoch,seconds,eta,test_accuracy\n0,0.1,1,0.5\n"
             "1,0.1,1,0.5\n2,0.1,1,0.5\n3,0.1,1,0.5\n4,0.1,1,0.5\n");
    FILE *f = fopen("test-scratch/own-run.csv", "r");
    assert_non_null(f);
    char own[4000];
    own[fread(own, 1, sizeof own - 1, f)] = '\0';
    fclose(f);
    /* the own file with eta 1 made 2 in its last row, and with a test accuracy changed */
    snprintf(other[1], sizeof other[1], "%s", own);
    char *last = strrchr(other[1], '\n');
    *last = '\0';
    last = strrchr(other[1], '\n') + 1;   /* "3,seconds,1,..." */
    char *eta = strchr(strchr(last, ',') + 1, ',') + 1;
    assert_true(eta[0] == '1' && eta[1] == ',');
    eta[0] = '2';
    strcat(other[1], "\n");
    snprintf(other[2], sizeof other[2], "%s", own);
    int column = 0;   /* test_accuracy's place in the header */
    for (const char *c = own; c < strstr(own, "test_accuracy"); c++)
        column += *c == ',';
    last = strrchr(other[2], '\n');
    *last = '\0';
    last = strrchr(other[2], '\n') + 1;   /* the last row, then its test accuracy */
    for (int c = 0; c < column; c++)
        last = strchr(last, ',') + 1;
    char rest[256];
    snprintf(rest, sizeof rest, "%s", strchr(last, ','));
    snprintf(last, sizeof other[2] - (size_t)(last - other[2]), "0.123%s\n", rest);
    static const char *const says[3] = {"its 5 epochs are not the 4 of the model's history",
                                        "epoch 3: eta 2, the model's history says 1",
                                        "epoch 3: test accuracy 0.123, the model's history"};
    for (int i = 0; i < 3; i++) {
        write_file("other-run.csv", other[i]);
        assert_int_equal(run_command("nnc report test-scratch/own.nnc --data "
                                     "test-scratch/squares.csv --metrics test-scratch/own-run.csv "
                                     "--metrics test-scratch/other-run.csv -o "
                                     "test-scratch/other.html", out, sizeof out),
                         0);
        if (!strstr(out, "warning: test-scratch/other-run.csv is not test-scratch/own.nnc's run") ||
            !strstr(out, says[i]) || strstr(out, "own-run.csv is not"))
            fail_msg("stderr: %s (expected '%s')", out, says[i]);
        page = read_text("test-scratch/other.html");
        const char *w = strstr(page, "<p class=\"warning\">");
        if (!w || !strstr(w, "other-run.csv is not this model's run") || !strstr(w, says[i]))
            fail_msg("no warning on the page for '%s'", says[i]);
        assert_null(strstr(w + 1, "<p class=\"warning\">"));   /* the own run is not warned of */
        free(page);
        /* plot warns as well, when told the model */
        assert_int_equal(run_command("nnc plot test-scratch/own-run.csv test-scratch/other-run.csv "
                                     "--model test-scratch/own.nnc -o test-scratch/other.svg",
                                     out, sizeof out), 0);
        if (!strstr(out, "plot: warning: test-scratch/other-run.csv is not "
                         "test-scratch/own.nnc's run") || !strstr(out, says[i]) ||
            strstr(out, "own-run.csv is not"))
            fail_msg("plot's stderr: %s (expected '%s')", out, says[i]);
    }
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

/* The panels of a curves SVG (their frames) and its texts, parsed. */
typedef struct {
    double x, y;
    char   anchor[8], text[64];
} svg_text;

static int svg_panels(const char *svg, double (*panel)[4], int cap)
{
    int n = 0;
    for (const char *p = strstr(svg, "<rect x="); p && n < cap; p = strstr(p + 1, "<rect x=")) {
        const char *frame = strstr(p, "fill=\"none\" stroke=\"#444444\"");
        if (frame && frame < strstr(p, "/>") &&
            sscanf(p, "<rect x=\"%lf\" y=\"%lf\" width=\"%lf\" height=\"%lf\"", &panel[n][0],
                   &panel[n][1], &panel[n][2], &panel[n][3]) == 4)
            n++;
    }
    return n;
}

static int svg_texts(const char *svg, svg_text *t, int cap)
{
    int n = 0;
    for (const char *p = strstr(svg, "<text "); p && n < cap; p = strstr(p + 1, "<text ")) {
        if (sscanf(p, "<text x=\"%lf\" y=\"%lf\" font-size=\"%*[0-9.]\" text-anchor=\"%7[a-z]\""
                      " fill=\"#%*[0-9a-f]\">%63[^<]", &t[n].x, &t[n].y, t[n].anchor,
                   t[n].text) == 4)
            n++;
    }
    return n;
}

static char *plot_svg(const char *csv, const char *svg_name)
{
    char cmd[512], out[4096];
    snprintf(cmd, sizeof cmd, "nnc plot test-scratch/%s -o test-scratch/%s", csv, svg_name);
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
    snprintf(cmd, sizeof cmd, "test-scratch/%s", svg_name);
    return read_text(cmd);
}

/* Every tick label lies within its panel: epochs under it, values beside
 * it; the accuracy reads as percentages, in the SVG and the PNG alike. */
static void ticks_lie_within_the_panels(void **state)
{
    (void)state;
    static char csv[4096];
    for (int epochs = 1; epochs <= 30; epochs += epochs < 12 ? 1 : 7) {
        int len = snprintf(csv, sizeof csv,
                           "epoch,seconds,eta,train_cost,valid_accuracy,test_accuracy\n");
        for (int e = 0; e < epochs; e++)
            len += snprintf(csv + len, sizeof csv - (size_t)len, "%d,0.1,3,%.4f,%.4f,%.4f\n", e,
                            0.5 / (e + 1), 0.9 + 0.004 * e, 0.89 + 0.003 * e);
        write_file("ticks.csv", csv);
        char *svg = plot_svg("ticks.csv", "ticks.svg");
        double panel[4][4];
        svg_text text[200];
        assert_int_equal(svg_panels(svg, panel, 4), 2);
        int n = svg_texts(svg, text, 200), epoch_ticks = 0, percents = 0;
        for (int p = 0; p < 2; p++) {
            double x0 = panel[p][0], y0 = panel[p][1], w = panel[p][2], h = panel[p][3];
            double top = -1, bottom = 1e9;
            for (int i = 0; i < n; i++) {
                const svg_text *t = &text[i];
                if (!strcmp(t->anchor, "middle") && t->y > y0 + h && t->y < y0 + h + 25 &&
                    t->x > x0 - 40 && t->x < x0 + w + 40) {   /* an epoch under the panel */
                    if (t->x < x0 - 0.05 || t->x > x0 + w + 0.05)
                        fail_msg("%d epochs: the tick '%s' at x %.1f is outside the panel "
                                 "[%.1f, %.1f]", epochs, t->text, t->x, x0, x0 + w);
                    epoch_ticks++;
                } else if (!strcmp(t->anchor, "end") && fabs(t->x - (x0 - 6)) < 0.05) {
                    double at = t->y - 4;   /* the baseline is 4 below the tick */
                    if (at < y0 - 0.05 || at > y0 + h + 0.05)
                        fail_msg("%d epochs: the tick '%s' at y %.1f is outside the panel "
                                 "[%.1f, %.1f]", epochs, t->text, at, y0, y0 + h);
                    if (p == 0) {   /* accuracy: "95%", never "0.95" */
                        double v;
                        char rest[8] = "";
                        if (sscanf(t->text, "%lf%7s", &v, rest) != 2 || strcmp(rest, "%") ||
                            v < 50 || v > 100)
                            fail_msg("%d epochs: accuracy tick '%s'", epochs, t->text);
                        top = fmax(top, v), bottom = fmin(bottom, v);
                        percents++;
                    } else if (strchr(t->text, '%')) {
                        fail_msg("a cost tick in percent: '%s'", t->text);
                    }
                }
            }
            if (p == 0 && (top < 100 * (0.9 + 0.004 * (epochs - 1)) - 1e-9 || bottom > 89))
                fail_msg("%d epochs: the accuracy ticks %g%%..%g%% do not span the curves",
                         epochs, bottom, top);
        }
        assert_true(epoch_ticks >= 4);
        assert_true(percents >= 3);
        free(svg);
    }
    /* 10 epochs, 0 to 9, ticks every 2: none at 10, past the first panel's edge
     * (a PNG: nothing drawn between the panels under their frames) */
    int len = snprintf(csv, sizeof csv, "epoch,seconds,eta,train_accuracy\n");
    for (int e = 0; e < 10; e++)
        len += snprintf(csv + len, sizeof csv - (size_t)len, "%d,0.1,3,%.3f\n", e, 0.5 + e * 0.04);
    write_file("ticks10.csv", csv);
    char out[4096];
    assert_int_equal(run_command("nnc plot test-scratch/ticks10.csv -o test-scratch/ticks10.png",
                                 out, sizeof out), 0);
    unsigned w, h;
    unsigned char *rgb = read_png_rgb("test-scratch/ticks10.png", &w, &h);
    for (unsigned y = 40 + 300 + 6; y < 40 + 300 + 24; y++)
        for (unsigned x = 60 + 400 + 8; x < 520 - 4; x++) {
            const unsigned char *p = rgb + ((size_t)y * w + x) * 3;
            if (p[0] < 200 || p[1] < 200 || p[2] < 200)
                fail_msg("ink at (%u, %u) between the panels, under their frames", x, y);
        }
    free(rgb);
}

static int ascending_floats(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
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
    float W_copy[16 * 6];
    memcpy(W_copy, W, sizeof W_copy);
    declare_image(net, 4);
    assert_ok(nnc_model_save(net, scratch_path("sheet.nnc")));
    nnc_net_free(net);
    char out[4096];
    assert_int_equal(run_command("nnc show test-scratch/sheet.nnc --weights "
                                 "-o test-scratch/sheet.png", out, sizeof out), 0);
    /* the scale: the 99th percentile of the weights' sizes, as the key says */
    float size[16 * 6];
    for (int i = 0; i < 16 * 6; i++)
        size[i] = fabsf(W_copy[i]);
    qsort(size, 16 * 6, sizeof *size, ascending_floats);
    char want[128];
    double s = size[(16 * 6 - 1) * 99 / 100];
    snprintf(want, sizeof want, "colour key: -%.3g blue, 0 white, +%.3g red", s, s);
    if (!strstr(out, want))
        fail_msg("show --weights printed '%s', expected '%s'", out, want);
    unsigned w, h;
    unsigned char *rgb = read_png_rgb("test-scratch/sheet.png", &w, &h);
    /* 3 columns and 2 rows of 12-pixel tiles (4 weights x 3), 2 pixels apart,
     * and 44 pixels of key under them, as wide as the key needs */
    unsigned sheet_h = 2 * (12 + 2) + 2;
    assert_int_equal(w, 30 + 161 + 30);
    assert_int_equal(h, sheet_h + 44);
    const unsigned char *red = rgb + ((2 + 14 + 3) * w + 2 + 14 + 3) * 3;
    const unsigned char *blue = rgb + (2 * w + 2) * 3;
    assert_true(red[0] == 255 && red[1] == 0 && red[2] == 0);
    assert_true(blue[0] == 0 && blue[1] == 0 && blue[2] == 255);
    /* the tiles: each weight's colour on the scale */
    for (int j = 0; j < 6; j++)
        for (int p = 0; p < 16; p++) {
            double v = W_copy[p * 6 + j] / s;
            v = v < -1 ? -1 : v > 1 ? 1 : v;
            int fade = (int)lrint(255 * (1 - fabs(v)));
            const unsigned char *px =
                rgb + ((2 + (j / 3) * 14 + (p / 4) * 3 + 1) * w + 2 + (j % 3) * 14 + (p % 4) * 3 + 1) * 3;
            if (abs(px[0] - (v < 0 ? fade : 255)) > 1 || abs(px[1] - fade) > 1 ||
                abs(px[2] - (v > 0 ? fade : 255)) > 1)
                fail_msg("unit %d pixel %d: weight %g drawn %d %d %d", j, p, W_copy[p * 6 + j],
                         px[0], px[1], px[2]);
        }
    /* the key: a row under the sheet running from pure blue through white to
     * pure red, each pixel the colour of its value on the scale */
    int found = 0;
    for (unsigned y = sheet_h; y < h && !found; y++) {
        const unsigned char *row = rgb + (size_t)y * w * 3;
        unsigned first = w, last = 0;
        for (unsigned x = 0; x < w; x++) {
            const unsigned char *px = row + 3 * x;
            if (first == w && px[0] == 0 && px[1] == 0 && px[2] == 255)
                first = x;
            if (px[0] == 255 && px[1] == 0 && px[2] == 0)
                last = x;
        }
        if (first == w || last <= first + 10)
            continue;
        found = 1;
        for (unsigned x = first; x <= last; x++) {
            double v = -1 + 2.0 * (x - first) / (last - first);
            int fade = (int)lrint(255 * (1 - fabs(v)));
            const unsigned char *px = row + 3 * x;
            if (abs(px[0] - (v < 0 ? fade : 255)) > 2 || abs(px[1] - fade) > 2 ||
                abs(px[2] - (v > 0 ? fade : 255)) > 2)
                fail_msg("the key at %u (value %.3f): %d %d %d", x, v * s, px[0], px[1], px[2]);
        }
        const unsigned char *mid = row + 3 * ((first + last) / 2);
        assert_true(mid[0] == 255 && mid[1] == 255 && mid[2] == 255);
        /* the key's values are written under the bar, at its ends and middle */
        for (unsigned x0 = first, k = 0; k < 3; k++, x0 = k == 1 ? (first + last) / 2 : last) {
            int ink = 0;
            for (unsigned yy = y + 12; yy < h; yy++)
                for (unsigned xx = x0 > 4 ? x0 - 4 : 0; xx < x0 + 4 && xx < w; xx++)
                    ink |= rgb[((size_t)yy * w + xx) * 3] < 128;
            if (!ink)
                fail_msg("no value written under the key at x %u", x0);
        }
    }
    if (!found)
        fail_msg("no colour key under the sheet");
    free(rgb);
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
    cmocka_unit_test(ticks_lie_within_the_panels),
    cmocka_unit_test(report_gives_f1_and_knows_its_runs),
};
TEST_GROUP(pictures_tests, "pictures", tests);
