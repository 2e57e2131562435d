/* cmd_report.c — `nnc report MODEL -o report.html`: the page a learner keeps.
 * One self-contained HTML file: the model, its learning curves (inline SVG),
 * its results on the test set, and pictures of its weights, confusion matrix
 * and mistakes as PNG data: URLs. Nothing is fetched to view it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "curves.h"
#include "pictures.h"

#define REPORT_ERRORS 48

static void usage(FILE *out)
{
    fputs("usage: nnc report MODEL [--metrics RUN.csv ...] [--data PATH] [--test FILE.csv]\n"
          "                  -o REPORT.html\n"
          "\n"
          "Writes one self-contained HTML page about a model: its layers and training,\n"
          "learning curves, accuracy with precision, recall and F1 per class (a\n"
          "regression: RMSE, MAE and R2), the confusion matrix, the first layer's\n"
          "weights and the test samples it gets wrong. It needs no network access\n"
          "to view.\n"
          "  -m, --metrics FILE  a run's --metrics file for the curves (repeatable, up\n"
          "                      to 8); without it, the history saved in the model.\n"
          "                      A file whose epochs, eta or test results are not\n"
          "                      the model's history is drawn with a warning\n"
          "  -d, --data PATH     the test data as 'nnc eval' takes it\n"
          "                      (default: $NNC_DATA, else data/mnist)\n"
          "      --test FILE     with a CSV --data: the CSV to judge on instead\n"
          "  -o, --output FILE   the page to write (.html)\n"
          "  -h, --help          show this help\n",
          out);
}

static void section(FILE *out, const char *title)
{
    fprintf(out, "<h2>%s</h2>\n", title);
}

/* A raster picture as an <img> with a data: URL; 0 if it could not be made. */
static int embed_png(FILE *out, canvas *c, const char *alt)
{
    if (!c)
        return 0;
    fprintf(out, "<p><img alt=\"%s\" src=\"data:image/png;base64,", alt);
    int ok = canvas_finish(c, NULL, out);
    fputs("\"/></p>\n", out);
    return ok;
}

static void summary(FILE *out, const nnc_net *net, const char *model)
{
    const nnc_train_record *r = nnc_net_record(net);
    fputs("<table class=\"summary\">\n<tr><th>model</th><td>", out);
    xml_escaped(out, model);
    fputs("</td></tr>\n<tr><th>layers</th><td>", out);
    for (size_t l = 0; l < nnc_net_layers(net); l++)
        fprintf(out, l ? ", %zu" : "%zu", nnc_net_size(net, l));
    fprintf(out, "</td></tr>\n<tr><th>hidden</th><td>%s</td></tr>\n"
                 "<tr><th>output and cost</th><td>%s</td></tr>\n"
                 "<tr><th>parameters</th><td>%zu</td></tr>\n"
                 "<tr><th>created</th><td>init %s, seed %llu</td></tr>\n",
            nnc_name_of(NNC_NAMES_ACTIVATION, nnc_net_hidden(net)), nnc_name_of(NNC_NAMES_COST, nnc_net_cost(net)),
            nnc_net_param_count(net), nnc_name_of(NNC_NAMES_INIT, r->init), (unsigned long long)r->seed);
    if (r->epochs)
        fprintf(out, "<tr><th>trained</th><td>%u epochs; last run: %s, mini-batch %zu, "
                     "&#951; %g, &#955; %g, dropout %g</td></tr>\n",
                r->epochs, nnc_name_of(NNC_NAMES_OPTIMIZER, r->optimizer), r->batch_size, (double)r->eta,
                (double)r->lambda, (double)r->dropout);
    fputs("</table>\n", out);
}

