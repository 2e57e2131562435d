/* curves.c — learning curves of one or more runs from their --metrics files:
 * accuracy and cost per epoch for training, validation and test, a colour
 * per run and a line style per set, with ticks on round values. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "curves.h"

#define MAX_EPOCHS 100000
#define PANEL_W 400
#define PANEL_H 300

/* The measures a metrics file may hold; a curve is one measure of one run. */
static const char *const measure_names[CURVES_MEASURES] = {"train_accuracy", "valid_accuracy",
                                             "test_accuracy",  "train_cost",
                                             "valid_cost",     "test_cost"};
static const char *const set_labels[3] = {"training", "validation", "test"};
static const uint32_t colours[CURVES_MAX_RUNS] = {0x1f77b4, 0xd62728, 0x2ca02c, 0x9467bd,
                                                 0xff7f0e, 0x17becf, 0x8c564b, 0xe377c2};

void curves_free(curves_run *r)
{
    free(r->epoch);
    free(r->eta);
    for (int m = 0; m < CURVES_MEASURES; m++)
        free(r->value[m]);
    memset(r, 0, sizeof *r);
}

static int grow(double **v, size_t cap)
{
    double *p = realloc(*v, cap * sizeof *p);
    if (p)
        *v = p;
    return p != NULL;
}

int curves_read(const char *path, curves_run *r)
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
        for (int m = 0; m < CURVES_MEASURES; m++)
            if (!strcmp(tok, measure_names[m]))
                column[n_cols] = m;
        static const char *const r2[3] = {"train_r2", "valid_r2", "test_r2"};
        for (int m = 0; m < 3; m++)   /* a regression's fit stands for accuracy */
            if (!strcmp(tok, r2[m]))
                column[n_cols] = m, r->fit = 1;
        /* the running figures are the training curve where training was not measured */
        int running = !strcmp(tok, "running_accuracy") || !strcmp(tok, "running_r2") ? 0
                      : !strcmp(tok, "running_cost")                                  ? 3
                                                                                      : -1;
        int taken = 0;
        for (int c = 0; running >= 0 && c < n_cols; c++)
            taken |= column[c] == running;
        if (running >= 0 && !taken) {
            column[n_cols] = running;
            r->running |= 1 << running;
            r->fit |= !strcmp(tok, "running_r2");
        }
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
            if (!grow(&r->epoch, cap) || !grow(&r->eta, cap))
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
            else if (c == 2)
                r->eta[r->n] = v;
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
    if (!ok)
        curves_free(r);
    return ok;
}

int curves_from_history(const nnc_epoch_report *h, size_t n, const char *name,
                        curves_run *r)
{
    memset(r, 0, sizeof *r);
    r->path = name;
    if (!n) {
        cli_error("%s: no training history (trained by another program, or not yet)", name);
        return 0;
    }
    int ok = grow(&r->epoch, n) && grow(&r->eta, n);
    for (int m = 0; m < CURVES_MEASURES && ok; m++) {
        int measured = 0;
        for (size_t e = 0; e < n; e++) {
            const nnc_measure *s = m % 3 == 0 ? &h[e].train : m % 3 == 1 ? &h[e].valid
                                                                          : &h[e].test;
            measured |= m < 3 ? s->n > 0 : !isnan(s->cost);
        }
        if (!measured && m % 3 == 0) {   /* the running figures, where training was not measured */
            for (size_t e = 0; e < n; e++)
                measured |= m < 3 ? h[e].running.n > 0 : !isnan(h[e].running.cost);
            if (measured)
                r->running |= 1 << m;
        }
        if (measured && !(ok = grow(&r->value[m], n)))
            break;
    }
    if (!ok) {
        cli_error("out of memory");
        curves_free(r);
        return 0;
    }
    for (size_t e = 0; e < n; e++) {
        r->epoch[e] = h[e].epoch;
        r->eta[e] = h[e].eta;
        for (int m = 0; m < CURVES_MEASURES; m++) {
            const nnc_measure *s = m % 3 == 0 ? &h[e].train : m % 3 == 1 ? &h[e].valid
                                                                          : &h[e].test;
            if (r->running >> m & 1)
                s = &h[e].running;
            if (!isnan(s->rmse))
                r->fit = 1;
            if (r->value[m])
                r->value[m][e] = m >= 3        ? s->cost
                                 : !s->n         ? NAN
                                 : !isnan(s->rmse) ? s->r2
                                                   : (double)s->correct / (double)s->n;
        }
    }
    r->n = n;
    return 1;
}

