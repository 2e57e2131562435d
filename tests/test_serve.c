/* test_serve.c — `nnc serve` and `nnc train --serve` over HTTP: the routes,
 * the JSON answers, predictions as `nnc predict` makes them, the refusals a
 * local server owes (another Host, another Origin, large bodies, paths out
 * of its routes, malformed JSON, connections over the cap, slow clients,
 * another address), a bounded load, Ctrl-C with a page open, and the page
 * in a headless Chromium when there is one. Each test's server is killed by
 * its teardown, whatever the test did. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

/* ---- a server in a child process ---------------------------------------- */

typedef struct {
    pid_t    pid;
    int      out;        /* its stdout and stderr */
    unsigned port;
    char     text[65536];   /* what it printed so far */
    size_t   len;
} server;

static server srv = {.pid = -1, .out = -1};

/* Reads what the server printed for up to ms milliseconds; 1 at its end. */
static int read_output(server *s, int ms)
{
    struct pollfd p = {s->out, POLLIN, 0};
    while (poll(&p, 1, ms) > 0) {
        ssize_t n = read(s->out, s->text + s->len, sizeof s->text - 1 - s->len);
        if (n <= 0)
            return 1;
        s->len += (size_t)n;
        s->text[s->len] = '\0';
        if (strstr(s->text, "127.0.0.1:") && ms > 0 && !s->port)
            return 0;
    }
    return 0;
}

static void stop(void);

/* Runs `nnc ARGS` (serve, or train --serve) and waits for the URL it prints. */
static int start(const char *args)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "exec %s %s", nnc_command(), args);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1), dup2(fds[1], 2);
        close(fds[0]), close(fds[1]);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    memset(&srv, 0, sizeof srv);
    srv.pid = pid, srv.out = fds[0];
    for (int i = 0; i < 300 && !srv.port; i++) {
        int ended = read_output(&srv, 100);
        const char *at = strstr(srv.text, "127.0.0.1:");
        if (at)
            srv.port = (unsigned)atoi(at + 10);
        if (ended)
            break;
    }
    if (!srv.port && strstr(srv.text, "without libmicrohttpd")) {
        stop();
        SKIP_TEST("this nnc was built without libmicrohttpd");
    }
    if (!srv.port)
        print_message("    nnc %s printed: %s\n", args, srv.text);
    return srv.port != 0;
}

static void stop(void)
{
    if (srv.pid > 0) {
        kill(srv.pid, SIGTERM);
        int st;
        waitpid(srv.pid, &st, 0);
    }
    if (srv.out >= 0)
        close(srv.out);
    srv.pid = -1, srv.out = -1, srv.port = 0;
}

static int teardown(void **state)
{
    (void)state;
    stop();
    return 0;
}

/* ---- a small HTTP client -------------------------------------------------- */

typedef struct {
    int    status;
    char  *head, *body;   /* the whole response, split after the header */
    size_t body_len;
} reply;

static void reply_free(reply *r)
{
    free(r->head);
    memset(r, 0, sizeof *r);
}

/* One request on a connection of its own; host NULL: 127.0.0.1:port; extra:
 * more header lines, each ending in \r\n. */
static reply http(const char *method, const char *path, const char *host, const char *extra,
                  const char *body, size_t len)
{
    reply r = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {20, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        fail_msg("cannot connect to port %u: %s", srv.port, strerror(errno));
    char head[1024], host_line[128];
    snprintf(host_line, sizeof host_line, "127.0.0.1:%u", srv.port);
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n%s%s", method, path,
                     host ? host : host_line, extra ? extra : "",
                     body ? "" : "\r\n");
    if (body)
        n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n\r\n", len);
    size_t sent = 0;
    while (sent < (size_t)n) {
        ssize_t k = send(fd, head + sent, (size_t)n - sent, MSG_NOSIGNAL);
        if (k <= 0)
            break;
        sent += (size_t)k;
    }
    for (sent = 0; body && sent < len;) {   /* a refused body may be cut off */
        ssize_t k = send(fd, body + sent, len - sent, MSG_NOSIGNAL);
        if (k <= 0)
            break;
        sent += (size_t)k;
    }
    size_t cap = 1 << 16, got = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (got == cap)
            buf = realloc(buf, (cap *= 2) + 1);
        ssize_t k = recv(fd, buf + got, cap - got, 0);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    buf[got] = '\0';
    r.head = buf;
    sscanf(buf, "HTTP/1.%*d %d", &r.status);
    char *end = strstr(buf, "\r\n\r\n");
    r.body = end ? end + 4 : buf + got;
    r.body_len = (size_t)(buf + got - r.body);
    return r;
}

