/* cmd_train.c — `nnc train`: the tutorial's test.py, with options. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "nnc.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: nnc train [OPTIONS]\n"
            "\n"
            "Trains a network by mini-batch SGD on MNIST, the tutorial's pickle or a table\n"
            "(CSV) of any shape, and prints after every epoch 'Epoch j: correct / N' on\n"
            "the test set (a regression: its RMSE, MAE and R2) and the epoch's time.\n"
            "Defaults are the tutorial's test.py.\n"
            "\n"
            "network\n"
            "  -l, --layers LIST      layer sizes, input first             (784,30,10)\n"
            "      --activation F     hidden units: sigmoid, tanh, relu, leaky-relu (sigmoid)\n"
            "      --cost C           quadratic, cross-entropy, softmax; regression:\n"
            "                         mse, mae, huber            (quadratic; mse)\n"
            "      --init I           normal N(0,1), scaled N(0,1/n_in), he, glorot (normal)\n"
            "  -s, --seed N           seed of the network's generator      (0)\n"
            "training\n"
            "  -e, --epochs N         training epochs                      (10)\n"
            "  -b, --batch N          mini-batch size                      (10)\n"
            "  -r, --eta X            learning rate    (3.0; adam: 0.001; regression: 0.01)\n"
            "      --optimizer O      sgd, momentum, nesterov, adam\n"
            "                                         (sgd; a table's regression: adam)\n"
            "      --momentum MU      momentum coefficient                 (0.9)\n"
            "      --lambda X         L2 strength, network2's semantics     (0)\n"
            "      --dropout P        drop hidden units with probability P  (0)\n"
            "      --halve-after K    halve eta after K epochs without a better\n"
            "                         validation accuracy; stop at eta/128  (off)\n"
            "      --early-stop K     stop after K epochs without a better validation\n"
            "                         accuracy and keep the best network    (off)\n"
            "      --monitor LIST     after each epoch measure also any of train-cost,\n"
            "                         train-accuracy, valid-cost, valid-accuracy,\n"
            "                         test-cost (test accuracy is always measured\n"
            "                         when there is a test set)             (none)\n"
            "      --preset NAME      tutorial; network2 (chapter 3: [784,100,10],\n"
            "                         cross-entropy, scaled, lambda 5, eta 0.1, 60 epochs);\n"
            "                         best ([784,1024,1024,10] ReLU, softmax, He, Nesterov\n"
            "                         0.9, eta 0.1 halved after 3 flat epochs, batch 128,\n"
            "                         dropout 0.3, lambda 1, early stop 10, <= 60 epochs);\n"
            "                         later options override the preset\n"
            "  -t, --threads N        threads, 0 = choose                  (0)\n"
            "models\n"
            "  -o, --save FILE        save the trained network (.json: network2's\n"
            "                         format, else .nnc), atomically\n"
            "      --checkpoint FILE  save network and training state after every epoch\n"
            "      --resume FILE      continue from a checkpoint up to --epochs in all\n"
            "      --init-from MODEL  start from a saved network (.nnc or JSON)\n"
            "  -d, --data PATH        a folder with the four MNIST IDX files, raw or .gz;\n"
            "                         a pickle like the tutorial's mnist.pkl.gz; or a\n"
            "                         table (.csv, .tsv, .txt)\n"
            "                         (default: $NNC_DATA, else data/mnist)\n"
            "tables\n"
            "      --label COLUMNS    the label column, or a regression's target columns,\n"
            "                         by name or number from 1, comma-separated   (1)\n"
            "      --ignore COLUMNS   columns that are neither inputs nor labels\n"
            "      --task T           classify (labels name classes: integers or any\n"
            "                         text) or regress (real-valued targets) (classify)\n"
            "      --hidden LIST      hidden layer sizes; the inputs and outputs come\n"
            "                         from the data (also for MNIST)           (30)\n"
            "      --binary B         two classes as one sigmoid output or two softmax\n"
            "                         outputs                              (softmax)\n"
            "      --scale S          standard, minmax or none, fitted on the training\n"
            "                         rows and kept in the model (standard; none for\n"
            "                         pixels 0-255 and inputs already in [0, 1])\n"
            "      --valid-split F    hold out a fraction F of the rows for validation,\n"
            "                         by class, from --seed (0.1 with --early-stop or\n"
            "                         --halve-after, else none)\n"
            "      --test FILE        the test set's table\n"
            "      --test-split F     hold out a fraction F of the rows as the test set\n"
            "      --header H         yes, no or auto: the first line names columns (auto)\n"
            "      --sep S            comma, semicolon or tab                  (auto)\n"
            "output\n"
            "      --json             one JSON object per epoch on stdout instead of\n"
            "                         the 'Epoch j' line\n"
            "      --metrics FILE     also a CSV row per epoch: epoch, seconds, eta and\n"
            "                         every measure taken, with a header\n"
            "      --quiet            no progress line (drawn on stderr only when it is\n"
            "                         a terminal)\n"
            "  -h, --help             show this help\n");
}

/* ---- names of the enums ---------------------------------------------- */

