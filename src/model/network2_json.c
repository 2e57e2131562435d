/* network2_json.c — the JSON model format of Nielsen's network2.py:
 * {"sizes": [784, 30, 10], "weights": [...], "biases": [...],
 *  "cost": "CrossEntropyCost"}, weights[l] being n_{l+1} x n_l (the transpose
 * of nnc's W) and biases[l] n_{l+1} x 1. Parsed with cJSON. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "model_file.h"

#define MAX_JSON_BYTES ((long)1 << 30)

static char *slurp(const char *path, nnc_status *s)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *s = nnc__fail(NNC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    char *text = NULL;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size < 0 || size > MAX_JSON_BYTES)
        *s = nnc__fail(NNC_ERR_FORMAT, "%s: not a readable JSON file of at most 1 GiB", path);
    else if (!(text = malloc((size_t)size + 1)))
        *s = nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
    else if (fseek(f, 0, SEEK_SET) != 0 || fread(text, 1, (size_t)size, f) != (size_t)size) {
        *s = nnc__fail(NNC_ERR_IO, "%s: cannot read", path);
        free(text);
        text = NULL;
    } else {
        text[size] = '\0';
        *s = NNC_OK;
    }
    fclose(f);
    return text;
}

/* A bias entry is [b] as numpy's tolist() of an (n,1) array writes it, or b. */
static const cJSON *scalar(const cJSON *item)
{
    if (cJSON_IsArray(item) && cJSON_GetArraySize(item) == 1)
        item = cJSON_GetArrayItem(item, 0);
    return cJSON_IsNumber(item) ? item : NULL;
}

static nnc_status fill(const char *path, const cJSON *root, nnc_net **out)
{
    const cJSON *jsizes = cJSON_GetObjectItemCaseSensitive(root, "sizes");
    const cJSON *jw = cJSON_GetObjectItemCaseSensitive(root, "weights");
    const cJSON *jb = cJSON_GetObjectItemCaseSensitive(root, "biases");
    const cJSON *jc = cJSON_GetObjectItemCaseSensitive(root, "cost");
    int n = cJSON_IsArray(jsizes) ? cJSON_GetArraySize(jsizes) : 0;
    if (n < 2 || n > 64 || !cJSON_IsArray(jw) || !cJSON_IsArray(jb))
        return nnc__fail(NNC_ERR_FORMAT, "%s: not a network2 model (needs sizes, weights, biases)",
                         path);
    size_t sizes[64];
    for (int l = 0; l < n; l++) {
        const cJSON *v = cJSON_GetArrayItem(jsizes, l);
        double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
        if (!(d >= 1 && d <= (1 << 24) && d == (size_t)d))
            return nnc__fail(NNC_ERR_FORMAT, "%s: sizes[%d] is not a layer size", path, l);
        sizes[l] = (size_t)d;
    }
    if (cJSON_GetArraySize(jw) != n - 1 || cJSON_GetArraySize(jb) != n - 1)
        return nnc__fail(NNC_ERR_FORMAT, "%s: %d layer sizes need %d weight and bias arrays",
                         path, n, n - 1);
    nnc_cost cost = NNC_COST_QUADRATIC;
    if (jc && !(cJSON_IsString(jc) && (!strcmp(jc->valuestring, "QuadraticCost") ||
                                       !strcmp(jc->valuestring, "CrossEntropyCost"))))
        return nnc__fail(NNC_ERR_FORMAT, "%s: cost must be QuadraticCost or CrossEntropyCost",
                         path);
    if (jc && !strcmp(jc->valuestring, "CrossEntropyCost"))
        cost = NNC_COST_CROSS_ENTROPY;
    nnc_net *net;
    nnc_status s = nnc__net_alloc(sizes, (size_t)n, &net);
    if (s != NNC_OK)
        return s;
    net->hidden = NNC_ACT_SIGMOID;
    net->cost = cost;
    nnc__rng_seed(&net->rng, 0);
    for (int l = 1; l < n; l++) {
        const cJSON *W = cJSON_GetArrayItem(jw, l - 1), *B = cJSON_GetArrayItem(jb, l - 1);
        size_t n_in = sizes[l - 1], n_out = sizes[l];
        float *w = nnc_net_weights(net, (size_t)l), *b = nnc_net_biases(net, (size_t)l);
        if (!cJSON_IsArray(W) || (size_t)cJSON_GetArraySize(W) != n_out ||
            !cJSON_IsArray(B) || (size_t)cJSON_GetArraySize(B) != n_out) {
            nnc_net_free(net);
            return nnc__fail(NNC_ERR_FORMAT, "%s: weights[%d] and biases[%d] need %zu rows",
                             path, l - 1, l - 1, n_out);
        }
        for (size_t j = 0; j < n_out; j++) {
            const cJSON *row = cJSON_GetArrayItem(W, (int)j), *bj = scalar(cJSON_GetArrayItem(B, (int)j));
            if (!cJSON_IsArray(row) || (size_t)cJSON_GetArraySize(row) != n_in || !bj) {
                nnc_net_free(net);
                return nnc__fail(NNC_ERR_FORMAT, "%s: weights[%d] row %zu needs %zu numbers",
                                 path, l - 1, j, n_in);
            }
            b[j] = (float)bj->valuedouble;
            size_t k = 0;
            for (const cJSON *v = row->child; v; v = v->next, k++) {
                if (!cJSON_IsNumber(v)) {
                    nnc_net_free(net);
                    return nnc__fail(NNC_ERR_FORMAT, "%s: weights[%d][%zu][%zu] is not a number",
                                     path, l - 1, j, k);
                }
                w[k * n_out + j] = (float)v->valuedouble;   /* transpose */
            }
        }
    }
    *out = net;
    return NNC_OK;
}

