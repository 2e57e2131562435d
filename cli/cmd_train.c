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
#include "serve.h"

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
            "      --schedule S       constant, or cosine: eta falls along a cosine\n"
            "                         towards 0 over the epochs         (constant)\n"
            "      --monitor LIST     after each epoch measure also any of train-cost,\n"
            "                         train-accuracy, valid-cost, valid-accuracy,\n"
            "                         test-cost (test accuracy is always measured\n"
            "                         when there is a test set)             (none)\n"
            "      --preset NAME      tutorial; network2 (chapter 3: [784,100,10],\n"
            "                         cross-entropy, scaled, lambda 5, eta 0.1, 60 epochs);\n"
            "                         best ([784,1024,1024,10] ReLU, softmax, He, Nesterov\n"
            "                         0.9, eta 0.1 halved after 3 flat epochs, batch 128,\n"
            "                         dropout 0.3, lambda 1, early stop 10, <= 60 epochs);\n"
            "                         simard ([784,800,10] ReLU, softmax, He, eta 0.05\n"
            "                         cosine over 150 epochs, --augment, best validation\n"
            "                         epoch kept; Simard et al. 2003);\n"
            "                         later options override the preset\n"
            "  -t, --threads N        threads, 0 = choose                  (0)\n"
            "      --precision P      f32, or bf16: each layer's products in bfloat16\n"
            "                         with float32 sums, where the CPU has AVX-512\n"
            "                         BF16 (else float32, with a note)      (f32)\n"
            "processes (mpirun -np K nnc train ...: data-parallel, rank 0 writes)\n"
            "      --shards N         cut every mini-batch into N shards by sample\n"
            "                         index, summed in a fixed tree: the same bits for\n"
            "                         any number of processes, or alone  (8 under mpirun)\n"
            "      --reduce R         fixed, or fast: one part per process, summed by\n"
            "                         MPI (bits depend on the processes)   (fixed)\n"
            "distortions (image data; drawn afresh for every sample of every epoch)\n"
            "      --augment [yes|no] train on distorted images: an affine map and an\n"
            "                         elastic field (Simard et al. 2003)     (no)\n"
            "      --rotate DEG       turn by up to DEG degrees either way   (10)\n"
            "      --zoom F           scale width and height by 1 +- F       (0.1)\n"
            "      --shear F          shear x by up to F times y             (0)\n"
            "      --shift PIXELS     move by up to PIXELS along each axis   (0)\n"
            "      --elastic-alpha A  the elastic field's scale, pixels; 0: none (34)\n"
            "      --elastic-sigma S  its Gaussian's standard deviation, pixels (4)\n"
            "                         (any of these turns --augment on)\n"
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
            "      --skip-lines N     lines before the table to pass over, such as\n"
            "                         scikit-learn's line of counts             (0)\n"
            "output\n"
            "      --json             one JSON object per epoch on stdout instead of\n"
            "                         the 'Epoch j' line\n"
            "      --metrics FILE     also a CSV row per epoch: epoch, seconds, eta and\n"
            "                         every measure taken, with a header\n"
            "  -q, --quiet            no progress line (drawn on stderr only when it is\n"
            "                         a terminal)\n"
            "      --serve [PORT]     show the run on a page at http://127.0.0.1:PORT/\n"
            "                         while it trains (nnc help serve)        (8080)\n"
            "  -h, --help             show this help\n");
}

/* ---- the command line ------------------------------------------------------ */

/* What the command line asks besides the recipe: files and output. */
typedef struct {
    nnc_recipe *recipe;
    const char *data_dir, *save, *init_from, *resume, *checkpoint, *test_csv, *metrics;
    int         quiet, json;
    long        serve;        /* --serve's port + 1; 0: none */
    unsigned    next_epoch;   /* of a resumed run */
} command;

enum { OPT_RECIPE = 256, OPT_CHECKPOINT, OPT_RESUME, OPT_INIT_FROM, OPT_TEST, OPT_METRICS,
       OPT_QUIET, OPT_JSON, OPT_SERVE };