typedef struct {
    const char *name;
    int         value;
} name_value;

static const name_value activations[] = {{"sigmoid", NNC_ACT_SIGMOID}, {"tanh", NNC_ACT_TANH},
                                         {"relu", NNC_ACT_RELU},
                                         {"leaky-relu", NNC_ACT_LEAKY_RELU}, {NULL, 0}};
static const name_value costs[] = {{"quadratic", NNC_COST_QUADRATIC},
                                   {"cross-entropy", NNC_COST_CROSS_ENTROPY},
                                   {"softmax", NNC_COST_SOFTMAX_LOGLIK},
                                   {"mse", NNC_COST_MSE},
                                   {"mae", NNC_COST_MAE},
                                   {"huber", NNC_COST_HUBER},
                                   {NULL, 0}};
static const name_value inits[] = {{"normal", NNC_INIT_NORMAL}, {"scaled", NNC_INIT_SCALED},
                                   {"he", NNC_INIT_HE}, {"glorot", NNC_INIT_GLOROT}, {NULL, 0}};
static const name_value optimizers[] = {{"sgd", NNC_OPT_SGD}, {"momentum", NNC_OPT_MOMENTUM},
                                        {"nesterov", NNC_OPT_NESTEROV}, {"adam", NNC_OPT_ADAM},
                                        {NULL, 0}};
static const name_value monitors[] = {
    {"train-cost", NNC_MONITOR_TRAIN_COST}, {"train-accuracy", NNC_MONITOR_TRAIN_ACCURACY},
    {"valid-cost", NNC_MONITOR_VALID_COST}, {"valid-accuracy", NNC_MONITOR_VALID_ACCURACY},
    {"test-cost", NNC_MONITOR_TEST_COST},   {"test-accuracy", NNC_MONITOR_TEST_ACCURACY},
    {NULL, 0}};

static int parse_name(const char *opt, const char *text, const name_value *table, int *out)
{
    for (const name_value *e = table; e->name; e++)
        if (!strcmp(e->name, text)) {
            *out = e->value;
            return 1;
        }
    char list[256] = "";
    for (const name_value *e = table; e->name; e++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 e == table ? "" : ", ", e->name);
    cli_error("%s: '%s' is not one of %s", opt, text, list);
    return 0;
}

static int parse_monitor(const char *text, unsigned *out)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    *out = NNC_MONITOR_TEST_ACCURACY;   /* the tutorial's line stays */
    for (char *save, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int bit;
        if (!parse_name("--monitor", tok, monitors, &bit))
            return 0;
        *out |= (unsigned)bit;
    }
    return 1;
}

/* ---- settings -------------------------------------------------------- */

typedef struct {
    size_t         sizes[MAX_LAYERS], n_layers;
    nnc_net_spec   spec;
    nnc_train_opts opts;
    int            eta_given;
    const char    *data_dir;
    const char    *save, *init_from, *test_csv, *metrics;
    int            quiet, json;
    int            given[64], n_given;   /* the options on the command line */
    cli_table      table;                /* how --data's table is read       */
} settings;

static void preset_tutorial(settings *st)
{
    st->sizes[0] = 784, st->sizes[1] = 30, st->sizes[2] = 10, st->n_layers = 3;
    nnc_net_spec_init(&st->spec, st->sizes, 3);
    nnc_train_opts_init(&st->opts);
    st->opts.monitor = NNC_MONITOR_TEST_ACCURACY;
}

