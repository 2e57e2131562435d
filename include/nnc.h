/*
 * nnc.h — neural networks in C: fully-connected networks trained by mini-batch
 * stochastic gradient descent and backpropagation.
 *
 * The whole public API is in this header. A short tour:
 *
 *     size_t sizes[] = {784, 30, 10};
 *     nnc_net *net;
 *     nnc_data *train, *valid, *test;
 *     if (nnc_mnist_load("data/mnist", &train, &valid, &test) != NNC_OK ||
 *         nnc_net_create(sizes, 3, 42, &net) != NNC_OK) {
 *         fprintf(stderr, "nnc: %s\n", nnc_last_error());
 *         return 1;
 *     }
 *     nnc_train_opts opts;
 *     nnc_train_opts_init(&opts);        // the tutorial's: 10 epochs, batch 10, eta 3.0
 *     nnc_train(net, train, &opts, NULL);    // NULL: no summary wanted
 *     size_t correct;
 *     nnc_evaluate(net, test, &correct);
 *     nnc_net_free(net); nnc_data_free(train); nnc_data_free(valid); nnc_data_free(test);
 *
 * Conventions
 * - Every fallible function returns an nnc_status; NNC_OK is 0. On failure,
 *   nnc_last_error() gives a one-line message for the calling thread, naming
 *   the file and what is wrong where a file is involved. The library never
 *   prints and never exits.
 * - Objects are opaque handles. Whoever receives a handle through an `out`
 *   argument owns it and releases it with the matching *_free (NULL is fine).
 * - Matrices are row-major with one sample per row: a batch of m inputs of a
 *   network with n0 inputs is an m x n0 array of floats.
 * - Weights of layer l (l = 1 .. L) form an n_{l-1} x n_l matrix W_l so that a
 *   batch moves forward as Z_l = A_{l-1} W_l + b_l (the transpose of Nielsen's
 *   w^l_{jk}: element [k][j] connects input k to unit j).
 * - There is no hidden global state: randomness comes from the generator each
 *   network owns, seeded at creation.
 */
#ifndef NNC_H
#define NNC_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version, written here only: the build, the Python package and the
 * manual page read it from this line. */
#define NNC_VERSION "0.1.0"

/* Marks the library's exported functions; everything else in libnnc is
 * hidden. */
#if defined(NNC_BUILDING) && defined(__GNUC__)
#define NNC_API __attribute__((visibility("default")))
#else
#define NNC_API
#endif

/* The library's version, NNC_VERSION as it was when the library was built. */
NNC_API const char *nnc_version(void);

/* ---- status ------------------------------------------------------------ */

typedef enum {
    NNC_OK = 0,
    NNC_ERR_ARG,      /* an argument is invalid (sizes, options, NULL)        */
    NNC_ERR_NOMEM,    /* an allocation failed                                 */
    NNC_ERR_IO,       /* a file could not be opened, read or written          */
    NNC_ERR_FORMAT,   /* a file's content is malformed or truncated           */
    NNC_ERR_MISMATCH, /* data and network (or two files) do not fit together  */
    NNC_ERR_INTERRUPTED, /* training stopped on request (nnc_train_opts.stop)  */
    NNC_ERR_DIVERGED  /* training diverged: an output or parameter became NaN
                         or infinite (the learning rate is too large)          */
} nnc_status;

/* One-line description of the last error on this thread ("" if none). */
NNC_API const char *nnc_last_error(void);
/* Short name of a status code, e.g. "format error". */
NNC_API const char *nnc_status_name(nnc_status s);

/* sizeof the public struct of that name ("nnc_train_opts"), 0 if unknown:
 * for bindings that declare the structs again to check their copies. */
NNC_API size_t nnc_sizeof(const char *type);

/* The arithmetic of training's products (nnc_train_opts.precision). BF16:
 * each layer's three products (forward, BP2, BP4) take bfloat16 inputs,
 * rounded to nearest even, and sum in float32; parameters, optimiser state,
 * the update, activations and costs stay float32. It needs AVX-512 BF16
 * (vdpbf16ps) or AMX; on other CPUs the run is float32, and
 * nnc_train_summary.precision_used says so. */
typedef enum {
    NNC_PRECISION_F32 = 0,
    NNC_PRECISION_BF16
} nnc_precision;

/* ---- networks ---------------------------------------------------------- */

typedef struct nnc_net nnc_net;

typedef enum {
    NNC_ACT_SIGMOID = 0,   /* 1 / (1 + e^-z)          (the tutorial)            */
    NNC_ACT_TANH,
    NNC_ACT_RELU,
    NNC_ACT_LEAKY_RELU     /* z > 0 ? z : 0.01 z                            */
} nnc_activation;

/* The slope of NNC_ACT_LEAKY_RELU below 0: what training, the C header and
 * the ONNX exports all compute with. */
#define NNC_LEAKY_RELU_SLOPE 0.01f

typedef enum {
    NNC_COST_QUADRATIC = 0,  /* 0.5 ||a - y||^2, sigmoid outputs (the tutorial)  */
    NNC_COST_CROSS_ENTROPY,  /* -sum y ln a + (1-y) ln(1-a), sigmoid outputs */
    NNC_COST_SOFTMAX_LOGLIK, /* softmax outputs, -ln a_y                     */
    /* regression: linear outputs a = z, real-valued targets */
    NNC_COST_MSE,            /* 0.5 ||a - y||^2                              */
    NNC_COST_MAE,            /* sum |a - y|                                  */
    NNC_COST_HUBER           /* sum of 0.5 r^2 for |r| <= 1, |r| - 0.5 beyond */
} nnc_cost;

/* 1 if the cost is a regression cost (linear outputs, real targets). */
NNC_API int nnc_cost_is_regression(nnc_cost c);

typedef enum {
    NNC_INIT_NORMAL = 0,   /* weights and biases N(0, 1)          (the tutorial) */
    NNC_INIT_SCALED,       /* weights N(0, 1/n_in), biases N(0, 1) (network2) */
    NNC_INIT_HE,           /* weights N(0, 2/n_in), biases 0      (for ReLU)  */
    NNC_INIT_GLOROT        /* weights N(0, 2/(n_in+n_out)), biases 0 (tanh)   */
} nnc_init;

/* Everything that defines a network's shape and starting point. */
typedef struct {
    const size_t  *sizes;     /* units per layer, input first               */
    size_t         n_layers;  /* 2 or more                                   */
    nnc_activation hidden;    /* activation of hidden layers                 */
    nnc_cost       cost;      /* cost; also fixes the output activation      */
    nnc_init       init;
    uint64_t       seed;      /* seeds the network's own generator           */
} nnc_net_spec;

/* Fills a spec with the tutorial's choices: sigmoid, quadratic, N(0,1), seed 0. */
NNC_API void nnc_net_spec_init(nnc_net_spec *spec, const size_t *sizes, size_t n_layers);

/* Creates a network; parameters are drawn from the network's generator
 * (xoshiro256** seeded by splitmix64, normals by the polar method with a
 * portable logarithm), so the same spec gives the same network on any machine. */
