/* serve_api.c — the server's answers as JSON, a prediction's among them (its
 * request read by serve_read.c). Nothing here knows HTTP, so that a fuzz
 * target drives it directly (tests/fuzz/fuzz_serve.c). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

char *serve_error_json(const char *message)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", message);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* A float as JSON text, 6 significant digits written as "%.6g" writes them,
 * at most 13 bytes; printf's exact decimal conversion would cost most of
 * the time of an answer of 784 numbers. */
static size_t six_digits(float f, char *out)
{
    char *p = out;
    double a = f;
    if (!isfinite(a))
        return (size_t)(stpcpy(out, "null") - out);
    if (a < 0)
        *p++ = '-', a = -a;
    if (a == 0) {
        *p++ = '0';
        return (size_t)(p - out);
    }
    int x = (int)floor(log10(a));   /* a is d.ddddd x 10^x */
    double scaled = x > 5 ? a / pow(10, x - 5) : a * pow(10, 5 - x);
    long m = lrint(scaled);   /* ties to even, as printf */
    if (m >= 1000000)   /* rounded up to the next power of ten */
        m /= 10, x++;
    else if (m < 100000)   /* log10 a hair under a power of ten */
        m = lrint(a * pow(10, 5 - --x));
    char d[7];
    for (int i = 5; i >= 0; i--, m /= 10)
        d[i] = (char)('0' + m % 10);
    int last = 5;   /* the last digit kept: trailing zeros go */
    while (last > 0 && d[last] == '0')
        last--;
    if (x < -4 || x >= 6) {   /* d.ddddde+XX */
        *p++ = d[0];
        if (last > 0)
            *p++ = '.', memcpy(p, d + 1, (size_t)last), p += last;
        p += sprintf(p, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
    } else if (x >= 0) {   /* ddd.ddd */
        memcpy(p, d, (size_t)x + 1), p += x + 1;
        if (last > x)
            *p++ = '.', memcpy(p, d + x + 1, (size_t)(last - x)), p += last - x;
    } else {   /* 0.000ddd */
        *p++ = '0', *p++ = '.';
        for (int i = -1; i > x; i--)
            *p++ = '0';
        memcpy(p, d, (size_t)last + 1), p += last + 1;
    }
    return (size_t)(p - out);
}

/* A list of numbers as JSON text (NaN and infinities as null), put in as it
 * is: cJSON's own printing of 784 numbers costs a millisecond. */
static cJSON *number_list(const float *v, size_t n)
{
    char *s = malloc(n * 14 + 3), *p = s;
    if (!s)
        return cJSON_CreateNull();
    *p++ = '[';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        p += six_digits(v[i], p);
    }
    *p++ = ']';
    *p = '\0';
    cJSON *raw = cJSON_CreateRaw(s);
    free(s);
    return raw;
}

/* The image a network takes, or 0: a square one, as `nnc predict` needs. */
static int image_side(const nnc_net *net, size_t *side)
{
    size_t w, h;
    if (!nnc_net_image_size(net, &w, &h) || w != h || w * h != nnc_net_inputs(net))
        return 0;
    *side = w;
    return 1;
}

int serve_predict(const nnc_net *net, const serve_request *req, char **json)
{
    size_t n0 = nnc_net_inputs(net), k = nnc_net_outputs(net), side = 0;
    float *x = malloc(n0 * sizeof *x), *y = malloc(k * sizeof *y);
    int status = 500;
    const char *why = "out of memory";
    if (!x || !y)
        goto fail;
    if (req->image) {
        status = 400;
        if (!image_side(net, &side)) {
            why = "the network does not take an image";
            goto fail;
        }
        if (nnc_image_prepare(req->pixels, req->width, req->height, side, side,
                              NNC_INVERT_AUTO, 2, x) != NNC_OK) {
            why = nnc_last_error();
            goto fail;
        }
    } else {
        memcpy(x, req->inputs, n0 * sizeof *x);
    }
    status = 500;
    if (nnc_feedforward(net, x, 1, y) != NNC_OK) {
        why = nnc_last_error();
        goto fail;
    }
    cJSON *o = cJSON_CreateObject();
    if (!nnc_cost_is_regression(nnc_net_cost(net))) {
        size_t best = 0;
        if (k == 1)
            best = y[0] > 0.5f;
        for (size_t j = 1; j < k; j++)
            best = y[j] > y[best] ? j : best;
        char label[32];
        const char *name = nnc_net_class_name(net, best);
        if (!name)
            snprintf(label, sizeof label, "%zu", best), name = label;
        cJSON_AddNumberToObject(o, "class", (double)best);
        cJSON_AddStringToObject(o, "label", name);
    }
    cJSON_AddItemToObject(o, "outputs", number_list(y, k));
    cJSON_AddItemToObject(o, "prepared", number_list(x, n0));
    *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    free(x);
    free(y);
    return *json ? 200 : 500;
fail:
    free(x);
    free(y);
    *json = serve_error_json(why);
    return status;
}