static int apply_preset(settings *st, const char *name)
{
    preset_tutorial(st);
    if (!strcmp(name, "tutorial") || !strcmp(name, "seed"))   /* seed: its old name */
        return 1;
    if (!strcmp(name, "network2")) {       /* Nielsen, chapter 3 */
        st->sizes[1] = 100;
        st->spec.cost = NNC_COST_CROSS_ENTROPY;
        st->spec.init = NNC_INIT_SCALED;
        st->opts.lambda = 5.0f;
        st->opts.eta = 0.1f;
        st->opts.epochs = 60;
        return 1;
    }
    if (!strcmp(name, "best")) {           /* README: the best recipe found */
        st->sizes[1] = 1024, st->sizes[2] = 1024, st->sizes[3] = 10, st->n_layers = 4;
        st->spec.hidden = NNC_ACT_RELU;
        st->spec.cost = NNC_COST_SOFTMAX_LOGLIK;
        st->spec.init = NNC_INIT_HE;
        st->opts.optimizer = NNC_OPT_NESTEROV;
        st->opts.momentum = 0.9f;
        st->opts.eta = 0.1f;
        st->opts.batch_size = 128;
        st->opts.dropout = 0.3f;
        st->opts.lambda = 1.0f;
        st->opts.epochs = 60;
        st->opts.halve_after = 3;
        st->opts.early_stop = 10;
        st->opts.monitor |= NNC_MONITOR_VALID_ACCURACY;
        return 1;
    }
    cli_error("--preset: '%s' is not one of tutorial, network2, best", name);
    return 0;
}

enum { OPT_ACT = 256, OPT_COST, OPT_INIT, OPT_OPTIM, OPT_MOMENTUM, OPT_LAMBDA, OPT_DROPOUT,
       OPT_HALVE, OPT_EARLY, OPT_MONITOR, OPT_PRESET, OPT_CHECKPOINT, OPT_RESUME,
       OPT_INIT_FROM, OPT_TEST, OPT_METRICS, OPT_QUIET, OPT_JSON,
       /* reading a table */
       OPT_LABEL, OPT_IGNORE, OPT_HEADER, OPT_SEP, OPT_TASK, OPT_SCALE, OPT_BINARY,
       OPT_VALID_SPLIT, OPT_TEST_SPLIT, OPT_HIDDEN };

static const struct option longopts[] = {
    {"layers", required_argument, NULL, 'l'},     {"epochs", required_argument, NULL, 'e'},
    {"batch", required_argument, NULL, 'b'},      {"eta", required_argument, NULL, 'r'},
    {"seed", required_argument, NULL, 's'},       {"threads", required_argument, NULL, 't'},
    {"data", required_argument, NULL, 'd'},       {"help", no_argument, NULL, 'h'},
    {"activation", required_argument, NULL, OPT_ACT},
    {"cost", required_argument, NULL, OPT_COST},  {"init", required_argument, NULL, OPT_INIT},
    {"optimizer", required_argument, NULL, OPT_OPTIM},
    {"momentum", required_argument, NULL, OPT_MOMENTUM},
    {"lambda", required_argument, NULL, OPT_LAMBDA},
    {"dropout", required_argument, NULL, OPT_DROPOUT},
    {"halve-after", required_argument, NULL, OPT_HALVE},
    {"early-stop", required_argument, NULL, OPT_EARLY},
    {"monitor", required_argument, NULL, OPT_MONITOR},
    {"preset", required_argument, NULL, OPT_PRESET},
    {"save", required_argument, NULL, 'o'},
    {"checkpoint", required_argument, NULL, OPT_CHECKPOINT},
    {"resume", required_argument, NULL, OPT_RESUME},
    {"init-from", required_argument, NULL, OPT_INIT_FROM},
    {"test", required_argument, NULL, OPT_TEST},
    {"metrics", required_argument, NULL, OPT_METRICS},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"json", no_argument, NULL, OPT_JSON},
    {"label", required_argument, NULL, OPT_LABEL},
    {"ignore", required_argument, NULL, OPT_IGNORE},
    {"header", required_argument, NULL, OPT_HEADER},
    {"sep", required_argument, NULL, OPT_SEP},
    {"task", required_argument, NULL, OPT_TASK},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"binary", required_argument, NULL, OPT_BINARY},
    {"valid-split", required_argument, NULL, OPT_VALID_SPLIT},
    {"test-split", required_argument, NULL, OPT_TEST_SPLIT},
    {"hidden", required_argument, NULL, OPT_HIDDEN},
    {NULL, 0, NULL, 0}};

