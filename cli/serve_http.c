/* serve_http.c — the server: libmicrohttpd's threads, a fixed table of
 * routes, the checks a server on a person's own machine needs (DNS
 * rebinding, cross-origin posts, body, connection and time limits), and the
 * state training shares with the page's requests: a snapshot of the network
 * for predictions and the run's measures for the event stream. */
#define _DEFAULT_SOURCE   /* syscall(), for a thread's own id */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "cli.h"
#include "serve.h"

/* The page's files, compiled in (serve_assets.c, made from cli/web/). */
const unsigned char *serve_asset(const char *name, size_t *len, const char **type);

#define CSP "default-src 'self'"
enum { CONNECTIONS = 64, TIMEOUT_SECONDS = 10, HEARTBEAT_SECONDS = 2 };

struct serve_server {
    struct MHD_Daemon *daemon;
    unsigned           port;
    char               host[256];   /* as given to --host                    */
    int                any_host;    /* bound to every address: any Host      */
    int                training;
    /* the network predictions use: the caller's, or while training a copy
     * of its parameters that training refreshes when no prediction holds it */
    nnc_net           *net;
    int                own_net;
    pthread_rwlock_t   net_lock;
    /* what the event stream sends, under lock */
    pthread_mutex_t    lock;
    pthread_cond_t     changed;
    char             **epochs;      /* an epoch's JSON each                  */
    size_t             n_epochs, cap_epochs;
    char              *progress;    /* the latest, or NULL                   */
    unsigned long      progress_seq, weights_seq;
    int                stopping;
};

/* ---- responses ---------------------------------------------------------- */

static enum MHD_Result send_response(struct MHD_Connection *c, unsigned status,
                                     const char *type, struct MHD_Response *r)
{
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* JSON text, malloc'd (NULL: out of memory), handed over. */
static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, char *json)
{
    if (!json)
        return MHD_NO;
    return send_response(c, status, "application/json",
                         MHD_create_response_from_buffer(strlen(json), json,
                                                         MHD_RESPMEM_MUST_FREE));
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    return send_json(c, status, serve_error_json(msg));
}

/* ---- the checks --------------------------------------------------------- */

/* "NAME" or "NAME:PORT" with NAME one of names (any case). */
static int host_is(const char *host, const char *const *names)
{
    for (; *names; names++) {
        size_t n = strlen(*names);
        if (strncasecmp(host, *names, n))
            continue;
        const char *p = host + n;
        if (!*p)
            return 1;
        if (*p++ != ':' || !*p || strlen(p) > 5)
            continue;
        while (*p >= '0' && *p <= '9')
            p++;
        if (!*p)
            return 1;
    }
    return 0;
}

/* A Host header the server answers to: its loopback names, or the address
 * --host gave it. Any other is a page of another site whose name was made to
 * point here (DNS rebinding). */
static int host_allowed(const serve_server *s, const char *host)
{
    static const char *const loopback[] = {"localhost", "127.0.0.1", "[::1]", NULL};
    if (!host || !*host)
        return 0;
    if (s->any_host || host_is(host, loopback))
        return 1;
    const char *given[] = {s->host, NULL};
    char bracketed[260];
    if (strchr(s->host, ':')) {   /* an IPv6 address is written [addr] in Host */
        snprintf(bracketed, sizeof bracketed, "[%s]", s->host);
        given[0] = bracketed;
    }
    return host_is(host, given);
}

/* A POST from a page of this server: no Origin (not a browser's page), or
 * http://HOST for the Host the request names. */
static int origin_allowed(const char *host, const char *origin)
{
    if (!origin)
        return 1;
    return !strncasecmp(origin, "http://", 7) && !strcasecmp(origin + 7, host);
}

static int is_json_type(const char *type)
{
    return type && !strncasecmp(type, "application/json", 16) &&
           (type[16] == '\0' || type[16] == ';' || type[16] == ' ');
}

/* ---- the event stream --------------------------------------------------- */

typedef struct {
    serve_server *s;
    size_t        epochs_sent;
    unsigned long progress_sent, weights_sent;
    char         *text;   /* being sent */
    size_t        len, at;
} stream;