static reply post_json(const char *json)
{
    return http("POST", "/api/predict", NULL, "Content-Type: application/json\r\n", json,
                strlen(json));
}

/* A refusal: the status and a JSON object with an "error". */
static void assert_refused(reply r, int status, const char *what)
{
    if (r.status != status)
        fail_msg("%s: status %d, expected %d: %.300s", what, r.status, status, r.head);
    cJSON *j = cJSON_Parse(r.body);
    if (!j || !cJSON_IsString(cJSON_GetObjectItem(j, "error")))
        fail_msg("%s: no JSON error: %.300s", what, r.body);
    cJSON_Delete(j);
    reply_free(&r);
}

/* ---- models ----------------------------------------------------------------- */

static const char *image_model(nnc_net **net)
{
    size_t sizes[] = {784, 30, 10};
    assert_ok(nnc_net_create(sizes, 3, 5, net));
    const char *path = "test-scratch/serve-image.nnc";
    scratch_path("serve-image.nnc");
    assert_ok(nnc_model_save(*net, path));
    return path;
}

/* JSON text of an image request: w x h grey levels. */
static char *image_json(const uint8_t *px, size_t w, size_t h)
{
    char *s = malloc(w * h * 4 + 128), *p = s;
    p += sprintf(p, "{\"image\": {\"width\": %zu, \"height\": %zu, \"pixels\": [", w, h);
    for (size_t i = 0; i < w * h; i++)
        p += sprintf(p, i ? ",%u" : "%u", px[i]);
    strcpy(p, "]}}");
    return s;
}

static char *inputs_json(const float *x, size_t n)
{
    char *s = malloc(n * 16 + 32), *p = s;
    p += sprintf(p, "{\"inputs\": [");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, i ? ",%.9g" : "%.9g", (double)x[i]);
    strcpy(p, "]}");
    return s;
}

/* A dark ring, off centre on light grey paper: a drawing of a zero. */
static uint8_t *ring(size_t w, size_t h)
{
    uint8_t *px = malloc(w * h);
    for (size_t y = 0; y < h; y++)
        for (size_t x = 0; x < w; x++) {
            double r = hypot((double)x - 0.4 * (double)w, (double)y - 0.55 * (double)h);
            px[y * w + x] = r > 0.15 * (double)w && r < 0.22 * (double)w ? 20 : 230;
        }
    return px;
}

static void json_floats(const cJSON *a, float *out, size_t n)
{
    assert_true(cJSON_IsArray(a));
    assert_int_equal((size_t)cJSON_GetArraySize(a), n);
    size_t i = 0;
    for (const cJSON *v = a->child; v; v = v->next)
        out[i++] = (float)v->valuedouble;
}

/* ---- tests ------------------------------------------------------------------- */

