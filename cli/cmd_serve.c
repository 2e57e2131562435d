/* cmd_serve.c — `nnc serve MODEL`: a page to draw digits (or fill in a
 * table's row) against a model, and its JSON API; and what `nnc train
 * --serve` adds to a run: the page shows the run as it trains. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "serve.h"

static void usage(FILE *out)
{
    fputs("usage: nnc serve MODEL [OPTIONS]\n"
          "\n"
          "Serves one page on this machine to draw a digit on (a table's model: to fill in\n"
          "its inputs) and see the model's prediction, outputs and the 28x28 input it\n"
          "sees, prepared as 'nnc predict' prepares an image; and its JSON API:\n"
          "GET /api/model, POST /api/predict, GET /api/weights (README). 'nnc train\n"
          "--serve [PORT]' serves the same page while a network trains, with its curves\n"
          "(GET /api/events). Ctrl-C stops the server.\n"
          "\n"
          "  -p, --port N     the port; 0: any free one (the URL says which)  (8080)\n"
          "      --host ADDR  the address to listen on; other than 127.0.0.1, localhost\n"
          "                   or ::1 other machines can reach it (a warning)  (127.0.0.1)\n"
          "  -h, --help       show this help\n",
          out);
}

long serve_port_arg(const char *optarg, int argc, char **argv, int *optind)
{
    const char *text = optarg;
    if (!text && *optind < argc && argv[*optind][0] >= '0' && argv[*optind][0] <= '9')
        text = argv[(*optind)++];   /* --serve 8080 as well as --serve=8080 */
    if (!text)
        return 8080;
    unsigned long long port;
    if (!parse_uint("--serve", text, 65535, &port))
        return -1;
    return (long)port;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},
        {"host", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *host = "127.0.0.1";
    unsigned long long port = 8080;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
        if (c == 'p') {
            if (!parse_uint("--port", optarg, 65535, &port))
                return EXIT_USAGE;
        } else if (c == 'H') {
            host = optarg;
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            cli_bad_option("serve", argv[optind - 1], longopts);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        cli_error("serve: expects one model; try 'nnc serve --help'");
        return EXIT_USAGE;
    }
    nnc_net *net = cli_load_model(argv[optind]);
    if (!net)
        return 1;
    /* the signals that stop the server are taken here, by this thread */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT), sigaddset(&stop, SIGTERM), sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    serve_server *s = serve_start(host, (unsigned)port, net, 0);
    if (!s) {
        nnc_net_free(net);
        return 1;
    }
    int v6 = strchr(host, ':') != NULL;
    printf("nnc: serving %s at http://%s%s%s:%u/ (Ctrl-C stops)\n", argv[optind],
           v6 ? "[" : "", host, v6 ? "]" : "", serve_port(s));
    fflush(stdout);
    int sig;
    sigwait(&stop, &sig);
    serve_stop(s);
    nnc_net_free(net);
    return 0;
}

/* ---- nnc train --serve ---------------------------------------------------- */

struct serve_training {
    serve_server   *server;
    nnc_net        *net;
    nnc_epoch_fn    on_epoch;      /* the run's own callbacks, called first   */
    nnc_progress_fn on_progress;
    void           *user;
    unsigned        epochs;
    double          last_progress, last_params, seconds_sum;
    unsigned        epochs_timed;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int on_epoch(nnc_net *net, const nnc_epoch_report *r, void *user)
{
    serve_training *t = user;
    int stop = t->on_epoch ? t->on_epoch(net, r, t->user) : 0;
    t->seconds_sum += r->train_seconds;
    t->epochs_timed++;
    serve_publish_epoch(t->server, r);
    if (serve_publish_params(t->server, net))
        t->last_params = now();
    return stop;
}

/* Where the epoch stands, at most five times a second, with its running
 * figures; the weights as they stand, a few times a second. */
static void on_progress(const nnc_progress *p, void *user)
{
    serve_training *t = user;
    if (t->on_progress)
        t->on_progress(p, t->user);
    double at = now();
    if (at - t->last_progress < 0.2 && p->batches_done < p->batches)
        return;
    t->last_progress = at;
    double rate = p->seconds > 0 ? (double)p->samples_done / p->seconds : 0.0;
    double epoch_time = t->epochs_timed ? t->seconds_sum / t->epochs_timed
                        : rate > 0      ? (double)p->samples / rate
                                        : 0.0;
    double left = rate > 0 ? (double)(p->samples - p->samples_done) / rate : 0.0;
    if (p->epoch + 1 < t->epochs)
        left += epoch_time * (t->epochs - p->epoch - 1);
    serve_publish_progress(t->server, p, t->epochs, left);
    /* the weights as they stand (progress_params keeps them up to date), a
     * few times a second */
    if (at - t->last_params > 0.25 && serve_publish_params(t->server, t->net))
        t->last_params = at;
}

serve_training *serve_training_begin(nnc_net *net, nnc_train_opts *opts, unsigned port)
{
    serve_training *t = calloc(1, sizeof *t);
    if (!t) {
        cli_error("out of memory");
        return NULL;
    }
    signal(SIGPIPE, SIG_IGN);
    if (!(t->server = serve_start("127.0.0.1", port, net, 1))) {
        free(t);
        return NULL;
    }
    t->net = net;
    t->on_epoch = opts->on_epoch, t->on_progress = opts->on_progress, t->user = opts->user;
    t->epochs = opts->epochs;
    opts->on_epoch = on_epoch, opts->on_progress = on_progress, opts->user = t;
    opts->progress_params = 1;
    fprintf(stderr, "nnc: the run is shown at http://127.0.0.1:%u/\n", serve_port(t->server));
    return t;
}

void serve_training_end(serve_training *t)
{
    if (!t)
        return;
    serve_stop(t->server);
    free(t);
}