int curves_match_history(const curves_run *r, const nnc_epoch_report *h, size_t n, char *why,
                         size_t cap)
{
    if (!n || !r->n)
        return 1;
    if (r->epoch[0] == 0 && r->n != n) {
        snprintf(why, cap, "its %zu epochs are not the %zu of the model's history", r->n, n);
        return 0;
    }
    for (size_t i = 0; i < r->n; i++) {
        double e = r->epoch[i];
        if (e < 0 || e >= (double)n || e != floor(e)) {
            snprintf(why, cap, "epoch %g is not in the model's history (epochs 0 to %zu)", e,
                     n - 1);
            return 0;
        }
        const nnc_epoch_report *at = &h[(size_t)e];
        /* the file holds 6 significant digits */
        if (!isnan(r->eta[i]) && fabs(r->eta[i] - at->eta) > 1e-5 * fabs(at->eta) + 1e-12) {
            snprintf(why, cap, "epoch %g: eta %g, the model's history says %g", e, r->eta[i],
                     (double)at->eta);
            return 0;
        }
        double mine = r->value[2] ? r->value[2][i] : NAN, theirs = NAN;
        if (at->test.n)
            theirs = !isnan(at->test.rmse) ? at->test.r2
                                           : (double)at->test.correct / (double)at->test.n;
        if (!isnan(mine) && !isnan(theirs) && fabs(mine - theirs) > 1e-5 * fabs(theirs) + 1e-9) {
            snprintf(why, cap, "epoch %g: test %s %.6g, the model's history says %.6g", e,
                     r->fit ? "R\xc2\xb2" : "accuracy", mine, theirs);
            return 0;
        }
    }
    return 1;
}