int serve_handle_predict(const nnc_net *net, const char *body, size_t len, char **json)
{
    serve_request req;
    char msg[256];
    size_t side;
    int status = serve_parse_predict(body, len, nnc_net_inputs(net), image_side(net, &side),
                                     &req, msg, sizeof msg);
    if (status != 200) {
        *json = serve_error_json(msg);
        return status;
    }
    status = serve_predict(net, &req, json);
    serve_request_free(&req);
    return status;
}

/* The activation of the output layer, which the cost fixes. */
static const char *output_activation(nnc_cost c)
{
    return nnc_cost_is_regression(c) ? "linear"
           : c == NNC_COST_SOFTMAX_LOGLIK ? "softmax"
                                          : "sigmoid";
}

char *serve_model_json(const nnc_net *net, int training)
{
    cJSON *o = cJSON_CreateObject(), *layers = cJSON_AddArrayToObject(o, "layers");
    cJSON *acts = cJSON_AddArrayToObject(o, "activations");
    size_t L = nnc_net_layers(net), k = nnc_net_outputs(net), side;
    for (size_t l = 0; l < L; l++)
        cJSON_AddItemToArray(layers, cJSON_CreateNumber((double)nnc_net_size(net, l)));
    for (size_t l = 1; l < L; l++)
        cJSON_AddItemToArray(acts, cJSON_CreateString(
            l + 1 < L ? nnc_name_of(NNC_NAMES_ACTIVATION, (int)nnc_net_hidden(net))
                      : output_activation(nnc_net_cost(net))));
    cJSON_AddStringToObject(o, "cost", nnc_name_of(NNC_NAMES_COST, (int)nnc_net_cost(net)));
    int regression = nnc_cost_is_regression(nnc_net_cost(net));
    cJSON_AddStringToObject(o, "task", nnc_name_of(NNC_NAMES_TASK,
                                                   regression ? NNC_TASK_REGRESS
                                                              : NNC_TASK_CLASSIFY));
    cJSON *classes = cJSON_AddArrayToObject(o, "classes");
    for (size_t j = 0; !regression && j < (k == 1 ? 2 : k); j++) {
        char label[32];
        const char *name = nnc_net_class_name(net, j);
        if (!name)
            snprintf(label, sizeof label, "%zu", j), name = label;
        cJSON_AddItemToArray(classes, cJSON_CreateString(name));
    }
    cJSON *input = cJSON_AddObjectToObject(o, "input");
    size_t n0 = nnc_net_inputs(net);
    if (image_side(net, &side)) {
        cJSON_AddStringToObject(input, "kind", "image");
        cJSON_AddNumberToObject(input, "width", (double)side);
        cJSON_AddNumberToObject(input, "height", (double)side);
    } else {
        cJSON_AddStringToObject(input, "kind", "table");
        cJSON_AddNumberToObject(input, "count", (double)n0);
        cJSON *names = cJSON_AddArrayToObject(input, "names");
        for (size_t j = 0; j < n0; j++) {
            char name[32];
            const char *given = nnc_net_input_name(net, j);
            if (!given)
                snprintf(name, sizeof name, "x%zu", j + 1), given = name;
            cJSON_AddItemToArray(names, cJSON_CreateString(given));
        }
    }
    cJSON_AddNumberToObject(o, "parameters", (double)nnc_net_param_count(net));
    cJSON_AddBoolToObject(o, "training", training);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static void base64(const uint8_t *in, size_t n, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *out++ = a[v >> 18], *out++ = a[v >> 12 & 63], *out++ = a[v >> 6 & 63],
        *out++ = a[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
        *out++ = a[v >> 18], *out++ = a[v >> 12 & 63];
        *out++ = i + 1 < n ? a[v >> 6 & 63] : '=';
        *out++ = '=';
    }
    *out = '\0';
}

char *serve_weights_json(const nnc_net *net)
{
    size_t n0 = nnc_net_size(net, 0), n1 = nnc_net_size(net, 1), side, w = n0, h = 1;
    if (image_side(net, &side))
        w = h = side;
    size_t units = n1 < SERVE_MAX_TILES ? n1 : SERVE_MAX_TILES;
    const float *W = nnc_net_params_const(net);   /* W_1 first, n0 x n1 */
    float max = 0;
    for (size_t i = 0; i < n0 * n1; i++)
        max = fabsf(W[i]) > max && isfinite(W[i]) ? fabsf(W[i]) : max;
    uint8_t *q = malloc(units * n0);
    char *text = malloc((units * n0 + 2) / 3 * 4 + 1);
    char *s = NULL;
    if (q && text) {
        for (size_t u = 0; u < units; u++)
            for (size_t i = 0; i < n0; i++) {
                float v = max > 0 && isfinite(W[i * n1 + u]) ? W[i * n1 + u] / max : 0;
                q[u * n0 + i] = (uint8_t)(int8_t)lrintf(v * 127.0f);
            }
        base64(q, units * n0, text);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "units", (double)units);
        cJSON_AddNumberToObject(o, "width", (double)w);
        cJSON_AddNumberToObject(o, "height", (double)h);
        cJSON_AddNumberToObject(o, "max", max);
        cJSON_AddStringToObject(o, "tiles", text);
        s = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
    }
    free(q);
    free(text);
    return s;
}