/* The curves of the --metrics files, else of the model's history. */
static int curves(FILE *out, const nnc_net *net, const char *model, const char **metrics,
                  int n_metrics)
{
    section(out, "Learning curves");
    curves_run runs[CURVES_MAX_RUNS];
    int loaded = 0, ok = 1;
    if (n_metrics) {
        while (loaded < n_metrics && ok)
            if ((ok = curves_read(metrics[loaded], &runs[loaded])))
                loaded++;
        size_t n;
        const nnc_epoch_report *h = nnc_net_history(net, &n);
        char why[256];
        for (int r = 0; ok && r < loaded; r++)
            if (!curves_match_history(&runs[r], h, n, why, sizeof why)) {
                /* drawn all the same, but not passed off as this model's */
                cli_error("report: warning: %s is not %s's run: %s", metrics[r], model, why);
                fputs("<p class=\"warning\"><b>Warning:</b> ", out);
                xml_escaped(out, metrics[r]);
                fputs(" is not this model's run: ", out);
                xml_escaped(out, why);
                fputs(". Its curves are drawn, but they are another run's.</p>\n", out);
            }
    } else {
        size_t n;
        const nnc_epoch_report *h = nnc_net_history(net, &n);
        if (!n) {
            fputs("<p>The model keeps no training history (trained elsewhere, or saved as "
                  "network2 JSON); give the run's --metrics file to draw its curves.</p>\n",
                  out);
            return 1;
        }
        ok = curves_from_history(h, n, model, &runs[0]);
        loaded = ok;
    }
    if (ok) {
        int width, height;
        curves_size(loaded, &width, &height);
        canvas *c = canvas_svg(out, width, height);
        if ((ok = c != NULL)) {
            curves_draw(c, runs, loaded);
            ok = canvas_finish(c, NULL, NULL);
        }
    }
    for (int r = 0; r < loaded; r++)
        curves_free(&runs[r]);
    return ok;
}

static void results(FILE *out, const nnc_net *net, const size_t *cm, size_t k,
                    const nnc_data *test)
{
    size_t correct = 0, n = nnc_data_count(test);
    for (size_t c = 0; c < k; c++)
        correct += cm[c * k + c];
    fprintf(out, "<p>Accuracy on ");
    xml_escaped(out, nnc_data_source(test));
    fprintf(out, ": <b>%zu / %zu (%.2f%%)</b></p>\n", correct, n,
            n ? 100.0 * (double)correct / (double)n : 0.0);
    fputs("<table class=\"classes\">\n<tr><th>class</th><th>precision</th><th>recall</th>"
          "<th>F1</th><th>samples</th></tr>\n", out);
    for (size_t c = 0; c < k; c++) {   /* as nnc eval gives them */
        size_t row = 0, col = 0;
        for (size_t j = 0; j < k; j++)
            row += cm[c * k + j], col += cm[j * k + c];
        double p = col ? (double)cm[c * k + c] / (double)col : 0.0,
               r = row ? (double)cm[c * k + c] / (double)row : 0.0;
        fputs("<tr><td>", out);
        if (nnc_net_class_name(net, c))
            xml_escaped(out, nnc_net_class_name(net, c));
        else
            fprintf(out, "%zu", c);
        fprintf(out, "</td><td>%.2f%%</td><td>%.2f%%</td><td>%.2f%%</td><td>%zu</td></tr>\n",
                100.0 * p, 100.0 * r, p + r > 0 ? 200.0 * p * r / (p + r) : 0.0, row);
    }
    fputs("</table>\n", out);
}

/* A regression's fit instead of the classes; 0 after printing why not. */
static int fit(FILE *out, const nnc_net *net, const nnc_data *test)
{
    double rmse, mae, r2;
    if (nnc_measure_regression(net, test, &rmse, &mae, &r2) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        return 0;
    }
    fprintf(out, "<table class=\"summary\">\n<tr><th>samples</th><td>%zu</td></tr>\n"
                 "<tr><th>RMSE</th><td>%.6g</td></tr>\n<tr><th>MAE</th><td>%.6g</td></tr>\n"
                 "<tr><th>R&#178;</th><td>%.6f</td></tr>\n</table>\n",
            nnc_data_count(test), rmse, mae, r2);
    return 1;
}

