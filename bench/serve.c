/* serve.c — how fast `nnc serve` answers, on loopback, with bounded request
 * counts: a [784,100,10] model; the latency (p50, p99) of POST /api/predict
 * with a 280x280 image (~300 KB of JSON), one client; the rate with 8
 * clients sending {"inputs": [784 numbers]} on kept-alive connections; and,
 * given MNIST, `nnc train --serve` with a page open (events read; the tiles
 * fetched and a drawing predicted again whenever the network changes, as the
 * page does) against `nnc train`, in alternating pairs. First, in this
 * process, what reading the image request costs: the server's reader
 * (cli/serve_read.c) against a cJSON tree of it.
 * usage: nnc-bench-serve NNC_COMMAND [MNIST_DIR] */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../cli/serve.h"
#include "nnc.h"

static unsigned port;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Starts cmd (whose output names 127.0.0.1:PORT) and returns its pid. */
static pid_t start(const char *cmd, int *out)
{
    int fds[2];
    if (pipe(fds))
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1), dup2(fds[1], 2);
        close(fds[0]), close(fds[1]);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char text[4096] = "";
    size_t len = 0;
    struct pollfd p = {fds[0], POLLIN, 0};
    port = 0;
    while (!port && poll(&p, 1, 10000) > 0) {
        ssize_t n = read(fds[0], text + len, sizeof text - 1 - len);
        if (n <= 0)
            break;
        text[len += (size_t)n] = '\0';
        const char *at = strstr(text, "127.0.0.1:");
        if (at && strchr(at, '/'))
            port = (unsigned)atoi(at + 10);
    }
    if (!port) {
        fprintf(stderr, "%s: %s\n", cmd, text);
        exit(1);
    }
    *out = fds[0];
    return pid;
}

static int connect_local(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
        perror("connect");
        exit(1);
    }
    return fd;
}

/* One request on a kept-alive connection (body NULL: a GET); returns the
 * status once the whole answer is read. */
static int ask(int fd, const char *path, const char *body, size_t len)
{
    char head[256], buf[65536];
    buf[0] = '\0';
    int n = body ? snprintf(head, sizeof head, "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                            "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                            path, port, len)
                 : snprintf(head, sizeof head, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n",
                            path, port);
    if (send(fd, head, (size_t)n, MSG_NOSIGNAL) != n)
        return -1;
    for (size_t sent = 0; sent < len;) {
        ssize_t k = send(fd, body + sent, len - sent, MSG_NOSIGNAL);
        if (k <= 0)
            return -1;
        sent += (size_t)k;
    }
    size_t got = 0;
    char *end = NULL;
    while (!(end = strstr(buf, "\r\n\r\n"))) {
        ssize_t k = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (k <= 0)
            return -1;
        buf[got += (size_t)k] = '\0';
    }
    const char *cl = strstr(buf, "Content-Length: ");
    size_t want = cl ? strtoul(cl + 16, NULL, 10) : 0, have = got - (size_t)(end + 4 - buf);
    while (have < want) {
        ssize_t k = recv(fd, buf, sizeof buf, 0);
        if (k <= 0)
            return -1;
        have += (size_t)k;
    }
    return atoi(buf + 9);
}

static int post(int fd, const char *body, size_t len)
{
    return ask(fd, "/api/predict", body, len);
}

static char *image_body(void)
{
    enum { S = 280 };
    char *s = malloc(S * S * 4 + 100), *p = s;
    p += sprintf(p, "{\"image\": {\"width\": %d, \"height\": %d, \"pixels\": [", S, S);
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
            double r = hypot(x - 140.0, y - 130.0);
            p += sprintf(p, y || x ? ",%d" : "%d", r > 60 && r < 80 ? 0 : 255);
        }
    strcpy(p, "]}}");
    return s;
}

static char *inputs_body(void)
{
    char *s = malloc(784 * 12 + 20), *p = s;
    p += sprintf(p, "{\"inputs\": [");
    for (int i = 0; i < 784; i++)
        p += sprintf(p, i ? ",%.4f" : "%.4f", (i * 37 % 256) / 256.0);
    strcpy(p, "]}");
    return s;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    const char *body;
    int         n, failed;
} job;

static void *client(void *arg)
{
    job *j = arg;
    int fd = connect_local();
    for (int i = 0; i < j->n; i++)
        j->failed += post(fd, j->body, strlen(j->body)) != 200;
    close(fd);
    return NULL;
}

/* ---- training with a page open ------------------------------------------ */

enum { EPOCHS = 6 };
static volatile int page_open;

static void *page(void *arg)
{
    (void)arg;
    int events = connect_local(), fd = connect_local();
    char req[128], buf[65536];
    int n = snprintf(req, sizeof req, "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n",
                     port);
    send(events, req, (size_t)n, MSG_NOSIGNAL);
    char *body = image_body();
    struct pollfd p = {events, POLLIN, 0};
    while (page_open) {   /* as the page does: the tiles fetched and a drawing predicted
                           * again whenever the network changes */
        ssize_t k = poll(&p, 1, 50) > 0 ? recv(events, buf, sizeof buf - 1, 0) : 0;
        if (k < 0 || (k == 0 && p.revents))
            break;
        buf[k > 0 ? k : 0] = '\0';
        if (strstr(buf, "event: weights") &&
            (ask(fd, "/api/weights", NULL, 0) != 200 || post(fd, body, strlen(body)) != 200))
            break;
    }
    free(body);
    close(events);
    close(fd);
    return NULL;
}