/* A round step for about `ticks` ticks over [lo, hi]: 1, 2 or 5 times 10^k. */
static double tick_step(double lo, double hi, int ticks)
{
    double raw = (hi - lo) / ticks, p = pow(10.0, floor(log10(raw)));
    double m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/* One panel: the curves of measures [first, first+3) of every run; percent:
 * the values are fractions read as percentages (accuracy). */
static void panel(canvas *c, const curves_run *runs, int n_runs, int first, double x0,
                  double y0, const char *title, int percent)
{
    const double w = PANEL_W, h = PANEL_H;
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
    canvas_text(c, x0 + w / 2, y0 - 12, 14, ANCHOR_MIDDLE, 0x000000, title);
    canvas_rect(c, x0, y0, w, h, NO_COLOUR, 0x444444);
    if (lo > hi) {   /* no such measure in any run */
        canvas_text(c, x0 + w / 2, y0 + h / 2, 12, ANCHOR_MIDDLE, 0x000000, "not measured");
        return;
    }
    double unit = percent ? 100 : 1;   /* ticks on round values of what is read */
    lo *= unit, hi *= unit;
    if (hi - lo < 1e-9 * unit)
        lo -= 0.5 * unit, hi += 0.5 * unit;
    double ys = tick_step(lo, hi, 5), xs = tick_step(0, xmax, 6);
    lo = floor(lo / ys + 1e-9) * ys, hi = ceil(hi / ys - 1e-9) * ys;
    xs = xs < 1 ? 1 : xs;
    /* digits after the point that the step needs: 0.05 -> 2, 5 -> 0 */
    int decimals = ys >= 1 ? 0 : (int)ceil(-log10(ys) - 1e-9);
    if (fabs(ys * pow(10, decimals) - round(ys * pow(10, decimals))) > 1e-6)
        decimals++;   /* a step of 2.5 or 0.25 */
#define X(e) (x0 + (e) / xmax * w)
#define Y(v) (y0 + h - ((v) * unit - lo) / (hi - lo) * h)
    char label[32];
    long n_y = lround((hi - lo) / ys);
    for (long i = 0; i <= n_y; i++) {
        double v = lo + (double)i * ys;   /* by index: no drift past the top */
        if (fabs(v) < ys / 2)
            v = 0.0;
        canvas_line(c, x0, Y(v / unit), x0 + w, Y(v / unit), 0xdddddd, 1, STROKE_SOLID);
        if (percent)
            snprintf(label, sizeof label, "%.*f%%", decimals, v);
        else
            snprintf(label, sizeof label, "%g", v);
        canvas_text(c, x0 - 6, Y(v / unit) + 4, 12, ANCHOR_END, 0x000000, label);
    }
    /* ticks up to the last epoch only: a round tick beyond it would be drawn
     * outside the panel */
    for (long i = 0; (double)i * xs <= xmax * (1 + 1e-9); i++) {
        double e = (double)i * xs;
        canvas_line(c, X(e), y0 + h, X(e), y0 + h + 5, 0x444444, 1, STROKE_SOLID);
        snprintf(label, sizeof label, "%g", e);
        canvas_text(c, X(e), y0 + h + 18, 12, ANCHOR_MIDDLE, 0x000000, label);
    }
    canvas_text(c, x0 + w / 2, y0 + h + 36, 12, ANCHOR_MIDDLE, 0x000000, "epoch");
    for (int r = 0; r < n_runs; r++)
        for (int m = first; m < first + 3; m++) {
            if (!runs[r].value[m])
                continue;
            double *xy = malloc(2 * runs[r].n * sizeof *xy);
            if (!xy)
                continue;   /* a curve left out rather than the picture lost */
            size_t n = 0;
            for (size_t i = 0; i < runs[r].n; i++)
                if (!isnan(runs[r].value[m][i])) {
                    xy[2 * n] = X(runs[r].epoch[i]);
                    xy[2 * n + 1] = Y(runs[r].value[m][i]);
                    n++;
                }
            char title_text[4200];
            static const char *const fit_names[3] = {"train_r2", "valid_r2", "test_r2"};
            snprintf(title_text, sizeof title_text, "%s, %s", runs[r].path,
                     m < 3 && runs[r].fit ? fit_names[m] : measure_names[m]);
            canvas_polyline(c, xy, n, colours[r], 1.5, (stroke_style)(m - first), title_text);
            free(xy);
        }
#undef X
#undef Y
}

void curves_size(int n_runs, int *width, int *height)
{
    *width = 940;
    *height = 430 + 20 * n_runs;
}

void curves_draw(canvas *c, const curves_run *runs, int n_runs)
{
    int fits = 0;
    for (int r = 0; r < n_runs; r++)
        fits += runs[r].fit;
    panel(c, runs, n_runs, 0, 60, 40,
          fits == 0 ? "accuracy" : fits == n_runs ? "R\xc2\xb2" : "accuracy, R\xc2\xb2",
          fits == 0);
    panel(c, runs, n_runs, 3, 520, 40, "cost", 0);
    double y = 400;   /* the legend: a colour per run, a line style per set */
    int running = 0;
    for (int r = 0; r < n_runs; r++)
        running |= runs[r].running != 0;
    for (int s = 0; s < 3; s++) {   /* the running figure is said as such */
        double x = s == 0 ? 60 : 60 + 150 * s + (running ? 110 : 0);
        canvas_line(c, x, y, x + 30, y, 0x444444, 1.5, (stroke_style)s);
        canvas_text(c, x + 36, y + 4, 12, ANCHOR_START, 0x000000,
                    s == 0 && running ? "training (running, over its batches)" : set_labels[s]);
    }
    for (int r = 0; r < n_runs; r++) {
        y += 20;
        canvas_rect(c, 60, y - 2, 30, 4, colours[r], NO_COLOUR);
        canvas_text(c, 96, y + 4, 12, ANCHOR_START, 0x000000, runs[r].path);
    }
}