NNC_API nnc_status nnc_net_create_spec(const nnc_net_spec *spec, nnc_net **out);
/* Shorthand for the tutorial's network: sigmoid, quadratic cost, N(0,1). */
NNC_API nnc_status nnc_net_create(const size_t *sizes, size_t n_layers, uint64_t seed,
                          nnc_net **out);
/* A deep copy, generator state included. */
NNC_API nnc_status nnc_net_clone(const nnc_net *net, nnc_net **out);
NNC_API void nnc_net_free(nnc_net *net);

NNC_API size_t         nnc_net_layers(const nnc_net *net);           /* L + 1       */
NNC_API size_t         nnc_net_size(const nnc_net *net, size_t layer); /* units     */
NNC_API size_t         nnc_net_inputs(const nnc_net *net);
NNC_API size_t         nnc_net_outputs(const nnc_net *net);
NNC_API nnc_activation nnc_net_hidden(const nnc_net *net);
NNC_API nnc_cost       nnc_net_cost(const nnc_net *net);

/* All parameters in one block: W_1, b_1, W_2, b_2, ... The pointer stays
 * valid for the network's life; writing through it changes the network. */
NNC_API size_t nnc_net_param_count(const nnc_net *net);
/* The arithmetic of the network's products outside training (feedforward,
 * evaluation, measures, predictions): NNC_PRECISION_F32 (the default) or
 * BF16, as nnc_train_opts.precision; returns the precision it will use,
 * F32 on a CPU without bf16 instructions. Not kept in model files. */
NNC_API nnc_precision nnc_net_set_precision(nnc_net *net, nnc_precision p);
NNC_API float *nnc_net_params(nnc_net *net);
NNC_API const float *nnc_net_params_const(const nnc_net *net);
/* W_l (n_{l-1} x n_l) and b_l (n_l) inside that block, l = 1 .. L. */
NNC_API float *nnc_net_weights(nnc_net *net, size_t l);
NNC_API float *nnc_net_biases(nnc_net *net, size_t l);

/* Arithmetic: the functions that compute (nnc_feedforward, nnc_gradient,
 * nnc_train, nnc_measure_data, nnc_evaluate, nnc_confusion_matrix) run with
 * subnormal floats flushed to zero on x86 (MXCSR's FTZ and DAZ), because a
 * saturating network otherwise slows to half speed, and restore the
 * calling thread's mode before they return. An on_epoch callback runs
 * inside nnc_train, so in that mode too. */

/* Output activations of m inputs: out is m x n_L. */
NNC_API nnc_status nnc_feedforward(const nnc_net *net, const float *x, size_t m,
                           float *out);

/* The objective Σ_i C(x_i, y_i) + (l2/2) Σ w² over m samples with targets y
 * (m x n_L) — l2 = 0 for the plain cost — and its gradient with respect to
 * every parameter (same layout as the parameter block), summed over the
 * samples; biases are not regularised. Either output may be NULL. This is
 * backprop for the whole batch at once (BP1-BP4). */
NNC_API nnc_status nnc_gradient(const nnc_net *net, const float *x, const float *y,
                        size_t m, double l2, double *cost, float *grad);

/* ---- datasets ---------------------------------------------------------- */

typedef struct nnc_data nnc_data;

/* A dataset of n samples of dim inputs each, with integer class labels.
 * Inputs are held as bytes scaled by 1/256 when a batch is formed (as the
 * tutorial's mnist.pkl.gz was made from MNIST), or as floats. Both functions copy. */
NNC_API nnc_status nnc_data_from_bytes(const uint8_t *x, const uint8_t *labels,
                               size_t n, size_t dim, nnc_data **out);
NNC_API nnc_status nnc_data_from_floats(const float *x, const uint8_t *labels,
                                size_t n, size_t dim, nnc_data **out);
/* A regression dataset from the caller's arrays: inputs n x dim and
 * real-valued targets n x n_out, row-major floats, both copied. */
NNC_API nnc_status nnc_data_from_targets(const float *x, const float *y, size_t n, size_t dim,
                                         size_t n_out, nnc_data **out);
/* A dataset over the caller's inputs without copying them: x (n x dim
 * floats) must stay unchanged and alive until the dataset and every slice
 * of it are freed; the labels (n) or targets (n x n_out) are copied.
 * These three float constructors refuse a NaN or infinite input or target
 * with NNC_ERR_FORMAT "(memory): row R, column C: nan is not a finite
 * number" (R and C from 1; "target column" for a target). */
NNC_API nnc_status nnc_data_borrow_floats(const float *x, const uint8_t *labels, const float *y,
                                          size_t n, size_t dim, size_t n_out, nnc_data **out);
/* Optional real-valued targets (n x n_out) used instead of one-hot labels. */
NNC_API nnc_status nnc_data_set_targets(nnc_data *data, const float *y, size_t n_out);
/* Samples [first, first+count) as a new dataset sharing the same storage. */
NNC_API nnc_status nnc_data_slice(const nnc_data *data, size_t first, size_t count,
                          nnc_data **out);
NNC_API void nnc_data_free(nnc_data *data);

NNC_API size_t nnc_data_count(const nnc_data *data);
NNC_API size_t nnc_data_dim(const nnc_data *data);
/* Label of sample i. */
NNC_API unsigned nnc_data_label(const nnc_data *data, size_t i);
/* Input of sample i as floats (dim values). */
NNC_API void nnc_data_input(const nnc_data *data, size_t i, float *x);
/* Where the data came from (a file name), for messages. */
NNC_API const char *nnc_data_source(const nnc_data *data);
/* Targets per sample (0: the data has class labels) and sample i's, into y. */
NNC_API size_t nnc_data_targets(const nnc_data *data);
NNC_API void nnc_data_target(const nnc_data *data, size_t i, float *y);
/* The classes a table's labels named, in label order ("setosa", or "7"), and
 * the input columns' names; 0 / NULL when the data does not say. */
NNC_API size_t nnc_data_classes(const nnc_data *data);
NNC_API const char *nnc_data_class_name(const nnc_data *data, size_t i);
NNC_API const char *nnc_data_input_name(const nnc_data *data, size_t j);
/* 1 if the inputs are pixel bytes, read as byte / 256 (MNIST's scale). */
NNC_API int nnc_data_is_pixels(const nnc_data *data);
/* 1 and the image's width and height if the samples are images: read from an
 * image format (IDX), or pixel bytes of a square count of at least 64 (an
 * MNIST CSV's rows); else 0 (table rows). Either pointer may be NULL. */
NNC_API int nnc_data_image_size(const nnc_data *data, size_t *width, size_t *height);
/* A checksum of the samples (inputs, labels or targets, in order), never 0:
 * to tell whether a file still holds the rows a model was made from. */
NNC_API uint64_t nnc_data_checksum(const nnc_data *data);
/* The samples idx[0 .. count) of data, copied into a new dataset. */
NNC_API nnc_status nnc_data_select(const nnc_data *data, const size_t *idx, size_t count,
                                   nnc_data **out);
