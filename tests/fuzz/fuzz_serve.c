/* fuzz_serve.c — the server's request handling without HTTP: a body for
 * POST /api/predict read, checked and answered (cli/serve_read.c and
 * cli/serve_api.c), for an image network (first byte even) or a table's
 * network (odd). What the reader takes, cJSON must parse to the same
 * numbers. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/serve.h"
#include "nnc.h"

static nnc_net *nets[2];

/* A run of over 63 number characters, which cJSON does not read whole. */
static int long_number(const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        run = strchr("0123456789+-.eE", s[i]) && s[i] ? run + 1 : 0;
        if (run > 63)
            return 1;
    }
    return 0;
}

/* The request the reader took, against cJSON's reading of the same body. */
static void same_as_cjson(const char *body, size_t n, const serve_request *req, size_t count)
{
    if (long_number(body, n))
        return;
    cJSON *root = cJSON_ParseWithLength(body, n);
    if (!root)
        abort();   /* taken, yet not JSON */
    const cJSON *list = req->image
        ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "image"),
                                           "pixels")
        : cJSON_GetObjectItemCaseSensitive(root, "inputs");
    size_t i = 0;
    for (const cJSON *v = list ? list->child : NULL; v; v = v->next, i++) {
        if (!cJSON_IsNumber(v) || i >= count)
            abort();
        float want = req->image ? (float)(uint8_t)lround(v->valuedouble) : (float)v->valuedouble;
        float got = req->image ? (float)req->pixels[i] : req->inputs[i];
        if (memcmp(&want, &got, sizeof want))
            abort();   /* another number */
    }
    if (i != count)
        abort();
    cJSON_Delete(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!nets[0]) {
        size_t image[] = {64, 6, 3}, table[] = {3, 4, 2};
        const char *names[] = {"a", "b", "c"}, *classes[] = {"no", "yes"};
        if (nnc_net_create(image, 3, 1, &nets[0]) != NNC_OK ||
            nnc_net_create(table, 3, 2, &nets[1]) != NNC_OK ||
            nnc_net_set_input_names(nets[1], names) != NNC_OK ||
            nnc_net_set_class_names(nets[1], classes, 2) != NNC_OK)
            abort();
    }
    if (size < 1)
        return 0;
    const nnc_net *net = nets[data[0] & 1];
    const char *body = (const char *)data + 1;
    size_t n = size - 1, n_inputs = nnc_net_inputs(net);
    serve_request req;
    char msg[256];
    if (serve_parse_predict(body, n, n_inputs, !(data[0] & 1), &req, msg, sizeof msg) == 200) {
        same_as_cjson(body, n, &req, req.image ? req.width * req.height : n_inputs);
        serve_request_free(&req);
    } else if (!msg[0]) {
        abort();   /* refused without a word */
    }
    char *json = NULL;
    int status = serve_handle_predict(net, body, n, &json);
    if (!json || (status != 200 && status != 400))
        abort();   /* every request gets an answer, and only these */
    free(json);
    return 0;
}