/* The long name of an option code, for the table options' messages. */
static const char *option_name(int c)
{
    static char name[40];
    for (const struct option *o = longopts; o->name; o++)
        if (o->val == c) {
            snprintf(name, sizeof name, "--%s", o->name);
            return name;
        }
    return "?";
}
static const char shortopts[] = "l:e:b:r:s:t:d:o:h";

/* Applies one option; returns 0 ok, 1 help shown, -1 usage error. */
static int apply_option(settings *st, int c, const char *arg)
{
    unsigned long long v;
    int e;
    switch (c) {
    case 'l': return parse_layers("--layers", arg, st->sizes, &st->n_layers) ? 0 : -1;
    case 'e':
        if (!parse_uint("--epochs", arg, 1000000, &v)) return -1;
        st->opts.epochs = (unsigned)v;
        return 0;
    case 'b':
        if (!parse_uint("--batch", arg, 1u << 20, &v)) return -1;
        if (v == 0) { cli_error("--batch: must be at least 1"); return -1; }
        st->opts.batch_size = v;
        return 0;
    case 'r':
        if (!parse_float("--eta", arg, &st->opts.eta)) return -1;
        if (!(st->opts.eta > 0.0f)) { cli_error("--eta: the learning rate must be positive"); return -1; }
        st->eta_given = 1;
        return 0;
    case 's':
        if (!parse_uint("--seed", arg, UINT64_MAX, &v)) return -1;
        st->spec.seed = v;
        return 0;
    case 't':
        if (!parse_uint("--threads", arg, 256, &v)) return -1;
        st->opts.threads = (unsigned)v;
        return 0;
    case 'd': st->data_dir = arg; return 0;
    case OPT_ACT:
        if (!parse_name("--activation", arg, activations, &e)) return -1;
        st->spec.hidden = (nnc_activation)e;
        return 0;
    case OPT_COST:
        if (!parse_name("--cost", arg, costs, &e)) return -1;
        st->spec.cost = (nnc_cost)e;
        return 0;
    case OPT_INIT:
        if (!parse_name("--init", arg, inits, &e)) return -1;
        st->spec.init = (nnc_init)e;
        return 0;
    case OPT_OPTIM:
        if (!parse_name("--optimizer", arg, optimizers, &e)) return -1;
        st->opts.optimizer = (nnc_optimizer)e;
        return 0;
    case OPT_MOMENTUM:
        if (!parse_float("--momentum", arg, &st->opts.momentum)) return -1;
        if (!(st->opts.momentum >= 0 && st->opts.momentum < 1)) { cli_error("--momentum: must be in [0, 1)"); return -1; }
        return 0;
    case OPT_LAMBDA:
        if (!parse_float("--lambda", arg, &st->opts.lambda)) return -1;
        if (st->opts.lambda < 0) { cli_error("--lambda: must be 0 or more"); return -1; }
        return 0;
    case OPT_DROPOUT:
        if (!parse_float("--dropout", arg, &st->opts.dropout)) return -1;
        if (!(st->opts.dropout >= 0 && st->opts.dropout < 1)) { cli_error("--dropout: must be in [0, 1)"); return -1; }
        return 0;
    case OPT_HALVE:
        if (!parse_uint("--halve-after", arg, 1000000, &v)) return -1;
        st->opts.halve_after = (unsigned)v;
        return 0;
    case OPT_EARLY:
        if (!parse_uint("--early-stop", arg, 1000000, &v)) return -1;
        st->opts.early_stop = (unsigned)v;
        return 0;
    case OPT_MONITOR: return parse_monitor(arg, &st->opts.monitor) ? 0 : -1;
    case OPT_PRESET: return 0;   /* applied in the first pass */
    case 'o': st->save = arg; return 0;
    case OPT_CHECKPOINT: st->opts.checkpoint = arg; return 0;
    case OPT_RESUME: st->opts.resume = arg; return 0;
    case OPT_INIT_FROM: st->init_from = arg; return 0;
    case OPT_TEST: st->test_csv = arg; return 0;
    case OPT_METRICS: st->metrics = arg; return 0;
    case OPT_QUIET: st->quiet = 1; return 0;
    case OPT_JSON: st->json = 1; return 0;
    case OPT_LABEL: case OPT_IGNORE: case OPT_HEADER: case OPT_SEP: case OPT_TASK:
    case OPT_SCALE: case OPT_BINARY: case OPT_VALID_SPLIT: case OPT_TEST_SPLIT: case OPT_HIDDEN:
        return cli_table_option(&st->table, option_name(c), arg) ? 0 : -1;
    case 'h': usage(stdout); return 1;
    default: fputs("try 'nnc train --help'\n", stderr); return -1;
    }
}

