/* cmd_plot.c — `nnc plot RUN.csv... -o curves.svg`: learning curves of one
 * or more runs from their --metrics files, accuracy and cost per epoch for
 * training, validation and test, as SVG written directly (it is text). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_RUNS 8
#define MAX_EPOCHS 100000

/* The measures a metrics file may hold; a curve is one measure of one run. */
static const char *const measure_names[6] = {"train_accuracy", "valid_accuracy",
                                             "test_accuracy",  "train_cost",
                                             "valid_cost",     "test_cost"};
static const char *const set_labels[3] = {"training", "validation", "test"};
static const char *const dashes[3] = {"", " stroke-dasharray=\"6 3\"",
                                      " stroke-dasharray=\"2 3\""};
static const char *const colours[MAX_RUNS] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                              "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};

typedef struct {
    const char *path;
    size_t      n;                 /* epochs                                  */
    double     *epoch;
    double     *value[6];          /* per measure; NULL when not in the file  */
} run;

static void run_free(run *r)
{
    free(r->epoch);
    for (int m = 0; m < 6; m++)
        free(r->value[m]);
}

static int grow(double **v, size_t cap)
{
    double *p = realloc(*v, cap * sizeof *p);
    if (p)
        *v = p;
    return p != NULL;
}

/* Reads a --metrics file; 0 after printing why not. */
static int read_run(const char *path, run *r)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    FILE *f = fopen(path, "r");
    if (!f) {
        cli_error("%s: cannot open: %s", path, strerror(errno));
        return 0;
    }
    char line[4096];
    int column[16], n_cols = 0, ok = 1;
    if (!fgets(line, sizeof line, f) || strncmp(line, "epoch,seconds,eta", 17) != 0) {
        cli_error("%s: not a metrics file of nnc train (its header starts epoch,seconds,eta)",
                  path);
        fclose(f);
        return 0;
    }
    for (char *save, *tok = strtok_r(line, ",\r\n", &save); tok && n_cols < 16;
         tok = strtok_r(NULL, ",\r\n", &save)) {
        column[n_cols] = -1;
        for (int m = 0; m < 6; m++)
            if (!strcmp(tok, measure_names[m]))
                column[n_cols] = m;
        n_cols++;
    }
    size_t cap = 0;
    for (size_t line_no = 2; ok && fgets(line, sizeof line, f); line_no++) {
        if (r->n == cap) {
            cap = cap ? 2 * cap : 64;
            if (cap > MAX_EPOCHS) {
                cli_error("%s: more than %d epochs", path, MAX_EPOCHS);
                ok = 0;
                break;
            }
            if (!grow(&r->epoch, cap))
                ok = 0;
            for (int c = 0; c < n_cols; c++)
                if (column[c] >= 0 && !grow(&r->value[column[c]], cap))
                    ok = 0;
            if (!ok) {
                cli_error("%s: out of memory", path);
                break;
            }
        }
        char *p = line;
        for (int c = 0; c < n_cols && ok; c++) {
            char *end;
            double v = *p == ',' || *p == '\n' || *p == '\0' ? NAN : strtod(p, &end);
            if (isnan(v))
                end = p;
            else if (end == p)
                ok = 0;
            if (c == 0)
                r->epoch[r->n] = v;
            else if (column[c] >= 0)
                r->value[column[c]][r->n] = v;
            p = end;
            if (c + 1 < n_cols) {
                if (*p != ',')
                    ok = 0;
                p++;
            }
        }
        if (!ok || isnan(r->epoch[r->n]))
            cli_error("%s: line %zu is not a row of %d values", path, line_no, n_cols), ok = 0;
        else
            r->n++;
    }
    fclose(f);
    if (ok && r->n == 0)
        cli_error("%s: no epochs", path), ok = 0;
    return ok;
}

/* A round step for about `ticks` ticks over [lo, hi]: 1, 2 or 5 times 10^k. */
static double tick_step(double lo, double hi, int ticks)
{
    double raw = (hi - lo) / ticks, p = pow(10.0, floor(log10(raw)));
    double m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/* One panel: the curves of measures [first, first+3) of every run. */
static void panel(FILE *out, const run *runs, int n_runs, int first, double x0, double y0,
                  const char *title)
{
    const double w = 400, h = 300;
    double xmax = 1, lo = INFINITY, hi = -INFINITY;
    for (int r = 0; r < n_runs; r++)
        for (size_t i = 0; i < runs[r].n; i++) {
            xmax = runs[r].epoch[i] > xmax ? runs[r].epoch[i] : xmax;
            for (int m = first; m < first + 3; m++)
                if (runs[r].value[m] && !isnan(runs[r].value[m][i])) {
                    lo = fmin(lo, runs[r].value[m][i]);
                    hi = fmax(hi, runs[r].value[m][i]);
                }
        }
    fprintf(out, "<g font-family=\"sans-serif\" font-size=\"12\">\n");
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"14\">%s</text>\n",
            x0 + w / 2, y0 - 12, title);
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                 "stroke=\"#444\"/>\n", x0, y0, w, h);
    if (lo > hi) {   /* no such measure in any run */
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">not measured</text>\n"
                     "</g>\n", x0 + w / 2, y0 + h / 2);
        return;
    }
    if (hi - lo < 1e-9)
        lo -= 0.5, hi += 0.5;
    double ys = tick_step(lo, hi, 5), xs = tick_step(0, xmax, 6);
    lo = floor(lo / ys) * ys, hi = ceil(hi / ys) * ys;
    xs = xs < 1 ? 1 : xs;