static void routes_and_answers(void **state)
{
    (void)state;
    nnc_net *net;
    char args[512];
    snprintf(args, sizeof args, "serve %s --port 0", image_model(&net));
    assert_true(start(args));

    reply r = http("GET", "/", NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "id=\"draw\""));
    assert_non_null(strstr(r.head, "Content-Security-Policy: default-src 'self'"));
    assert_null(strstr(r.body, "http://"));   /* nothing fetched from elsewhere */
    assert_null(strstr(r.body, "<script>"));
    reply_free(&r);
    const char *assets[] = {"/app.js", "/style.css"};
    for (int i = 0; i < 2; i++) {
        r = http("GET", assets[i], NULL, NULL, NULL, 0);
        assert_int_equal(r.status, 200);
        assert_true(r.body_len > 100);
        reply_free(&r);
    }

    r = http("GET", "/api/model", NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    cJSON *m = cJSON_Parse(r.body);
    assert_non_null(m);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(m, "layers")), 3);
    assert_string_equal(cJSON_GetObjectItem(m, "cost")->valuestring, "quadratic");
    assert_string_equal(cJSON_GetObjectItem(m, "task")->valuestring, "classify");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(m, "classes")), 10);
    cJSON *in = cJSON_GetObjectItem(m, "input");
    assert_string_equal(cJSON_GetObjectItem(in, "kind")->valuestring, "image");
    assert_int_equal(cJSON_GetObjectItem(in, "width")->valueint, 28);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(m, "training")));
    cJSON_Delete(m);
    reply_free(&r);

    r = http("GET", "/api/weights", NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"units\":30"));
    reply_free(&r);
    assert_refused(http("GET", "/api/events", NULL, NULL, NULL, 0), 404, "events without a run");

    /* inputs as given: the outputs nnc_feedforward gives */
    float x[784], y[10], got[784];
    uint64_t g = 3;
    for (int i = 0; i < 784; i++)
        x[i] = test_uniform(&g, 0, 1);
    assert_ok(nnc_feedforward(net, x, 1, y));
    char *body = inputs_json(x, 784);
    r = post_json(body);
    free(body);
    assert_int_equal(r.status, 200);
    cJSON *p = cJSON_Parse(r.body);
    assert_non_null(p);
    size_t best = 0;
    for (size_t j = 1; j < 10; j++)
        best = y[j] > y[best] ? j : best;
    assert_int_equal(cJSON_GetObjectItem(p, "class")->valueint, (int)best);
    json_floats(cJSON_GetObjectItem(p, "outputs"), got, 10);
    for (int j = 0; j < 10; j++)
        assert_float_equal(got[j], y[j], 1e-5 * fabsf(y[j]) + 1e-9);
    json_floats(cJSON_GetObjectItem(p, "prepared"), got, 784);
    for (int i = 0; i < 784; i++)
        assert_float_equal(got[i], x[i], 1e-6);
    cJSON_Delete(p);
    reply_free(&r);

    /* numbers of every size are written as "%.6g" writes them, ties too */
    char *want_text = malloc(784 * 16 + 16), *w = want_text;
    w += sprintf(w, "\"prepared\":[");
    for (int i = 0; i < 784; i++) {
        float mag = powf(10.0f, test_uniform(&g, -44.0f, 37.0f));
        x[i] = i % 7 == 0 ? 0.0f : (i % 2 ? -1.0f : 1.0f) * test_uniform(&g, 1, 9.9f) * mag;
        if (i % 11 == 0)
            x[i] = (float)(10880650 + 20 * i);   /* halfway at the 6th digit */
        w += sprintf(w, i ? ",%.6g" : "%.6g", (double)x[i]);
    }
    strcpy(w, "]");
    body = inputs_json(x, 784);
    r = post_json(body);
    free(body);
    assert_int_equal(r.status, 200);
    if (!strstr(r.body, want_text))
        fail_msg("\"prepared\" is not as %%.6g writes it: %.400s", strstr(r.body, "\"prepared\""));
    free(want_text);
    reply_free(&r);

    /* an image: prepared as nnc_image_prepare (and so nnc predict) prepares it */
    uint8_t *px = ring(280, 280);
    float want[784];
    assert_ok(nnc_image_prepare(px, 280, 280, 28, 28, NNC_INVERT_AUTO, 2, want));
    body = image_json(px, 280, 280);
    free(px);
    r = post_json(body);
    free(body);
    assert_int_equal(r.status, 200);
    p = cJSON_Parse(r.body);
    json_floats(cJSON_GetObjectItem(p, "prepared"), got, 784);
    for (int i = 0; i < 784; i++)
        assert_float_equal(got[i], want[i], 1e-6);
    assert_true(cJSON_IsString(cJSON_GetObjectItem(p, "label")));
    cJSON_Delete(p);
    reply_free(&r);
    nnc_net_free(net);
}