/* Splits data at random (reproducibly from seed) into the rest and a held
 * out fraction (0 < fraction < 1, at least one sample each); with class
 * labels, each class is split in that proportion (stratified). */
NNC_API nnc_status nnc_data_split(const nnc_data *data, double fraction, uint64_t seed,
                                  nnc_data **rest, nnc_data **held_out);

/* NNC_OK if data's samples fit the network: as many inputs, and labels below
 * its outputs (or as many targets as outputs); else an error naming the
 * data's file and what differs. nnc_train checks this too; a program may
 * ask first, before it starts what a training run needs. */
NNC_API nnc_status nnc_data_fits(const nnc_net *net, const nnc_data *data);

/* Reads an IDX file pair (images 0x00000803, labels 0x00000801), raw or
 * gzip'd, checking every header field against the file and the other file. */
NNC_API nnc_status nnc_idx_load(const char *images_path, const char *labels_path,
                        nnc_data **out);

/* Loads MNIST from a folder holding train-images-idx3-ubyte,
 * train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte
 * (each raw or with .gz), split as the tutorial's mnist.pkl.gz: training = the
 * first 50,000 training images, validation = the last 10,000, test = t10k.
 * Any of the out pointers may be NULL. */
NNC_API nnc_status nnc_mnist_load(const char *dir, nnc_data **train, nnc_data **valid,
                          nnc_data **test);

/* Reads the tutorial's mnist.pkl.gz (or any gzip'd or raw pickle of three
 * (images, labels) pairs of numpy arrays: float images n x d, integer labels
 * n), written by Python 2 (protocol 2) or Python 3 (protocols 2-4). Only the
 * opcodes such a file uses are interpreted; no code is executed and no
 * global other than numpy's array reconstruction, numpy.dtype and
 * _codecs.encode is accepted. Pixels that are all multiples of 1/256 are kept
 * as bytes. Any of the out pointers may be NULL. */
NNC_API nnc_status nnc_pickle_load(const char *path, nnc_data **train, nnc_data **valid,
                           nnc_data **test);

/* The sets of a path as every front end reads one: a folder (or a missing
 * path not named .pkl or .pkl.gz) as nnc_mnist_load, a file as
 * nnc_pickle_load. */
NNC_API nnc_status nnc_data_load(const char *path, nnc_data **train, nnc_data **valid,
                                 nnc_data **test);

/* ---- tables (CSV as people have it) ------------------------------------ */

typedef enum {
    NNC_TASK_CLASSIFY = 0,   /* labels name classes: integers or any strings     */
    NNC_TASK_REGRESS         /* labels are real-valued targets, one per column    */
} nnc_task;

typedef struct {
    int         header;   /* -1 detect (default), 0 none, 1 the first line names columns */
    char        sep;      /* ',', ';' or '\t'; 0 detects it from the first line  */
    const char *label;    /* the label column(s): names or numbers from 1, comma-
                           * separated; NULL: the first column                  */
    const char *ignore;   /* columns to leave out, likewise; NULL: none           */
    nnc_task    task;
    /* Reading for a trained model: its classes, so that labels map to its
     * outputs (a label it does not know is an error), and its input columns
     * by name, read in that order wherever they are (the label columns may
     * then be absent). NULL / 0: from the file itself. n_inputs without
     * inputs: the model's input count, the columns taken in order. */
    const char *const *classes;
    size_t             n_classes;
    const char *const *inputs;
    size_t             n_inputs;
    /* Pixels: -1 when every input is an integer 0-255 (the default), 1
     * always (another value is an error), 0 never. */
    int                pixels;
    /* Lines before the table to pass over (scikit-learn's bundled CSV
     * files begin with a line of counts); 0: none. */
    size_t             skip_lines;
} nnc_csv_options;

/* Detect the header and separator, label first, classification. */
NNC_API void nnc_csv_options_init(nnc_csv_options *o);

/* Reads a table: comma, semicolon or tab separated, quoted fields ("a, b"
 * and "" for a quote), CRLF or LF, blank lines skipped. Inputs are any
 * finite numbers; a missing or non-numeric input is an error naming the
 * file, line and column. For classification, when every label is an
 * integer 0-255 label i is class i (as in MNIST's files); otherwise the
 * classes are the distinct labels, ordered as numbers when all are numbers
 * and else by their bytes (nnc_data_class_name tells which label is which
 * class); at most 256. For
 * regression every label column is a real-valued target. A table whose
 * inputs are all integers 0-255 is read as pixel bytes, scaled by 1/256 as
 * MNIST's are (nnc_data_is_pixels). */
NNC_API nnc_status nnc_csv_read(const char *path, const nnc_csv_options *opts,
                                nnc_data **out);

/* A table's dataset from arrays, made as nnc_csv_read makes one from a
 * file: n rows of dim inputs (copied; all integers 0-255 become pixels
 * unless o->pixels is 0); for classification n labels as text, classes by
 * the reader's rule (integers 0-255 are their own class numbers, other
 * labels sorted, numerically if all are numbers); for regression n x
 * n_targets targets; input names (dim, or NULL). source names the data in
 * messages. */
NNC_API nnc_status nnc_table_from_arrays(const float *x, size_t n, size_t dim,
                                         const char *const *labels, const float *targets,
                                         size_t n_targets, const char *const *input_names,
                                         const nnc_csv_options *o, const char *source,
                                         nnc_data **out);

/* Reads a CSV file of one sample per line, label first, then the input
 * values (the layout of the common mnist_train.csv), with an optional header
 * line. Values are either integers 0-255 (kept as bytes, scaled by 1/256 like
 * IDX pixels; *unit_scale = 0) or reals in [0, 1] (kept as they are;
 * *unit_scale = 1). unit_scale may be NULL. */
NNC_API nnc_status nnc_csv_load(const char *path, nnc_data **out, int *unit_scale);

/* How nnc_image_load makes digits light on dark, as MNIST's are. */
typedef enum {
    NNC_INVERT_AUTO = 0,  /* invert when the image's border is light          */
    NNC_INVERT_YES,
    NNC_INVERT_NO
} nnc_invert;

/* Reads a PNG (libpng), JPEG (libjpeg) or PGM (P2 or P5) image, grey or RGB
 * (converted), as width x height inputs on the scale of nnc's byte data
 * (grey level / 256). With centre = 0 the image is scaled to the size; with
 * centre = 1 it is prepared as MNIST's digits were: the paper's level
 * (grey, or lit unevenly) estimated and taken away, the paper's noise
 * measured (from the median absolute deviation) and smoothed out, specks of
 * less than a twentieth of the digit's ink wiped, and the ink's contrast
 * stretched; then the ink's bounding box scaled to fit 20/28 of the side and
 * moved so that its centre of mass sits where MNIST's do; an image with no
 * ink is refused as blank. centre = 2 centres unless the image already has
 * the size. out holds width x height floats. */
NNC_API nnc_status nnc_image_load(const char *path, size_t width, size_t height,
                          nnc_invert invert, int centre, float *out);
