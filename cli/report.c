/* report.c — how a training run reports itself: a line per epoch on stdout
 * (the tutorial's, or one JSON object), a metrics CSV, and a progress line
 * redrawn on stderr while an epoch runs. */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"

/* The measures a run may take, in the order of the metrics file's columns. */
static const struct {
    const char *name;
    unsigned    bit;
    int         accuracy;   /* else a cost */
    int         set;        /* 0 train, 1 validation, 2 test */
} measures[] = {
    {"train_cost", NNC_MONITOR_TRAIN_COST, 0, 0},
    {"train_accuracy", NNC_MONITOR_TRAIN_ACCURACY, 1, 0},
    {"valid_cost", NNC_MONITOR_VALID_COST, 0, 1},
    {"valid_accuracy", NNC_MONITOR_VALID_ACCURACY, 1, 1},
    {"test_cost", NNC_MONITOR_TEST_COST, 0, 2},
    {"test_accuracy", NNC_MONITOR_TEST_ACCURACY, 1, 2},
};
#define N_MEASURES (sizeof measures / sizeof measures[0])

static const nnc_measure *measure_of(const nnc_epoch_report *r, int set)
{
    return set == 0 ? &r->train : set == 1 ? &r->valid : &r->test;
}

/* The value of measure i in r, NAN when it was not taken. */
static double value(const nnc_epoch_report *r, size_t i)
{
    const nnc_measure *m = measure_of(r, measures[i].set);
    if (!measures[i].accuracy)
        return m->cost;
    return m->n ? (double)m->correct / (double)m->n : NAN;
}

/* A regression run's fit stands where a classifier's accuracy does. */
static const char *const fit_names[3] = {"rmse", "mae", "r2"};

static double fit_value(const nnc_measure *m, int which)
{
    return which == 0 ? m->rmse : which == 1 ? m->mae : m->r2;
}

static void print_value(FILE *f, double v)
{
    if (isnan(v))
        fputc(',', f);
    else
        fprintf(f, ",%.6g", v);
}

/* The epoch's running figures, always there: the training set's cost and
 * accuracy (a regression: its fit) summed over the epoch's mini-batches as
 * they were trained, and the warnings judged after it (NNC_WARN_* bits). */
static void running_header(FILE *f, int regression)
{
    if (regression)
        fputs(",running_cost,running_rmse,running_mae,running_r2,warnings", f);
    else
        fputs(",running_cost,running_accuracy,warnings", f);
}

static void running_row(FILE *f, int regression, const nnc_epoch_report *r)
{
    const nnc_measure *m = &r->running;
    print_value(f, m->cost);
    if (regression)
        for (int w = 0; w < 3; w++)
            print_value(f, fit_value(m, w));
    else
        print_value(f, m->n ? (double)m->correct / (double)m->n : NAN);
    fprintf(f, ",%u", r->warnings);
}

void cli_metrics_header(FILE *f, unsigned monitor, int regression)
{
    fputs("epoch,seconds,eta", f);
    for (size_t i = 0; i < N_MEASURES; i++) {
        if (!(monitor & measures[i].bit))
            continue;
        if (regression && measures[i].accuracy) {
            const char *set = measures[i].set == 0 ? "train" : measures[i].set == 1 ? "valid"
                                                                                    : "test";
            for (int w = 0; w < 3; w++)
                fprintf(f, ",%s_%s", set, fit_names[w]);
        } else {
            fprintf(f, ",%s", measures[i].name);
        }
    }
    running_header(f, regression);
    fputc('\n', f);
    fflush(f);
}

static void metrics_row(FILE *f, unsigned monitor, int regression, const nnc_epoch_report *r)
{
    fprintf(f, "%u,%.6f,%g", r->epoch, r->train_seconds, r->eta);
    for (size_t i = 0; i < N_MEASURES; i++) {
        if (!(monitor & measures[i].bit))
            continue;
        if (regression && measures[i].accuracy)
            for (int w = 0; w < 3; w++)
                print_value(f, fit_value(measure_of(r, measures[i].set), w));
        else
            print_value(f, value(r, i));
    }
    running_row(f, regression, r);
    fputc('\n', f);
    fflush(f);   /* an interrupted run keeps its rows */
}

/* A JSON string's body: quotes and backslashes escaped. */
static void json_text(const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
}

