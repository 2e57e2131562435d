/* cli.h — helpers shared by the nnc subcommands. */
#ifndef NNC_CLI_H
#define NNC_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nnc.h"

#define EXIT_USAGE 2   /* bad command line; 1 is a runtime failure */
#define MAX_LAYERS 64

/* Prints "nnc: <message>" to stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Parsers for option values; each returns 0 and prints an error naming the
 * option if the text is not a valid value. */
int parse_layers(const char *opt, const char *text, size_t *sizes, size_t *n);
int parse_uint(const char *opt, const char *text, unsigned long long max,
               unsigned long long *value);
int parse_float(const char *opt, const char *text, float *value);

struct option;
/* Says what is wrong with the option getopt_long just refused, argv[optind-1]
 * (unknown, or missing its value), with the nearest known name for a typo:
 * "unknown option '--lamda'; did you mean '--lambda'?". */
void cli_bad_option(const char *command, const char *arg, const struct option *longopts);

/* 1 if s ends with tail, in any case (".json" matches "M.JSON"). */
int cli_ends_with(const char *s, const char *tail);

/* Data folder: --data, else $NNC_DATA, else "data/mnist". */
const char *default_data_dir(void);

/* A model file (.nnc or network2 JSON), or NULL after printing why. */
nnc_net *cli_load_model(const char *path);
const char *cli_activation_name(nnc_activation a);
const char *cli_cost_name(nnc_cost c);
const char *cli_init_name(nnc_init i);
const char *cli_optimizer_name(nnc_optimizer o);

/* The sets --data names: a folder of MNIST IDX files, a pickle, or a CSV
 * (with --test's CSV as the test set). Returns 1, 0 after printing a
 * runtime error, -1 after a usage error. valid and test may come back NULL. */
int cli_load_sets(const char *data, const char *test_csv, nnc_data **train, nnc_data **valid,
                  nnc_data **test);
/* The set a model is judged on: the test set of a folder or pickle, or a
 * whole CSV (--test's, if given). Returns as cli_load_sets. */
int cli_load_test_set(const char *data, const char *test_csv, nnc_data **test);

/* How a training run reports itself (report.c); the user pointer of
 * nnc_train's callbacks. */
typedef struct {
    int      json;       /* a JSON object per epoch instead of the text line   */
    int      progress;   /* redraw a progress line on stderr during an epoch   */
    FILE    *metrics;    /* a CSV row per epoch, or NULL                       */
    unsigned monitor;    /* the measures taken (NNC_MONITOR_* bits)            */
    double   last_draw;
    int      drawn;      /* a progress line is on the screen                   */
} cli_report;

void cli_metrics_header(FILE *f, unsigned monitor);
int cli_report_epoch(nnc_net *net, const nnc_epoch_report *r, void *user);
void cli_report_progress(const nnc_progress *p, void *user);

int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* A file being written: open makes PATH.tmp-PID (0 after printing why not);
 * commit closes it and, if ok and every write went through, renames it to
 * path, else removes it. Commit returns 1 when the file is in place. */
typedef struct {
    FILE       *f;
    const char *path;
    char        tmp[4096];
} cli_output;
int cli_output_open(cli_output *o, const char *path);
int cli_output_commit(cli_output *o, int ok);

#endif