static int append(char **text, size_t *len, const char *event, const char *data)
{
    size_t n = strlen(event) + strlen(data) + 20;
    char *t = realloc(*text, *len + n);
    if (!t)
        return 0;
    *len += (size_t)snprintf(t + *len, n, "event: %s\ndata: %s\n\n", event, data);
    *text = t;
    return 1;
}

/* The next events, waiting for news up to a heartbeat: a thread of its own
 * per connection waits here, never training. */
static ssize_t next_events(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream *st = cls;
    serve_server *s = st->s;
    if (st->at == st->len) {
        free(st->text);
        st->text = NULL, st->len = st->at = 0;
        pthread_mutex_lock(&s->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += HEARTBEAT_SECONDS;
        while (!s->stopping && st->epochs_sent == s->n_epochs &&
               st->progress_sent == s->progress_seq && st->weights_sent == s->weights_seq)
            if (pthread_cond_timedwait(&s->changed, &s->lock, &until) == ETIMEDOUT)
                break;
        int ok = 1;
        for (; ok && st->epochs_sent < s->n_epochs; st->epochs_sent++)
            ok = append(&st->text, &st->len, "epoch", s->epochs[st->epochs_sent]);
        if (ok && st->progress_sent != s->progress_seq && s->progress)
            ok = append(&st->text, &st->len, "progress", s->progress);
        st->progress_sent = s->progress_seq;
        if (ok && st->weights_sent != s->weights_seq) {
            char v[32];
            snprintf(v, sizeof v, "%lu", s->weights_seq);
            ok = append(&st->text, &st->len, "weights", v);
        }
        st->weights_sent = s->weights_seq;
        int stopping = s->stopping;
        pthread_mutex_unlock(&s->lock);
        if (stopping || !ok)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (!st->len)
            ok = append(&st->text, &st->len, "heartbeat", "{}");
        if (!ok)
            return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = st->len - st->at < max ? st->len - st->at : max;
    memcpy(buf, st->text + st->at, n);
    st->at += n;
    return (ssize_t)n;
}

static void end_stream(void *cls)
{
    stream *st = cls;
    free(st->text);
    free(st);
}

static enum MHD_Result send_events(serve_server *s, struct MHD_Connection *c)
{
    stream *st = calloc(1, sizeof *st);
    if (!st)
        return MHD_NO;
    st->s = s;
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, next_events, st, end_stream);
    if (!r) {
        free(st);
        return MHD_NO;
    }
    return send_response(c, MHD_HTTP_OK, "text/event-stream", r);
}

/* While a network trains, a thread answering a page runs at a lower
 * priority than training's: a busy page then takes only the time training
 * leaves. Linux gives each thread a nice value of its own. */
static void yield_to_training(const serve_server *s)
{
#if defined(__linux__)
    static _Thread_local int lowered;
    if (s->training && !lowered) {
        lowered = 1;
        setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
    }
#else
    (void)s;
#endif
}

/* ---- routes ------------------------------------------------------------- */

typedef enum { R_NONE, R_ASSET, R_MODEL, R_WEIGHTS, R_PREDICT, R_EVENTS } route_kind;

static const struct {
    const char *path;
    route_kind  kind;
    const char *asset;
} routes[] = {
    {"/", R_ASSET, "index.html"},
    {"/index.html", R_ASSET, "index.html"},
    {"/app.js", R_ASSET, "app.js"},
    {"/style.css", R_ASSET, "style.css"},
    {"/api/model", R_MODEL, NULL},
    {"/api/weights", R_WEIGHTS, NULL},
    {"/api/predict", R_PREDICT, NULL},
    {"/api/events", R_EVENTS, NULL},
    {"/favicon.ico", R_NONE, NULL},   /* asked for by browsers: nothing */
};

/* What one request has gathered between libmicrohttpd's calls. */
typedef struct {
    int    answered;   /* a response is queued */
    int    too_large;
    char  *body;
    size_t len, room;
} request;

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)c, (void)why;
    request *rq = *con_cls;
    if (rq) {
        free(rq->body);
        free(rq);
        *con_cls = NULL;
    }
}

