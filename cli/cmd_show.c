/* cmd_show.c — `nnc show MODEL --weights -o w.png`: what the first hidden
 * layer learned, each unit's incoming weights as a tile shaped like the input
 * image, on one colour scale for the whole sheet. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define ZOOM 3   /* pixels per weight */
#define GAP 2    /* pixels between tiles */

/* A diverging map: -1 blue, 0 white, +1 red. */
static void colour(float v, unsigned char *rgb)
{
    v = v < -1.0f ? -1.0f : v > 1.0f ? 1.0f : v;
    unsigned char fade = (unsigned char)lrintf(255.0f * (1.0f - fabsf(v)));
    rgb[0] = v < 0 ? fade : 255;
    rgb[1] = fade;
    rgb[2] = v > 0 ? fade : 255;
}

static int show_weights(nnc_net *net, const char *model, const char *output)
{
    size_t n_in = nnc_net_inputs(net), units = nnc_net_size(net, 1);
    size_t side = (size_t)llround(sqrt((double)n_in));
    if (side * side != n_in) {
        cli_error("%s: the network takes %zu inputs, not a square image, so its weights "
                  "have no picture", model, n_in);
        return 0;
    }
    const float *W = nnc_net_weights(net, 1);   /* n_in x units: column j is unit j's */
    float scale = 0.0f;   /* one scale for the sheet: its largest weight */
    for (size_t i = 0; i < n_in * units; i++)
        scale = fabsf(W[i]) > scale ? fabsf(W[i]) : scale;
    size_t cols = (size_t)ceil(sqrt((double)units)), rows = (units + cols - 1) / cols;
    size_t tile = side * ZOOM, width = cols * (tile + GAP) + GAP,
           height = rows * (tile + GAP) + GAP;
    unsigned char *rgb = malloc(width * height * 3);
    if (!rgb) {
        cli_error("out of memory for a %zu x %zu picture", width, height);
        return 0;
    }
    memset(rgb, 128, width * height * 3);   /* grey between the tiles */
    for (size_t j = 0; j < units; j++) {
        size_t x0 = GAP + (j % cols) * (tile + GAP), y0 = GAP + (j / cols) * (tile + GAP);
        for (size_t y = 0; y < tile; y++)
            for (size_t x = 0; x < tile; x++) {
                float w = W[((y / ZOOM) * side + x / ZOOM) * units + j];
                colour(scale > 0 ? w / scale : 0.0f, rgb + ((y0 + y) * width + x0 + x) * 3);
            }
    }
    int ok = cli_write_png(output, width, height, rgb);
    free(rgb);
    if (ok)
        printf("%s: %zu units of layer 1 as %zux%zu tiles, colour scale +-%.3g (red "
               "positive, blue negative)\n", output, units, side, side, scale);
    return ok;
}

static void usage(FILE *out)
{
    fputs("usage: nnc show MODEL --weights -o PICTURE.png\n"
          "\n"
          "Draws what a network learned. --weights: every unit of the first hidden\n"
          "layer as a tile of its incoming weights, shaped like the input image, red\n"
          "positive and blue negative on one scale for the whole sheet.\n"
          "  -w, --weights      the first layer's weights\n"
          "  -o, --output FILE  the picture to write (.png)\n",
          out);
}

int cmd_show(int argc, char **argv)
{
    static const struct option longopts[] = {{"weights", no_argument, NULL, 'w'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *output = NULL;
    int weights = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "wo:h", longopts, NULL)) != -1) {
        if (c == 'w') {
            weights = 1;
        } else if (c == 'o') {
            output = optarg;
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            cli_bad_option("show", argv[optind - 1], longopts);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1 || !output || !weights) {
        cli_error("show: expects MODEL --weights -o FILE.png; try 'nnc show --help'");
        return EXIT_USAGE;
    }
    if (!cli_ends_with(output, ".png")) {
        cli_error("show: %s: only .png pictures are written", output);
        return EXIT_USAGE;
    }
    nnc_net *net = cli_load_model(argv[optind]);
    if (!net)
        return 1;
    int ok = show_weights(net, argv[optind], output);
    nnc_net_free(net);
    return ok ? 0 : 1;
}
