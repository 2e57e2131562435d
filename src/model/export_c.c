/* export_c.c — a network as one self-contained C99 header: its parameters as
 * static const arrays and a predict function that computes what
 * nnc_feedforward computes, in the reference kernels' order, so that a
 * program or a microcontroller runs the model with no library at all. With
 * int8 the weights are kept as int8 per output unit and each layer's inputs
 * are quantised per sample, so that the products accumulate in integers. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../net/net.h"
#include "atomic_file.h"

#define MAX_NAME 64

/* A float as a C literal that reads back as the same float, as short as it
 * can be ("0.01f"). */
static const char *float_literal(float v, char *buf, size_t cap)
{
    for (int digits = 6; digits <= 9; digits++) {
        snprintf(buf, cap - 1, "%.*g", digits, (double)v);
        if (strtof(buf, NULL) == v)
            break;
    }
    if (!strpbrk(buf, ".eE"))   /* "1" would be an int: "1.0" */
        strcat(buf, ".0");
    strcat(buf, "f");
    return buf;
}

/* The hidden activation of z as a C expression. */
static const char *activation_c(nnc_activation a, char *buf, size_t cap)
{
    static const char *const f[] = {"1.0f / (1.0f + expf(-z))", "tanhf(z)",
                                    "z > 0.0f ? z : 0.0f"};
    char slope[40];
    if (a == NNC_ACT_LEAKY_RELU)
        snprintf(buf, cap, "z > 0.0f ? z : %s * z",
                 float_literal(NNC_LEAKY_RELU_SLOPE, slope, sizeof slope));
    else
        snprintf(buf, cap, "%s", f[a]);
    return buf;
}

/* The hidden activation as the library names it ("leaky-relu"), with the
 * leaky ReLU's slope. */
static const char *activation_name(nnc_activation a, char *buf, size_t cap)
{
    const char *name = nnc_name_of(NNC_NAMES_ACTIVATION, (int)a);
    if (a == NNC_ACT_LEAKY_RELU)
        snprintf(buf, cap, "%s (slope %g)", name, (double)NNC_LEAKY_RELU_SLOPE);
    else
        snprintf(buf, cap, "%s", name ? name : "?");
    return buf;
}

/* float literals that read back as the same float: 9 significant digits */
static void floats(FILE *f, const char *type, const char *name, const float *v, size_t n)
{
    fprintf(f, "static const %s %s[%zu] = {", type, name, n);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%.8ef", !i ? "\n    " : i % 6 ? ", " : ",\n    ", (double)v[i]);
    fputs("\n};\n", f);
}

/* Per output unit j of W (n_in x n_out): scale[j] = max_k |W[k][j]| / 127 and
 * q = round(W / scale[j]). */
static void quantize(const float *W, size_t n_in, size_t n_out, signed char *q, float *scale)
{
    for (size_t j = 0; j < n_out; j++) {
        float max = 0.0f;
        for (size_t k = 0; k < n_in; k++)
            max = fabsf(W[k * n_out + j]) > max ? fabsf(W[k * n_out + j]) : max;
        scale[j] = max > 0.0f ? max / 127.0f : 1.0f;
        for (size_t k = 0; k < n_in; k++)
            q[k * n_out + j] = (signed char)lrintf(W[k * n_out + j] / scale[j]);
    }
}