/* Two passes: the preset first, then every other option over it. */
static int parse_args(int argc, char **argv, settings *st)
{
    preset_tutorial(st);
    st->data_dir = default_data_dir();
    st->save = st->init_from = st->test_csv = st->metrics = NULL;
    st->quiet = st->json = 0;
    st->n_given = 0;
    cli_table_init(&st->table);
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1)
        if (c == OPT_PRESET && !apply_preset(st, optarg))
            return -1;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (c == '?') {
            cli_bad_option("train", argv[optind - 1], longopts);
            return -1;
        }
        if (st->n_given < 64)
            st->given[st->n_given++] = c;
        int r = apply_option(st, c, optarg);
        if (r != 0)
            return r;
    }
    if (optind < argc) {
        cli_error("train: unexpected argument '%s'; try 'nnc train --help'", argv[optind]);
        return -1;
    }
    if (st->opts.resume && st->init_from) {
        cli_error("--resume and --init-from: give one of them");
        return -1;
    }
    if (st->opts.optimizer == NNC_OPT_ADAM && !st->eta_given)
        st->opts.eta = 0.001f;
    st->spec.sizes = st->sizes;
    st->spec.n_layers = st->n_layers;
    return 0;
}

/* ---- runs that continue from a file --------------------------------------- */

static int given(const settings *st, int option)
{
    for (int i = 0; i < st->n_given; i++)
        if (st->given[i] == option)
            return 1;
    return 0;
}

/* The options that make a network: a file's network keeps its own. */
static int network_options_agree(const settings *st, const nnc_net *net, const char *from)
{
    int same = st->n_layers == nnc_net_layers(net);
    for (size_t l = 0; same && l < st->n_layers; l++)
        same = st->sizes[l] == nnc_net_size(net, l);
    const char *bad = given(st, 'l') && !same ? "--layers"
                      : given(st, OPT_ACT) && st->spec.hidden != nnc_net_hidden(net) ? "--activation"
                      : given(st, OPT_COST) && st->spec.cost != nnc_net_cost(net) ? "--cost"
                      : NULL;
    if (bad)
        cli_error("%s: the network comes from %s, which has its own; leave %s out", bad, from,
                  bad);
    return !bad;
}

/* 1 if the setting an option sets differs between a and b (a preset sets
 * them all). */
static int setting_differs(int option, const nnc_train_opts *a, const nnc_train_opts *b)
{
    int all = option == OPT_PRESET;
    return ((all || option == 'b') && a->batch_size != b->batch_size) ||
           ((all || option == 'r') && a->eta != b->eta) ||
           ((all || option == OPT_OPTIM) && a->optimizer != b->optimizer) ||
           ((all || option == OPT_MOMENTUM) && a->momentum != b->momentum) ||
           ((all || option == OPT_LAMBDA) && a->lambda != b->lambda) ||
           ((all || option == OPT_DROPOUT) && a->dropout != b->dropout) ||
           ((all || option == OPT_HALVE) && a->halve_after != b->halve_after) ||
           ((all || option == OPT_EARLY) && a->early_stop != b->early_stop);
}

/* A resumed run is the run the checkpoint belongs to: its settings come
 * from the file, and a training option given with a different value is
 * refused; only --epochs (and what is measured) may change. Returns 0, or
 * the exit status after printing why not. */