static void refusals(void **state)
{
    (void)state;
    nnc_net *net;
    char args[512];
    snprintf(args, sizeof args, "serve %s --port 0", image_model(&net));
    nnc_net_free(net);
    assert_true(start(args));
    float zeros[784] = {0};
    char *ok = inputs_json(zeros, 784);

    /* DNS rebinding: another name for this address */
    assert_refused(http("GET", "/api/model", "evil.example", NULL, NULL, 0), 403, "Host");
    assert_refused(http("GET", "/", "localhost.evil.example:80", NULL, NULL, 0), 403, "Host");
    assert_refused(http("GET", "/", "127.0.0.1:80x", NULL, NULL, 0), 403, "Host");
    const char *hosts[] = {"localhost", "localhost:8080", "127.0.0.1", "[::1]:1", "LOCALHOST"};
    for (int i = 0; i < 5; i++) {
        reply r = http("GET", "/api/model", hosts[i], NULL, NULL, 0);
        if (r.status != 200)
            fail_msg("Host: %s refused: %d", hosts[i], r.status);
        reply_free(&r);
    }
    /* another site's page posting here */
    assert_refused(http("POST", "/api/predict", NULL,
                        "Origin: http://evil.example\r\nContent-Type: application/json\r\n", ok,
                        strlen(ok)), 403, "Origin");
    assert_refused(http("POST", "/api/predict", NULL,
                        "Origin: null\r\nContent-Type: application/json\r\n", ok, strlen(ok)),
                   403, "Origin null");
    char origin[128];
    snprintf(origin, sizeof origin, "Origin: http://127.0.0.1:%u\r\nContent-Type: "
             "application/json\r\n", srv.port);
    reply r = http("POST", "/api/predict", NULL, origin, ok, strlen(ok));
    assert_int_equal(r.status, 200);
    reply_free(&r);
    assert_refused(http("POST", "/api/predict", NULL, "Content-Type: text/plain\r\n", ok,
                        strlen(ok)), 415, "text/plain");
    /* bodies over 1 MB, said or not */
    size_t big = 2u << 20;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    assert_refused(http("POST", "/api/predict", NULL, "Content-Type: application/json\r\n", huge,
                        big), 413, "2 MB");
    free(huge);
    /* paths out of the route table */
    const char *paths[] = {"/../", "/%2e%2e/", "/%2e%2e/%2e%2e/etc/passwd", "/web/app.js",
                           "/index.html/..", "//", "/api/model/", "/app.js?x=/../"};
    for (int i = 0; i < 8; i++) {
        r = http("GET", paths[i], NULL, NULL, NULL, 0);
        if (r.status != 404 && !(i == 7 && r.status == 200))
            fail_msg("GET %s: %d", paths[i], r.status);
        reply_free(&r);
    }
    assert_refused(http("GET", "/api/predict", NULL, NULL, NULL, 0), 405, "GET predict");
    assert_refused(http("DELETE", "/", NULL, NULL, NULL, 0), 405, "DELETE");
    /* malformed requests: 400 and a message, never a crash */
    const char *bad[] = {
        "{\"inputs\": [1, 2", "", "[]", "null", "{\"inputs\": 5}", "{\"inputs\": [\"a\"]}",
        "{\"inputs\": [1e999]}", "{}", "{\"image\": 1}",
        "{\"image\": {\"width\": 2, \"height\": 2, \"pixels\": [1, 2, 3]}}",
        "{\"image\": {\"width\": 2, \"height\": 2, \"pixels\": [1, 2, 3, 300]}}",
        "{\"image\": {\"width\": -2, \"height\": 2, \"pixels\": []}}",
        "{\"image\": {\"width\": 2.5, \"height\": 2, \"pixels\": []}}",
        "{\"image\": {\"width\": 1e12, \"height\": 1e12, \"pixels\": []}}",
        "{\"image\": {\"width\": 2, \"height\": 2, \"pixels\": [0, 0, 0, 0]}}",   /* blank */
        "{\"inputs\": [], \"image\": {}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_refused(post_json(bad[i]), 400, bad[i]);
    char *deep = malloc(20000);
    memset(deep, '[', 19999);
    deep[19999] = '\0';
    assert_refused(post_json(deep), 400, "deep");
    free(deep);
    float many[10000] = {0};
    char *tenk = inputs_json(many, 10000);
    assert_refused(post_json(tenk), 400, "10,000 numbers");
    free(tenk);
    r = post_json(ok);   /* and it still answers */
    assert_int_equal(r.status, 200);
    reply_free(&r);
    free(ok);
}

/* ---- limits: connections, slow clients, other addresses -------------------------- */

/* A connection to addr:port (network order), nothing sent yet. */
static int connect_to(uint32_t addr, unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = addr;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        fail_msg("cannot connect to port %u: %s", port, strerror(errno));
    return fd;
}

static void send_text(int fd, const char *text)
{
    assert_int_equal(send(fd, text, strlen(text), MSG_NOSIGNAL), (ssize_t)strlen(text));
}

/* What the server sent on fd within ms milliseconds, until it closed the
 * connection (*closed 1) or went quiet. */
static size_t read_within(int fd, int ms, char *buf, size_t cap, int *closed)
{
    struct pollfd p = {fd, POLLIN, 0};
    size_t got = 0;
    *closed = 0;
    while (poll(&p, 1, ms) > 0) {
        ssize_t k = recv(fd, buf + got, cap - 1 - got, 0);
        if (k <= 0) {
            *closed = 1;
            break;
        }
        got += (size_t)k;
    }
    buf[got] = '\0';
    return got;
}

static double seconds_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + (b.tv_nsec - a->tv_nsec) * 1e-9;
}