static void add_measure(cJSON *o, const char *set, const nnc_measure *m)
{
    char name[32];
    if (!isnan(m->cost)) {
        snprintf(name, sizeof name, "%s_cost", set);
        cJSON_AddNumberToObject(o, name, m->cost);
    }
    if (!isnan(m->rmse)) {
        const char *fit[3] = {"rmse", "mae", "r2"};
        double v[3] = {m->rmse, m->mae, m->r2};
        for (int i = 0; i < 3; i++) {
            snprintf(name, sizeof name, "%s_%s", set, fit[i]);
            if (isfinite(v[i]))
                cJSON_AddNumberToObject(o, name, v[i]);
        }
    } else if (m->n) {
        snprintf(name, sizeof name, "%s_accuracy", set);
        cJSON_AddNumberToObject(o, name, (double)m->correct / (double)m->n);
    }
}

char *serve_epoch_json(const nnc_epoch_report *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "epoch", r->epoch);
    cJSON_AddNumberToObject(o, "seconds", r->train_seconds);
    cJSON_AddNumberToObject(o, "eta", r->eta);
    add_measure(o, "train", &r->train);
    add_measure(o, "valid", &r->valid);
    add_measure(o, "test", &r->test);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

char *serve_progress_json(const nnc_progress *p, unsigned epochs, double eta_seconds)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "epoch", p->epoch);
    cJSON_AddNumberToObject(o, "epochs", epochs);
    cJSON_AddNumberToObject(o, "samples_done", (double)p->samples_done);
    cJSON_AddNumberToObject(o, "samples", (double)p->samples);
    cJSON_AddNumberToObject(o, "seconds", p->seconds);
    cJSON_AddNumberToObject(o, "samples_per_second",
                            p->seconds > 0 ? (double)p->samples_done / p->seconds : 0.0);
    cJSON_AddNumberToObject(o, "eta_seconds", eta_seconds);
    const nnc_measure *run = &p->running;   /* the epoch so far, over its batches */
    if (p->samples_done && isfinite(run->cost))
        cJSON_AddNumberToObject(o, "running_cost", run->cost);
    if (run->n && isnan(run->rmse))
        cJSON_AddNumberToObject(o, "running_accuracy", (double)run->correct / (double)run->n);
    else if (run->n)
        cJSON_AddNumberToObject(o, "running_rmse", run->rmse);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}