static int resume_settings(settings *st)
{
    nnc_train_opts saved = st->opts;
    unsigned next;
    if (nnc_checkpoint_settings(st->opts.resume, &saved, &next) != NNC_OK) {
        if (nnc_last_error()[0] && strstr(nnc_last_error(), "kept their settings")) {
            cli_error("%s; the command line's settings are used", nnc_last_error());
            return 0;
        }
        cli_error("%s", nnc_last_error());
        return 1;
    }
    static const struct {
        int         option;
        const char *name;
    } fixed[] = {{'b', "--batch"},         {'r', "--eta"},        {OPT_OPTIM, "--optimizer"},
                 {OPT_MOMENTUM, "--momentum"}, {OPT_LAMBDA, "--lambda"},
                 {OPT_DROPOUT, "--dropout"},   {OPT_HALVE, "--halve-after"},
                 {OPT_EARLY, "--early-stop"},  {OPT_PRESET, "--preset"}};
    nnc_train_opts cli = st->opts;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (given(st, fixed[i].option) && setting_differs(fixed[i].option, &cli, &saved)) {
            cli_error("%s: %s continues a run with eta %g, mini-batch %zu, lambda %g, "
                      "optimiser %s, dropout %g, halve-after %u, early-stop %u; a resumed "
                      "run keeps its settings (only --epochs may change)", fixed[i].name,
                      st->opts.resume, saved.eta, saved.batch_size, saved.lambda,
                      cli_optimizer_name(saved.optimizer), saved.dropout, saved.halve_after,
                      saved.early_stop);
            return EXIT_USAGE;
        }
    saved.epochs = given(st, 'e') ? cli.epochs : saved.epochs;
    if (given(st, OPT_MONITOR))
        saved.monitor = cli.monitor;
    st->opts = saved;
    if (next >= st->opts.epochs)
        cli_error("%s is already at epoch %u of %u: nothing is left to train (--epochs "
                  "more than %u goes on)", st->opts.resume, next, st->opts.epochs, next);
    else
        fprintf(stderr, "nnc: resuming %s at epoch %u of %u\n", st->opts.resume, next,
                st->opts.epochs);
    return 0;
}

/* ---- interrupts -------------------------------------------------------- */

/* The first SIGINT or SIGTERM asks training to stop after the batch in
 * flight; a second ends the process at once, as the signal does by default. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    if (stop_signal) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_signal = sig;
}

static void catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* past the file-size limit a write fails with a message, not a kill */
    signal(SIGXFSZ, SIG_IGN);
}

/* ---- saving ------------------------------------------------------------- */

static int save_as(const nnc_net *net, const char *path)
{
    int json = cli_ends_with(path, ".json");
    return (json ? nnc_model_save_json(net, path) : nnc_model_save(net, path)) == NNC_OK;
}

/* Saves the trained network; if that fails, says why and saves it where it
 * can (the current folder, else the temporary one) rather than lose it.
 * Returns 1 if it went to path. */
static int save_trained(const nnc_net *net, const char *path)
{
    if (save_as(net, path)) {
        printf("saved %s\n", path);
        return 1;
    }
    cli_error("%s", nnc_last_error());
    char rescue[512];
    const char *tmp = getenv("TMPDIR");
    const char *dirs[] = {".", tmp && *tmp ? tmp : "/tmp"};
    for (int i = 0; i < 2; i++) {
        snprintf(rescue, sizeof rescue, "%s/nnc-unsaved-%ld.nnc", dirs[i], (long)getpid());
        if (nnc_model_save(net, rescue) == NNC_OK) {
            cli_error("the trained network was saved to %s instead", rescue);
            return 0;
        }
    }
    cli_error("the trained network could not be saved anywhere");
    return 0;
}

/* Every output is checked before the first epoch: a run must not end in a
 * file that cannot be written. */
static int outputs_writable(const nnc_net *net, const settings *st)
{
    if (st->save && nnc_model_check_save(net, st->save, cli_ends_with(st->save, ".json")) !=
                        NNC_OK) {
        cli_error("--save: %s", nnc_last_error());
        return 0;
    }
    if (st->opts.checkpoint && nnc_model_check_save(net, st->opts.checkpoint, 0) != NNC_OK) {
        cli_error("--checkpoint: %s", nnc_last_error());
        return 0;
    }
    return 1;
}

