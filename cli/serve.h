/* serve.h — the web page and JSON API of `nnc serve` and `nnc train --serve`.
 * serve_api.c: requests and answers as JSON, nothing of HTTP (what the fuzz
 * target drives); serve_http.c: libmicrohttpd, the routes and the checks a
 * local server needs; cmd_serve.c: the command and training's callbacks. */
#ifndef NNC_SERVE_H
#define NNC_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "nnc.h"

#define SERVE_MAX_BODY   (1u << 20)   /* bytes of a request body: 413 beyond     */
#define SERVE_MAX_SIDE   4096u        /* pixels of an image's side               */
#define SERVE_MAX_TILES  256u         /* first-layer units drawn as tiles        */

/* ---- serve_api.c -------------------------------------------------------- */

/* A POST /api/predict body, checked: an image to prepare as `nnc predict`
 * prepares one, or the network's inputs as given. */
typedef struct {
    int      image;            /* 1: pixels; 0: inputs                          */
    size_t   width, height;    /* the image's                                   */
    uint8_t *pixels;           /* width x height grey levels                    */
    float   *inputs;           /* n_inputs                                      */
} serve_request;

/* Reads a body of len bytes (not NUL-terminated) for a network of n_inputs
 * inputs that takes images (image_ok) or not. Returns 200 with *req filled,
 * or 400 with a message in msg (cap bytes). */
int serve_parse_predict(const char *body, size_t len, size_t n_inputs, int image_ok,
                        serve_request *req, char *msg, size_t cap);
void serve_request_free(serve_request *req);

/* The answer to a request: the HTTP status, *json its body (malloc'd). */
int serve_predict(const nnc_net *net, const serve_request *req, char **json);
/* Both: a body in, a status and JSON out. */
int serve_handle_predict(const nnc_net *net, const char *body, size_t len, char **json);

/* {"error": message} (malloc'd). */
char *serve_error_json(const char *message);
/* GET /api/model: layers, activations, cost, task, classes, inputs. */
char *serve_model_json(const nnc_net *net, int training);
/* GET /api/weights: the first layer's units as tiles shaped like the input,
 * bytes -127..127 of the largest magnitude, in base64. */
char *serve_weights_json(const nnc_net *net);
/* One epoch's measures, and where a run stands, as one line of JSON. */
char *serve_epoch_json(const nnc_epoch_report *r);
char *serve_progress_json(const nnc_progress *p, unsigned epochs, double eta_seconds);

/* ---- serve_http.c (or serve_off.c without libmicrohttpd) ---------------- */

typedef struct serve_server serve_server;

/* Starts serving net (not copied: the caller keeps it unchanged and alive
 * until serve_stop) on host:port (port 0: any free one); training: a run
 * will publish to it. NULL after printing why not. */
serve_server *serve_start(const char *host, unsigned port, nnc_net *net, int training);
/* The port it listens on. */
unsigned serve_port(const serve_server *s);
/* Training's side: the network's parameters copied into the one predictions
 * use, unless a prediction holds it (returns 0: try again later); an epoch's
 * measures; where the epoch stands. None of them waits for a page. */
int serve_publish_params(serve_server *s, const nnc_net *live);
void serve_publish_epoch(serve_server *s, const nnc_epoch_report *r);
void serve_publish_progress(serve_server *s, const nnc_progress *p, unsigned epochs,
                            double eta_seconds);
void serve_stop(serve_server *s);

/* ---- cmd_serve.c -------------------------------------------------------- */

/* `nnc train --serve`: wraps opts' callbacks so that the run is shown on a
 * page while it trains, and starts the server (port 0: any). NULL after
 * printing why not. The end stops it. */
typedef struct serve_training serve_training;
serve_training *serve_training_begin(nnc_net *net, nnc_train_opts *opts, unsigned port);
void serve_training_end(serve_training *t);
/* `--serve [PORT]`: the port getopt's optional argument or the next
 * argument names (taken when it is a number), 8080 if none; -1 after
 * printing why not. */
long serve_port_arg(const char *optarg, int argc, char **argv, int *optind);

#endif