nnc_status nnc_int8_feedforward(const nnc_net *net, const float *x, size_t m, float *out)
{
    if (!net || !x || !out)
        return nnc__fail(NNC_ERR_ARG, "nnc_int8_feedforward: NULL argument");
    size_t L = net->n_layers - 1, width = 0, n0 = net->sizes[0], nL = net->sizes[L];
    for (size_t l = 0; l <= L; l++)
        width = net->sizes[l] > width ? net->sizes[l] : width;
    signed char **q = calloc(L + 1, sizeof *q), *qa = malloc(width);
    float **scale = calloc(L + 1, sizeof *scale), *a = malloc(width * sizeof *a),
          *b = malloc(width * sizeof *b);
    int ok = q && scale && qa && a && b;
    for (size_t l = 1; ok && l <= L; l++) {   /* the header's int8 weights and scales */
        size_t n_in = net->sizes[l - 1], n_out = net->sizes[l];
        ok = (q[l] = malloc(n_in * n_out)) && (scale[l] = malloc(n_out * sizeof **scale));
        if (ok)
            quantize(net->params + net->packed.w_offset[l], n_in, n_out, q[l], scale[l]);
    }
    for (size_t i = 0; ok && i < m; i++) {   /* what the generated code computes */
        const float *in = x + i * n0;
        for (size_t k = 0; k < n0; k++)
            a[k] = net->in_shift ? (in[k] - net->in_shift[k]) * net->in_factor[k] : in[k];
        float *cur = a, *nxt = b;
        for (size_t l = 1; l <= L; l++) {
            size_t n_in = net->sizes[l - 1], n_out = net->sizes[l];
            const float *bias = net->params + net->packed.b_offset[l];
            float max = 0.0f;
            for (size_t k = 0; k < n_in; k++)
                max = fabsf(cur[k]) > max ? fabsf(cur[k]) : max;
            float xs = max > 0.0f ? max / 127.0f : 1.0f;
            for (size_t k = 0; k < n_in; k++)
                qa[k] = (signed char)lrintf(cur[k] / xs);
            for (size_t j = 0; j < n_out; j++) {
                long acc = 0;
                for (size_t k = 0; k < n_in; k++)
                    acc += (long)qa[k] * q[l][k * n_out + j];
                nxt[j] = bias[j] + (float)acc * xs * scale[l][j];
            }
            if (l < L)
                for (size_t j = 0; j < n_out; j++) {
                    float z = nxt[j];
                    nxt[j] = net->hidden == NNC_ACT_SIGMOID ? 1.0f / (1.0f + expf(-z))
                             : net->hidden == NNC_ACT_TANH  ? tanhf(z)
                             : net->hidden == NNC_ACT_RELU  ? (z > 0.0f ? z : 0.0f)
                                                            : (z > 0.0f ? z : NNC_LEAKY_RELU_SLOPE * z);
                }
            float *t = cur;
            cur = nxt, nxt = t;
        }
        float *o = out + i * nL;
        if (net->cost == NNC_COST_SOFTMAX_LOGLIK) {
            float max = cur[0], sum = 0.0f;
            for (size_t j = 1; j < nL; j++)
                max = cur[j] > max ? cur[j] : max;
            for (size_t j = 0; j < nL; j++)
                sum += cur[j] = expf(cur[j] - max);
            for (size_t j = 0; j < nL; j++)
                o[j] = cur[j] / sum;
        } else {
            for (size_t j = 0; j < nL; j++)
                o[j] = nnc_cost_is_regression(net->cost) ? cur[j]
                                                         : 1.0f / (1.0f + expf(-cur[j]));
        }
    }
    for (size_t l = 1; q && scale && l <= L; l++)
        free(q[l]), free(scale[l]);
    free(q), free(scale), free(qa), free(a), free(b);
    return ok ? NNC_OK : nnc__fail(NNC_ERR_NOMEM, "out of memory for the int8 network");
}

static void layer_arrays(FILE *f, const nnc_net *net, const char *name, size_t l, int int8)
{
    size_t n_in = net->sizes[l - 1], n_out = net->sizes[l];
    const float *W = net->params + net->packed.w_offset[l];
    const float *b = net->params + net->packed.b_offset[l];
    char id[MAX_NAME + 16];
    if (int8) {
        signed char *q = malloc(n_in * n_out);
        float *scale = malloc(n_out * sizeof *scale);
        if (q && scale) {
            quantize(W, n_in, n_out, q, scale);
            snprintf(id, sizeof id, "%s_w%zu", name, l);
            fprintf(f, "static const signed char %s[%zu] = {", id, n_in * n_out);
            for (size_t i = 0; i < n_in * n_out; i++)
                fprintf(f, "%s%d", !i ? "\n    " : i % 16 ? ", " : ",\n    ", q[i]);
            fputs("\n};\n", f);
            snprintf(id, sizeof id, "%s_s%zu", name, l);
            floats(f, "float", id, scale, n_out);
        }
        free(q);
        free(scale);
    } else {
        snprintf(id, sizeof id, "%s_w%zu", name, l);
        floats(f, "float", id, W, n_in * n_out);
    }
    snprintf(id, sizeof id, "%s_b%zu", name, l);
    floats(f, "float", id, b, n_out);
}

