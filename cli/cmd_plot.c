/* cmd_plot.c — `nnc plot RUN.csv... -o curves.svg|png`: learning curves of one
 * or more runs from their --metrics files, as SVG written directly (it is
 * text) or as PNG drawn by cairo. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "curves.h"

static void usage(FILE *out)
{
    fputs("usage: nnc plot RUN.csv [RUN2.csv ...] [--model MODEL] -o CURVES.svg|CURVES.png\n"
          "\n"
          "Draws the learning curves of training runs from their --metrics files:\n"
          "accuracy and cost per epoch for training, validation and test (whichever\n"
          "the runs measured), each run in its own colour and named by its file.\n"
          "  -o, --output FILE  the picture to write: .svg, or .png (940 x 430 pixels\n"
          "                     and 20 more per run)\n"
          "  -m, --model MODEL  warn of a run whose epochs, eta or test results are\n"
          "                     not MODEL's history (the run is drawn all the same)\n"
          "  -h, --help         show this help\n",
          out);
}

static int write_picture(const char *path, const curves_run *runs, int n_runs)
{
    int width, height;
    curves_size(n_runs, &width, &height);
    if (cli_ends_with(path, ".png")) {
        canvas *c = canvas_raster(width, height);
        if (!c) {
            cli_error("%s: cannot make a %d x %d picture", path, width, height);
            return 0;
        }
        curves_draw(c, runs, n_runs);
        return canvas_finish(c, path, NULL);
    }
    cli_output out;
    if (!cli_output_open(&out, path))
        return 0;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out.f);
    canvas *c = canvas_svg(out.f, width, height);
    int ok = c != NULL;
    if (c) {
        curves_draw(c, runs, n_runs);
        ok = canvas_finish(c, NULL, NULL);
    }
    return cli_output_commit(&out, ok);
}

int cmd_plot(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {"model", required_argument, NULL, 'm'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *output = NULL, *model = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:m:h", longopts, NULL)) != -1) {
        if (c == 'o') {
            output = optarg;
        } else if (c == 'm') {
            model = optarg;
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            cli_bad_option("plot", argv[optind - 1], longopts);
            return EXIT_USAGE;
        }
    }
    int n_runs = argc - optind;
    if (!output || n_runs < 1 || n_runs > CURVES_MAX_RUNS) {
        cli_error("plot: expects 1 to %d metrics files and -o FILE.svg or FILE.png; try 'nnc "
                  "plot --help'", CURVES_MAX_RUNS);
        return EXIT_USAGE;
    }
    if (!cli_ends_with(output, ".svg") && !cli_ends_with(output, ".png")) {
        cli_error("plot: %s: the picture is written as .svg or .png", output);
        return EXIT_USAGE;
    }
    curves_run runs[CURVES_MAX_RUNS];
    int loaded = 0, ok = 1;
    while (loaded < n_runs && ok)
        if ((ok = curves_read(argv[optind + loaded], &runs[loaded])))
            loaded++;
    nnc_net *net = ok && model ? cli_load_model(model) : NULL;
    if (model && !net)
        ok = 0;
    if (net) {
        size_t n;
        const nnc_epoch_report *h = nnc_net_history(net, &n);
        char why[256];
        for (int r = 0; r < n_runs; r++)
            if (!curves_match_history(&runs[r], h, n, why, sizeof why))
                cli_error("plot: warning: %s is not %s's run: %s", runs[r].path, model, why);
        nnc_net_free(net);
    }
    if (ok)
        ok = write_picture(output, runs, n_runs);
    for (int r = 0; r < loaded; r++)
        curves_free(&runs[r]);
    return ok ? 0 : 1;
}