nnc_status nnc__json_read(const char *path, nnc_net **out)
{
    *out = NULL;
    nnc_status s;
    char *text = slurp(path, &s);
    if (!text)
        return s;
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!root)
        return nnc__fail(NNC_ERR_FORMAT, "%s: not valid JSON", path);
    s = fill(path, root, out);
    cJSON_Delete(root);
    return s;
}

nnc_status nnc_model_save_json(const nnc_net *net, const char *path)
{
    if (!net || !path)
        return nnc__fail(NNC_ERR_ARG, "nnc_model_save_json: NULL argument");
    if (net->hidden != NNC_ACT_SIGMOID || net->cost == NNC_COST_SOFTMAX_LOGLIK)
        return nnc__fail(NNC_ERR_ARG,
                         "%s: network2's format holds sigmoid networks with the quadratic or "
                         "cross-entropy cost only", path);
    cJSON *root = cJSON_CreateObject(), *sizes = cJSON_AddArrayToObject(root, "sizes");
    cJSON *weights = cJSON_AddArrayToObject(root, "weights");
    cJSON *biases = cJSON_AddArrayToObject(root, "biases");
    int ok = root && sizes && weights && biases &&
             cJSON_AddStringToObject(root, "cost", net->cost == NNC_COST_CROSS_ENTROPY
                                                       ? "CrossEntropyCost"
                                                       : "QuadraticCost");
    for (size_t l = 0; ok && l < net->n_layers; l++)
        ok = cJSON_AddItemToArray(sizes, cJSON_CreateNumber((double)net->sizes[l]));
    for (size_t l = 1; ok && l < net->n_layers; l++) {
        size_t n_in = net->sizes[l - 1], n_out = net->sizes[l];
        const float *w = net->params + net->packed.w_offset[l];
        const float *b = net->params + net->packed.b_offset[l];
        cJSON *W = cJSON_CreateArray(), *B = cJSON_CreateArray();
        ok = W && B && cJSON_AddItemToArray(weights, W) && cJSON_AddItemToArray(biases, B);
        for (size_t j = 0; ok && j < n_out; j++) {
            cJSON *row = cJSON_CreateArray(), *bj = cJSON_CreateArray();
            ok = row && bj && cJSON_AddItemToArray(W, row) && cJSON_AddItemToArray(B, bj) &&
                 cJSON_AddItemToArray(bj, cJSON_CreateNumber(b[j]));
            for (size_t k = 0; ok && k < n_in; k++)
                ok = cJSON_AddItemToArray(row, cJSON_CreateNumber(w[k * n_out + j]));
        }
    }
    char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory writing JSON", path);
    nnc_status s = nnc__write_atomically(path, text, strlen(text));
    cJSON_free(text);
    return s;
}