/* The same preparation of a w x h image already in memory: grey levels
 * 0-255, row-major (a drawing, a camera's frame). nnc_image_load decodes its
 * file and then prepares the pixels by this function's steps, so that a
 * file and its pixels give the same floats. A blank image is refused
 * (NNC_ERR_FORMAT), as by nnc_image_load. */
NNC_API nnc_status nnc_image_prepare(const uint8_t *grey, size_t w, size_t h, size_t width,
                                     size_t height, nnc_invert invert, int centre,
                                     float *out);

/* ---- training ---------------------------------------------------------- */

typedef enum {
    NNC_OPT_SGD = 0,     /* w -= eta g                                  (seed) */
    NNC_OPT_MOMENTUM,    /* v = mu v - eta g; w += v     (Nielsen, chapter 3) */
    NNC_OPT_NESTEROV,    /* v' = mu v - eta g; w += -mu v + (1 + mu) v'       */
    NNC_OPT_ADAM         /* Kingma & Ba, with bias correction                 */
} nnc_optimizer;
/* g above is the mini-batch's mean gradient plus (lambda/n) w for weights. */

/* What to measure after each epoch (bits of nnc_train_opts.monitor). */
enum {
    NNC_MONITOR_TRAIN_COST = 1 << 0, NNC_MONITOR_TRAIN_ACCURACY = 1 << 1,
    NNC_MONITOR_VALID_COST = 1 << 2, NNC_MONITOR_VALID_ACCURACY = 1 << 3,
    NNC_MONITOR_TEST_COST = 1 << 4,  NNC_MONITOR_TEST_ACCURACY = 1 << 5
};

/* Cost and accuracy of one dataset; cost is NAN and n is 0 when that
 * measurement was not asked for. cost is the mean cost plus the L2 term
 * (lambda / 2n) Σ w², n being the training-set size: the training objective.
 * For a regression network the accuracy bit asks for the fit instead: n
 * samples, correct 0, and rmse, mae, r2 as nnc_measure_regression gives
 * them (NAN otherwise). */
typedef struct {
    double cost;
    size_t correct, n;
    double rmse, mae, r2;
} nnc_measure;

/* Signs that a run has stopped learning (bits of nnc_epoch_report.warnings),
 * judged after each epoch. They are warnings: the run goes on. */
enum {
    /* every accuracy measured this epoch (running, training, validation,
     * test) is within a small margin of chance: the most frequent class's
     * share of the training set, or 1/k; from the second epoch on, or in the
     * first when a layer below is also pinned */
    NNC_WARN_CHANCE = 1 << 0,
    /* every ReLU unit of hidden layer warning_layer gives 0 for every sample
     * of a fixed sample of up to 256 training samples, taken after the epoch */
    NNC_WARN_DEAD = 1 << 1,
    /* every sigmoid or tanh unit of hidden layer warning_layer is pinned at
     * its limits (derivative below 1e-4) for every sample of that sample */
    NNC_WARN_SATURATED = 1 << 2,
    /* with NNC_WARN_CHANCE only: every output of that sample is pinned at
     * 0 or 1, the signature of steps too large for the network */
    NNC_WARN_OUTPUTS_PINNED = 1 << 3,
    /* a regression: every R² measured this epoch (running, training,
     * validation, test) is 0 or below, no better than predicting each
     * target's mean; from the second epoch on */
    NNC_WARN_NO_FIT = 1 << 4
};

typedef struct {
    unsigned    epoch;          /* 0-based                                   */
    double      train_seconds;  /* wall time of this epoch's training        */
    float       eta;            /* learning rate used in this epoch          */
    nnc_measure train, valid, test;
    /* The running figures of the training set, always taken: cost, correct
     * count (a classifier with labels) or RMSE, MAE and R² (a regression),
     * summed over the epoch's mini-batches from the outputs of their forward
     * passes while the parameters moved, as Keras reports its loss (no extra
     * pass over the data). With dropout they are the dropped-out network's.
     * cost adds the L2 term of the epoch's final weights, as train.cost
     * does. Epochs read from files written before it existed: cost NAN, n 0. */
    nnc_measure running;
    unsigned    warnings;       /* NNC_WARN_* bits; 0 when all looks well    */
    unsigned    warning_layer;  /* the hidden layer (1 = the first) that
                                   NNC_WARN_DEAD or _SATURATED names; else 0 */
} nnc_epoch_report;

/* The warnings of r as one sentence naming their likely cause ("the
 * accuracy is at chance level ...: eta 1e+09 is likely too large"), written
 * into buf as snprintf does; returns the sentence's length, 0 (and "") when
 * r has no warning. buf may be NULL when size is 0. */
NNC_API size_t nnc_epoch_warning(const nnc_epoch_report *r, char *buf, size_t size);

/* Called after every epoch; return non-zero to stop training. */
typedef int (*nnc_epoch_fn)(nnc_net *net, const nnc_epoch_report *report,
                            void *user);

/* Where an epoch stands, for a progress display. */
typedef struct {
    unsigned epoch;            /* 0-based                                       */
    size_t   batches_done, batches;   /* in this epoch                          */
    size_t   samples_done, samples;
    double   seconds;          /* since the epoch began                         */
    /* the running figures of the samples trained so far this epoch, as
     * nnc_epoch_report.running gives them for the whole (without L2) */
    nnc_measure running;
} nnc_progress;

/* Called during an epoch, every few thousand samples (and after its last
 * batch); it must be quick. */
typedef void (*nnc_progress_fn)(const nnc_progress *progress, void *user);

/* Distortions of image training data, as Simard, Steinkraus & Platt (2003)
 * and Ciresan et al. (2010) trained plain networks past 99% on MNIST: every
 * sample of every epoch is trained on a freshly distorted copy. An affine
 * map (each part drawn uniformly from its range) and an elastic field
 * (uniform noise in [-1, 1] per axis, smoothed by a Gaussian of sigma
 * pixels, times alpha; the noise on points floor(sigma) pixels apart, which
 * leaves the field the mean, variance and correlations noise on every pixel
 * gives) give for every output pixel the input point it
 * shows, read by bilinear interpolation (0 outside the image). The draws come
 * from the network's seed, the epoch and the sample's index alone, so a run
 * is bit-identical for any thread count. Only image data (nnc_data_image_size)
 * can be distorted. */
typedef struct {
    int   on;             /* 0: the images as they are (the default)         */
    float rotate;         /* degrees: turned by an angle from [-rotate, rotate] */
    float zoom;           /* fraction: width and height each scaled by a
                             factor from [1 - zoom, 1 + zoom]                 */
    float shear;          /* fraction: x moves by k y, k from [-shear, shear] */
    float shift;          /* pixels: moved by up to this along each axis      */
    float elastic_alpha;  /* pixels: the elastic field's scale; 0: none       */
    float elastic_sigma;  /* pixels: its Gaussian's standard deviation        */
} nnc_augment;

/* Sample i of data distorted by a as a run seeded with seed draws it in
 * epoch `epoch` (0-based): dim floats into out, on the scale
 * nnc_data_input gives (byte data are distorted as bytes, as training does).
 * NNC_ERR_ARG when data are not images or a range is out of bounds. To see
 * what training sees (`nnc show --augment`). */