/* Table options with data that is not a table: refused, not ignored. */
static int table_options_given(const settings *st)
{
    static const int options[] = {OPT_LABEL, OPT_IGNORE, OPT_HEADER, OPT_SEP, OPT_TASK,
                                  OPT_SCALE, OPT_BINARY, OPT_VALID_SPLIT, OPT_TEST_SPLIT};
    for (size_t i = 0; i < sizeof options / sizeof *options; i++)
        if (given(st, options[i])) {
            cli_error("%s: only with a table (CSV) as --data; %s is not one",
                      option_name(options[i]), st->data_dir);
            return 1;
        }
    return 0;
}

/* The sets fit the network, checked before the run's header is printed. */
static int data_fits(const nnc_net *net, const nnc_data *train, const nnc_data *valid,
                     const nnc_data *test)
{
    const nnc_data *sets[3] = {train, valid, test};
    for (int i = 0; i < 3; i++)
        if (sets[i] && nnc_data_fits(net, sets[i]) != NNC_OK) {
            cli_error("%s", nnc_last_error());
            return 0;
        }
    return 1;
}

int cmd_train(int argc, char **argv)
{
    settings st;
    int r = parse_args(argc, argv, &st);
    if (r != 0)
        return r > 0 ? 0 : EXIT_USAGE;

    nnc_data *train = NULL, *valid = NULL, *test = NULL;
    nnc_net *net = NULL;
    FILE *metrics = NULL;
    int status = 1;
    /* a resumed or continued run takes its network from the file */
    const char *from = st.opts.resume ? st.opts.resume : st.init_from;
    if (from && !(net = cli_load_model(from)))
        goto done;
    if (from && !network_options_agree(&st, net, from)) {
        status = EXIT_USAGE;
        goto done;
    }
    if (st.opts.resume && (status = resume_settings(&st)) != 0)
        goto done;
    status = 1;
    int table = cli_is_table(st.data_dir), loaded;
    if (table) {
        if ((st.opts.early_stop || st.opts.halve_after) && st.table.valid_split <= 0) {
            st.table.valid_split = 0.1f;   /* the schedule needs a validation set */
            fprintf(stderr, "nnc: --early-stop and --halve-after judge by a validation set: "
                            "holding out 10%% of the rows (--valid-split)\n");
        }
        loaded = cli_table_sets(&st.table, st.data_dir, st.test_csv, st.spec.seed, &train,
                                &valid, &test);
    } else if (table_options_given(&st)) {
        loaded = -1;
    } else {
        loaded = cli_load_sets(st.data_dir, st.test_csv, &train, &valid, &test);
    }
    if (loaded != 1) {
        status = loaded < 0 ? EXIT_USAGE : 1;
        goto done;
    }
    if (!net && table &&
        !cli_table_shape(&st.table, train, given(&st, 'l'), given(&st, OPT_COST), st.sizes,
                         &st.n_layers, &st.spec)) {
        status = EXIT_USAGE;
        goto done;
    }
    if (!net && !table && st.table.n_hidden && !given(&st, 'l')) {   /* MNIST's ends */
        size_t out = st.sizes[st.n_layers - 1];
        st.n_layers = 1 + st.table.n_hidden + 1;
        memcpy(st.sizes + 1, st.table.hidden, st.table.n_hidden * sizeof *st.sizes);
        st.sizes[st.n_layers - 1] = out;
        st.spec.n_layers = st.n_layers;
    }
    if (table && nnc_cost_is_regression(st.spec.cost) && !from && !given(&st, OPT_OPTIM) &&
        !given(&st, 'r') && !given(&st, OPT_PRESET)) {
        /* targets keep their own scale, which plain SGD at the tutorial's eta
         * overshoots; Adam's steps do not grow with it */
        st.opts.optimizer = NNC_OPT_ADAM;
        st.opts.eta = 0.01f;
        fprintf(stderr, "nnc: regression: adam, eta 0.01 (--optimizer and --eta choose "
                        "otherwise)\n");
    }
    if (!net && nnc_net_create_spec(&st.spec, &net) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        goto done;
    }
    if (table && !from && !cli_table_prepare(&st.table, net, train))
        goto done;
    if (!outputs_writable(net, &st) || !data_fits(net, train, valid, test))
        goto done;
    if (st.metrics && nnc_model_check_save(net, st.metrics, 0) != NNC_OK) {
        cli_error("--metrics: %s", nnc_last_error());
        goto done;
    }
    if (st.opts.batch_size > nnc_data_count(train))
        cli_error("--batch %zu: more than the %zu training samples, so every mini-batch is "
                  "all of them", st.opts.batch_size, nnc_data_count(train));
    if (!test)   /* nothing to report the tutorial's line on */
        st.opts.monitor &= ~(unsigned)(NNC_MONITOR_TEST_ACCURACY | NNC_MONITOR_TEST_COST);
    if (table && !test && !given(&st, OPT_MONITOR))   /* show how the fit goes */
        st.opts.monitor |= valid ? NNC_MONITOR_VALID_ACCURACY : NNC_MONITOR_TRAIN_ACCURACY;
    printf("nnc: training [");
    for (size_t l = 0; l < nnc_net_layers(net); l++)
        printf(l ? ", %zu" : "%zu", nnc_net_size(net, l));
    printf("] on %zu samples, %u epoch%s, mini-batch %zu, eta %g, seed %llu\n",
           nnc_data_count(train), st.opts.epochs, st.opts.epochs == 1 ? "" : "s",
           st.opts.batch_size, st.opts.eta,
           (unsigned long long)nnc_net_record(net)->seed);
    st.opts.validation = valid;
    st.opts.test = test;
    if (st.metrics) {   /* truncated now: a run's metrics start with its first epoch */
        if (!(metrics = fopen(st.metrics, "w"))) {
            cli_error("--metrics: %s: %s", st.metrics, strerror(errno));
            goto done;
        }
        cli_metrics_header(metrics, st.opts.monitor, nnc_cost_is_regression(nnc_net_cost(net)));
    }
    cli_report report = {st.json, !st.quiet && isatty(STDERR_FILENO), metrics,
                         st.opts.monitor, nnc_cost_is_regression(nnc_net_cost(net)), 0.0, 0};
    st.opts.on_epoch = cli_report_epoch;
    st.opts.on_progress = cli_report_progress;
    st.opts.user = &report;
    st.opts.stop = &stop_signal;
    catch_stop_signals();
    nnc_train_summary sum;
    nnc_status trained = nnc_train(net, train, &st.opts, &sum);
    if (trained == NNC_ERR_INTERRUPTED) {
        cli_error("%s: %s", stop_signal == SIGTERM ? "terminated" : "interrupted",
                  nnc_last_error());
        if (st.opts.checkpoint)
            cli_error("%s holds the last whole epoch; --resume %s continues from there",
                      st.opts.checkpoint, st.opts.checkpoint);
        if (st.save && save_trained(net, st.save))
            cli_error("the network as it stands is saved in %s", st.save);
        status = 128 + (stop_signal == SIGTERM ? SIGTERM : SIGINT);
        goto done;
    }
    if (trained != NNC_OK) {
        cli_error("%s", nnc_last_error());
        if (trained == NNC_ERR_DIVERGED && st.save)
            save_trained(net, st.save);   /* the last good network */
        goto done;
    }
    if (sum.best_epoch >= 0 && !isnan(sum.best_valid_rmse)) {
        printf("best validation RMSE: %.6g at epoch %d%s\n", sum.best_valid_rmse,
               sum.best_epoch, sum.restored_best ? " (kept)" : "");
    } else if (sum.best_epoch >= 0) {
        size_t correct;
        printf("best validation accuracy: %zu / %zu at epoch %d%s\n", sum.best_valid_correct,
               nnc_data_count(valid), sum.best_epoch, sum.restored_best ? " (kept)" : "");
        if (sum.restored_best && test && nnc_evaluate(net, test, &correct) == NNC_OK)
            printf("test accuracy of the kept network: %zu / %zu\n", correct,
                   nnc_data_count(test));
    }
    if (st.save && !save_trained(net, st.save))
        goto done;
    status = 0;
done:
    if (metrics)
        fclose(metrics);
    nnc_net_free(net);
    nnc_data_free(train);
    nnc_data_free(valid);
    nnc_data_free(test);
    return status;
}