static void limits(void **state)
{
    (void)state;
    nnc_net *net;
    char args[512], buf[4096];
    snprintf(args, sizeof args, "serve %s --port 0", image_model(&net));
    nnc_net_free(net);
    assert_true(start(args));
    /* 64 slow clients, each a request whose header never ends, fill the
     * server's connections */
    enum { CAP = 64 };
    int slow[CAP], closed;
    char part[128];
    snprintf(part, sizeof part, "GET /api/model HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n", srv.port);
    struct timespec began;
    clock_gettime(CLOCK_MONOTONIC, &began);
    for (int i = 0; i < CAP; i++) {
        slow[i] = connect_to(htonl(INADDR_LOOPBACK), srv.port);
        send_text(slow[i], part);
    }
    usleep(300000);
    /* one more gets no answer while they hold them */
    int extra = connect_to(htonl(INADDR_LOOPBACK), srv.port);
    char whole[160];
    snprintf(whole, sizeof whole, "%s\r\n", part);
    send(extra, whole, strlen(whole), MSG_NOSIGNAL);
    read_within(extra, 1000, buf, sizeof buf, &closed);
    if (strstr(buf, "200 OK"))
        fail_msg("a connection over the cap was answered: %.200s", buf);
    /* the slow clients are closed after 10 s without traffic, not before */
    read_within(slow[0], 0, buf, sizeof buf, &closed);
    assert_false(closed);
    for (int i = 0; i < CAP; i++) {
        read_within(slow[i], 15000, buf, sizeof buf, &closed);
        if (!closed)
            fail_msg("slow client %d still open after %.1f s", i, seconds_since(&began));
        close(slow[i]);
    }
    double waited = seconds_since(&began);
    print_message("    64 slow clients closed after %.1f s\n", waited);
    assert_true(waited > 9.0 && waited < 16.0);
    close(extra);
    /* and the server answers again */
    reply r = http("GET", "/api/model", NULL, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    stop();

    /* an address other than loopback's names: a warning, and its own Host */
    snprintf(args, sizeof args, "serve test-scratch/serve-image.nnc --port 0 --host 127.0.0.2");
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "exec %s %s", nnc_command(), args);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1), dup2(fds[1], 2);
        close(fds[0]), close(fds[1]);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    srv.pid = pid, srv.out = fds[0], srv.len = 0, srv.text[0] = '\0';
    const char *at = NULL;
    for (int i = 0; i < 100 && !(at = strstr(srv.text, "http://127.0.0.2:")); i++)
        read_output(&srv, 100);
    assert_non_null(at);
    assert_non_null(strstr(srv.text, "warning: --host 127.0.0.2"));
    unsigned port = (unsigned)atoi(at + 17);
    int fd = connect_to(inet_addr("127.0.0.2"), port);
    snprintf(whole, sizeof whole, "GET /api/model HTTP/1.1\r\nHost: 127.0.0.2:%u\r\n"
             "Connection: close\r\n\r\n", port);
    send_text(fd, whole);
    read_within(fd, 5000, buf, sizeof buf, &closed);
    close(fd);
    if (!strstr(buf, "HTTP/1.1 200"))
        fail_msg("Host 127.0.0.2 on --host 127.0.0.2: %.200s", buf);
}