/* The code of layer l: from `x` (n_in) into `y` (n_out). */
static void layer_code(FILE *f, const nnc_net *net, const char *name, size_t l, int int8,
                       const char *x, const char *y)
{
    size_t n_in = net->sizes[l - 1], n_out = net->sizes[l], L = net->n_layers - 1;
    fprintf(f, "    /* layer %zu: %zu -> %zu */\n", l, n_in, n_out);
    if (int8) {   /* the inputs as int8 on their own scale, then integer sums */
        fprintf(f, "    max = 0.0f;\n"
                   "    for (k = 0; k < %zu; k++)\n"
                   "        max = fabsf(%s[k]) > max ? fabsf(%s[k]) : max;\n"
                   "    xs = max > 0.0f ? max / 127.0f : 1.0f;\n"
                   "    for (k = 0; k < %zu; k++)\n"
                   "        q[k] = (signed char)lrintf(%s[k] / xs);\n"
                   "    for (j = 0; j < %zu; j++) {\n"
                   "        long acc = 0;\n"
                   "        for (k = 0; k < %zu; k++)\n"
                   "            acc += (long)q[k] * %s_w%zu[k * %zu + j];\n"
                   "        %s[j] = %s_b%zu[j] + (float)acc * xs * %s_s%zu[j];\n"
                   "    }\n",
                n_in, x, x, n_in, x, n_out, n_in, name, l, n_out, y, name, l, name, l);
    } else {      /* z = b, then z += x_k W_k in k order, as nnc's reference kernel */
        fprintf(f, "    for (j = 0; j < %zu; j++)\n"
                   "        %s[j] = %s_b%zu[j];\n"
                   "    for (k = 0; k < %zu; k++)\n"
                   "        for (j = 0; j < %zu; j++)\n"
                   "            %s[j] += %s[k] * %s_w%zu[k * %zu + j];\n",
                n_out, y, name, l, n_in, n_out, y, x, name, l, n_out);
    }
    if (l < L) {
        char code[64];
        fprintf(f, "    for (j = 0; j < %zu; j++) {\n"
                   "        const float z = %s[j];\n"
                   "        %s[j] = %s;\n"
                   "    }\n",
                n_out, y, y, activation_c(net->hidden, code, sizeof code));
    }
}

static void output_code(FILE *f, const nnc_net *net, const char *y)
{
    size_t n = net->sizes[net->n_layers - 1];
    if (net->cost == NNC_COST_SOFTMAX_LOGLIK) {   /* as nnc's softmax: e^(z - max) / sum */
        fprintf(f, "    max = %s[0];\n"
                   "    for (j = 1; j < %zu; j++)\n"
                   "        max = %s[j] > max ? %s[j] : max;\n"
                   "    sum = 0.0f;\n"
                   "    for (j = 0; j < %zu; j++) {\n"
                   "        %s[j] = expf(%s[j] - max);\n"
                   "        sum += %s[j];\n"
                   "    }\n"
                   "    for (j = 0; j < %zu; j++)\n"
                   "        out[j] = %s[j] / sum;\n",
                y, n, y, y, n, y, y, y, n, y);
    } else if (nnc_cost_is_regression(net->cost)) {
        fprintf(f, "    for (j = 0; j < %zu; j++)\n        out[j] = %s[j];\n", n, y);
    } else {
        fprintf(f, "    for (j = 0; j < %zu; j++) {\n"
                   "        const float z = %s[j];\n"
                   "        out[j] = 1.0f / (1.0f + expf(-z));\n"
                   "    }\n", n, y);
    }
}

static void document(FILE *f, const nnc_net *net, const char *name, int int8, size_t weight_bytes)
{
    size_t L = net->n_layers - 1, n0 = net->sizes[0], nL = net->sizes[L];
    fprintf(f, "/* %s.h - a fully-connected network exported by nnc %s.\n *\n * layers:  ", name,
            NNC_VERSION);
    for (size_t l = 0; l <= L; l++)
        fprintf(f, l ? ", %zu" : "%zu", net->sizes[l]);
    char hidden[64];
    fprintf(f, " (hidden units: %s)\n", activation_name(net->hidden, hidden, sizeof hidden));
    const char *cost = nnc_name_of(NNC_NAMES_COST, (int)net->cost);
    fprintf(f, " * cost:    %s (as trained)\n", cost ? cost : "?");
    fprintf(f, " * weights: %s, %zu bytes%s\n", int8 ? "int8 per output unit" : "float",
            weight_bytes, int8 ? "; each layer's inputs quantised to int8 per call and "
                                 "summed in integers" : "");
    fprintf(f, " *\n * %s_predict(in, out): in holds %zu floats, ", name, n0);
    if (net->in_shift)
        fprintf(f, "the raw inputs, in the order the model\n * was trained on (scaled inside, "
                   "as fitted on its training set)");
    else if (net->pixel_inputs)
        fprintf(f, "pixels as byte / 256, in [0, 1),\n * row by row");
    else
        fprintf(f, "the inputs exactly as nnc_feedforward\n * takes them (MNIST: pixels as "
                   "byte / 256, row by row)");
    if (net->input_names) {
        fputs(":\n *  ", f);
        for (size_t j = 0; j < n0 && j < 32; j++)
            fprintf(f, " %s%s", net->input_names[j], j + 1 < n0 ? "," : "");
        if (n0 > 32)
            fputs(" ...", f);
    }
    fprintf(f, ".\n * out gets %zu floats: ", nL);
    if (net->cost == NNC_COST_SOFTMAX_LOGLIK)
        fputs("softmax probabilities", f);
    else if (nnc_cost_is_regression(net->cost))
        fputs("the predicted values (linear outputs)", f);
    else
        fputs("sigmoid outputs in (0, 1), not probabilities", f);
    if (!nnc_cost_is_regression(net->cost)) {
        fprintf(f, ".\n * %s_classify(in) returns the class: %s", name,
                nL == 1 ? "1 if the output is above 0.5, else 0" : "the largest output's index");
        if (net->n_class_names) {
            fputs(";\n * the classes are", f);
            for (size_t c = 0; c < net->n_class_names && c < 32; c++)
                fprintf(f, " %zu '%s'%s", c, net->class_names[c],
                        c + 1 < net->n_class_names ? "," : "");
        }
    }
    fputs(".\n *\n * C99, no allocation, no state, nothing but <math.h> (link with -lm). The\n"
          " * float code sums in the order of nnc's reference kernels and gives their\n"
          " * results (nnc also flushes subnormal numbers to zero as it computes).\n */\n", f);
}

