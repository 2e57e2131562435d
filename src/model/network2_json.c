/* network2_json.c — the JSON model format of Nielsen's network2.py:
 * {"sizes": [784, 30, 10], "weights": [...], "biases": [...],
 *  "cost": "CrossEntropyCost"}, weights[l] being n_{l+1} x n_l (the transpose
 * of nnc's W) and biases[l] n_{l+1} x 1. Parsed with cJSON. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
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
    if (cJSON_IsArray(item) && item->child && !item->child->next)
        item = item->child;
    return cJSON_IsNumber(item) ? item : NULL;
}

/* Checks weights[l-1] (n_out rows of n_in numbers) and biases[l-1] (n_out
 * numbers) and, when w is not NULL, copies them into W_l (transposed) and b_l.
 * The arrays are walked through their links: fetching items by index would
 * walk them again for every item. */
static nnc_status layer(const char *path, int l, const cJSON *W, const cJSON *B,
                        size_t n_in, size_t n_out, float *w, float *b)
{
    if (!cJSON_IsArray(W) || !cJSON_IsArray(B))
        return nnc__fail(NNC_ERR_FORMAT, "%s: weights[%d] and biases[%d] must be arrays", path,
                         l - 1, l - 1);
    const cJSON *row = W->child, *bias = B->child;
    size_t j = 0;
    for (; row && bias && j < n_out; row = row->next, bias = bias->next, j++) {
        const cJSON *bj = scalar(bias);
        if (!bj)
            return nnc__fail(NNC_ERR_FORMAT, "%s: biases[%d][%zu] is not a number", path, l - 1,
                             j);
        if (!cJSON_IsArray(row))
            return nnc__fail(NNC_ERR_FORMAT, "%s: weights[%d] row %zu is not an array", path,
                             l - 1, j);
        size_t k = 0;
        for (const cJSON *v = row->child; v; v = v->next, k++) {
            if (k == n_in || !cJSON_IsNumber(v))
                return nnc__fail(NNC_ERR_FORMAT, "%s: weights[%d] row %zu needs %zu numbers",
                                 path, l - 1, j, n_in);
            if (w)
                w[k * n_out + j] = (float)v->valuedouble;   /* transpose */
        }
        if (k != n_in)
            return nnc__fail(NNC_ERR_FORMAT, "%s: weights[%d] row %zu needs %zu numbers", path,
                             l - 1, j, n_in);
        if (b)
            b[j] = (float)bj->valuedouble;
    }
    if (j != n_out || row || bias)
        return nnc__fail(NNC_ERR_FORMAT, "%s: weights[%d] and biases[%d] need %zu rows", path,
                         l - 1, l - 1, n_out);
    return NNC_OK;
}

/* Everything is checked before the network is allocated: a file's "sizes"
 * alone must not decide how much memory is taken. */
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
    int l = 0;
    for (const cJSON *v = jsizes->child; v; v = v->next, l++) {
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
    const cJSON *W = jw->child, *B = jb->child;
    for (l = 1; l < n; l++, W = W->next, B = B->next) {
        nnc_status s = layer(path, l, W, B, sizes[l - 1], sizes[l], NULL, NULL);
        if (s != NNC_OK)
            return s;
    }
    nnc_net *net;
    nnc_status s = nnc__net_alloc(sizes, (size_t)n, &net);
    if (s != NNC_OK)
        return s;
    net->hidden = NNC_ACT_SIGMOID;
    net->cost = cost;
    nnc__rng_seed(&net->rng, 0);
    W = jw->child, B = jb->child;
    for (l = 1; l < n; l++, W = W->next, B = B->next)
        (void)layer(path, l, W, B, sizes[l - 1], sizes[l], nnc_net_weights(net, (size_t)l),
                    nnc_net_biases(net, (size_t)l));   /* checked above */
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

nnc_status nnc__json_holds(const nnc_net *net, const char *path)
{
    if (net->hidden != NNC_ACT_SIGMOID ||
        (net->cost != NNC_COST_QUADRATIC && net->cost != NNC_COST_CROSS_ENTROPY))
        return nnc__fail(NNC_ERR_ARG,
                         "%s: network2's format holds sigmoid networks with the quadratic or "
                         "cross-entropy cost only", path);
    if (net->in_shift || net->n_class_names || net->input_names)
        return nnc__fail(NNC_ERR_ARG,
                         "%s: network2's format has no place for the input scaling, class "
                         "names or input names this network has; save it as .nnc", path);
    return NNC_OK;
}

nnc_status nnc_model_save_json(const nnc_net *net, const char *path)
{
    if (!net || !path)
        return nnc__fail(NNC_ERR_ARG, "nnc_model_save_json: NULL argument");
    nnc_status s = nnc__json_holds(net, path);
    if (s != NNC_OK)
        return s;
    for (size_t i = 0; i < net->n_params; i++)
        if (!isfinite(net->params[i]))
            return nnc__fail(NNC_ERR_ARG,
                             "%s: the network has a parameter that is not a finite number "
                             "(NaN or infinite), which JSON cannot hold", path);
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
    s = nnc__write_atomically(path, text, strlen(text));
    cJSON_free(text);
    return s;
}