static enum MHD_Result predict(serve_server *s, struct MHD_Connection *c, request *rq)
{
    char *json = NULL;
    pthread_rwlock_rdlock(&s->net_lock);
    int status = serve_handle_predict(s->net, rq->body ? rq->body : "", rq->len, &json);
    pthread_rwlock_unlock(&s->net_lock);
    return send_json(c, (unsigned)status, json);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version,
                              const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    serve_server *s = cls;
    request *rq = *con_cls;
    int post = !strcmp(method, MHD_HTTP_METHOD_POST);
    if (!rq) {   /* the headers: every check before any body is read */
        yield_to_training(s);
        if (!(rq = calloc(1, sizeof *rq)))
            return MHD_NO;
        *con_cls = rq;
        rq->answered = 1;
        const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
        if (!host_allowed(s, host))
            return send_error(c, MHD_HTTP_FORBIDDEN, "this server answers to localhost only "
                              "(the Host header names another)");
        size_t i = 0, n = sizeof routes / sizeof routes[0];
        while (i < n && strcmp(routes[i].path, url))
            i++;
        if (i == n)
            return send_error(c, MHD_HTTP_NOT_FOUND, "no such page");
        route_kind kind = routes[i].kind;
        int get = !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
        if (kind == R_PREDICT ? !post : !get) {
            char *json = serve_error_json(kind == R_PREDICT ? "this path takes POST"
                                                            : "this path takes GET");
            struct MHD_Response *r =
                json ? MHD_create_response_from_buffer(strlen(json), json,
                                                       MHD_RESPMEM_MUST_FREE)
                     : NULL;
            if (r)
                MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
                                        kind == R_PREDICT ? "POST" : "GET, HEAD");
            return send_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, "application/json", r);
        }
        switch (kind) {
        case R_NONE:
            return send_response(c, MHD_HTTP_NO_CONTENT, "text/plain",
                                 MHD_create_response_from_buffer(0, (void *)"",
                                                                 MHD_RESPMEM_PERSISTENT));
        case R_ASSET: {
            size_t len;
            const char *type;
            const unsigned char *data = serve_asset(routes[i].asset, &len, &type);
            if (!data)
                return send_error(c, MHD_HTTP_NOT_FOUND, "no such page");
            return send_response(c, MHD_HTTP_OK, type,
                                 MHD_create_response_from_buffer(len, (void *)data,
                                                                 MHD_RESPMEM_PERSISTENT));
        }
        case R_MODEL:
        case R_WEIGHTS: {
            pthread_rwlock_rdlock(&s->net_lock);
            char *json = kind == R_MODEL ? serve_model_json(s->net, s->training)
                                         : serve_weights_json(s->net);
            pthread_rwlock_unlock(&s->net_lock);
            return send_json(c, MHD_HTTP_OK, json);
        }
        case R_EVENTS:
            if (!s->training)
                return send_error(c, MHD_HTTP_NOT_FOUND, "no training runs here: events come "
                                  "from 'nnc train --serve'");
            return send_events(s, c);
        case R_PREDICT:
            break;
        }
        if (!origin_allowed(host, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin")))
            return send_error(c, MHD_HTTP_FORBIDDEN, "a page of another site may not post "
                              "here (the Origin header names another)");
        if (!is_json_type(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type")))
            return send_error(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                              "the request's Content-Type is not application/json");
        const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        unsigned long long said = length ? strtoull(length, NULL, 10) : 0;
        if (said > SERVE_MAX_BODY)
            return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "the request is over 1 MB");
        /* room for the body said, so that its pieces are not copied again */
        if (said && (rq->body = malloc((size_t)said + 1)))
            rq->room = (size_t)said + 1;
        rq->answered = 0;
        return MHD_YES;
    }
    if (rq->answered)   /* refused from its headers: the rest is not read */
        return MHD_YES;
    if (*upload_size) {
        if (!rq->too_large && rq->len + *upload_size <= SERVE_MAX_BODY) {
            if (rq->len + *upload_size + 1 > rq->room) {
                char *b = realloc(rq->body, rq->len + *upload_size + 1);
                if (!b)
                    return MHD_NO;
                rq->body = b, rq->room = rq->len + *upload_size + 1;
            }
            memcpy(rq->body + rq->len, upload, *upload_size);
            rq->len += *upload_size;
        } else {
            rq->too_large = 1;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    rq->answered = 1;
    if (rq->too_large)
        return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "the request is over 1 MB");
    return predict(s, c, rq);
}

/* ---- the server --------------------------------------------------------- */

static int is_loopback(const char *host)
{
    return !strcmp(host, "127.0.0.1") || !strcmp(host, "localhost") || !strcmp(host, "::1");
}

serve_server *serve_start(const char *host, unsigned port, nnc_net *net, int training)
{
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%u", port);
    int gai = getaddrinfo(host, port_text, &hints, &ai);
    if (gai != 0) {
        cli_error("--host %s: %s", host, gai_strerror(gai));
        return NULL;
    }
    serve_server *s = calloc(1, sizeof *s);
    if (!s) {
        freeaddrinfo(ai);
        cli_error("out of memory");
        return NULL;
    }
    snprintf(s->host, sizeof s->host, "%s", host);
    s->any_host = !strcmp(host, "0.0.0.0") || !strcmp(host, "::");
    s->training = training;
    s->net = net;
    if (training) {   /* predictions use a copy, never the parameters being trained */
        if (nnc_net_clone(net, &s->net) != NNC_OK) {
            cli_error("%s", nnc_last_error());
            free(s);
            freeaddrinfo(ai);
            return NULL;
        }
        s->own_net = 1;
    }
    pthread_rwlock_init(&s->net_lock, NULL);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    /* the server's threads leave the stop signals to the command's thread */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT), sigaddset(&block, SIGTERM), sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGQUIT), sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, handle, s,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)TIMEOUT_SECONDS,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
        MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
        MHD_OPTION_END);
    int err = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    freeaddrinfo(ai);
    if (!s->daemon) {
        cli_error("cannot serve on %s port %u: %s", host, port,
                  err == EADDRINUSE ? "the port is in use" : strerror(err));
        serve_stop(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : port;
    if (!is_loopback(host))
        cli_error("warning: --host %s: the server answers other machines too; it has no "
                  "password and sends what the model is to anyone who asks", host);
    return s;
}

unsigned serve_port(const serve_server *s)
{
    return s->port;
}

int serve_publish_params(serve_server *s, const nnc_net *live)
{
    if (pthread_rwlock_trywrlock(&s->net_lock) != 0)
        return 0;   /* a prediction holds it: next time */
    memcpy(nnc_net_params(s->net), nnc_net_params_const(live),
           nnc_net_param_count(live) * sizeof(float));
    pthread_rwlock_unlock(&s->net_lock);
    pthread_mutex_lock(&s->lock);
    s->weights_seq++;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
    return 1;
}

void serve_publish_epoch(serve_server *s, const nnc_epoch_report *r)
{
    char *json = serve_epoch_json(r);
    if (!json)
        return;
    pthread_mutex_lock(&s->lock);
    if (s->n_epochs == s->cap_epochs) {
        size_t cap = s->cap_epochs ? 2 * s->cap_epochs : 64;
        char **e = realloc(s->epochs, cap * sizeof *e);
        if (!e) {
            pthread_mutex_unlock(&s->lock);
            free(json);
            return;
        }
        s->epochs = e, s->cap_epochs = cap;
    }
    s->epochs[s->n_epochs++] = json;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

void serve_publish_progress(serve_server *s, const nnc_progress *p, unsigned epochs,
                            double eta_seconds)
{
    char *json = serve_progress_json(p, epochs, eta_seconds);
    if (!json)
        return;
    pthread_mutex_lock(&s->lock);
    free(s->progress);
    s->progress = json;
    s->progress_seq++;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

void serve_stop(serve_server *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    for (size_t i = 0; i < s->n_epochs; i++)
        free(s->epochs[i]);
    free(s->epochs);
    free(s->progress);
    if (s->own_net)
        nnc_net_free(s->net);
    pthread_rwlock_destroy(&s->net_lock);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->changed);
    free(s);
}