/* ---- load ---------------------------------------------------------------------- */

typedef struct {
    const char *body;
    int         requests, failed;
} load_job;

static void *load_client(void *arg)
{
    load_job *job = arg;
    for (int i = 0; i < job->requests; i++) {
        reply r = post_json(job->body);
        job->failed += r.status != 200;
        reply_free(&r);
    }
    return NULL;
}

static void bounded_load(void **state)
{
    (void)state;
    nnc_net *net;
    char args[512];
    snprintf(args, sizeof args, "serve %s --port 0", image_model(&net));
    nnc_net_free(net);
    assert_true(start(args));
    float x[784];
    uint64_t g = 9;
    for (int i = 0; i < 784; i++)
        x[i] = test_uniform(&g, 0, 1);
    char *body = inputs_json(x, 784);
    enum { CLIENTS = 8, EACH = 100 };
    load_job jobs[CLIENTS];
    pthread_t t[CLIENTS];
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < CLIENTS; i++) {
        jobs[i] = (load_job){body, EACH, 0};
        pthread_create(&t[i], NULL, load_client, &jobs[i]);
    }
    int failed = 0;
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(t[i], NULL);
        failed += jobs[i].failed;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
    print_message("    %d requests from %d clients, a connection each: %.0f requests/s\n",
                  CLIENTS * EACH, CLIENTS, CLIENTS * EACH / s);
    assert_int_equal(failed, 0);
    free(body);
}

/* ---- MNIST: as nnc predict predicts, and a run shown as it trains -------------- */

static void write_pgm(const char *path, const uint8_t *px, size_t w, size_t h)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fprintf(f, "P5\n%zu %zu\n255\n", w, h);
    fwrite(px, 1, w * h, f);
    fclose(f);
}

static void predicts_as_nnc_predict(void **state)
{
    (void)state;
    const char *dir = mnist_dir();
    if (!dir)
        SKIP_TEST("NNC_MNIST_DIR is not set to a folder");
    char cmd[1024], out[4096];
    snprintf(cmd, sizeof cmd, "nnc train --data '%s' --epochs 1 --seed 2 -q --save "
             "test-scratch/serve-mnist.nnc", dir);
    scratch_path("serve-mnist.nnc");
    assert_int_equal(run_command(cmd, out, sizeof out), 0);
    nnc_data *test;
    assert_ok(nnc_mnist_load(dir, NULL, NULL, &test));
    float x[784];
    nnc_data_input(test, 7, x);   /* a test digit, three times as large, dark on white */
    enum { S = 84 };
    static uint8_t px[S * S];
    for (int y = 0; y < S; y++)
        for (int i = 0; i < S; i++)
            px[y * S + i] = (uint8_t)(255 - lroundf(x[(y / 3) * 28 + i / 3] * 255.0f));
    nnc_data_free(test);
    write_pgm("test-scratch/serve-digit.pgm", px, S, S);
    assert_int_equal(run_command("nnc predict test-scratch/serve-mnist.nnc "
                                 "test-scratch/serve-digit.pgm", out, sizeof out), 0);
    int cls = -1;
    assert_int_equal(sscanf(strstr(out, "serve-digit.pgm: "), "serve-digit.pgm: %d", &cls), 1);
    assert_true(start("serve test-scratch/serve-mnist.nnc --port 0"));
    char *body = image_json(px, S, S);
    reply r = post_json(body);
    free(body);
    assert_int_equal(r.status, 200);
    cJSON *p = cJSON_Parse(r.body);
    assert_int_equal(cJSON_GetObjectItem(p, "class")->valueint, cls);
    float y[10];
    json_floats(cJSON_GetObjectItem(p, "outputs"), y, 10);
    for (int j = 0; j < 10; j++) {   /* nnc predict prints them to 3 decimals */
        char want[32];
        snprintf(want, sizeof want, " %d:%.3f", j, (double)y[j]);
        if (!strstr(out, want))
            fail_msg("nnc predict printed '%s'; the server's output %d is %g", out, j, y[j]);
    }
    cJSON_Delete(p);
    reply_free(&r);
}