/* Runs training and returns the sum of its epochs' seconds. */
static double train(const char *nnc, const char *dir, int serve)
{
    char cmd[1024], line[512];
    snprintf(cmd, sizeof cmd, "%s train --data '%s' --layers 784,100,10 --epochs %d -q%s 2>&1",
             nnc, dir, EPOCHS, serve ? " --serve 0" : "");
    int out;
    pid_t pid = 0;
    FILE *f;
    pthread_t t;
    if (serve) {
        pid = start(cmd, &out);
        f = fdopen(out, "r");
        page_open = 1;
        pthread_create(&t, NULL, page, NULL);
    } else {
        f = popen(cmd, "r");
    }
    double sum = 0;
    while (fgets(line, sizeof line, f)) {
        const char *paren = strstr(line, "Epoch ") ? strchr(line, '(') : NULL;
        if (paren)
            sum += atof(paren + 1);
    }
    if (serve) {
        page_open = 0;
        pthread_join(t, NULL);
        fclose(f);
        waitpid(pid, NULL, 0);
    } else {
        pclose(f);
    }
    return sum;
}

/* The median of reps timings of reading body, by the reader (cjson 0) or
 * by cJSON (1), the two alternating. */
static void reading(const char *body)
{
    enum { REPS = 41 };
    double t[2][REPS];
    size_t len = strlen(body);
    for (int r = 0; r < REPS; r++)
        for (int way = 0; way < 2; way++) {
            double a = now();
            if (way) {
                cJSON *root = cJSON_ParseWithLength(body, len);
                if (!root)
                    exit(1);
                cJSON_Delete(root);
            } else {
                serve_request req;
                char msg[256];
                if (serve_parse_predict(body, len, 784, 1, &req, msg, sizeof msg) != 200)
                    exit(1);
                serve_request_free(&req);
            }
            t[way][r] = (now() - a) * 1e3;
        }
    qsort(t[0], REPS, sizeof t[0][0], cmp);
    qsort(t[1], REPS, sizeof t[1][0], cmp);
    printf("reading the 280x280 image request (median of %d): the server's reader %.2f ms, "
           "cJSON's tree %.2f ms (x%.0f)\n", REPS, t[0][REPS / 2], t[1][REPS / 2],
           t[1][REPS / 2] / t[0][REPS / 2]);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: nnc-bench-serve NNC_COMMAND [MNIST_DIR]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    size_t sizes[] = {784, 100, 10};
    nnc_net *net;
    char model[] = "/tmp/nnc-bench-serve-XXXXXX.nnc", cmd[1024];
    int tmp = mkstemps(model, 4);
    close(tmp);
    if (nnc_net_create(sizes, 3, 1, &net) != NNC_OK || nnc_model_save(net, model) != NNC_OK)
        return 1;
    nnc_net_free(net);
    snprintf(cmd, sizeof cmd, "exec %s serve %s --port 0", argv[1], model);
    int out;
    pid_t pid = start(cmd, &out);

    enum { LATENCY = 400, CLIENTS = 8, EACH = 1000 };
    char *image = image_body(), *inputs = inputs_body();
    reading(image);
    double t[LATENCY];
    int fd = connect_local(), failed = 0;
    for (int i = 0; i < 20; i++)   /* warm up */
        post(fd, image, strlen(image));
    for (int i = 0; i < LATENCY; i++) {
        double a = now();
        failed += post(fd, image, strlen(image)) != 200;
        t[i] = (now() - a) * 1e3;
    }
    close(fd);
    qsort(t, LATENCY, sizeof t[0], cmp);
    printf("POST /api/predict, 280x280 image (%zu KB of JSON), one client, %d requests: "
           "p50 %.2f ms, p99 %.2f ms, max %.2f ms%s\n", strlen(image) / 1024, LATENCY,
           t[LATENCY / 2], t[LATENCY * 99 / 100], t[LATENCY - 1], failed ? " (FAILURES)" : "");

    job jobs[CLIENTS];
    pthread_t th[CLIENTS];
    double a = now();
    for (int i = 0; i < CLIENTS; i++) {
        jobs[i] = (job){inputs, EACH, 0};
        pthread_create(&th[i], NULL, client, &jobs[i]);
    }
    failed = 0;
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(th[i], NULL);
        failed += jobs[i].failed;
    }
    double s = now() - a;
    printf("POST /api/predict, {\"inputs\": [784 numbers]}, %d clients x %d requests: "
           "%.0f requests/s%s\n", CLIENTS, EACH, CLIENTS * EACH / s, failed ? " (FAILURES)" : "");
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    close(out);
    remove(model);
    free(image);
    free(inputs);

    if (argc > 2) {
        enum { PAIRS = 7 };
        double plain[PAIRS], shown[PAIRS], ratio[PAIRS];
        for (int r = 0; r < PAIRS; r++) {   /* interleaved, against drift */
            plain[r] = train(argv[1], argv[2], 0);
            shown[r] = train(argv[1], argv[2], 1);
            ratio[r] = shown[r] / plain[r];
        }
        qsort(plain, PAIRS, sizeof plain[0], cmp);
        qsort(shown, PAIRS, sizeof shown[0], cmp);
        qsort(ratio, PAIRS, sizeof ratio[0], cmp);
        printf("nnc train [784,100,10], %d epochs, training seconds (median of %d): %.3f; "
               "with --serve and a page open: %.3f (%+.1f%%; median of the pairs' ratios "
               "%+.1f%%, from %+.1f%% to %+.1f%%)\n", EPOCHS, PAIRS, plain[PAIRS / 2],
               shown[PAIRS / 2], 100.0 * (shown[PAIRS / 2] / plain[PAIRS / 2] - 1),
               100.0 * (ratio[PAIRS / 2] - 1), 100.0 * (ratio[0] - 1),
               100.0 * (ratio[PAIRS - 1] - 1));
    }
    return 0;
}
