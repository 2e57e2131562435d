/* cli.h — helpers shared by the nnc subcommands. */
#ifndef NNC_CLI_H
#define NNC_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nnc.h"

#define EXIT_USAGE 2   /* bad command line; 1 is a runtime failure */

/* Prints "nnc: <message>" to stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* What the last cli_error said, without "nnc: " ("" if nothing yet). */
const char *cli_last_said(void);

/* Parsers for option values; each returns 0 and prints an error naming the
 * option if the text is not a valid value. */
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
/* --precision NAME for the models cli_load_model loads; 0 after saying why
 * not. */
int cli_precision_arg(const char *name);

/* The sets of an MNIST folder or a pickle (tables: cli_table_sets).
 * Returns 1, 0 after printing a runtime error, -1 after a usage error
 * (--test, which only tables take). valid and test may come back NULL. */
int cli_load_sets(const char *data, const char *test_csv, nnc_data **train, nnc_data **valid,
                  nnc_data **test);
/* The set a model is judged on: the test set of a folder or pickle, or a
 * whole table (--test's, if given) read for the model. Returns as
 * cli_load_sets. */
int cli_load_test_set(const nnc_net *net, const char *data, const char *test_csv,
                      const char *label, int all_rows, nnc_data **test);

/* 1 if --data names a table rather than MNIST or a pickle. */
int cli_is_table(const char *path);
/* A table read as the recipe says, and --test's file (or NULL) read with its
 * classes; what it holds is described on stderr. Returns as cli_load_sets. */
int cli_table_read(const nnc_recipe *r, const char *path, const char *test_csv,
                   nnc_data **all, nnc_data **test);
/* Rows of a table read for a trained model: its inputs by name, its
 * classes; label: the label column(s), NULL for the first unless absent. */
int cli_table_for_model(const nnc_net *net, const char *label, const char *path,
                        nnc_data **out);

/* How a training run reports itself (report.c); the user pointer of
 * nnc_train's callbacks. */
typedef struct {
    int      json;       /* a JSON object per epoch instead of the text line   */
    int      progress;   /* redraw a progress line on stderr during an epoch   */
    FILE    *metrics;    /* a CSV row per epoch, or NULL                       */
    unsigned monitor;    /* the measures taken (NNC_MONITOR_* bits)            */
    int      regression; /* accuracies are RMSE, MAE and R2                    */
    double   last_draw;
    int      drawn;      /* a progress line is on the screen                   */
    unsigned last_warnings; /* the NNC_WARN_* bits said last                   */
} cli_report;

void cli_metrics_header(FILE *f, unsigned monitor, int regression);
int cli_report_epoch(nnc_net *net, const nnc_epoch_report *r, void *user);
void cli_report_progress(const nnc_progress *p, void *user);

int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* A file being written, through the library's nnc_file_begin: open starts
 * it (0 after printing why not); commit ends it: if ok and every write went
 * through, it takes its place, else it is removed (printing why when ok).
 * Commit returns 1 when the file is in place. */
typedef struct {
    FILE     *f;
    nnc_file *file;
} cli_output;
int cli_output_open(cli_output *o, const char *path);
int cli_output_commit(cli_output *o, int ok);

#endif