/* The epoch lines of a run's output, times taken out. */
static void epoch_lines(const char *text, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (const char *l = strstr(text, "Epoch "); l; l = strstr(l + 1, "\nEpoch ")) {
        if (*l == '\n')
            l++;
        const char *paren = strchr(l, '(');
        n += (size_t)snprintf(out + n, cap - n, "%.*s\n", (int)(paren - l), l);
    }
}

static void training_shown_unchanged(void **state)
{
    (void)state;
    const char *dir = mnist_dir();
    if (!dir)
        SKIP_TEST("NNC_MNIST_DIR is not set to a folder");
    char cmd[1024], plain[4096], a[2048], b[2048];
    snprintf(cmd, sizeof cmd, "nnc train --data '%s' --epochs 2 --seed 11 -q", dir);
    assert_int_equal(run_command(cmd, plain, sizeof plain), 0);
    epoch_lines(plain, a, sizeof a);
    assert_non_null(strstr(a, "Epoch 0: 8265 / 10000"));
    snprintf(cmd, sizeof cmd, "train --data '%s' --epochs 2 --seed 11 -q --serve 0", dir);
    assert_true(start(cmd));
    while (!read_output(&srv, 20000))
        ;
    epoch_lines(srv.text, b, sizeof b);
    assert_string_equal(a, b);
    stop();

    /* a longer run: its events, and predictions while it trains */
    snprintf(cmd, sizeof cmd, "train --data '%s' --layers 784,100,10 --epochs 5 -q "
             "--monitor train-cost --serve 0", dir);
    assert_true(start(cmd));
    reply r = http("GET", "/api/model", NULL, NULL, NULL, 0);
    assert_non_null(strstr(r.body, "\"training\":true"));
    reply_free(&r);
    float zeros[784] = {0};
    char *body = inputs_json(zeros, 784);
    r = post_json(body);
    free(body);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    r = http("GET", "/api/events", NULL, NULL, NULL, 0);   /* to the run's end */
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "text/event-stream"));
    assert_non_null(strstr(r.body, "event: epoch"));
    assert_non_null(strstr(r.body, "\"train_cost\""));
    assert_non_null(strstr(r.body, "event: weights"));
    reply_free(&r);
}

/* Ctrl-C with a page open: the run stops and saves as it does without one. */
static void interrupted_with_a_page(void **state)
{
    (void)state;
    const char *dir = mnist_dir();
    if (!dir)
        SKIP_TEST("NNC_MNIST_DIR is not set to a folder");
    char cmd[1024], buf[8192];
    remove(scratch_path("serve-stopped.nnc"));
    snprintf(cmd, sizeof cmd, "train --data '%s' --layers 784,100,10 --epochs 100 -q "
             "--save test-scratch/serve-stopped.nnc --serve 0", dir);
    assert_true(start(cmd));
    int page = connect_to(htonl(INADDR_LOOPBACK), srv.port), closed;
    snprintf(cmd, sizeof cmd, "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n",
             srv.port);
    send_text(page, cmd);
    for (int i = 0; i < 300 && !strstr(srv.text, "Epoch 0"); i++)
        read_output(&srv, 100);
    assert_non_null(strstr(srv.text, "Epoch 0"));
    read_within(page, 500, buf, sizeof buf, &closed);
    assert_non_null(strstr(buf, "event: epoch"));
    kill(srv.pid, SIGINT);
    while (!read_output(&srv, 20000))
        ;
    int st;
    assert_int_equal(waitpid(srv.pid, &st, 0), srv.pid);
    srv.pid = -1;
    close(page);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 128 + SIGINT);
    assert_non_null(strstr(srv.text, "interrupted"));
    assert_non_null(strstr(srv.text, "saved in test-scratch/serve-stopped.nnc"));
    nnc_net *net;
    assert_ok(nnc_model_load("test-scratch/serve-stopped.nnc", &net));
    assert_int_equal(nnc_net_size(net, 1), 100);
    nnc_net_free(net);
}