static void json_line(unsigned monitor, const nnc_epoch_report *r, const char *warning)
{
    printf("{\"epoch\": %u, \"seconds\": %.6f, \"eta\": %g", r->epoch, r->train_seconds,
           r->eta);
    for (size_t i = 0; i < N_MEASURES; i++) {
        const nnc_measure *m = measure_of(r, measures[i].set);
        if (measures[i].accuracy && !isnan(m->rmse)) {   /* a regression's fit */
            const char *set = measures[i].set == 0 ? "train" : measures[i].set == 1 ? "valid"
                                                                                    : "test";
            for (int w = 0; w < 3; w++)
                printf(", \"%s_%s\": %.6g", set, fit_names[w], fit_value(m, w));
            continue;
        }
        double v = value(r, i);
        if ((monitor & measures[i].bit) && !isnan(v))
            printf(", \"%s\": %.6g", measures[i].name, v);
    }
    if (r->test.n && isnan(r->test.rmse))
        printf(", \"test_correct\": %zu, \"test_count\": %zu", r->test.correct, r->test.n);
    const nnc_measure *run = &r->running;
    if (!isnan(run->cost))
        printf(", \"running_cost\": %.6g", run->cost);
    if (!isnan(run->rmse))
        for (int w = 0; w < 3; w++)
            printf(", \"running_%s\": %.6g", fit_names[w], fit_value(run, w));
    else if (run->n)
        printf(", \"running_accuracy\": %.6g", (double)run->correct / (double)run->n);
    if (r->warnings) {
        printf(", \"warnings\": %u, \"warning\": \"", r->warnings);
        json_text(warning);
        putchar('"');
    }
    puts("}");
}

static void print_measure(const char *what, const nnc_measure *m)
{
    if (!isnan(m->cost))
        printf("  %s cost %.4f", what, m->cost);
    if (!isnan(m->rmse))
        printf("  %s RMSE %.4g MAE %.4g R2 %.4f", what, m->rmse, m->mae, m->r2);
    else if (m->n)
        printf("  %s accuracy %.2f%%", what, 100.0 * (double)m->correct / (double)m->n);
}

static void text_line(const nnc_epoch_report *r)
{
    if (!isnan(r->test.rmse))   /* a regression's fit on the test set */
        printf("Epoch %u: test RMSE %.4g  MAE %.4g  R2 %.4f  (%.3f s", r->epoch, r->test.rmse,
               r->test.mae, r->test.r2, r->train_seconds);
    else if (r->test.n)   /* the tutorial's line */
        printf("Epoch %u: %zu / %zu  (%.3f s", r->epoch, r->test.correct, r->test.n,
               r->train_seconds);
    else
        printf("Epoch %u complete  (%.3f s", r->epoch, r->train_seconds);
    printf(", eta %g)", r->eta);
    print_measure("train", &r->train);
    print_measure("valid", &r->valid);
    if (!isnan(r->test.cost))
        printf("  test cost %.4f", r->test.cost);
    putchar('\n');
}

int cli_report_epoch(nnc_net *net, const nnc_epoch_report *r, void *user)
{
    (void)net;
    cli_report *rep = user;
    if (rep->progress && rep->drawn) {   /* the epoch's line replaces the progress */
        fputs("\r\033[K", stderr);
        rep->drawn = 0;
    }
    char warning[512] = "";
    nnc_epoch_warning(r, warning, sizeof warning);
    if (rep->json)
        json_line(rep->monitor, r, warning);
    else
        text_line(r);
    fflush(stdout);
    /* a warning is said when it first appears or changes, not every epoch */
    if (r->warnings && r->warnings != rep->last_warnings)
        fprintf(stderr, "nnc: warning: %s\n", warning);
    rep->last_warnings = r->warnings;
    if (rep->metrics)
        metrics_row(rep->metrics, rep->monitor, rep->regression, r);
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void cli_report_progress(const nnc_progress *p, void *user)
{
    cli_report *rep = user;
    double t = now();
    if (!rep->progress || (t - rep->last_draw < 0.1 && p->batches_done < p->batches))
        return;   /* at most ten redraws a second */
    rep->last_draw = t;
    enum { BAR = 24 };
    char bar[BAR + 1];
    size_t filled = p->samples ? BAR * p->samples_done / p->samples : BAR;
    for (size_t i = 0; i < BAR; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR] = '\0';
    double rate = p->seconds > 0 ? (double)p->samples_done / p->seconds : 0.0;
    double left = rate > 0 ? (double)(p->samples - p->samples_done) / rate : 0.0;
    fprintf(stderr, "\r\033[Kepoch %u [%s] %zu/%zu batches  %.0f samples/s  %.1f s  ETA %.1f s",
            p->epoch, bar, p->batches_done, p->batches, rate, p->seconds, left);
    fflush(stderr);
    rep->drawn = 1;
}