/* Every option of the recipe is an option of the command, by the same name. */
static const struct option longopts[] = {
    {"layers", required_argument, NULL, 'l'},   {"epochs", required_argument, NULL, 'e'},
    {"batch", required_argument, NULL, 'b'},    {"eta", required_argument, NULL, 'r'},
    {"seed", required_argument, NULL, 's'},     {"threads", required_argument, NULL, 't'},
    {"data", required_argument, NULL, 'd'},     {"save", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},           {"quiet", no_argument, NULL, 'q'},
    {"activation", required_argument, NULL, OPT_RECIPE},
    {"cost", required_argument, NULL, OPT_RECIPE},
    {"init", required_argument, NULL, OPT_RECIPE},
    {"optimizer", required_argument, NULL, OPT_RECIPE},
    {"momentum", required_argument, NULL, OPT_RECIPE},
    {"lambda", required_argument, NULL, OPT_RECIPE},
    {"dropout", required_argument, NULL, OPT_RECIPE},
    {"halve-after", required_argument, NULL, OPT_RECIPE},
    {"early-stop", required_argument, NULL, OPT_RECIPE},
    {"monitor", required_argument, NULL, OPT_RECIPE},
    {"preset", required_argument, NULL, OPT_RECIPE},
    {"label", required_argument, NULL, OPT_RECIPE},
    {"ignore", required_argument, NULL, OPT_RECIPE},
    {"header", required_argument, NULL, OPT_RECIPE},
    {"sep", required_argument, NULL, OPT_RECIPE},
    {"task", required_argument, NULL, OPT_RECIPE},
    {"scale", required_argument, NULL, OPT_RECIPE},
    {"binary", required_argument, NULL, OPT_RECIPE},
    {"valid-split", required_argument, NULL, OPT_RECIPE},
    {"test-split", required_argument, NULL, OPT_RECIPE},
    {"hidden", required_argument, NULL, OPT_RECIPE},
    {"skip-lines", required_argument, NULL, OPT_RECIPE},
    {"precision", required_argument, NULL, OPT_RECIPE},
    {"augment", optional_argument, NULL, OPT_RECIPE},
    {"rotate", required_argument, NULL, OPT_RECIPE},
    {"zoom", required_argument, NULL, OPT_RECIPE},
    {"shear", required_argument, NULL, OPT_RECIPE},
    {"shift", required_argument, NULL, OPT_RECIPE},
    {"elastic-alpha", required_argument, NULL, OPT_RECIPE},
    {"elastic-sigma", required_argument, NULL, OPT_RECIPE},
    {"schedule", required_argument, NULL, OPT_RECIPE},
    {"shards", required_argument, NULL, OPT_RECIPE},
    {"reduce", required_argument, NULL, OPT_RECIPE},
    {"checkpoint", required_argument, NULL, OPT_CHECKPOINT},
    {"resume", required_argument, NULL, OPT_RESUME},
    {"init-from", required_argument, NULL, OPT_INIT_FROM},
    {"test", required_argument, NULL, OPT_TEST},
    {"metrics", required_argument, NULL, OPT_METRICS},
    {"json", no_argument, NULL, OPT_JSON},
    {"serve", optional_argument, NULL, OPT_SERVE},
    {NULL, 0, NULL, 0}};
static const char shortopts[] = "l:e:b:r:s:t:d:o:qh";

/* The recipe's name of a short option. */
static const char *long_name(int c, int index)
{
    if (c == OPT_RECIPE)
        return longopts[index].name;
    for (const struct option *o = longopts; o->name; o++)
        if (o->val == c)
            return o->name;
    return NULL;
}

/* Returns 0 to go on, 1 after showing the help, -1 after a usage error. */
static int parse_args(int argc, char **argv, command *cmd)
{
    memset(cmd, 0, sizeof *cmd);
    cmd->data_dir = default_data_dir();
    if (nnc_recipe_create(&cmd->recipe) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        return -1;
    }
    int c, index = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, longopts, &index)) != -1) {
        switch (c) {
        case 'd': cmd->data_dir = optarg; break;
        case 'o': cmd->save = optarg; break;
        case 'q': cmd->quiet = 1; break;
        case OPT_CHECKPOINT: cmd->checkpoint = optarg; break;
        case OPT_RESUME: cmd->resume = optarg; break;
        case OPT_INIT_FROM: cmd->init_from = optarg; break;
        case OPT_TEST: cmd->test_csv = optarg; break;
        case OPT_METRICS: cmd->metrics = optarg; break;
        case OPT_JSON: cmd->json = 1; break;
        case OPT_SERVE:
            if (!(cmd->serve = serve_port_arg(optarg, argc, argv, &optind) + 1)) return -1;
            break;
        case 'h': usage(stdout); return 1;
        case '?': cli_bad_option("train", argv[optind - 1], longopts); return -1;
        default:   /* one of the recipe's */
            if (!optarg && optind < argc &&   /* --augment yes|no, or --augment alone */
                (!strcmp(argv[optind], "yes") || !strcmp(argv[optind], "no")))
                optarg = argv[optind++];
            if (nnc_recipe_set(cmd->recipe, long_name(c, index), optarg ? optarg : "yes") !=
                NNC_OK) {
                cli_error("--%s", nnc_last_error());
                return -1;
            }
        }
    }
    if (optind < argc) {
        cli_error("train: unexpected argument '%s'; try 'nnc train --help'", argv[optind]);
        return -1;
    }
    if (cmd->resume && cmd->init_from) {
        cli_error("--resume and --init-from: give one of them");
        return -1;
    }
    return 0;
}