nnc_status nnc_export_c(const nnc_net *net, const char *path, const char *name, int int8)
{
    if (!net || !path || !name)
        return nnc__fail(NNC_ERR_ARG, "nnc_export_c: NULL argument");
    size_t len = strlen(name);
    int ok = len > 0 && len <= MAX_NAME && (isalpha((unsigned char)name[0]) || name[0] == '_');
    for (size_t i = 0; ok && i < len; i++)
        ok = isalnum((unsigned char)name[i]) || name[i] == '_';
    if (!ok)
        return nnc__fail(NNC_ERR_ARG, "%s: '%s' is not a C identifier of at most %d characters",
                         path, name, MAX_NAME);
    char upper[MAX_NAME + 1];
    for (size_t i = 0; i <= len; i++)
        upper[i] = (char)toupper((unsigned char)name[i]);
    size_t L = net->n_layers - 1, n0 = net->sizes[0], width = n0, weights = 0;
    for (size_t l = 1; l <= L; l++) {
        width = net->sizes[l] > width ? net->sizes[l] : width;
        weights += net->sizes[l - 1] * net->sizes[l];
    }
    size_t weight_bytes = int8 ? weights + 4 * (net->n_params - weights) : 4 * net->n_params;
    char *text = NULL;
    size_t text_len = 0;
    FILE *f = open_memstream(&text, &text_len);
    if (!f)
        return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
    document(f, net, name, int8, weight_bytes);
    fprintf(f, "#ifndef %s_H\n#define %s_H\n\n#include <math.h>\n\n"
               "#define %s_INPUTS %zu\n#define %s_OUTPUTS %zu\n\n",
            upper, upper, upper, n0, upper, net->sizes[L]);
    char id[MAX_NAME + 16];
    if (net->in_shift) {
        snprintf(id, sizeof id, "%s_shift", name);
        floats(f, "float", id, net->in_shift, n0);
        snprintf(id, sizeof id, "%s_factor", name);
        floats(f, "float", id, net->in_factor, n0);
    }
    for (size_t l = 1; l <= L; l++)
        layer_arrays(f, net, name, l, int8);
    /* two buffers of the widest layer, on the stack, used in turn */
    fprintf(f, "\nstatic inline void %s_predict(const float *in, float *out)\n{\n"
               "    float a[%zu], b[%zu], max, sum, xs;\n"
               "    signed char q[%zu];\n"
               "    int j, k;\n"
               "    (void)max, (void)sum, (void)xs, (void)q;\n",
            name, width, width, width);
    if (net->in_shift)
        fprintf(f, "    for (k = 0; k < %zu; k++)\n"
                   "        a[k] = (in[k] - %s_shift[k]) * %s_factor[k];\n", n0, name, name);
    else
        fprintf(f, "    for (k = 0; k < %zu; k++)\n        a[k] = in[k];\n", n0);
    for (size_t l = 1; l <= L; l++)
        layer_code(f, net, name, l, int8, l % 2 ? "a" : "b", l % 2 ? "b" : "a");
    output_code(f, net, L % 2 ? "b" : "a");
    fputs("}\n", f);
    if (!nnc_cost_is_regression(net->cost)) {
        size_t nL = net->sizes[L];
        fprintf(f, "\nstatic inline int %s_classify(const float *in)\n{\n"
                   "    float out[%zu];\n"
                   "    int j, best = 0;\n"
                   "    %s_predict(in, out);\n",
                name, nL, name);
        if (nL == 1)
            fputs("    (void)j;\n    best = out[0] > 0.5f;\n", f);
        else
            fprintf(f, "    for (j = 1; j < %zu; j++)\n"
                       "        best = out[j] > out[best] ? j : best;\n", nL);
        fputs("    return best;\n}\n", f);
    }
    fprintf(f, "\n#endif /* %s_H */\n", upper);
    if (fclose(f) != 0 || !text) {
        free(text);
        return nnc__fail(NNC_ERR_NOMEM, "%s: out of memory", path);
    }
    nnc_status s = nnc__write_atomically(path, text, text_len);
    free(text);
    return s;
}