NNC_API nnc_status nnc_augment_sample(const nnc_data *data, size_t i, const nnc_augment *a,
                                      uint64_t seed, unsigned epoch, float *out);

/* ---- training across processes -------------------------------------- */

/* The processes that train one network together, data-parallel: every one
 * holds the whole network and data, computes the gradients of its share of
 * each mini-batch, and the shares are summed so that every process makes
 * the same update. Started by `mpirun -np K`, a process joins the others
 * through MPI; started alone, it is a group of one and MPI is not touched. */
typedef struct nnc_dist nnc_dist;

/* 1 if this library was built with MPI (else only groups of one exist). */
NNC_API int nnc_dist_available(void);

/* Joins the group this process was started in (argc and argv as main has
 * them, or NULL). A process started by an MPI launcher (mpirun, mpiexec)
 * initialises MPI; NNC_ERR_ARG if the library has no MPI to do so with. */
NNC_API nnc_status nnc_dist_join(int *argc, char ***argv, nnc_dist **out);
/* Leaves the group (MPI_Finalize when this library initialised MPI) and
 * frees it; every process of the group must call it. NULL is allowed. */
NNC_API void nnc_dist_leave(nnc_dist *d);
/* This process's number, 0 .. size - 1; rank 0 writes a run's files. */
NNC_API unsigned nnc_dist_rank(const nnc_dist *d);
NNC_API unsigned nnc_dist_size(const nnc_dist *d);
/* Every process calls it with how a step went for it, and why when it
 * failed (message NULL: nnc_last_error()): returns NNC_OK when every one
 * succeeded, else the status of the lowest rank that failed, whose message
 * becomes nnc_last_error on every process (prefixed "rank R: " on the
 * others); so that all go on, or all stop, together. */
NNC_API nnc_status nnc_dist_agree(nnc_dist *d, nnc_status s, const char *message);

/* How the shares of a mini-batch are summed across processes. */
typedef enum {
    /* The batch is cut into a fixed number of shards by sample index
     * (nnc_train_opts.shards); each shard's gradient is computed alone and
     * the shard sums are added in a fixed tree by shard number: the same
     * bits for any number of processes (and thread counts). */
    NNC_REDUCE_FIXED = 0,
    /* Each process takes a contiguous part of the batch, one part each,
     * summed by MPI's allreduce: fewer, larger products, but the bits
     * depend on the number of processes. */
    NNC_REDUCE_FAST
} nnc_reduce;

typedef struct {
    unsigned       epochs;      /* 10                                        */
    size_t         batch_size;  /* 10                                        */
    float          eta;         /* 3.0                                       */
    int            shuffle;     /* 1: reshuffle every epoch with the network's
                                   generator; 0: keep the data's order       */
    unsigned       threads;     /* 0: choose from the network's size         */
    float          lambda;      /* L2 strength, network2's semantics: weights
                                   decay by (1 - eta lambda / n) per batch; 0 */
    nnc_optimizer  optimizer;   /* NNC_OPT_SGD                               */
    float          momentum;    /* mu for MOMENTUM / NESTEROV; 0.9           */
    float          adam_beta1, adam_beta2, adam_epsilon; /* 0.9, 0.999, 1e-8 */
    float          dropout;     /* probability of dropping a hidden unit
                                   while training (inverted dropout); 0      */
    /* Monitoring: NNC_MONITOR_* bits; the datasets they need. */
    unsigned        monitor;    /* 0                                         */
    const nnc_data *validation; /* NULL                                      */
    const nnc_data *test;       /* NULL                                      */
    /* Schedules, both driven by validation accuracy (need `validation`):
     * halve eta after `halve_after` epochs without improvement, and stop
     * once eta < eta * min_eta_factor (network2's suggestion: 1/128);
     * stop after `early_stop` epochs without improvement and give back the
     * best network seen. 0 turns either off. */
    unsigned     halve_after;   /* 0                                         */
    float        min_eta_factor;/* 1/128                                     */
    unsigned     early_stop;    /* 0                                         */
    /* Checkpoints: a .nnc file with the training state, saved atomically
     * after every epoch; and one to continue from, whose parameters and
     * generator replace the network's (same sizes required). A resumed run
     * ends bit-identical to one that was never interrupted. */
    const char  *checkpoint;    /* NULL: none                                */
    const char  *resume;        /* NULL: start afresh                        */
    nnc_epoch_fn on_epoch;      /* NULL: none                                */
    void        *user;          /* passed to on_epoch                        */
    /* A flag to stop a run cleanly, e.g. set by a SIGINT handler: once it is
     * non-zero, training ends after the mini-batch in flight and nnc_train
     * returns NNC_ERR_INTERRUPTED with the network as it stands (the last
     * checkpoint, if any, holds the last whole epoch). NULL: none. */
    volatile sig_atomic_t *stop;
    nnc_progress_fn on_progress;   /* NULL: none; gets `user` too            */
    /* 1: bring the network's parameters (nnc_net_params) up to date before
     * each on_progress call, so that it may read the weights as they stand
     * (a copy of every parameter each time; training is not changed). 0:
     * they are the last whole epoch's until the epoch ends. */
    int             progress_params;
    nnc_precision  precision;   /* NNC_PRECISION_F32                         */
    nnc_augment     augment;       /* distortions of image data; off         */
    /* 1: epoch e of E trains at eta (1 + cos(pi e / E)) / 2, a cosine from
     * eta down towards 0 over the run (times any halving); 0: eta as it is */
    int             cosine;
    /* Training across processes: the group (NULL: this process alone), the
     * shards of every mini-batch (0: 8 in a group joined through MPI, even
     * of one; none alone; at least as
     * many as the group's processes) and how their sums meet. A process
     * alone with shards > 0 trains exactly as a group of any size does. */
    nnc_dist       *dist;
    unsigned        shards;
    nnc_reduce      reduce;     /* NNC_REDUCE_FIXED                          */
} nnc_train_opts;

/* What a training run did. */
typedef struct {
    unsigned epochs_run;
    int      best_epoch;        /* by validation accuracy (a regression: the
                                 * lowest validation RMSE); -1 if not measured */
    size_t   best_valid_correct;
    double   best_valid_rmse;   /* a regression's; NAN for a classifier       */
    float    final_eta;
    int      restored_best;     /* 1 if early stopping put the best back     */
    nnc_precision precision_used; /* the products' arithmetic: F32 when BF16
                                     was asked for on a CPU without it        */
} nnc_train_summary;

/* Fills opts with the tutorial's test.py settings (plain SGD, nothing else). */
NNC_API void nnc_train_opts_init(nnc_train_opts *opts);

/* Mini-batch SGD as the tutorial's Network.SGD: per epoch, shuffle, cut into
 * batches of batch_size (the last may be smaller), and for each batch
 * w <- w - (eta / len(batch)) * sum of gradients, likewise for biases; with
 * the options above on top. summary may be NULL.
 * If an output or a parameter becomes NaN or infinite, training stops and
 * returns NNC_ERR_DIVERGED, the message naming the epoch and batch, with the
 * network as it was after the last whole epoch. Float inputs or targets of
 * the training, validation or test set that are NaN or infinite are refused
 * first (NNC_ERR_FORMAT, naming the set's source, row and column). Each
 * epoch's report holds its running measure and any warnings. */