/* Prints what the recipe decided on its own, a line each, its options
 * (`name`) spelt as this command's (--name). */
static void print_notes(const nnc_recipe *r)
{
    int line_start = 1, quoted = 0;
    for (const char *c = nnc_recipe_notes(r); *c; c++) {
        if (line_start)
            fputs("nnc: ", stderr);
        line_start = *c == '\n';
        if (*c == '`' && !quoted++)
            fputs("--", stderr);
        else if (*c == '`')
            quoted = 0;
        else
            fputc(*c, stderr);
    }
}

/* Says which options of the recipe a mismatch is about. */
static void print_differing(uint64_t differ)
{
    for (size_t i = 0; nnc_recipe_option(i); i++)
        if (differ >> i & 1) {
            cli_error("--%s", nnc_last_error());
            return;
        }
    cli_error("%s", nnc_last_error());
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

/* Saves the trained network; if that fails, says why and saves it where it
 * can (the current folder, else the temporary one) rather than lose it.
 * Returns 1 if it went to path. */
static int save_trained(const nnc_net *net, const char *path, FILE *says)
{
    if (nnc_model_save_as(net, path) == NNC_OK) {
        fprintf(says, "saved %s\n", path);
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
static int outputs_writable(const nnc_net *net, const command *st)
{
    if (st->save && nnc_model_check_save(net, st->save, cli_ends_with(st->save, ".json")) !=
                        NNC_OK) {
        cli_error("--save: %s", nnc_last_error());
        return 0;
    }
    if (st->checkpoint && nnc_model_check_save(net, st->checkpoint, 0) != NNC_OK) {
        cli_error("--checkpoint: %s", nnc_last_error());
        return 0;
    }
    return 1;
}

/* The training, validation and test sets that --data and --test name, the
 * table's split as the recipe says. Returns as cli_load_sets. */
static int load_sets(command *cmd, nnc_data **train, nnc_data **valid, nnc_data **test)
{
    *train = *valid = *test = NULL;
    if (nnc_recipe_check_source(cmd->recipe, cmd->data_dir) != NNC_OK) {
        cli_error("--%s", nnc_last_error());
        return -1;
    }
    if (!cli_is_table(cmd->data_dir))
        return cli_load_sets(cmd->data_dir, cmd->test_csv, train, valid, test);
    nnc_data *all, *test_file;
    int loaded = cli_table_read(cmd->recipe, cmd->data_dir, cmd->test_csv, &all, &test_file);
    if (loaded != 1)
        return loaded;
    nnc_data *held_out;
    nnc_status s = nnc_recipe_split(cmd->recipe, all, 0, train, valid, &held_out);
    nnc_data_free(all);
    print_notes(cmd->recipe);
    if (s != NNC_OK) {
        cli_error("%s", nnc_last_error());
        nnc_data_free(test_file);
        return 0;
    }
    *test = test_file ? test_file : held_out;
    fprintf(stderr, "nnc: training on %zu rows", nnc_data_count(*train));
    if (*valid)
        fprintf(stderr, ", validating on %zu", nnc_data_count(*valid));
    if (*test)
        fprintf(stderr, ", testing on %zu", nnc_data_count(*test));
    fputc('\n', stderr);
    return 1;
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

/* The network a run starts from: the file's (--resume, --init-from), which
 * keeps its own shape, or the recipe's for the data. Returns 0 and sets
 * *status after printing why not. */
static nnc_net *starting_network(command *cmd, const nnc_data *train, int *status)
{
    const char *from = cmd->resume ? cmd->resume : cmd->init_from;
    nnc_net *net = NULL;
    uint64_t differ;
    *status = 1;
    if (!from) {
        if (nnc_recipe_make_net(cmd->recipe, train, &net) != NNC_OK) {
            cli_error("--%s", nnc_last_error());
            *status = EXIT_USAGE;
        }
        print_notes(cmd->recipe);
        return net;
    }
    if (!(net = cli_load_model(from)))
        return NULL;
    if (nnc_recipe_check_net(cmd->recipe, net, &differ) != NNC_OK) {
        for (size_t i = 0; nnc_recipe_option(i); i++)
            if (differ >> i & 1)
                cli_error("--%s: the network comes from %s, which has its own; leave --%s out",
                          nnc_recipe_option(i), from, nnc_recipe_option(i));
        *status = EXIT_USAGE;
        nnc_net_free(net);
        return NULL;
    }
    return net;
}

/* A resumed run is the run the checkpoint belongs to: the recipe takes its
 * settings from the file. Returns 0, or the exit status after saying why not. */
static int resume_run(command *cmd)
{
    unsigned next;
    uint64_t differ;
    nnc_status s = nnc_recipe_resume(cmd->recipe, cmd->resume, &next, &differ);
    print_notes(cmd->recipe);
    if (s == NNC_ERR_MISMATCH) {
        print_differing(differ);
        return EXIT_USAGE;
    }
    if (s != NNC_OK) {
        cli_error("%s", nnc_last_error());
        return 1;
    }
    if (!cmd->checkpoint)   /* the run goes on writing the checkpoint it resumed */
        cmd->checkpoint = cmd->resume;
    cmd->next_epoch = next;
    return 0;
}

/* ---- a group of processes -------------------------------------------------- */

/* Every process of a group reaches this once before training, with whether
 * it got there well: all train, or all stop, rank 0 saying why. */
static int agreed(nnc_dist *group, int ok)
{
    if (nnc_dist_size(group) == 1)
        return ok;
    nnc_status s = nnc_dist_agree(group, ok ? NNC_OK : NNC_ERR_IO, cli_last_said());
    if (s != NNC_OK && ok)   /* another's failure: said here once, by rank 0 */
        cli_error("%s", nnc_last_error());
    return s == NNC_OK;
}

/* A group's processes other than rank 0 print nothing: rank 0 speaks for
 * the run, and passes on what another has to say (agreed). */
static void keep_quiet(void)
{
    if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
        return;   /* then they print as they are */
}

static int train_command(int argc, char **argv, nnc_dist *group);

int cmd_train(int argc, char **argv)
{
    nnc_dist *group;
    if (nnc_dist_join(&argc, &argv, &group) != NNC_OK) {
        cli_error("%s", nnc_last_error());
        return 1;
    }
    if (nnc_dist_rank(group) != 0)
        keep_quiet();
    int status = train_command(argc, argv, group);
    nnc_dist_leave(group);
    return status;
}

static int train_command(int argc, char **argv, nnc_dist *group)
{
    int rank0 = nnc_dist_rank(group) == 0, setup_agreed = 0;
    command cmd;
    int r = parse_args(argc, argv, &cmd);
    if (r != 0) {
        nnc_recipe_free(cmd.recipe);
        return r > 0 ? 0 : EXIT_USAGE;
    }
    nnc_data *train = NULL, *valid = NULL, *test = NULL;
    nnc_net *net = NULL;
    FILE *metrics = NULL;
    int status = 1;
    if (cmd.resume && (status = resume_run(&cmd)) != 0)
        goto done;
    status = 1;
    int loaded = load_sets(&cmd, &train, &valid, &test);
    if (loaded != 1) {
        status = loaded < 0 ? EXIT_USAGE : 1;
        goto done;
    }
    if (!(net = starting_network(&cmd, train, &status)))
        goto done;
    status = 1;
    nnc_train_opts opts;
    nnc_recipe_train_opts(cmd.recipe, net, valid, test, &opts);
    print_notes(cmd.recipe);
    if (cmd.resume && cmd.next_epoch >= opts.epochs)
        cli_error("%s is already at epoch %u of %u: nothing is left to train (--epochs "
                  "more than %u goes on)", cmd.resume, cmd.next_epoch, opts.epochs,
                  cmd.next_epoch);
    else if (cmd.resume)
        fprintf(stderr, "nnc: resuming %s at epoch %u of %u\n", cmd.resume, cmd.next_epoch,
                opts.epochs);
    opts.checkpoint = cmd.checkpoint;
    opts.resume = cmd.resume;
    opts.dist = group;
    if (!rank0)   /* rank 0 writes the run's files */
        cmd.save = cmd.metrics = NULL, cmd.serve = 0;
    if (!outputs_writable(net, &cmd) || !data_fits(net, train, valid, test))
        goto done;
    if (cmd.metrics && nnc_model_check_save(net, cmd.metrics, 0) != NNC_OK) {
        cli_error("--metrics: %s", nnc_last_error());
        goto done;
    }
    if (opts.batch_size > nnc_data_count(train))
        cli_error("--batch %zu: more than the %zu training samples, so every mini-batch is "
                  "all of them", opts.batch_size, nnc_data_count(train));
    setup_agreed = 1;   /* every process is ready, or none trains */
    if (!agreed(group, 1))
        goto done;
    /* with --json, stdout holds only the JSON lines; the words go to stderr */
    FILE *says = cmd.json ? stderr : stdout;
    fprintf(says, "nnc: training [");
    for (size_t l = 0; l < nnc_net_layers(net); l++)
        fprintf(says, l ? ", %zu" : "%zu", nnc_net_size(net, l));
    fprintf(says, "] on %zu samples, %u epoch%s, mini-batch %zu, eta %g, seed %llu\n",
           nnc_data_count(train), opts.epochs, opts.epochs == 1 ? "" : "s", opts.batch_size,
           opts.eta, (unsigned long long)nnc_net_record(net)->seed);
    int regression = nnc_cost_is_regression(nnc_net_cost(net));
    if (cmd.metrics) {   /* truncated now: a run's metrics start with its first epoch */
        if (!(metrics = fopen(cmd.metrics, "w"))) {
            cli_error("--metrics: %s: %s", cmd.metrics, strerror(errno));
            goto done;
        }
        cli_metrics_header(metrics, opts.monitor, regression);
    }
    cli_report report = {cmd.json, !cmd.quiet && isatty(STDERR_FILENO), metrics, opts.monitor,
                         regression, 0.0, 0, 0};
    opts.on_epoch = cli_report_epoch;
    opts.on_progress = cli_report_progress;
    opts.user = &report;
    opts.stop = &stop_signal;
    catch_stop_signals();
    nnc_train_summary sum = {.precision_used = opts.precision};
    serve_training *shown = cmd.serve ? serve_training_begin(net, &opts, cmd.serve - 1) : NULL;
    if (cmd.serve && !shown)
        goto done;
    nnc_status trained = nnc_train(net, train, &opts, &sum);
    serve_training_end(shown);
    if (opts.precision == NNC_PRECISION_BF16 && sum.precision_used != NNC_PRECISION_BF16)
        cli_error("this CPU has no bf16 instructions: training in float32");
    if (trained == NNC_ERR_INTERRUPTED) {
        cli_error("%s: %s", stop_signal == SIGTERM ? "terminated" : "interrupted",
                  nnc_last_error());
        if (cmd.checkpoint)
            cli_error("%s holds the last whole epoch; --resume %s continues from there",
                      cmd.checkpoint, cmd.checkpoint);
        if (cmd.save && save_trained(net, cmd.save, says))
            cli_error("the network as it stands is saved in %s", cmd.save);
        status = 128 + (stop_signal == SIGTERM ? SIGTERM : SIGINT);
        goto done;
    }
    if (trained != NNC_OK) {
        cli_error("%s", nnc_last_error());
        if (trained == NNC_ERR_DIVERGED && cmd.save)
            save_trained(net, cmd.save, says);   /* the last good network */
        goto done;
    }
    if (sum.best_epoch >= 0 && !isnan(sum.best_valid_rmse)) {
        fprintf(says, "best validation RMSE: %.6g at epoch %d%s\n", sum.best_valid_rmse,
               sum.best_epoch, sum.restored_best ? " (kept)" : "");
    } else if (sum.best_epoch >= 0) {
        size_t correct;
        fprintf(says, "best validation accuracy: %zu / %zu at epoch %d%s\n", sum.best_valid_correct,
               nnc_data_count(valid), sum.best_epoch, sum.restored_best ? " (kept)" : "");
        if (sum.restored_best && test && nnc_evaluate(net, test, &correct) == NNC_OK)
            fprintf(says, "test accuracy of the kept network: %zu / %zu\n", correct,
                   nnc_data_count(test));
    }
    if (cmd.save && !save_trained(net, cmd.save, says))
        goto done;
    status = 0;
done:
    if (!setup_agreed && !agreed(group, 0) && status == 0)
        status = 1;
    if (metrics)
        fclose(metrics);
    nnc_net_free(net);
    nnc_data_free(train);
    nnc_data_free(valid);
    nnc_data_free(test);
    nnc_recipe_free(cmd.recipe);
    return status;
}