#define X(e) (x0 + (e) / xmax * w)
#define Y(v) (y0 + h - ((v) - lo) / (hi - lo) * h)
    for (double v = lo; v <= hi + ys / 2; v += ys)
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                     "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                x0, Y(v), x0 + w, Y(v), x0 - 6, Y(v) + 4, fabs(v) < ys / 2 ? 0.0 : v);
    for (double e = 0; e <= xmax + xs / 2; e += xs)
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>"
                     "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n",
                X(e), y0 + h, X(e), y0 + h + 5, X(e), y0 + h + 18, e);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">epoch</text>\n",
            x0 + w / 2, y0 + h + 36);
    for (int r = 0; r < n_runs; r++)
        for (int m = first; m < first + 3; m++) {
            if (!runs[r].value[m])
                continue;
            fprintf(out, "<polyline class=\"curve\" fill=\"none\" stroke=\"%s\" "
                         "stroke-width=\"1.5\"%s points=\"", colours[r], dashes[m - first]);
            for (size_t i = 0; i < runs[r].n; i++)
                if (!isnan(runs[r].value[m][i]))
                    fprintf(out, "%s%.1f,%.1f", i ? " " : "", X(runs[r].epoch[i]),
                            Y(runs[r].value[m][i]));
            fprintf(out, "\"><title>%s, %s</title></polyline>\n", runs[r].path,
                    measure_names[m]);
        }
#undef X
#undef Y
    fputs("</g>\n", out);
}

/* Text safe inside SVG. */
static void escaped(FILE *out, const char *s)
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

static int write_svg(const char *path, const run *runs, int n_runs)
{
    FILE *out = fopen(path, "w");
    if (!out) {
        cli_error("%s: cannot write: %s", path, strerror(errno));
        return 0;
    }
    double height = 430 + 20.0 * n_runs;
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"940\" height=\"%.0f\" "
                 "viewBox=\"0 0 940 %.0f\">\n<rect width=\"100%%\" height=\"100%%\" "
                 "fill=\"white\"/>\n", height, height);
    panel(out, runs, n_runs, 0, 60, 40, "accuracy");
    panel(out, runs, n_runs, 3, 520, 40, "cost");
    double y = 400;   /* the legend: a colour per run, a line style per set */
    fputs("<g font-family=\"sans-serif\" font-size=\"12\">\n", out);
    for (int s = 0; s < 3; s++)
        fprintf(out, "<line x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\" stroke=\"#444\" "
                     "stroke-width=\"1.5\"%s/><text x=\"%d\" y=\"%.0f\">%s</text>\n",
                60 + 150 * s, y, 90 + 150 * s, y, dashes[s], 96 + 150 * s, y + 4,
                set_labels[s]);
    for (int r = 0; r < n_runs; r++) {
        y += 20;
        fprintf(out, "<rect x=\"60\" y=\"%.0f\" width=\"30\" height=\"4\" fill=\"%s\"/>"
                     "<text x=\"96\" y=\"%.0f\">", y - 2, colours[r], y + 4);
        escaped(out, runs[r].path);
        fputs("</text>\n", out);
    }
    fputs("</g>\n</svg>\n", out);
    int ok = fclose(out) == 0;
    if (!ok)
        cli_error("%s: cannot write: %s", path, strerror(errno));
    return ok;
}

static void usage(FILE *out)
{
    fputs("usage: nnc plot RUN.csv [RUN2.csv ...] -o CURVES.svg\n"
          "\n"
          "Draws the learning curves of training runs from their --metrics files:\n"
          "accuracy and cost per epoch for training, validation and test (whichever\n"
          "the runs measured), each run in its own colour and named by its file.\n"
          "  -o, --output FILE  the picture to write (.svg)\n",
          out);
}

int cmd_plot(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *output = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        if (c == 'o') {
            output = optarg;
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            cli_bad_option("plot", argv[optind - 1], longopts);
            return EXIT_USAGE;
        }
    }
    int n_runs = argc - optind;
    if (!output || n_runs < 1 || n_runs > MAX_RUNS) {
        cli_error("plot: expects 1 to %d metrics files and -o FILE.svg; try 'nnc plot --help'",
                  MAX_RUNS);
        return EXIT_USAGE;
    }
    if (!cli_ends_with(output, ".svg")) {
        cli_error("plot: %s: only .svg pictures are written", output);
        return EXIT_USAGE;
    }
    run runs[MAX_RUNS];
    int loaded = 0, ok = 1;
    for (; loaded < n_runs && ok; loaded++)
        ok = read_run(argv[optind + loaded], &runs[loaded]);
    if (ok)
        ok = write_svg(output, runs, n_runs);
    for (int r = 0; r < loaded; r++)
        run_free(&runs[r]);
    return ok ? 0 : 1;
}