NNC_API nnc_status nnc_train(nnc_net *net, const nnc_data *train,
                     const nnc_train_opts *opts, nnc_train_summary *summary);

/* How well a regression network fits a dataset with targets: the root mean
 * squared and the mean absolute error over every output of every sample, and
 * R² = 1 − SS_res / SS_tot (pooled over the outputs; 1 is a perfect fit, 0
 * no better than each output's mean). Any pointer but net and data may be
 * NULL. */
NNC_API nnc_status nnc_measure_regression(const nnc_net *net, const nnc_data *data,
                                          double *rmse, double *mae, double *r2);

/* Correct count and mean cost (without any L2 term) over a dataset;
 * mean_cost may be NULL. */
NNC_API nnc_status nnc_measure_data(const nnc_net *net, const nnc_data *data,
                            size_t *correct, double *mean_cost);

/* ---- export ----------------------------------------------------------- */

/* Writes the network as one self-contained C99 header (atomically): its
 * parameters as static const arrays and NAME_predict(in, out), with
 * NAME_classify(in) for a classifier, computing what nnc_feedforward
 * computes (in the reference kernels' order: the same floats) with the
 * network's input scaling inside; no allocation, nothing but <math.h>.
 * int8: weights as int8 per output unit, each layer's inputs quantised per
 * call and the products summed in integers. name: a C identifier. */
NNC_API nnc_status nnc_export_c(const nnc_net *net, const char *path, const char *name,
                                int int8);
/* The outputs the int8 header computes for m rows of x (m x n_L into out):
 * to judge what quantisation costs before shipping it. */
NNC_API nnc_status nnc_int8_feedforward(const nnc_net *net, const float *x, size_t m,
                                        float *out);

/* Writes the network as an ONNX model (IR 7, opset 13; atomically): input
 * "input" [batch, n_0] float, output "output" [batch, n_L]; the input
 * scaling as Sub and Mul, each layer as Gemm (W as stored, n_{l-1} x n_l)
 * and its activation, then Sigmoid, Softmax (axis 1) or, for a
 * regression, Identity. */
NNC_API nnc_status nnc_export_onnx(const nnc_net *net, const char *path);

/* ---- model files ------------------------------------------------------- */

/* How a network came to be; saved with it. */
typedef struct {
    uint64_t      seed;        /* the seed it was created with               */
    nnc_init      init;        /* the initialisation it was created with     */
    unsigned      epochs;      /* epochs trained, over all runs              */
    size_t        batch_size;  /* settings of the last run (0: never trained) */
    float         eta, lambda, dropout;
    nnc_optimizer optimizer;
} nnc_train_record;

NNC_API const nnc_train_record *nnc_net_record(const nnc_net *net);

/* How a network scales its inputs before its first layer, fitted on the
 * training set: none (the default, and MNIST's: its bytes are already
 * scaled by 1/256), standard (x − mean) / standard deviation, or min-max
 * (x − min) / (max − min). An input that is constant in the training set is
 * only shifted. The scaling is part of the network: nnc_train,
 * nnc_feedforward and every measure apply it to raw inputs, and .nnc files
 * keep it. */
typedef enum { NNC_SCALE_NONE = 0, NNC_SCALE_STANDARD, NNC_SCALE_MINMAX } nnc_scaling;

NNC_API nnc_status nnc_net_fit_scaling(nnc_net *net, const nnc_data *data, nnc_scaling how);
/* Sets x' = (x − shift) × factor per input (arrays of nnc_net_inputs
 * floats, copied), or removes the scaling when either is NULL. */
NNC_API nnc_status nnc_net_set_scaling(nnc_net *net, const float *shift, const float *factor);
/* 1 and the arrays (owned by the network) if it scales its inputs, else 0. */
NNC_API int nnc_net_scaling(const nnc_net *net, const float **shift, const float **factor);

/* What the classes stand for: k names (copied; k 0 or names NULL removes
 * them), class i being the one output i votes for, or for a single sigmoid
 * output class 1 when it is above 0.5. Kept in .nnc files, so that a model
 * answers with the labels it was trained on ("setosa", "42"). */
NNC_API nnc_status nnc_net_set_class_names(nnc_net *net, const char *const *names, size_t k);
NNC_API size_t nnc_net_classes(const nnc_net *net);                    /* 0: unnamed */
NNC_API const char *nnc_net_class_name(const nnc_net *net, size_t i);  /* or NULL    */

/* Whether the network was trained on pixel bytes read as byte / 256, so
 * that rows read for it are read so too. Kept in .nnc files. */
NNC_API void nnc_net_set_pixel_inputs(nnc_net *net, int pixels);
NNC_API int nnc_net_pixel_inputs(const nnc_net *net);

/* The names of the input columns it was trained on (nnc_net_inputs of
 * them, copied; NULL removes them), so that rows whose columns come in
 * another order are read by name. Kept in .nnc files. */
NNC_API nnc_status nnc_net_set_input_names(nnc_net *net, const char *const *names);
NNC_API const char *nnc_net_input_name(const nnc_net *net, size_t j);   /* or NULL */

/* The data a network was made for, so that what judges or uses it later
 * reads its data as training did: whether its inputs are an image (and its
 * size) or a table's row, the table's label and ignored columns as they
 * were given, and how to remake the held-out sets: the fractions, their
 * seed, and the row count and nnc_data_checksum of the data they were cut
 * from. Kept in .nnc files; the recipe sets it. */
typedef struct {
    size_t      image_width, image_height;   /* 0: table rows                    */
    const char *label;        /* the label column(s) as given; NULL: the default */
    const char *ignore;       /* the columns left out as given; NULL: none       */
    size_t      skip_lines;   /* lines passed over before the table              */
    float       test_split, valid_split;   /* fractions held out; 0: none        */
    uint64_t    split_seed;   /* the seed the held-out rows were drawn from      */
    size_t      rows;         /* rows of the data they were cut from; 0: unknown */
    uint64_t    checksum;     /* nnc_data_checksum of those rows; 0: unknown     */
} nnc_data_origin;

/* Copies origin into the network (its strings too); NULL forgets it. */
NNC_API nnc_status nnc_net_set_origin(nnc_net *net, const nnc_data_origin *origin);
/* 1 and *origin (strings owned by the network) if the network knows its
 * data; else 0 and *origin zeroed. */
NNC_API int nnc_net_origin(const nnc_net *net, nnc_data_origin *origin);
/* 1 and the size if the network's inputs are an image: as its origin says,
 * or for a network from before origins were kept, when it has no input names
 * or scaling and a square input count of at least 64 (MNIST's). */
NNC_API int nnc_net_image_size(const nnc_net *net, size_t *width, size_t *height);