/* ---- the page in a browser ------------------------------------------------------ */

/* Chromium and playwright-core (npm install in tests/browser), else NULL. */
static const char *browser(void)
{
    const char *chromium = getenv("NNC_CHROMIUM");
    static char path[512];
    snprintf(path, sizeof path, "%s", chromium && *chromium ? chromium : "/usr/bin/chromium");
    struct stat sb;
    if (stat(path, &sb) != 0 || stat(SRC("tests/browser/node_modules/playwright-core"), &sb) != 0)
        return NULL;
    char out[256];
    return run_command("node --version", out, sizeof out) == 0 ? path : NULL;
}

static void page_in_a_browser(void **state)
{
    (void)state;
    const char *chromium = browser();
    if (!chromium)
        SKIP_TEST("no chromium or no tests/browser/node_modules (npm install there)");
    const char *dir = mnist_dir();
    char cmd[2048], out[8192];
    if (dir) {
        snprintf(cmd, sizeof cmd, "nnc train --data '%s' --epochs 3 --seed 2 -q --save "
                 "test-scratch/serve-page.nnc", dir);
        scratch_path("serve-page.nnc");
        assert_int_equal(run_command(cmd, out, sizeof out), 0);
    } else {
        nnc_net *net;
        image_model(&net);
        nnc_net_free(net);
        assert_int_equal(run_command("cp test-scratch/serve-image.nnc test-scratch/serve-page.nnc",
                                     out, sizeof out), 0);
    }
    assert_true(start("serve test-scratch/serve-page.nnc --port 0"));
    snprintf(cmd, sizeof cmd, "NNC_CHROMIUM='%s' node '%s' draw http://127.0.0.1:%u/ "
             "test-scratch/serve-draw.png", chromium, SRC("tests/browser/page.mjs"), srv.port);
    if (run_command(cmd, out, sizeof out) != 0)
        fail_msg("%s", out);
    print_message("    %s", out);
    int digit = -1;
    assert_non_null(strstr(out, "prediction: "));
    sscanf(strstr(out, "prediction: "), "prediction: %d", &digit);
    assert_true(digit >= 0 && digit <= 9);
    if (dir && digit != 3)   /* a trained network reads the 3 the script draws */
        fail_msg("the drawn 3 was read as %d", digit);
    stop();
    if (!dir)
        return;
    /* more epochs than the page needs: the server is stopped by the teardown */
    snprintf(cmd, sizeof cmd, "train --data '%s' --layers 784,100,10 --epochs 100 -q "
             "--monitor train-cost,valid-accuracy --serve 0", dir);
    assert_true(start(cmd));
    snprintf(cmd, sizeof cmd, "NNC_CHROMIUM='%s' node '%s' learn http://127.0.0.1:%u/ "
             "test-scratch/serve-learn.png", chromium, SRC("tests/browser/page.mjs"), srv.port);
    if (run_command(cmd, out, sizeof out) != 0)
        fail_msg("%s", out);
    print_message("    %s", out);
    assert_non_null(strstr(out, "the curve grew"));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown(routes_and_answers, teardown),
    cmocka_unit_test_teardown(refusals, teardown),
    cmocka_unit_test_teardown(limits, teardown),
    cmocka_unit_test_teardown(bounded_load, teardown),
    cmocka_unit_test_teardown(predicts_as_nnc_predict, teardown),
    cmocka_unit_test_teardown(training_shown_unchanged, teardown),
    cmocka_unit_test_teardown(interrupted_with_a_page, teardown),
    cmocka_unit_test_teardown(page_in_a_browser, teardown),
};
TEST_GROUP(serve_tests, "serve", tests);