static int write_report(FILE *out, const nnc_net *net, const char *model, const char **metrics,
                        int n_metrics, const nnc_data *test)
{
    int regression = nnc_cost_is_regression(nnc_net_cost(net));
    size_t k = nnc_net_outputs(net) == 1 ? 2 : nnc_net_outputs(net);
    size_t *cm = calloc(k * k, sizeof *cm);
    if (!cm) {
        cli_error("out of memory");
        return 0;
    }
    if (!regression && nnc_confusion_matrix(net, test, cm) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        free(cm);
        return 0;
    }
    char when[64] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
          "<head>\n<meta charset=\"utf-8\"/>\n<title>nnc report: ", out);
    xml_escaped(out, model);
    fputs("</title>\n<style>\n"
          "body { font-family: 'DejaVu Sans', sans-serif; max-width: 980px; margin: 2em auto; "
          "color: #222; }\n"
          "table { border-collapse: collapse; margin: 0.5em 0; }\n"
          "th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }\n"
          "td { font-variant-numeric: tabular-nums; }\n"
          "h2 { border-bottom: 1px solid #ddd; margin-top: 1.6em; }\n"
          ".warning { background: #fff3cd; border: 1px solid #e0a800; padding: 0.5em; }\n"
          "</style>\n</head>\n<body>\n<h1>", out);
    xml_escaped(out, model);
    fprintf(out, "</h1>\n<p>Made by nnc %s on %s.</p>\n", NNC_VERSION, when);
    section(out, "The network");
    summary(out, net, model);
    int ok = curves(out, net, model, metrics, n_metrics);
    section(out, "Results on the test set");
    if (regression) {
        ok = ok && fit(out, net, test);
        free(cm);
        fputs("</body>\n</html>\n", out);
        return ok;
    }
    results(out, net, cm, k, test);
    fputs("<p>The confusion matrix: rows are the labels, columns the predictions, each cell "
          "shaded by its share of the row.</p>\n", out);
    ok = ok && embed_png(out, picture_confusion(net, cm, k), "confusion matrix");
    free(cm);
    if (ok && picture_side(net)) {
        float scale;
        size_t wrong;
        section(out, "What the first hidden layer learned");
        fputs("<p>Each tile is one hidden unit's incoming weights, shaped like the input "
              "image: red pulls the unit on, blue off.</p>\n", out);
        ok = embed_png(out, picture_weights(net, model, &scale), "weights");
        section(out, "Mistakes");
        fputs("<p>The test samples the network gets wrong, the most confident first: label "
              "&#8594; prediction and the network's output for it.</p>\n", out);
        ok = ok && embed_png(out, picture_errors(net, test, REPORT_ERRORS, &wrong), "mistakes");
    } else if (ok) {
        fputs("<p>The inputs are not a square image, so the weights and the mistaken "
              "samples have no pictures.</p>\n", out);
    }
    fputs("</body>\n</html>\n", out);
    return ok;
}

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {{"metrics", required_argument, NULL, 'm'},
                                             {"data", required_argument, NULL, 'd'},
                                             {"test", required_argument, NULL, 't'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *output = NULL, *data = default_data_dir(), *test_csv = NULL;
    const char *metrics[CURVES_MAX_RUNS];
    int n_metrics = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "m:d:o:h", longopts, NULL)) != -1) {
        if (c == 'm') {
            if (n_metrics == CURVES_MAX_RUNS) {
                cli_error("--metrics: at most %d files", CURVES_MAX_RUNS);
                return EXIT_USAGE;
            }
            metrics[n_metrics++] = optarg;
        } else if (c == 'd') {
            data = optarg;
        } else if (c == 't') {
            test_csv = optarg;
        } else if (c == 'o') {
            output = optarg;
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            cli_bad_option("report", argv[optind - 1], longopts);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1 || !output) {
        cli_error("report: expects MODEL and -o FILE.html; try 'nnc report --help'");
        return EXIT_USAGE;
    }
    if (!cli_ends_with(output, ".html") && !cli_ends_with(output, ".htm")) {
        cli_error("report: %s: the report is written as .html", output);
        return EXIT_USAGE;
    }
    const char *model = argv[optind];
    nnc_net *net = cli_load_model(model);
    if (!net)
        return 1;
    nnc_data *test;
    int loaded = cli_load_test_set(net, data, test_csv, NULL, 0, &test);
    if (loaded != 1) {
        nnc_net_free(net);
        return loaded < 0 ? EXIT_USAGE : 1;
    }
    cli_output out;
    int ok = cli_output_open(&out, output);
    if (ok) {
        ok = cli_output_commit(&out, write_report(out.f, net, model, metrics, n_metrics, test));
        if (ok)
            printf("wrote %s\n", output);
    }
    nnc_data_free(test);
    nnc_net_free(net);
    return ok ? 0 : 1;
}