/* The epochs the network was trained, over all its runs, oldest first: what
 * each measured (an accuracy with n = 0 or a cost that is NaN was not taken;
 * epoch counts from 0 across runs). *count gets their number; kept in .nnc files, not in
 * network2 JSON. The array belongs to the network. */
NNC_API const nnc_epoch_report *nnc_net_history(const nnc_net *net, size_t *count);

/* Saves in the .nnc format (docs/FORMAT.md), atomically: a temporary file in
 * the same folder, flushed and fsync'ed, renamed over path. */
NNC_API nnc_status nnc_model_save(const nnc_net *net, const char *path);
/* Saves in network2.py's JSON format (sigmoid networks with the quadratic
 * or cross-entropy cost only), atomically. */
NNC_API nnc_status nnc_model_save_json(const nnc_net *net, const char *path);
/* Saves in the format the name asks for: network2's JSON when it ends in
 * .json (in any case), else .nnc. */
NNC_API nnc_status nnc_model_save_as(const nnc_net *net, const char *path);
/* What a model file holds, told by its content. */
typedef enum {
    NNC_FILE_MODEL = 0,      /* .nnc: a network and how it was made and trained  */
    NNC_FILE_CHECKPOINT,     /* .nnc: the same plus a run's training state        */
    NNC_FILE_NETWORK2_JSON   /* network2's JSON: sizes, weights, biases and cost
                                only, no record of how the network was made       */
} nnc_file_kind;

NNC_API nnc_status nnc_model_file_kind(const char *path, nnc_file_kind *kind);

/* Checks now, before any work, that saving net to path could succeed: its
 * folder takes a new file, path is not a folder, device or FIFO (a symbolic
 * link is written through), and with json != 0 the network is one network2's
 * format holds. */
NNC_API nnc_status nnc_model_check_save(const nnc_net *net, const char *path, int json);
/* Loads a .nnc file or a network2 JSON file, told apart by their content;
 * every field is checked before anything is allocated. */
NNC_API nnc_status nnc_model_load(const char *path, nnc_net **out);

/* The settings of the run a checkpoint belongs to (the training fields of
 * nnc_train_opts: epochs, mini-batch, eta, lambda, optimiser and its
 * constants, dropout, schedules, cosine, shuffle, monitor, augment; pointers
 * are left as they are; a checkpoint of format version 2 holds no cosine or
 * augment and gives 0 and off), and the epoch it would run next (next_epoch
 * may be NULL): what a resumed run needs to be the same run. */
NNC_API nnc_status nnc_checkpoint_settings(const char *path, nnc_train_opts *opts,
                                           unsigned *next_epoch);

/* Number of samples whose argmax output equals the label. */
NNC_API nnc_status nnc_evaluate(const nnc_net *net, const nnc_data *data,
                        size_t *correct);

/* Counts of (label, prediction) pairs: matrix is k x k, row = label, column
 * = argmax output; k = n_L, or 2 for a single sigmoid output (class 1 when
 * it is above 0.5). */
NNC_API nnc_status nnc_confusion_matrix(const nnc_net *net, const nnc_data *data,
                                size_t *matrix);

/* The confusion matrix (as nnc_confusion_matrix) of a committee of k
 * classifiers: each sample's class is the largest of the members' output
 * rows averaged (their softmax probabilities for softmax networks). Members
 * must take the same inputs to the same outputs (NNC_ERR_MISMATCH). */
NNC_API nnc_status nnc_committee_confusion(const nnc_net *const *nets, size_t k,
                                           const nnc_data *data, size_t *matrix);

/* ---- names and recipes ------------------------------------------------- */

/* The names of the choices above, as the command's options and the Python
 * package's keywords spell them: "leaky-relu", "cross-entropy", "adam",
 * "standard", "regress", "valid-accuracy". */
typedef enum {
    NNC_NAMES_ACTIVATION, NNC_NAMES_COST, NNC_NAMES_INIT, NNC_NAMES_OPTIMIZER,
    NNC_NAMES_SCALING, NNC_NAMES_TASK, NNC_NAMES_MONITOR, NNC_NAMES_PRECISION
} nnc_names_kind;

/* The name of a value (a monitor's: of one bit); NULL if it has none. */
NNC_API const char *nnc_name_of(nnc_names_kind kind, int value);
/* The value of a name; NNC_ERR_ARG with a message listing the valid names. */
NNC_API nnc_status nnc_value_of(nnc_names_kind kind, const char *name, int *value);
/* Every name of a kind in value order, comma-separated: "sgd, momentum, ...". */
NNC_API const char *nnc_names_list(nnc_names_kind kind);

/* A recipe is every decision that makes a training run, taken in one place
 * for every front end: the options a user gave, by name, over a preset over
 * the tutorial's defaults; then, from the training data, the network's shape,
 * its cost for the task, the optimiser's defaults for the task, the input
 * scaling, the held-out splits and the measures shown. The command, the
 * Python package and any other front end set the same options and so make
 * the same network from the same data, bit for bit.
 *
 *     nnc_recipe *r;  nnc_data *all, *train, *valid, *test;  nnc_net *net;
 *     nnc_recipe_create(&r);
 *     nnc_recipe_set(r, "preset", "network2");
 *     nnc_recipe_set(r, "eta", "0.5");            // over the preset's 0.1
 *     ... read `all` (nnc_recipe_csv_options for a table) ...
 *     nnc_recipe_split(r, all, &train, &valid, &test);
 *     nnc_recipe_make_net(r, train, &net);
 *     nnc_train_opts o;
 *     nnc_recipe_train_opts(r, net, valid, test, &o);
 *     nnc_train(net, train, &o, NULL);
 *
 * A recipe says what it decided that a user may want to know (a default
 * that depends on the data, a split it held out) in nnc_recipe_notes. */
typedef struct nnc_recipe nnc_recipe;

/* A recipe of the tutorial's choices, no option given. */
NNC_API nnc_status nnc_recipe_create(nnc_recipe **out);
NNC_API void nnc_recipe_free(nnc_recipe *r);

/* Gives one option by its name and its value as text, as `nnc train --NAME
 * VALUE` does. The options, in the order of nnc_recipe_option():
 *   preset (tutorial, network2, best, simard), layers (sizes, input first: "784,30,10"),
 *   hidden ("100,30": the hidden layers, the ends from the data), activation,
 *   cost, init, seed, epochs, batch, eta, optimizer, momentum, lambda,
 *   dropout, halve-after, early-stop, monitor (a comma-separated list of
 *   monitor names), threads, shuffle (yes, no), task, scale, binary
 *   (sigmoid, softmax: two classes as one or two outputs), valid-split,
 *   test-split (fractions), label, ignore (columns by name or number from 1),
 *   header (yes, no, auto), sep (comma, semicolon, tab), skip-lines (lines
 *   before the table), augment (yes, no), rotate, zoom, shear, shift,
 *   elastic-alpha, elastic-sigma (nnc_augment's ranges; giving one turns
 *   augment on), schedule (constant, cosine).
 * The order options are given in does not matter: a preset is applied first
 * and every option given over it. NNC_ERR_ARG, with a message that begins
 * with the option's name and says what is wrong, for an unknown option or a
 * bad value. */
