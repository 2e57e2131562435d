/* curves.h — learning curves: the runs' --metrics files read back, and drawn
 * as two panels (accuracy, cost) with a legend, on any canvas. */
#ifndef NNC_CURVES_H
#define NNC_CURVES_H

#include <stddef.h>

#include "canvas.h"
#include "nnc.h"

#define CURVES_MAX_RUNS 8
#define CURVES_MEASURES 6   /* accuracy then cost, each of training, validation, test */

typedef struct {
    const char *path;
    size_t      n;                         /* epochs                                 */
    double     *epoch;
    double     *eta;                       /* the learning rate of each epoch         */
    double     *value[CURVES_MEASURES];    /* per measure; NULL when not in the file */
    int         fit;                       /* a regression: R² where accuracy is     */
    int         running;                   /* bit m: measure m is the running figure,
                                              summed over the epoch's batches        */
} curves_run;

/* Reads a --metrics file; 0 after printing why not (r is then freed). */
int curves_read(const char *path, curves_run *r);
void curves_free(curves_run *r);
/* The run a model's history holds, named name; 0 after printing why not. */
int curves_from_history(const nnc_epoch_report *h, size_t n, const char *name,
                        curves_run *r);

/* Whether a metrics file's rows are the epochs of a model's history h (n
 * epochs): every row's epoch in it with the same eta and test measure (the
 * accuracy, or a regression's R²), and as many epochs when the file starts
 * at epoch 0. 1 if so (or when there is no history to judge by), else 0 with
 * what differs in why. */
int curves_match_history(const curves_run *r, const nnc_epoch_report *h, size_t n, char *why,
                         size_t cap);

/* The picture's size for n_runs runs (the legend grows with them). */
void curves_size(int n_runs, int *width, int *height);
void curves_draw(canvas *c, const curves_run *runs, int n_runs);

#endif