NNC_API nnc_status nnc_recipe_set(nnc_recipe *r, const char *option, const char *value);
/* The name of option i (0 ..), NULL past the last: bit i of a mask below. */
NNC_API const char *nnc_recipe_option(size_t i);
/* 1 if the option was given (not taken from a preset or a default). */
NNC_API int nnc_recipe_given(const nnc_recipe *r, const char *option);
/* 1 if path names a table (.csv, .tsv, .txt), which nnc_csv_read reads;
 * else it is MNIST's folder, IDX files or a pickle. */
NNC_API int nnc_recipe_is_table(const char *path);
/* NNC_ERR_ARG when options only a table takes (label, ignore, header, sep,
 * task, scale, binary, valid-split, test-split, skip-lines) were given for
 * data at path that is not a table: refused, not ignored. */
NNC_API nnc_status nnc_recipe_check_source(const nnc_recipe *r, const char *path);

/* How to read a table for this recipe: its label, ignore, header, sep and
 * task options over nnc_csv_options_init's. */
NNC_API void nnc_recipe_csv_options(const nnc_recipe *r, nnc_csv_options *o);

/* The training, validation and test sets from all of the data: the
 * test-split and valid-split fractions held out at random by class,
 * reproducibly from the seed. With early-stop or halve-after and no
 * validation split, 10% is held out (they judge by a validation set) unless
 * has_valid says the caller has one. valid and test come back NULL when
 * nothing is held out; train shares all's storage. */
NNC_API nnc_status nnc_recipe_split(nnc_recipe *r, const nnc_data *all, int has_valid,
                                    nnc_data **train, nnc_data **valid, nnc_data **test);

/* The network the recipe makes for training on train: its layers (given,
 * or the data's inputs, the hidden layers and an output per class or
 * target), the cost for the task, activation, initialisation and seed; its
 * input scaling fitted on train (given, else none for pixels and inputs
 * already in [0, 1], else standard); its class and input names and whether
 * its inputs are pixels. NNC_ERR_ARG when an option does not fit the data. */
NNC_API nnc_status nnc_recipe_make_net(nnc_recipe *r, const nnc_data *train, nnc_net **out);

/* The training options for net: the options given over the preset, with the
 * defaults that depend on the task (a regression without optimiser, eta or
 * preset given: Adam at 0.01; Adam: eta 0.001) and on the sets there are
 * (test accuracy when there is a test set; else the validation or training
 * accuracy). valid and test may be NULL; the callbacks are left NULL. */
NNC_API nnc_status nnc_recipe_train_opts(nnc_recipe *r, const nnc_net *net,
                                         const nnc_data *valid, const nnc_data *test,
                                         nnc_train_opts *opts);

/* A network from a file (--init-from, --resume) keeps its own layers,
 * activation and cost: NNC_ERR_MISMATCH if the recipe gives other ones, with
 * the bits of the options that differ in *differ (bit i: nnc_recipe_option(i)). */
NNC_API nnc_status nnc_recipe_check_net(const nnc_recipe *r, const nnc_net *net,
                                        uint64_t *differ);

/* Makes the recipe continue a checkpoint's run: its training settings come
 * from the file, and only epochs and monitor may be given anew.
 * NNC_ERR_MISMATCH if another training option is given with a value the
 * run did not have (bits in *differ, as above). A checkpoint too old to
 * hold its settings keeps the recipe's, with a note. *next_epoch gets the
 * epoch the run continues with. */
NNC_API nnc_status nnc_recipe_resume(nnc_recipe *r, const char *checkpoint,
                                     unsigned *next_epoch, uint64_t *differ);

/* A table read for a trained model as its training read one: the model's
 * inputs found by name, labels mapped to its classes, the label (unless
 * given here) and ignored columns it was trained with, pixels as it took
 * them. The label columns may be absent (rows to predict). */
NNC_API nnc_status nnc_recipe_read_for_model(const nnc_net *net, const char *path,
                                             const char *label, nnc_data **out);

/* The outputs (m x n_L) for m rows of raw values (m x n_0) as a table would
 * hold them: a model trained on pixel bytes reads each as byte / 256, as the
 * readers do; any other takes them as they are (its scaling inside). */
NNC_API nnc_status nnc_recipe_predict_rows(const nnc_net *net, const float *x, size_t m,
                                           float *out);

/* Which rows of a file a model is judged on. */
typedef enum {
    NNC_JUDGED_ALL = 0,   /* another file, or one the model was not split from   */
    NNC_JUDGED_TEST,      /* the rows the training run held out as its test set   */
    NNC_JUDGED_VALID      /* its validation rows, when it held out no test set    */
} nnc_judged;

/* The rows of data a trained model should be judged on: when data holds
 * the rows the model's training run split (the same count and checksum,
 * nnc_net_origin), the ones it held out, drawn again as training drew them;
 * any other data whole. *which says which. */
NNC_API nnc_status nnc_recipe_judged_rows(const nnc_net *net, const nnc_data *data,
                                          nnc_data **judged, nnc_judged *which);

/* The distortions the recipe's options ask for (augment, rotate, zoom,
 * shear, shift, elastic-alpha, elastic-sigma over their defaults); on is 0
 * when none are asked for. */
NNC_API void nnc_recipe_augment(const nnc_recipe *r, nnc_augment *out);

/* What the recipe decided that was not asked for, one sentence a line, or
 * "" (owned by the recipe, valid until its next call). */
NNC_API const char *nnc_recipe_notes(const nnc_recipe *r);

/* ---- files that appear only when complete ------------------------------ */

#include <stdio.h>   /* FILE */

/* A file written through a temporary file in its folder that becomes path
 * (flushed, fsync'ed, renamed over it) only when complete: a reader sees the
 * old content or the new, never a part, and a failure leaves the old file,
 * if any, as it was and no temporary file. A symbolic link is written
 * through (its target replaced, the link kept); a folder, device, FIFO or
 * socket is refused. The mode of a replaced file is kept, else rw-r--r--.
 * From begin to end the signals that would end the process (SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT, SIGXFSZ) are held back on the calling thread,
 * so that none leaves a temporary file behind: end the file on the thread
 * that began it. Models and exports are written so, and the command's
 * pictures and reports. */
typedef struct nnc_file nnc_file;

/* Starts a file: *out is its handle, *stream the FILE to write it through
 * (not to be closed). NNC_ERR_IO naming path if the folder takes no file. */
NNC_API nnc_status nnc_file_begin(const char *path, nnc_file **out, FILE **stream);
/* Ends it and frees the handle (NULL is fine). ok != 0: the file takes its
 * place, or NNC_ERR_IO naming path and why ("cannot write: No space left on
 * device (the previous file is kept)") if any write failed. ok == 0: the
 * temporary file is removed; NNC_OK, and the last error is left as it was. */
NNC_API nnc_status nnc_file_end(nnc_file *file, int ok);

#ifdef __cplusplus
}
#endif
#endif /* NNC_H */
